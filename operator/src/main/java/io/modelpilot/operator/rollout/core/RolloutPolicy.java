package io.modelpilot.operator.rollout.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * spec.rollout as the state machine needs it.
 *
 * @param interval how often the canary is analysed
 * @param failureLimit failed analyses tolerated over the whole rollout; one more rolls back
 * @param minRequests requests the canary must have served in an analysis window before its metrics are judged
 * @param progressDeadline how long the canary may stay not ready before it is rolled back
 */
public record RolloutPolicy(List<Step> steps, Duration interval, int failureLimit, long minRequests,
    Duration progressDeadline) {

  public RolloutPolicy {
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("rollout needs at least one step");
    }
    requirePositive("interval", interval);
    requirePositive("progressDeadline", progressDeadline);
    if (failureLimit < 0) {
      throw new IllegalArgumentException("failureLimit must be >= 0, got " + failureLimit);
    }
    if (minRequests < 0) {
      throw new IllegalArgumentException("minRequests must be >= 0, got " + minRequests);
    }
  }

  /** The step at {@code index}, or the last one when a shortened spec no longer has that many. */
  public Step step(int index) {
    return steps.get(Math.min(index, steps.size() - 1));
  }

  public boolean lastStep(int index) {
    return index >= steps.size() - 1;
  }

  private static void requirePositive(String field, Duration d) {
    Objects.requireNonNull(d, field);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(field + " must be > 0, got " + d);
    }
  }
}
