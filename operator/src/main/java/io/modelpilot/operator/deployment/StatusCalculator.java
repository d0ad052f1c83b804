package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentStatus;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** The status a ModelDeployment should have, from what the cluster reports. Pure. */
public final class StatusCalculator {

  private StatusCalculator() {
  }

  /**
   * @param deployment the runtime Deployment as last seen, or null when it does not exist yet
   * @param problems references the cluster lacks (reported instead of rolling out)
   * @param revision the revision the spec asks for
   */
  public static ModelDeploymentStatus compute(ModelDeployment md, Deployment deployment, List<ReferenceProblem> problems,
      String revision, String endpoint, Instant now) {
    return compute(md, deployment, problems, revision, endpoint, md.getSpec().replicasOrDefault(), now);
  }

  /** @param desired replicas wanted now: spec.replicas, or the autoscaler's decision */
  public static ModelDeploymentStatus compute(ModelDeployment md, Deployment deployment, List<ReferenceProblem> problems,
      String revision, String endpoint, int desired, Instant now) {
    long generation = md.getMetadata().getGeneration() == null ? 0 : md.getMetadata().getGeneration();
    ModelDeploymentStatus previous = md.getStatus() == null ? new ModelDeploymentStatus() : md.getStatus();
    int ready = readyReplicas(deployment);
    boolean deploymentCurrent = deployment != null && deploymentObservedItsSpec(deployment)
        && revision.equals(labelRevision(deployment));
    boolean rolledOut = deploymentCurrent && updatedReplicas(deployment) >= desired
        && replicas(deployment) == desired && ready >= desired;
    DeploymentCondition deadline = deployment == null ? null : progressDeadlineExceeded(deployment);

    var conditions = previous.getConditions();
    if (!problems.isEmpty()) {
      ReferenceProblem first = problems.get(0);
      String message = String.join("; ", problems.stream().map(ReferenceProblem::message).toList());
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, first.reason(), message,
          generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, false, first.reason(),
          "waiting for the missing reference before rolling out", generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true, first.reason(), message,
          generation, now));
    } else if (deadline != null) {
      String message = "the runtime Deployment exceeded its progress deadline: "
          + Objects.requireNonNullElse(deadline.getMessage(), "pods did not become ready");
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, ready > 0 && ready >= desired,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.PROGRESSING, false,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, true,
          Reasons.PROGRESS_DEADLINE_EXCEEDED, message, generation, now));
    } else {
      if (desired == 0) {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, Reasons.NO_REPLICAS,
            "0 replicas wanted: no pod serves the model", generation, now));
      } else if (ready >= desired) {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, true, Reasons.AVAILABLE,
            "%d/%d replicas ready%s".formatted(ready, desired,
                rolledOut ? "" : "; rolling out revision " + revision), generation, now));
      } else if (ready > 0 && Conditions.isTrue(previous.getConditions(), Conditions.READY)) {
        // once serving, a pod short (scaling up, a pod restarting) still serves: Ready stays True rather than
        // flapping on every scale-up; only the last ready pod going away makes it False
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, true, Reasons.AVAILABLE,
            "%d/%d replicas ready; %s".formatted(ready, desired, deploymentCurrent ? "scaling up" : "rolling out"),
            generation, now));
      } else {
        conditions = Conditions.upsert(conditions, Conditions.of(Conditions.READY, false, Reasons.DEPLOYING,
            "%d/%d replicas ready".formatted(ready, desired), generation, now));
      }
      conditions = Conditions.upsert(conditions, rolledOut || desired == 0 && deploymentCurrent
          ? Conditions.of(Conditions.PROGRESSING, false, Reasons.ROLLOUT_COMPLETE,
              "revision " + revision + " is rolled out", generation, now)
          : Conditions.of(Conditions.PROGRESSING, true, Reasons.ROLLING_OUT,
              "rolling out revision " + revision, generation, now));
      conditions = Conditions.upsert(conditions, Conditions.of(Conditions.DEGRADED, false, Reasons.AS_EXPECTED,
          "no problem found", generation, now));
    }

    ModelDeploymentStatus status = new ModelDeploymentStatus();
    status.setObservedGeneration(generation);
    status.setConditions(conditions);
    status.setReplicas(desired);
    status.setReadyReplicas(ready);
    status.setReplicaSummary(ready + "/" + desired);
    status.setRevision(revision);
    status.setEndpoint(endpoint);
    return status;
  }

  private static boolean deploymentObservedItsSpec(Deployment deployment) {
    Long generation = deployment.getMetadata().getGeneration();
    Long observed = deployment.getStatus() == null ? null : deployment.getStatus().getObservedGeneration();
    return generation == null || observed != null && observed >= generation;
  }

  private static String labelRevision(Deployment deployment) {
    var labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    return labels == null ? null : labels.get(RuntimeDeploymentFactory.LABEL_REVISION);
  }

  private static DeploymentCondition progressDeadlineExceeded(Deployment deployment) {
    if (deployment.getStatus() == null || deployment.getStatus().getConditions() == null) {
      return null;
    }
    return deployment.getStatus().getConditions().stream()
        .filter(c -> "Progressing".equals(c.getType()) && "False".equals(c.getStatus())
            && Reasons.PROGRESS_DEADLINE_EXCEEDED.equals(c.getReason()))
        .findFirst().orElse(null);
  }

  private static int readyReplicas(Deployment d) {
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0
        : d.getStatus().getReadyReplicas();
  }

  private static int updatedReplicas(Deployment d) {
    return d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null ? 0 : d.getStatus().getUpdatedReplicas();
  }

  private static int replicas(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
  }
}
