package io.modelpilot.operator.autoscaling.core;

import io.modelpilot.operator.common.Numbers;
import io.modelpilot.operator.autoscaling.core.MetricProposal.Verdict;
import io.modelpilot.operator.autoscaling.core.MetricReading.Available;
import io.modelpilot.operator.autoscaling.core.MetricReading.Missing;

/** One metric's proposal, as HPA's replica calculator computes it, with not-ready pods counted conservatively. */
final class ReplicaCalculator {

  private ReplicaCalculator() {
  }

  /**
   * @param servedBy the fewest pods ready over the readings' window: what an absolute reading's scale-up is
   *     scaled from
   */
  static MetricProposal propose(MetricReading reading, ScalingInput in, int servedBy) {
    if (reading instanceof Missing m) {
      return new MetricProposal(m.name(), Verdict.UNAVAILABLE, null, null, null, m.name() + ": " + m.reason());
    }
    Available a = (Available) reading;
    return a.kind() == MetricReading.Kind.PER_REPLICA ? perReplica(a, in) : absolute(a, in, servedBy);
  }

  private static MetricProposal perReplica(Available a, ScalingInput in) {
    int current = in.currentReplicas();
    int ready = in.readyReplicas();
    double needed = a.value() / a.target();
    if (ready == 0) {
      return withoutReadyPods(a, in, needed / Math.max(current, 1), needed);
    }
    double perReady = a.value() / ready;
    double ratio = perReady / a.target();
    if (withinTolerance(ratio, in.behavior())) {
      return proposal(a, Verdict.WITHIN_TOLERANCE, perReady, current, "");
    }
    int notReady = in.notReadyReplicas();
    if (notReady == 0) {
      // ratio × ready is the load in replicas' worth; ready may exceed current while surplus pods terminate.
      return directional(a, ratio, perReady, Numbers.ceil(needed), current, "");
    }
    // As HPA: pods not ready yet carry no load now but soon will. On a scale-up they count as idle, so that the
    // load is spread over them before more are added; on a scale-down they count as loaded at the target, so
    // that pods still loading a model never make us remove pods.
    boolean up = ratio > 1;
    double assumedTotal = up ? a.value() : a.value() + a.target() * notReady;
    double newRatio = assumedTotal / (a.target() * current);
    String note = " (" + notReady + " of " + current + " pods not ready, counted " + (up ? "idle" : "at target") + ")";
    if (withinTolerance(newRatio, in.behavior()) || up != newRatio > 1) {
      return proposal(a, Verdict.HOLD, perReady, current, note);
    }
    return directional(a, ratio, perReady, Numbers.ceil(newRatio * current), current, note);
  }

  private static MetricProposal absolute(Available a, ScalingInput in, int servedBy) {
    int current = in.currentReplicas();
    double ratio = a.value() / a.target();
    if (current == 0) {
      // Nothing runs: the ratio alone says how many to start, as HPA does when scaling from zero.
      int replicas = Numbers.ceil(ratio);
      return proposal(a, replicas > 0 ? Verdict.SCALE_UP : Verdict.HOLD, a.value(), replicas, "");
    }
    if (withinTolerance(ratio, in.behavior())) {
      return proposal(a, Verdict.WITHIN_TOLERANCE, a.value(), current, "");
    }
    if (in.readyReplicas() == 0) {
      return withoutReadyPods(a, in, ratio, ratio * current);
    }
    int notReady = in.notReadyReplicas();
    // servedBy includes this round's ready count; at least one, as a pod ready now served some of the window
    // (none ready at all is handled above)
    int base = Math.max(1, Math.min(servedBy, current));
    String note = notReady == 0 ? "" : " (" + notReady + " of " + current + " pods not ready)";
    if (base < Math.min(in.readyReplicas(), current)) {
      note += " (measured while " + base + " " + (base == 1 ? "pod was" : "pods were") + " ready)";
    }
    if (ratio > 1) {
      // As HPA, scale the ready count: the pods still starting will take their share of the load soon. A value
      // over a window was measured on the fewest pods ready during it: pods that became ready since are not in it
      // yet, and scaling them by it too would add pods for load they already carry.
      int replicas = Numbers.ceil(ratio * base);
      if (replicas <= current) {
        return proposal(a, Verdict.HOLD, a.value(), current, note);
      }
      return proposal(a, Verdict.SCALE_UP, a.value(), replicas, note);
    }
    // Scale the full count (HPA scales the ready one): removing pods while others still start would be too eager.
    return directional(a, ratio, a.value(), Numbers.ceil(ratio * current), current, note);
  }

  /**
   * No pod serves yet, so there is nothing to average over. Pods still loading the model must not make us scale
   * down, so without load this holds. With load that needs more pods than the spec asks for, add one at a time:
   * the loading pods will serve soon, and a burst of pods that all load at once would overshoot.
   */
  private static MetricProposal withoutReadyPods(Available a, ScalingInput in, double ratio, double needed) {
    int current = in.currentReplicas();
    String note = a.kind() == MetricReading.Kind.PER_REPLICA
        ? ": " + Numbers.format(a.value()) + " in total with no pod ready (target " + Numbers.format(a.target()) + ")"
        : " " + Numbers.format(a.value()) + " with no pod ready (target " + Numbers.format(a.target()) + ")";
    if (current == 0) {
      // Scaled to zero: the load itself says how many to start, as HPA does when scaling from zero.
      int replicas = Numbers.ceil(needed);
      return new MetricProposal(a.name(), replicas > 0 ? Verdict.SCALE_UP : Verdict.HOLD, null, a.target(),
          replicas, a.name() + note);
    }
    if (ratio > 1 + in.behavior().scaleUp().tolerance()) {
      return new MetricProposal(a.name(), Verdict.SCALE_UP, null, a.target(), current + 1, a.name() + note);
    }
    return new MetricProposal(a.name(), Verdict.HOLD, null, a.target(), current, a.name() + note);
  }

  /** Never lets a scale-up signal propose fewer pods, nor a scale-down signal more (HPA's last check). */
  private static MetricProposal directional(Available a, double ratio, double shown, int replicas, int current,
      String note) {
    if (ratio > 1) {
      return proposal(a, Verdict.SCALE_UP, shown, Math.max(replicas, current), note);
    }
    return proposal(a, Verdict.SCALE_DOWN, shown, Math.min(replicas, current), note);
  }

  private static MetricProposal proposal(Available a, Verdict verdict, double shown, int replicas, String note) {
    String relation = switch (verdict) {
      case WITHIN_TOLERANCE -> " ≈ ";
      default -> shown > a.target() ? " > " : " < ";
    };
    String summary = a.name() + " " + Numbers.format(shown) + relation + Numbers.format(a.target()) + note;
    return new MetricProposal(a.name(), verdict, shown, a.target(), replicas, summary);
  }

  static boolean withinTolerance(double ratio, Behavior behavior) {
    return ratio >= 1 - behavior.scaleDown().tolerance() && ratio <= 1 + behavior.scaleUp().tolerance();
  }
}
