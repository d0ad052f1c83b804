package io.modelpilot.operator.autoscaling;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything one scaling round looks at. {@code currentReplicas} is the replica count the Deployment's spec
 * asks for now; {@code readyReplicas} how many of its pods serve (pods still loading a model do not).
 * A {@code minReplicas} of 0 allows scaling to zero, which happens only when every metric's value is 0.
 */
public record ScalingInput(int currentReplicas, int readyReplicas, int minReplicas, int maxReplicas,
    List<MetricReading> readings, Behavior behavior, Instant now) {

  public ScalingInput {
    readings = List.copyOf(readings);
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(now, "now");
    if (currentReplicas < 0 || readyReplicas < 0) {
      throw new IllegalArgumentException(
          "replica counts must be >= 0, got current " + currentReplicas + ", ready " + readyReplicas);
    }
    if (minReplicas < 0 || minReplicas > maxReplicas) {
      throw new IllegalArgumentException(
          "need 0 <= minReplicas <= maxReplicas, got " + minReplicas + " and " + maxReplicas);
    }
  }

  /** Pods the spec asks for that do not serve yet. */
  int notReadyReplicas() {
    return Math.max(0, currentReplicas - readyReplicas);
  }
}
