package io.modelpilot.operator.search;

import java.util.Locale;
import java.util.Map;

/** A metric that must stay at or below ({@link Bound#MAX}) or at or above ({@link Bound#MIN}) a limit. */
public record Constraint(String metric, Bound bound, double limit) {

  public enum Bound { MAX, MIN }

  public Constraint {
    if (metric == null || metric.isBlank()) {
      throw new IllegalArgumentException("a constraint needs a metric name");
    }
    if (bound == null) {
      throw new IllegalArgumentException("constraint on '" + metric + "' needs max or min");
    }
    if (!Double.isFinite(limit)) {
      throw new IllegalArgumentException("constraint on '" + metric + "': the limit must be a finite number, got "
          + limit);
    }
  }

  public static Constraint atMost(String metric, double limit) {
    return new Constraint(metric, Bound.MAX, limit);
  }

  public static Constraint atLeast(String metric, double limit) {
    return new Constraint(metric, Bound.MIN, limit);
  }

  /** Whether the metrics satisfy it; a trial that did not report the metric does not. */
  public boolean satisfiedBy(Map<String, Double> metrics) {
    Double v = metrics.get(metric);
    return v != null && !v.isNaN() && excess(v) <= 0;
  }

  /** How far {@code value} is on the wrong side of the limit (negative when satisfied): "≤ 0" for every bound. */
  double excess(double value) {
    return bound == Bound.MAX ? value - limit : limit - value;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%s %s %s", metric, bound == Bound.MAX ? "<=" : ">=", limit);
  }
}
