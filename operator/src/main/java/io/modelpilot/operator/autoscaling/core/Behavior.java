package io.modelpilot.operator.autoscaling.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** How fast to scale in each direction, as HPA v2's {@code behavior}, with HPA's defaults. */
public record Behavior(Rules scaleUp, Rules scaleDown) {

  public static final double DEFAULT_TOLERANCE = 0.1;

  public Behavior {
    Objects.requireNonNull(scaleUp, "scaleUp");
    Objects.requireNonNull(scaleDown, "scaleDown");
  }

  public static Behavior defaults() {
    return new Behavior(Rules.defaultScaleUp(), Rules.defaultScaleDown());
  }

  public Behavior withScaleUp(Rules rules) {
    return new Behavior(rules, scaleDown);
  }

  public Behavior withScaleDown(Rules rules) {
    return new Behavior(scaleUp, rules);
  }

  /** How long recommendations must be kept for either window (the scale-down one with its settling time). */
  Duration longestWindow() {
    return max(scaleUp.stabilizationWindow(), scaleDown.stabilizationWindow().plus(scaleDown.settleWindow()));
  }

  /** How long scale events must be kept for any policy's period. */
  Duration longestPeriod() {
    Duration longest = Duration.ZERO;
    for (Policy p : scaleUp.policies()) {
      longest = max(longest, p.period());
    }
    for (Policy p : scaleDown.policies()) {
      longest = max(longest, p.period());
    }
    return longest;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  public enum SelectPolicy {
    /** The policy that allows the biggest change. */
    MAX,
    /** The policy that allows the smallest change. */
    MIN,
    /** No scaling in this direction at all. */
    DISABLED
  }

  public enum PolicyType {
    /** A number of pods per period. */
    PODS,
    /** A percentage of the pods there were at the start of the period. */
    PERCENT
  }

  public record Policy(PolicyType type, int value, Duration period) {
    public Policy {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(period, "period");
      if (value < 1) {
        throw new IllegalArgumentException("policy value must be >= 1, got " + value);
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("policy period must be > 0, got " + period);
      }
    }

    public static Policy pods(int value, Duration period) {
      return new Policy(PolicyType.PODS, value, period);
    }

    public static Policy percent(int value, Duration period) {
      return new Policy(PolicyType.PERCENT, value, period);
    }
  }

  /**
   * One direction's rules. {@code tolerance} is per direction (as HPA's configurable tolerance): scaling up
   * happens only above 1 + the scale-up tolerance, scaling down only below 1 - the scale-down tolerance.
   *
   * <p>{@code settleWindow} (scale-down only; not HPA's): a scale-down waits until the stabilization window's
   * highest recommendation has stopped falling for this long, and then goes the whole way in one step. HPA
   * follows load that falls over minutes (the end of a ramp, a surge whose samples leave the window one scrape
   * at a time) down a staircase, one change per fall of the window's highest; settling trades a little more
   * capacity for one change instead. Zero (the default) is HPA's behaviour.
   */
  public record Rules(Duration stabilizationWindow, List<Policy> policies, SelectPolicy selectPolicy,
      double tolerance, Duration settleWindow) {

    public Rules {
      Objects.requireNonNull(stabilizationWindow, "stabilizationWindow");
      Objects.requireNonNull(selectPolicy, "selectPolicy");
      Objects.requireNonNull(settleWindow, "settleWindow");
      policies = List.copyOf(policies);
      if (stabilizationWindow.isNegative()) {
        throw new IllegalArgumentException("stabilizationWindow must be >= 0, got " + stabilizationWindow);
      }
      if (settleWindow.isNegative()) {
        throw new IllegalArgumentException("settleWindow must be >= 0, got " + settleWindow);
      }
      // Without a policy, MAX and MIN would have nothing to choose from; HPA's API refuses it too.
      if (policies.isEmpty() && selectPolicy != SelectPolicy.DISABLED) {
        throw new IllegalArgumentException("at least one policy is needed unless selectPolicy is DISABLED");
      }
      if (!(tolerance >= 0 && tolerance <= 1)) {
        throw new IllegalArgumentException("tolerance must be within [0, 1], got " + tolerance);
      }
    }

    public Rules(Duration stabilizationWindow, List<Policy> policies, SelectPolicy selectPolicy, double tolerance) {
      this(stabilizationWindow, policies, selectPolicy, tolerance, Duration.ZERO);
    }

    /** HPA's default: no window, at most +4 pods or +100% per 15 s, whichever is more. */
    public static Rules defaultScaleUp() {
      return new Rules(Duration.ZERO,
          List.of(Policy.pods(4, Duration.ofSeconds(15)), Policy.percent(100, Duration.ofSeconds(15))),
          SelectPolicy.MAX, DEFAULT_TOLERANCE);
    }

    /** HPA's default: the highest recommendation of the last 300 s, at most -100% per 15 s. */
    public static Rules defaultScaleDown() {
      return new Rules(Duration.ofSeconds(300), List.of(Policy.percent(100, Duration.ofSeconds(15))),
          SelectPolicy.MAX, DEFAULT_TOLERANCE);
    }

    public Rules withStabilizationWindow(Duration window) {
      return new Rules(window, policies, selectPolicy, tolerance, settleWindow);
    }

    public Rules withPolicies(List<Policy> newPolicies) {
      return new Rules(stabilizationWindow, newPolicies, selectPolicy, tolerance, settleWindow);
    }

    public Rules withSelectPolicy(SelectPolicy select) {
      return new Rules(stabilizationWindow, policies, select, tolerance, settleWindow);
    }

    public Rules withSettleWindow(Duration window) {
      return new Rules(stabilizationWindow, policies, selectPolicy, tolerance, window);
    }

    public Rules withTolerance(double newTolerance) {
      return new Rules(stabilizationWindow, policies, selectPolicy, newTolerance, settleWindow);
    }
  }
}
