package io.modelpilot.operator.autoscaling.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything one scaling round looks at. {@code currentReplicas} is the replica count the Deployment's spec
 * asks for now; {@code readyReplicas} how many of its pods serve (pods still loading a model do not).
 * A {@code minReplicas} of 0 allows scaling to zero, which happens only when every metric's value is 0.
 * {@code readingWindow} is how far back the readings look (the rate and quantile window): an absolute reading
 * describes the pods that were ready over it, not only those ready now.
 */
public record ScalingInput(int currentReplicas, int readyReplicas, int minReplicas, int maxReplicas,
    List<MetricReading> readings, Behavior behavior, Instant now, Duration readingWindow) {

  public ScalingInput {
    readings = List.copyOf(readings);
    Objects.requireNonNull(behavior, "behavior");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(readingWindow, "readingWindow");
    if (readingWindow.isNegative()) {
      throw new IllegalArgumentException("readingWindow must be >= 0, got " + readingWindow);
    }
    if (currentReplicas < 0 || readyReplicas < 0) {
      throw new IllegalArgumentException(
          "replica counts must be >= 0, got current " + currentReplicas + ", ready " + readyReplicas);
    }
    if (minReplicas < 0 || minReplicas > maxReplicas) {
      throw new IllegalArgumentException(
          "need 0 <= minReplicas <= maxReplicas, got " + minReplicas + " and " + maxReplicas);
    }
  }

  /** Readings of this instant only: no window. */
  public ScalingInput(int currentReplicas, int readyReplicas, int minReplicas, int maxReplicas,
      List<MetricReading> readings, Behavior behavior, Instant now) {
    this(currentReplicas, readyReplicas, minReplicas, maxReplicas, readings, behavior, now, Duration.ZERO);
  }

  /** Pods the spec asks for that do not serve yet. */
  int notReadyReplicas() {
    return Math.max(0, currentReplicas - readyReplicas);
  }
}
