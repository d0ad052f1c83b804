package io.modelpilot.operator.rollout.core;

import java.util.Objects;
import java.util.Optional;

/**
 * What the machine decided in one call.
 *
 * @param state the state to persist
 * @param canaryWeight the canary's share of traffic to apply now, percent: 0 after a rollback or abort, 100 once
 *     promoted
 * @param event a Kubernetes Event's message when something worth one happened (a step, a failed analysis, a
 *     phase change); empty otherwise
 */
public record Decision(RolloutState state, int canaryWeight, Action action, Optional<String> event) {

  public enum Action {
    NONE,
    /** Moved to the next step: apply its weight. */
    ADVANCE,
    /** The canary becomes stable: roll it out to all replicas. */
    PROMOTE,
    /** The analysis failed or the canary was not ready in time: all traffic back to stable. */
    ROLLBACK,
    /** The abort annotation: all traffic back to stable. */
    ABORT
  }

  public Decision {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(event, "event");
    if (canaryWeight < 0 || canaryWeight > 100) {
      throw new IllegalArgumentException("canaryWeight must be 0..100, got " + canaryWeight);
    }
  }
}
