package io.modelpilot.operator.autoscaling.core;

import io.modelpilot.operator.common.Numbers;
import java.util.Objects;

/**
 * One metric's reading for one scaling round: a value to compare with a target, or the reason there is
 * none. A missing reading is a value in its own right because the autoscaler must treat "no data" differently
 * from "zero load": it never scales down on it.
 */
public sealed interface MetricReading permits MetricReading.Available, MetricReading.Missing {

  /** How the reason texts name the metric, e.g. "requests/s per replica". */
  String name();

  enum Kind {
    /**
     * The value is a total over the ready pods (requests/s, in-flight requests) and the target is per replica,
     * as HPA's AverageValue target: the sum is what the ready pods carry, so it can be spread over a new count.
     */
    PER_REPLICA,
    /** The value is compared with the target as is (p99 latency, a cluster-wide PromQL value): HPA's Value. */
    ABSOLUTE
  }

  record Available(String name, Kind kind, double value, double target) implements MetricReading {
    public Available {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kind, "kind");
      if (!Double.isFinite(value) || value < 0) {
        throw new IllegalArgumentException(name + ": value must be finite and >= 0, got " + value);
      }
      requireTarget(name, target);
    }
  }

  record Missing(String name, String reason) implements MetricReading {
    public Missing {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }
  }

  static MetricReading perReplica(String name, double total, double targetPerReplica) {
    return of(name, Kind.PER_REPLICA, total, targetPerReplica);
  }

  static MetricReading absolute(String name, double value, double target) {
    return of(name, Kind.ABSOLUTE, value, target);
  }

  static MetricReading missing(String name, String reason) {
    return new Missing(name, reason);
  }

  private static MetricReading of(String name, Kind kind, double value, double target) {
    requireTarget(name, target);
    // Prometheus answers NaN for 0/0 (a mean latency over no requests, a quantile of an empty histogram) and
    // a user's query may go negative: neither says how loaded the pods are, so both count as no data.
    if (!Double.isFinite(value)) {
      return new Missing(name, "no data (" + value + ")");
    }
    if (value < 0) {
      return new Missing(name, "negative value " + Numbers.format(value));
    }
    return new Available(name, kind, value, target);
  }

  private static void requireTarget(String name, double target) {
    if (!Double.isFinite(target) || target <= 0) {
      throw new IllegalArgumentException(name + ": target must be finite and > 0, got " + target);
    }
  }
}
