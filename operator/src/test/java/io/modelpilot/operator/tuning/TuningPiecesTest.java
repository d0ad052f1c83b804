package io.modelpilot.operator.tuning;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.operator.api.v1alpha1.AppliedStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.api.v1alpha1.TuningParameter;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TuningJob adapter's pieces over plain objects: paths, patches, trial Jobs and what trials write back. */
class TuningPiecesTest {

  static final ModelDeployment TARGET = Serialization.unmarshal("""
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata: {name: fraud, namespace: ml, uid: u-1}
      spec:
        model: {uri: "file:///models/mlp-classifier.onnx", version: v1}
        runtime: {intraOpThreads: 2, batching: {maxBatchSize: 8, maxQueueDelay: 2ms}}
        autoscaling:
          maxReplicas: 4
          metrics:
            - {type: LatencyP99, targetLatency: 100ms}
            - {type: RequestsPerSecond, targetPerReplica: 50}
      """, ModelDeployment.class);

  static TuningParameter parameter(String name, TuningParameter.Type type, String path) {
    TuningParameter p = new TuningParameter();
    p.setName(name);
    p.setType(type);
    p.setPath(path);
    return p;
  }

  static final List<TuningParameter> PARAMETERS = List.of(
      parameter("threads", TuningParameter.Type.INT, "spec.runtime.intraOpThreads"),
      parameter("batch", TuningParameter.Type.CATEGORICAL, "spec.runtime.batching.maxBatchSize"),
      parameter("delay", TuningParameter.Type.CATEGORICAL, "spec.runtime.batching.maxQueueDelay"),
      parameter("rps", TuningParameter.Type.DOUBLE, "spec.autoscaling.metrics[1].targetPerReplica"));

  @Test
  void withoutACanaryTheAppliedRevisionIsPromotedOnlyOnceTheTargetRolledItOut() {
    Shipping shipping = new Shipping(null, new io.modelpilot.operator.deployment.RuntimeDeploymentFactory("img"));
    ModelDeployment target = Serialization.clone(TARGET);
    String revision = shipping.revision(target);
    var status = new io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus();
    status.setRevision(revision);
    java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
    status.setConditions(List.of(
        Conditions.of(Conditions.READY, true, Reasons.AVAILABLE, "2/2 replicas ready; rolling out", 2, now),
        Conditions.of(Conditions.PROGRESSING, true, Reasons.ROLLING_OUT, "rolling out revision " + revision, 2, now)));
    target.setStatus(status);
    assertThat(shipping.outcome(target, revision)).as("Ready on the old pods, still rolling out")
        .isEqualTo(AppliedStatus.Outcome.PENDING);

    status.setConditions(Conditions.upsert(status.getConditions(), Conditions.of(Conditions.PROGRESSING, false,
        Reasons.ROLLOUT_COMPLETE, "revision " + revision + " is rolled out", 2, now)));
    assertThat(shipping.outcome(target, revision)).isEqualTo(AppliedStatus.Outcome.PROMOTED);
  }

  @Test
  void aPatchSetsEachPathWithItsJsonTypeAndKeepsTheRestOfAList() {
    var patch = Tunables.specPatch(PARAMETERS, Map.of("threads", "4", "batch", "32", "delay", "500us", "rps", "61.5"),
        TARGET);
    assertThat(Serialization.asJson(patch)).isEqualTo("{\"spec\":{\"runtime\":{\"intraOpThreads\":4,\"batching\":"
        + "{\"maxBatchSize\":32,\"maxQueueDelay\":\"500us\"}},\"autoscaling\":{\"metrics\":[{\"type\":\"LatencyP99\","
        + "\"targetLatency\":\"100ms\"},{\"type\":\"RequestsPerSecond\",\"targetPerReplica\":61.5}]}}}");
  }

