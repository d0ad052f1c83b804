package io.modelpilot.operator.rollout.core;

/** Where a canary rollout stands. */
public enum Phase {
  /** Analysing the canary and advancing through the steps (or waiting for the canary to become ready). */
  PROGRESSING,
  /** No step advances: the latest analysis was inconclusive, or the pause annotation is present. */
  PAUSED,
  /** The current step has no pause: it waits for the promote annotation. Analysis goes on. */
  AWAITING_PROMOTION,
  /** Terminal: the canary is the new stable. */
  PROMOTED,
  /** Terminal: the analysis failed or the canary never became ready; all traffic is back on stable. */
  ROLLED_BACK,
  /** Terminal: rolled back by the abort annotation. */
  ABORTED;

  public boolean terminal() {
    return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
  }
}
