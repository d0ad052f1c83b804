package io.modelpilot.operator.rollout.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One step of spec.rollout.steps.
 *
 * @param weight the canary's share of traffic, percent
 * @param pause how long the step lasts at least; null: the step waits for the promote annotation
 */
public record Step(int weight, Duration pause) {

  public Step {
    if (weight < 1 || weight > 100) {
      throw new IllegalArgumentException("step weight must be 1..100 percent, got " + weight);
    }
    if (pause != null && pause.isNegative()) {
      throw new IllegalArgumentException("step pause must be >= 0, got " + pause);
    }
  }

  public static Step timed(int weight, Duration pause) {
    return new Step(weight, Objects.requireNonNull(pause, "pause"));
  }

  public static Step manual(int weight) {
    return new Step(weight, null);
  }

  public boolean manual() {
    return pause == null;
  }
}