  @Test
  void aCandidateIsTheTargetWithThePointSet() {
    ModelDeployment candidate = Tunables.candidate(TARGET, PARAMETERS, Map.of("threads", "3", "batch", "1"));
    assertThat(candidate.getSpec().getRuntime().getIntraOpThreads()).isEqualTo(3);
    assertThat(candidate.getSpec().getRuntime().getBatching().getMaxBatchSize()).isEqualTo(1);
    assertThat(candidate.getSpec().getRuntime().getBatching().getMaxQueueDelay()).isEqualTo("2ms");
    assertThat(TARGET.getSpec().getRuntime().getIntraOpThreads()).as("the target is untouched").isEqualTo(2);
  }

  @Test
  void theBaselineIsWhatTheTargetRunsNow() {
    assertThat(Tunables.current(PARAMETERS, TARGET)).containsExactly(Map.entry("threads", "2"),
        Map.entry("batch", "8"), Map.entry("delay", "2ms"), Map.entry("rps", "50.0"));
    ModelDeployment bare = Serialization.clone(TARGET);
    bare.getSpec().getRuntime().setBatching(null);
    assertThat(Tunables.current(PARAMETERS, bare)).as("an unset field: no baseline").isNull();
  }

  @Test
  void aValueThatDoesNotFitItsFieldNamesTheParameterAndThePath() {
    assertThatThrownBy(() -> Tunables.specPatch(PARAMETERS, Map.of("batch", "lots"), TARGET))
        .hasMessageContaining("parameter 'batch'").hasMessageContaining("spec.runtime.batching.maxBatchSize")
        .hasMessageContaining("whole number");
  }

  @Test
  void onlyTheAllowListedPathsAreTunable() {
    assertThat(Tunables.allowed("spec.runtime.intraOpThreads")).isTrue();
    assertThat(Tunables.allowed("spec.autoscaling.metrics[0].targetPerReplica")).isTrue();
    assertThat(Tunables.allowed("spec.runtime.image")).isFalse();
    assertThat(Tunables.allowed("spec.replicas")).isFalse();
    assertThat(Tunables.allowed("metadata.labels")).isFalse();
  }

  @Test
  void capacitySetsTheRequestsPerSecondTargetOnly() {
    var patch = Tunables.specPatch(PARAMETERS, Map.of("threads", "2"), TARGET);
    assertThat(Tunables.withCapacity(patch, TARGET, 123.456)).isTrue();
    assertThat(patch.at("/spec/autoscaling/metrics/1/targetPerReplica").asDouble()).isEqualTo(123.46);
    assertThat(patch.at("/spec/autoscaling/metrics/0/targetLatency").asText()).isEqualTo("100ms");
    ModelDeployment plain = Serialization.clone(TARGET);
    plain.getSpec().setAutoscaling(null);
    var other = Tunables.specPatch(PARAMETERS, Map.of("threads", "2"), plain);
    assertThat(Tunables.withCapacity(other, plain, 10)).isFalse();
    assertThat(Serialization.asJson(other)).isEqualTo("{\"spec\":{\"runtime\":{\"intraOpThreads\":2}}}");
  }

  @Test
  void terminationMessagesBecomeMetricsOrAFailureWithAReason() {
    assertThat(TrialResults.metrics("{\"throughput\": 812.5, \"model\": \"m\", \"settings\": {\"a\": 1}}",
        List.of("throughput"))).isEqualTo(new TrialResults.Succeeded(Map.of("throughput", 812.5)));
    assertThat(TrialResults.metrics("Killed", List.of("x"))).isInstanceOfSatisfying(TrialResults.Failed.class,
        f -> assertThat(f.reason()).isEqualTo("BadResult"));
    assertThat(TrialResults.metrics("[1, 2]", List.of("x"))).isInstanceOfSatisfying(TrialResults.Failed.class,
        f -> assertThat(f.message()).contains("not a JSON object"));
    assertThat(TrialResults.metrics("{\"loss\": \"NaN\"}", List.of("loss")))
        .isInstanceOfSatisfying(TrialResults.Failed.class, f -> assertThat(f.reason()).isEqualTo("MissingMetric"));
    assertThat(TrialResults.metrics("{\"accuracy\": 0.9}", List.of("accuracy", "latencyP99Ms")))
        .isInstanceOfSatisfying(TrialResults.Failed.class, f -> assertThat(f.message()).contains("latencyP99Ms"));
    String huge = "x".repeat(10_000);
    assertThat(((TrialResults.Failed) TrialResults.metrics(huge, List.of("x"))).message()).hasSizeLessThan(200);
  }

