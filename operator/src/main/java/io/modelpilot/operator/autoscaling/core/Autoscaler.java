package io.modelpilot.operator.autoscaling.core;

import io.modelpilot.operator.autoscaling.core.Behavior.Policy;
import io.modelpilot.operator.autoscaling.core.Behavior.PolicyType;
import io.modelpilot.operator.autoscaling.core.Behavior.Rules;
import io.modelpilot.operator.autoscaling.core.Behavior.SelectPolicy;
import io.modelpilot.operator.autoscaling.core.MetricProposal.Verdict;
import io.modelpilot.operator.autoscaling.core.ScalingDecision.Limit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Kubernetes HPA v2's algorithm as one pure function: each metric proposes a replica count, the highest wins,
 * the stabilization windows smooth it, the rate policies and min/max bound it. Missing data never scales down.
 */
public final class Autoscaler {

  private Autoscaler() {
  }

  public static ScalingDecision decide(ScalingInput in, ScalingHistory history) {
    int current = in.currentReplicas();
    // The fewest pods ready over the readings' window served what an absolute reading measured.
    history = history.withReady(in.now(), in.readyReplicas());
    int servedBy = history.fewestReadyAfter(in.now().minus(in.readingWindow())).orElse(in.readyReplicas());
    List<MetricProposal> proposals = in.readings().stream().map(r -> ReplicaCalculator.propose(r, in, servedBy))
        .toList();
    List<MetricProposal> missing = proposals.stream().filter(p -> !p.available()).toList();
    Optional<MetricProposal> decisive = proposals.stream().filter(MetricProposal::available)
        .max(Comparator.comparingInt(MetricProposal::replicas));
    Round round = new Round(in, proposals, !missing.isEmpty() || decisive.isEmpty());

    // As HPA, a count outside the bounds (a spec edited by hand, bounds just changed) goes straight to the bound.
    if (current > in.maxReplicas()) {
      return round.decide(in.maxReplicas(), "above maxReplicas " + in.maxReplicas(), List.of(Limit.MAX_REPLICAS),
          history);
    }
    if (current < in.minReplicas()) {
      return round.decide(in.minReplicas(), "below minReplicas " + in.minReplicas(), List.of(Limit.MIN_REPLICAS),
          history);
    }
    if (decisive.isEmpty()) {
      String why = missing.isEmpty() ? "no metrics configured" : summaries(missing);
      return round.decide(current, "metrics unavailable (" + why + ")", List.of(), history);
    }
    MetricProposal winner = decisive.get();
    int proposed = winner.replicas();
    String cause = winner.verdict() == Verdict.WITHIN_TOLERANCE
        ? "within tolerance (" + winner.summary() + ")"
        : winner.summary();
    String unavailable = missing.isEmpty() ? "" : "; metrics unavailable (" + summaries(missing) + ")";
    if (!missing.isEmpty() && proposed < current) {
      // The missing metric might be the one that needs the pods; like HPA, hold without recording anything.
      return round.decide(current, cause + unavailable + ", so not scaling down", List.of(), history);
    }

    List<Limit> limits = new ArrayList<>();
    // Recording the proposal clamped to the bounds gives the same decisions as HPA's unclamped one (clamping
    // commutes with the windows' min and max) and bounds the history's size by maxReplicas - minReplicas + 1.
    int bounded = clamp(proposed, in.minReplicas(), in.maxReplicas());
    if (proposed > in.maxReplicas()) {
      limits.add(Limit.MAX_REPLICAS);
    } else if (proposed < in.minReplicas()) {
      limits.add(Limit.MIN_REPLICAS);
    }
    ScalingHistory recorded = seeded(history, in).withRecommendation(in.now(), bounded);
    int stabilized = stabilize(in, recorded, bounded);
    if (stabilized < bounded) {
      limits.add(Limit.SCALE_UP_STABILIZATION);
    } else if (stabilized > bounded) {
      limits.add(Limit.SCALE_DOWN_STABILIZATION);
    }
    if (stabilized < current && settling(in, recorded, stabilized)) {
      limits.add(Limit.SCALE_DOWN_SETTLING);
      stabilized = current;
    }
    int desired = rateLimit(in, recorded, stabilized, limits);

    if (desired != proposed) {
      cause += ", wants " + proposed;
    }
    if (!limits.isEmpty()) {
      cause += "; limited by " + limits.stream().map(Limit::label).collect(Collectors.joining(", "));
    }
    return round.decide(desired, cause + unavailable, limits, recorded);
  }

  /**
   * A history that has nothing yet (first round, restart, a long outage of all metrics) starts with the current
   * count, as HPA does, so that a restart of the operator cannot scale down before the window has passed.
   */
  private static ScalingHistory seeded(ScalingHistory history, ScalingInput in) {
    return history.recommendations().isEmpty()
        ? history.withRecommendation(in.now(), in.currentReplicas())
        : history;
  }

