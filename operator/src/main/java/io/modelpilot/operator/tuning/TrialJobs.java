package io.modelpilot.operator.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TrialSpec;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.api.v1alpha1.TuningParameter;
import io.modelpilot.operator.deployment.RuntimeDeploymentFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Job of one trial: the built-in benchmark (the target's own runtime pod, with the candidate settings, running
 * the runtime image's bench mode) or the user's template with the parameters filled in. Jobs carry their trial's
 * parameters in an annotation, so an operator that restarts between creating a Job and recording it in status
 * adopts it instead of creating another.
 */
final class TrialJobs {

  static final String LABEL_TUNING_JOB = "modelpilot.io/tuning-job";
  static final String LABEL_TRIAL = "modelpilot.io/trial";
  static final String ANNOTATION_PARAMETERS = "modelpilot.io/parameters";
  static final String CONTAINER = "trial";
  static final String TERMINATION_MESSAGE_PATH = "/dev/termination-log";

  private TrialJobs() {
  }

  /** {@code <tuning job>-<n>}, n counting from 1: a trial's name, and its Job's. */
  static String name(TuningJob tj, int index) {
    return tj.getMetadata().getName() + "-" + index;
  }

  /** The trial's number from its name, or -1 when the name is not one of this TuningJob's. */
  static int index(TuningJob tj, String name) {
    String prefix = tj.getMetadata().getName() + "-";
    if (name == null || !name.startsWith(prefix)) {
      return -1;
    }
    try {
      return Integer.parseInt(name.substring(prefix.length()));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static Job job(TuningJob tj, ModelDeployment target, RuntimeDeploymentFactory pods, String name,
      Map<String, String> point) {
    TrialSpec trial = tj.getSpec().getTrial();
    PodTemplateSpec template = trial.getBenchmark() != null
        ? benchmark(tj, target, pods, point)
        : custom(trial.getTemplate(), tj.getSpec().getParameters(), point);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR);
    labels.put(LABEL_TUNING_JOB, tj.getMetadata().getName());
    labels.put(LABEL_TRIAL, name);
    ObjectMeta podMeta = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    Map<String, String> podLabels = new LinkedHashMap<>(podMeta.getLabels() == null ? Map.of() : podMeta.getLabels());
    podLabels.putAll(labels);
    podMeta.setLabels(podLabels);
    template.setMetadata(podMeta);
    template.getSpec().setRestartPolicy("Never");
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(tj.getMetadata().getNamespace()).withLabels(labels)
        .withAnnotations(Map.of(ANNOTATION_PARAMETERS, Serialization.asJson(new TreeMap<>(point))))
        .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion(tj.getApiVersion()).withKind(tj.getKind())
            .withName(tj.getMetadata().getName()).withUid(tj.getMetadata().getUid()).withController(true)
            .withBlockOwnerDeletion(true).build())
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(0)
        .withActiveDeadlineSeconds(trial.activeDeadlineSecondsOrDefault())
        .withTemplate(template)
        .endSpec()
        .build();
  }

  /** The parameters a Job was created with (its annotation), or null when it has none readable. */
  static Map<String, String> parameters(Job job) {
    var annotations = job.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ANNOTATION_PARAMETERS);
    if (json == null) {
      return null;
    }
    try {
      return Serialization.jsonMapper().readValue(json, new TypeReference<TreeMap<String, String>>() { });
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  /**
   * The target's runtime pod with the candidate settings: same image, model, environment, resources, GPUs, node
   * selector and tolerations; its process benchmarks itself on loopback. None of the target's labels: the target's
   * Service must never send it traffic, nor Prometheus count it as the target.
   */
  private static PodTemplateSpec benchmark(TuningJob tj, ModelDeployment target, RuntimeDeploymentFactory pods,
      Map<String, String> point) {
    ModelDeployment candidate = Tunables.candidate(target, tj.getSpec().getParameters(), point);
    PodTemplateSpec pod = pods.podTemplate(candidate);
    pod.setMetadata(new ObjectMeta());
    Container c = pod.getSpec().getContainers().get(0);
    c.setName(CONTAINER);
    c.setPorts(null);
    c.setStartupProbe(null);
    c.setReadinessProbe(null);
    c.setLivenessProbe(null);
    c.setLifecycle(null); // nothing routes to a trial pod: nothing to drain when it is stopped
    c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
    c.setTerminationMessagePolicy("FallbackToLogsOnError");
    TrialSpec.BenchmarkTrial b = tj.getSpec().getTrial().getBenchmark();
    List<String> args = new ArrayList<>(List.of("bench",
        "--concurrency", String.valueOf(b.getConcurrency() == null ? 4 : b.getConcurrency()),
        "--duration", b.getDuration() == null ? "30s" : b.getDuration(),
        "--warmup", b.getWarmup() == null ? "3s" : b.getWarmup(),
        "--batch", String.valueOf(b.getBatch() == null ? 1 : b.getBatch()),
        "--output", TERMINATION_MESSAGE_PATH));
    c.setArgs(args);
    return pod;
  }

  /** The user's template with MODELPILOT_PARAM_<NAME> in every container and ${params.<name>} filled in. */
  private static PodTemplateSpec custom(PodTemplateSpec given, List<TuningParameter> parameters,
      Map<String, String> point) {
    PodTemplateSpec pod = Serialization.clone(given);
    if (pod.getSpec() == null) {
      pod.setSpec(new PodSpec());
    }
    for (Container c : pod.getSpec().getContainers()) {
      List<EnvVar> env = new ArrayList<>(c.getEnv() == null ? List.of() : c.getEnv());
      for (TuningParameter p : parameters) {
        String value = point.get(p.getName());
        String variable = "MODELPILOT_PARAM_" + p.getName().toUpperCase(Locale.ROOT);
        env.removeIf(e -> variable.equals(e.getName()));
        env.add(new EnvVar(variable, value, null));
      }
      c.setEnv(env);
      c.setCommand(fill(c.getCommand(), point));
      c.setArgs(fill(c.getArgs(), point));
      if (c.getTerminationMessagePath() == null) {
        c.setTerminationMessagePath(TERMINATION_MESSAGE_PATH);
      }
    }
    return pod;
  }

  private static List<String> fill(List<String> words, Map<String, String> point) {
    if (words == null) {
      return null;
    }
    return words.stream().map(w -> {
      String out = w;
      for (var e : point.entrySet()) {
        out = out.replace("${params." + e.getKey() + "}", e.getValue());
      }
      return out;
    }).toList();
  }
}
