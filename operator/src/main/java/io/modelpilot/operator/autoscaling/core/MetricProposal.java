package io.modelpilot.operator.autoscaling.core;

import java.util.Objects;

/**
 * What one metric asks for this round, with the numbers behind it, for the status and the reason text.
 *
 * @param current the value compared with the target: per ready replica for per-replica metrics; null when
 *     the reading is missing or no pod is ready to average over
 * @param target null when the reading is missing
 * @param replicas the replica count this metric proposes; null when the reading is missing
 * @param summary e.g. "requests/s per replica 81 > 50", or "latency p99: Prometheus unreachable"
 */
public record MetricProposal(String name, Verdict verdict, Double current, Double target, Integer replicas,
    String summary) {

  public enum Verdict {
    SCALE_UP,
    SCALE_DOWN,
    WITHIN_TOLERANCE,
    /** No change for another reason: pods that are not ready yet make the change unsafe to act on. */
    HOLD,
    UNAVAILABLE
  }

  public MetricProposal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(summary, "summary");
  }

  public boolean available() {
    return verdict != Verdict.UNAVAILABLE;
  }
}