  /**
   * Scale up to the lowest recommendation of the scale-up window, down to the highest of the scale-down window,
   * and otherwise stay: a change must have been asked for throughout its window.
   */
  private static int stabilize(ScalingInput in, ScalingHistory history, int recommendation) {
    Instant upCutoff = in.now().minus(in.behavior().scaleUp().stabilizationWindow());
    Instant downCutoff = in.now().minus(in.behavior().scaleDown().stabilizationWindow());
    int upTo = Math.min(recommendation, history.lowestAfter(upCutoff).orElse(recommendation));
    int downTo = Math.max(recommendation, history.highestAfter(downCutoff).orElse(recommendation));
    return Math.min(Math.max(in.currentReplicas(), upTo), downTo);
  }

  /**
   * Whether the scale-down window's highest recommendation fell within the last settleWindow: a recommendation
   * above {@code stabilized} is still in the window stretched by it. Load still falling would otherwise take the
   * count down a staircase, one change per fall.
   */
  private static boolean settling(ScalingInput in, ScalingHistory history, int stabilized) {
    Rules down = in.behavior().scaleDown();
    if (down.settleWindow().isZero()) {
      return false;
    }
    Instant cutoff = in.now().minus(down.stabilizationWindow()).minus(down.settleWindow());
    return history.highestAfter(cutoff).orElse(stabilized) > stabilized;
  }

  private static int rateLimit(ScalingInput in, ScalingHistory history, int stabilized, List<Limit> limits) {
    int current = in.currentReplicas();
    if (stabilized > current) {
      Rules rules = in.behavior().scaleUp();
      if (rules.selectPolicy() == SelectPolicy.DISABLED) {
        limits.add(Limit.SCALE_UP_DISABLED);
        return current;
      }
      int limit = Math.max(current, scaleUpLimit(rules, history, in));
      if (stabilized > limit) {
        limits.add(Limit.SCALE_UP_POLICY);
        return limit;
      }
    } else if (stabilized < current) {
      Rules rules = in.behavior().scaleDown();
      if (rules.selectPolicy() == SelectPolicy.DISABLED) {
        limits.add(Limit.SCALE_DOWN_DISABLED);
        return current;
      }
      int limit = Math.min(current, scaleDownLimit(rules, history, in));
      if (stabilized < limit) {
        limits.add(Limit.SCALE_DOWN_POLICY);
        return limit;
      }
    }
    return stabilized;
  }

  /** The most replicas the policies allow now, each counting from the replicas at the start of its period. */
  static int scaleUpLimit(Rules rules, ScalingHistory history, ScalingInput in) {
    int limit = rules.selectPolicy() == SelectPolicy.MIN ? Integer.MAX_VALUE : Integer.MIN_VALUE;
    for (Policy policy : rules.policies()) {
      long start = periodStart(policy, history, in);
      long allowed = policy.type() == PolicyType.PODS
          ? start + policy.value()
          // At least one more: HPA's percentage of zero pods is zero, which would never scale up from zero.
          : Math.max(start + 1, ceilDiv(start * (100 + policy.value()), 100));
      int capped = (int) Math.min(Integer.MAX_VALUE, allowed);
      limit = rules.selectPolicy() == SelectPolicy.MIN ? Math.min(limit, capped) : Math.max(limit, capped);
    }
    return limit;
  }

  /** The fewest replicas the policies allow now; MAX picks the policy allowing the biggest change. */
  static int scaleDownLimit(Rules rules, ScalingHistory history, ScalingInput in) {
    int limit = rules.selectPolicy() == SelectPolicy.MIN ? Integer.MIN_VALUE : Integer.MAX_VALUE;
    for (Policy policy : rules.policies()) {
      long start = periodStart(policy, history, in);
      long allowed = policy.type() == PolicyType.PODS
          ? start - policy.value()
          : Math.floorDiv(start * (100 - policy.value()), 100);
      int capped = (int) Math.max(0, Math.min(Integer.MAX_VALUE, allowed));
      limit = rules.selectPolicy() == SelectPolicy.MIN ? Math.max(limit, capped) : Math.min(limit, capped);
    }
    return limit;
  }

  private static long periodStart(Policy policy, ScalingHistory history, ScalingInput in) {
    int changed = history.netChangeAfter(in.now().minus(policy.period()));
    return Math.max(0, (long) in.currentReplicas() - changed);
  }

  private static long ceilDiv(long x, long y) {
    return -Math.floorDiv(-x, y);
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  private static String summaries(List<MetricProposal> proposals) {
    return proposals.stream().map(MetricProposal::summary).collect(Collectors.joining("; "));
  }

  /** What every outcome of a round shares: records the scale event and prunes the history. */
  private record Round(ScalingInput in, List<MetricProposal> proposals, boolean metricsUnavailable) {

    ScalingDecision decide(int desired, String cause, List<Limit> limits, ScalingHistory history) {
      int current = in.currentReplicas();
      String headline = desired == current ? "held at " + current : "scaled " + current + "→" + desired;
      ScalingHistory next = desired == current ? history : history.withScaleEvent(in.now(), desired - current);
      return new ScalingDecision(current, desired, headline + ": " + cause, proposals, metricsUnavailable, limits,
          next.pruned(in.behavior(), in.now(), in.readingWindow()));
    }
  }
}
