package io.modelpilot.operator.rollout.core;

import java.util.Objects;

/**
 * One metric's verdict for one analysis.
 *
 * @param metric the check's name, as the spec gives it
 * @param value what was compared with the threshold (a ratio or a drop where the check compares with stable);
 *     null when there was no data
 * @param threshold the threshold as the spec names it, e.g. "maxRatioToStable 1.5"
 * @param message one line that says what was compared, e.g. "p99 latency ratio to stable 1.82 > 1.5"
 */
public record Judgement(String metric, Verdict verdict, Double value, String threshold, String message) {

  public Judgement {
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(threshold, "threshold");
    Objects.requireNonNull(message, "message");
  }

  /** For status and Events: "latency: p99 latency ratio to stable 1.82 > 1.5". */
  public String describe() {
    return metric + ": " + message;
  }
}
