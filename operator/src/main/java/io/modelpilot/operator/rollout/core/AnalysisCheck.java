package io.modelpilot.operator.rollout.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One metric of spec.rollout.analysis with its thresholds. Each kind takes the thresholds the spec allows for it;
 * a check that sets several (a PromQL range) is judged on each, and the worst verdict counts.
 *
 * @param name how messages name the metric
 * @param max ERROR_RATE (a fraction 0..1), LATENCY_P99 (seconds), PROMQL: the value must not exceed it
 * @param min ACCURACY (a fraction 0..1), PROMQL: the value must not fall below it
 * @param maxRatioToStable LATENCY_P99: canary p99 ÷ stable p99 must not exceed it
 * @param maxDropFromStable ACCURACY: stable accuracy − canary accuracy must not exceed it (a fraction 0..1)
 */
public record AnalysisCheck(String name, Kind kind, Double max, Double min, Double maxRatioToStable,
    Double maxDropFromStable) {

  public enum Kind {
    /** Failed requests ÷ requests; samples are requests. */
    ERROR_RATE,
    /** 99th percentile of request latency; samples are requests. */
    LATENCY_P99,
    /** Correct feedback ÷ feedback; samples are feedback records. */
    ACCURACY,
    /** A user's query, compared as is; samples play no part. */
    PROMQL
  }

  public AnalysisCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    String label = "check '" + name + "' (" + kind + ")";
    List<String> set = new ArrayList<>();
    List<String> allowed = switch (kind) {
      case ERROR_RATE -> List.of("max");
      case LATENCY_P99 -> List.of("max", "maxRatioToStable");
      case ACCURACY -> List.of("min", "maxDropFromStable");
      case PROMQL -> List.of("min", "max");
    };
    collect(set, "max", max, label);
    collect(set, "min", min, label);
    collect(set, "maxRatioToStable", maxRatioToStable, label);
    collect(set, "maxDropFromStable", maxDropFromStable, label);
    if (set.isEmpty()) {
      throw new IllegalArgumentException(label + " needs one of " + String.join(", ", allowed));
    }
    for (String threshold : set) {
      if (!allowed.contains(threshold)) {
        throw new IllegalArgumentException(
            label + " does not take " + threshold + "; it takes " + String.join(", ", allowed));
      }
    }
    boolean proportion = kind == Kind.ERROR_RATE || kind == Kind.ACCURACY;
    if (proportion) {
      requireFraction(label, "max", max);
      requireFraction(label, "min", min);
      requireFraction(label, "maxDropFromStable", maxDropFromStable);
    }
    if (kind == Kind.LATENCY_P99) {
      requirePositive(label, "max", max);
      requirePositive(label, "maxRatioToStable", maxRatioToStable);
    }
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException(label + ": min " + min + " > max " + max);
    }
  }

  public static AnalysisCheck errorRate(String name, double max) {
    return new AnalysisCheck(name, Kind.ERROR_RATE, max, null, null, null);
  }

  public static AnalysisCheck latencyP99Max(String name, double maxSeconds) {
    return new AnalysisCheck(name, Kind.LATENCY_P99, maxSeconds, null, null, null);
  }

  public static AnalysisCheck latencyP99RatioToStable(String name, double maxRatio) {
    return new AnalysisCheck(name, Kind.LATENCY_P99, null, null, maxRatio, null);
  }

  public static AnalysisCheck accuracyMin(String name, double min) {
    return new AnalysisCheck(name, Kind.ACCURACY, null, min, null, null);
  }

  public static AnalysisCheck accuracyDropFromStable(String name, double maxDrop) {
    return new AnalysisCheck(name, Kind.ACCURACY, null, null, null, maxDrop);
  }

  public static AnalysisCheck promql(String name, Double min, Double max) {
    return new AnalysisCheck(name, Kind.PROMQL, max, min, null, null);
  }

  private static void collect(List<String> set, String threshold, Double value, String label) {
    if (value == null) {
      return;
    }
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(label + ": " + threshold + " must be a finite number, got " + value);
    }
    set.add(threshold);
  }

  private static void requireFraction(String label, String threshold, Double value) {
    if (value != null && (value < 0 || value > 1)) {
      throw new IllegalArgumentException(label + ": " + threshold + " is a fraction 0..1, got " + value);
    }
  }

  private static void requirePositive(String label, String threshold, Double value) {
    if (value != null && value <= 0) {
      throw new IllegalArgumentException(label + ": " + threshold + " must be > 0, got " + value);
    }
  }
}
