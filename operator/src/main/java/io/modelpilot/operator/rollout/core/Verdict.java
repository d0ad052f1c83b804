package io.modelpilot.operator.rollout.core;

/** What one analysis concluded about the canary, in increasing order of severity. */
public enum Verdict {
  PASS,
  /** The data cannot tell (none, too little, Prometheus unreachable): never promotes, never counts as a failure. */
  INCONCLUSIVE,
  FAIL;

  Verdict worst(Verdict other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
