package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.e2e.process.ScrapeTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What the rest of the cluster learns of the kubelet's pods: a Pod object each, with the status a kubelet writes
 * (phase, container state, Ready), which the {@link ServiceProxy} reads as endpoints; and the scrape targets
 * Prometheus discovers the model servers by, labelled as a PodMonitor with {@code podTargetLabels} would.
 */
final class PodPublisher {

  /** Where the pod listens: every pod shares 127.0.0.1, so its port is its address. */
  static final String PORT_ANNOTATION = "modelpilot.io/port";
  static final String NODE_NAME = "local";
  /** Labels a PodMonitor copies onto every series (podTargetLabels), as Prometheus sanitises them. */
  private static final List<String> TARGET_LABELS =
      List.of("modelpilot.io/deployment", "modelpilot.io/track", DeploymentController.REVISION_LABEL);
  private static final Logger LOG = LoggerFactory.getLogger(PodPublisher.class);

  private final KubernetesClient client;
  private final Consumer<Collection<ScrapeTarget>> targetSink;
  private Set<ScrapeTarget> publishedTargets = Set.of();

  /** @param targetSink receives the scrape targets whenever they change; null when nothing scrapes */
  PodPublisher(KubernetesClient client, Consumer<Collection<ScrapeTarget>> targetSink) {
    this.client = client;
    this.targetSink = targetSink;
  }

  /** Creates the pod's Pod object, or writes its status when that changed since the last write. */
  void publish(PodProcess p) {
    if (p.stopped) {
      return;
    }
    PodStatus status = status(p);
    String signature = signature(status);
    if (signature.equals(p.writtenStatus)) {
      return;
    }
    try {
      if (!p.podObjectCreated) {
        Map<String, String> annotations = new LinkedHashMap<>(Optional.ofNullable(p.template.getMetadata())
            .map(m -> m.getAnnotations()).orElse(Map.of()));
        annotations.put(PORT_ANNOTATION, String.valueOf(p.port));
        Pod pod = new PodBuilder()
            .withNewMetadata().withName(p.name).withNamespace(p.namespace).withLabels(p.labels)
            .withAnnotations(annotations).withOwnerReferences(p.owner).endMetadata()
            .withSpec(new PodSpecBuilder(p.template.getSpec()).withNodeName(NODE_NAME).build())
            .withStatus(status)
            .build();
        client.pods().inNamespace(p.namespace).resource(pod).create();
        p.podObjectCreated = true;
      } else {
        Pod pod = new PodBuilder().withNewMetadata().withName(p.name).withNamespace(p.namespace).endMetadata()
            .withStatus(status).build();
        client.pods().inNamespace(p.namespace).resource(pod).updateStatus();
      }
      p.writtenStatus = signature;
    } catch (KubernetesClientException e) {
      LOG.warn("cannot write Pod {}: {}", p.key(), e.getMessage());
    }
  }

  /** Hands the sink the model servers' addresses when the set changed; Job pods are not scraped. */
  void publishTargets(Collection<PodProcess> pods) {
    if (targetSink == null) {
      return;
    }
    Set<ScrapeTarget> targets = new HashSet<>();
    for (PodProcess p : pods) {
      if (p.job || p.process == null || p.stopped) {
        continue;
      }
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("namespace", p.namespace);
      labels.put("pod", p.name);
      labels.put("container", p.container.getName());
      for (String label : TARGET_LABELS) {
        if (p.labels.containsKey(label)) {
          labels.put(sanitize(label), p.labels.get(label));
        }
      }
      targets.add(new ScrapeTarget("127.0.0.1:" + p.port, labels));
    }
    if (!targets.equals(publishedTargets)) {
      targetSink.accept(targets);
      publishedTargets = targets;
    }
  }

  /** Ignores timestamps that change on every call. */
  private static String signature(PodStatus status) {
    ContainerStatus c = status.getContainerStatuses().get(0);
    return status.getPhase() + "|" + c.getReady() + "|" + c.getRestartCount() + "|" + Serialization.asJson(c.getState())
        .replaceAll("\"(startedAt|finishedAt)\":\"[^\"]*\"", "");
  }

  private static PodStatus status(PodProcess p) {
    String now = time(Instant.now());
    String phase;
    ContainerState state;
    if (p.finishedAt != null) {
      phase = p.exitCode != null && p.exitCode == 0 ? "Succeeded" : "Failed";
      state = new ContainerStateBuilder().withNewTerminated().withExitCode(p.exitCode).withReason(p.terminationReason)
          .withMessage(p.terminationMessage).withStartedAt(time(p.startedAt)).withFinishedAt(time(p.finishedAt))
          .endTerminated().build();
    } else if (p.restartAt != null) {
      phase = "Running";
      state = new ContainerStateBuilder().withNewWaiting().withReason("CrashLoopBackOff")
          .withMessage("back-off restarting failed container " + p.container.getName()
              + (p.launchError != null ? ": " + p.launchError : ""))
          .endWaiting().build();
    } else if (p.running() || p.terminating) {
      phase = "Running";
      state = new ContainerStateBuilder().withNewRunning().withStartedAt(time(p.startedAt)).endRunning().build();
    } else {
      phase = "Pending";
      state = new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating").endWaiting().build();
    }
    ContainerStatusBuilder container = new ContainerStatusBuilder().withName(p.container.getName())
        .withImage(p.container.getImage()).withImageID("").withContainerID("local://" + (p.process == null ? ""
            : p.process.pid()))
        .withReady(p.ready).withStarted(p.running()).withRestartCount(p.restarts).withState(state);
    if ((p.restarts > 0 || p.restartAt != null) && p.exitCode != null && p.finishedAt == null) {
      container.withNewLastState().withNewTerminated().withExitCode(p.exitCode).withReason("Error")
          .withMessage(p.terminationMessage).endTerminated().endLastState();
    }
    String ready = p.ready ? "True" : "False";
    List<PodCondition> conditions = List.of(
        condition("PodScheduled", "True", now), condition("Initialized", "True", now),
        condition("ContainersReady", ready, now), condition("Ready", ready, now));
    return new PodStatusBuilder().withPhase(phase).withConditions(conditions).withHostIP("127.0.0.1")
        .withPodIP("127.0.0.1").addNewPodIP("127.0.0.1").withStartTime(time(p.created))
        .withContainerStatuses(container.build()).withQosClass("Burstable").build();
  }

  private static PodCondition condition(String type, String status, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(now).build();
  }

  /** Prometheus' label-name sanitising: everything outside [a-zA-Z0-9_] becomes an underscore. */
  private static String sanitize(String label) {
    return label.replaceAll("[^a-zA-Z0-9_]", "_");
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