  @Test
  void aCustomTrialGetsItsParametersAsEnvironmentAndInItsArguments() {
    TuningJob tj = Serialization.unmarshal("""
        apiVersion: modelpilot.io/v1alpha1
        kind: TuningJob
        metadata: {name: search, namespace: ml, uid: t-1}
        spec:
          targetRef: {name: fraud}
          objective: {metric: loss, direction: Minimize}
          parameters: [{name: lr, type: double, min: 0.001, max: 0.1, logScale: true}]
          trial:
            template:
              spec:
                containers:
                  - name: train
                    image: trainer:1
                    command: [python3, train.py]
                    args: ["--lr=${params.lr}", "--epochs=3"]
        """, TuningJob.class);
    Job job = TrialJobs.job(tj, TARGET, new io.modelpilot.operator.deployment.RuntimeDeploymentFactory("runtime:1"), TrialJobs.name(tj, 7), Map.of("lr", "0.01"));
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(job.getMetadata().getName()).isEqualTo("search-7");
    assertThat(TrialJobs.index(tj, "search-7")).isEqualTo(7);
    assertThat(TrialJobs.index(tj, "other-7")).isEqualTo(-1);
    assertThat(container.getArgs()).containsExactly("--lr=0.01", "--epochs=3");
    assertThat(container.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("MODELPILOT_PARAM_LR");
      assertThat(e.getValue()).isEqualTo("0.01");
    });
    assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(job.getSpec().getBackoffLimit()).isZero();
    assertThat(TrialJobs.parameters(job)).containsExactly(Map.entry("lr", "0.01"));
    assertThat(tj.getSpec().getTrial().getTemplate().getSpec().getContainers().get(0).getArgs())
        .as("the spec's template is untouched").containsExactly("--lr=${params.lr}", "--epochs=3");
  }

  @Test
  void aBenchmarkTrialRunsTheTargetsPodWithoutProbesOrDrainButWithItsResourcesAndHeap() {
    TuningJob tj = Serialization.unmarshal("""
        apiVersion: modelpilot.io/v1alpha1
        kind: TuningJob
        metadata: {name: bench, namespace: ml, uid: t-2}
        spec:
          targetRef: {name: fraud}
          objective: {metric: throughput}
          parameters: [{name: threads, type: int, min: 1, max: 4, path: spec.runtime.intraOpThreads}]
          trial: {benchmark: {concurrency: 2}}
        """, TuningJob.class);
    var defaults = new io.modelpilot.operator.deployment.PodDefaults(Map.of(), Map.of("memory",
        new io.fabric8.kubernetes.api.model.Quantity("2Gi")), 50, java.time.Duration.ofMinutes(10),
        java.time.Duration.ofSeconds(5));
    Job job = TrialJobs.job(tj, TARGET, new io.modelpilot.operator.deployment.RuntimeDeploymentFactory("runtime:1",
        "runtime:1", defaults), TrialJobs.name(tj, 1), Map.of("threads", "3"));
    var container = job.getSpec().getTemplate().getSpec().getContainers().get(0);

    assertThat(container.getArgs()).startsWith("bench");
    assertThat(container.getStartupProbe()).isNull();
    assertThat(container.getReadinessProbe()).isNull();
    assertThat(container.getLivenessProbe()).isNull();
    assertThat(container.getLifecycle()).as("nothing routes to a trial: nothing to drain").isNull();
    // measured on what the target's pods get
    assertThat(container.getResources().getLimits()).containsKey("memory");
    assertThat(container.getEnv()).anySatisfy(e -> assertThat(e.getName()).isEqualTo("JDK_JAVA_OPTIONS"));
  }
}
