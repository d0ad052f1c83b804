package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/** The status the Deployment controller would write, from the pods the kubelet runs. Pure. */
final class DeploymentStatuses {

  static final String AVAILABLE = "Available";
  static final String PROGRESSING = "Progressing";
  static final String NEW_REPLICA_SET_AVAILABLE = "NewReplicaSetAvailable";
  static final String REPLICA_SET_UPDATED = "ReplicaSetUpdated";
  static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  /** What the pods of one Deployment look like now. */
  record Observed(long generation, int desired, int maxUnavailable, String replicaSet, int replicas,
      int updated, int ready, boolean deadlineExceeded) {

    /** The rollout of the current template is done: Kubernetes' DeploymentComplete. */
    boolean complete() {
      return updated == desired && replicas == desired && ready >= desired;
    }
  }

  private DeploymentStatuses() {
  }

  static DeploymentStatus compute(Observed o, DeploymentStatus previous, Instant now) {
    String time = now.truncatedTo(ChronoUnit.SECONDS).toString();
    int available = o.ready();
    boolean minimumAvailable = available >= o.desired() - o.maxUnavailable();
    DeploymentCondition availableCondition = minimumAvailable
        ? condition(AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", time)
        : condition(AVAILABLE, "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.",
            time);
    DeploymentCondition progressing;
    if (o.complete()) {
      progressing = condition(PROGRESSING, "True", NEW_REPLICA_SET_AVAILABLE,
          "ReplicaSet \"" + o.replicaSet() + "\" has successfully progressed.", time);
    } else if (o.deadlineExceeded()) {
      progressing = condition(PROGRESSING, "False", PROGRESS_DEADLINE_EXCEEDED,
          "ReplicaSet \"" + o.replicaSet() + "\" has timed out progressing.", time);
    } else {
      progressing = condition(PROGRESSING, "True", REPLICA_SET_UPDATED,
          "ReplicaSet \"" + o.replicaSet() + "\" is progressing.", time);
    }
    List<DeploymentCondition> before = previous == null || previous.getConditions() == null ? List.of()
        : previous.getConditions();
    return new DeploymentStatusBuilder()
        .withObservedGeneration(o.generation())
        .withReplicas(o.replicas())
        .withUpdatedReplicas(o.updated())
        .withReadyReplicas(o.ready())
        .withAvailableReplicas(available)
        .withUnavailableReplicas(Math.max(0, Math.max(o.desired(), o.replicas()) - available))
        .withConditions(keepTimes(availableCondition, before), keepTimes(progressing, before))
        .build();
  }

  /** The same counts and the same condition statuses and reasons: nothing worth a write. */
  static boolean sameState(DeploymentStatus a, DeploymentStatus b) {
    if (a == null || b == null) {
      return a == b;
    }
    return Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())
        && Objects.equals(a.getReplicas(), b.getReplicas())
        && Objects.equals(a.getUpdatedReplicas(), b.getUpdatedReplicas())
        && Objects.equals(a.getReadyReplicas(), b.getReadyReplicas())
        && Objects.equals(a.getAvailableReplicas(), b.getAvailableReplicas())
        && Objects.equals(a.getUnavailableReplicas(), b.getUnavailableReplicas())
        && signature(a.getConditions()).equals(signature(b.getConditions()));
  }

  private static List<String> signature(List<DeploymentCondition> conditions) {
    return conditions == null ? List.of() : conditions.stream()
        .map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason() + "/" + c.getMessage()).sorted().toList();
  }

  private static DeploymentCondition condition(String type, String status, String reason, String message, String time) {
    return new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastUpdateTime(time).withLastTransitionTime(time).build();
  }

  /** Kubernetes keeps lastTransitionTime while the status holds, and lastUpdateTime while nothing changes. */
  private static DeploymentCondition keepTimes(DeploymentCondition next, List<DeploymentCondition> before) {
    for (DeploymentCondition old : before) {
      if (old.getType().equals(next.getType()) && Objects.equals(old.getStatus(), next.getStatus())) {
        next.setLastTransitionTime(old.getLastTransitionTime());
        if (Objects.equals(old.getReason(), next.getReason()) && Objects.equals(old.getMessage(), next.getMessage())) {
          next.setLastUpdateTime(old.getLastUpdateTime());
        }
      }
    }
    return next;
  }
}
