package io.modelpilot.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference side of bench/run autoscale: Kubernetes HPA (autoscaling/v2) scaling on one External metric with
 * an AverageValue target, as KEDA's Prometheus scaler sets it up, with the default behaviour. Written from the
 * HPA documentation and the controller's algorithm (pkg/controller/podautoscaler), on purpose without the
 * operator's core, so that the two sides cannot share a mistake.
 *
 * <ul>
 *   <li>Proposal (replica_calculator GetExternalPerPodMetricReplicas): ratio = usage / (target × replicas); within
 *       the tolerance (|1 - ratio| ≤ 0.1, the controller's --horizontal-pod-autoscaler-tolerance default) it keeps
 *       the count, else ceil(usage / target). External metrics know no pod readiness.
 *   <li>Stabilization: the raw proposals are recorded each sync; the scale-down window (300 s) takes the highest
 *       of them, the scale-up window (0 s) the lowest; the first sync seeds the history with the current count.
 *   <li>Rate: scale-up at most max(+4 pods, +100%) per 15 s, scale-down at most -100% per 15 s, each counted from
 *       the replicas at the start of the period (scale events of the last 15 s); then min/max.
 * </ul>
 * A ScaledObject without advanced.horizontalPodAutoscalerConfig.behavior gets an HPA with no behavior, which the
 * controller runs on its legacy path (scale-up ≤ max(2 × current, 4) per sync, the 5 min downscale window of
 * --horizontal-pod-autoscaler-downscale-stabilization): nearly the same; this class follows the documented
 * default behavior, as the operator's core does, so that both sides scale under the same policies.
 */
final class AutoscaleReferenceHpa {

  static final double TOLERANCE = 0.1;
  static final long SCALE_UP_WINDOW_S = 0;
  static final long SCALE_DOWN_WINDOW_S = 300;
  static final long POLICY_PERIOD_S = 15;
  static final int SCALE_UP_PODS = 4;
  static final int SCALE_UP_PERCENT = 100;
  static final int SCALE_DOWN_PERCENT = 100;

  private record Sample(long at, int replicas) {
  }

  private final int minReplicas;
  private final int maxReplicas;
  private final double targetPerPod;
  private final List<Sample> recommendations = new ArrayList<>();
  private final List<Sample> scaleUpEvents = new ArrayList<>();
  private final List<Sample> scaleDownEvents = new ArrayList<>();

  AutoscaleReferenceHpa(int minReplicas, int maxReplicas, double targetPerPod) {
    this.minReplicas = minReplicas;
    this.maxReplicas = maxReplicas;
    this.targetPerPod = targetPerPod;
  }

  /**
   * One HPA sync.
   *
   * @param now seconds on the virtual clock
   * @param current the target's replicas (spec and status agree here: pods are created at once)
   * @param usage the External metric's value (total requests/s); NaN when the metrics API answers nothing,
   *     in which case HPA leaves the count alone
   * @return the replica count to set
   */
  int sync(long now, int current, double usage) {
    int desired;
    if (current > maxReplicas) {
      desired = maxReplicas;
    } else if (current < minReplicas) {
      desired = minReplicas;
    } else if (Double.isNaN(usage)) {
      return current;
    } else {
      double ratio = usage / (targetPerPod * current);
      int proposal = Math.abs(1.0 - ratio) <= TOLERANCE ? current : (int) Math.ceil(usage / targetPerPod);
      desired = normalize(now, current, proposal);
    }
    if (desired > current) {
      scaleUpEvents.add(new Sample(now, desired - current));
    } else if (desired < current) {
      scaleDownEvents.add(new Sample(now, current - desired));
    }
    return desired;
  }

  private int normalize(long now, int current, int proposal) {
    if (recommendations.isEmpty()) {
      recommendations.add(new Sample(now, current)); // maybeInitScaleDownStabilizationWindow
    }
    long upCutoff = now - SCALE_UP_WINDOW_S;
    long downCutoff = now - SCALE_DOWN_WINDOW_S;
    int up = proposal;
    int down = proposal;
    for (Sample r : recommendations) {
      if (r.at() > upCutoff) {
        up = Math.min(up, r.replicas());
      }
      if (r.at() > downCutoff) {
        down = Math.max(down, r.replicas());
      }
    }
    int stabilized = current;
    if (stabilized < up) {
      stabilized = up;
    }
    if (stabilized > down) {
      stabilized = down;
    }
    long oldest = Math.min(upCutoff, downCutoff);
    recommendations.removeIf(r -> r.at() <= oldest);
    recommendations.add(new Sample(now, proposal));

    if (stabilized > current) {
      int start = periodStart(now, current);
      int limit = Math.max(start + SCALE_UP_PODS,
          (int) Math.ceil(start * (1 + SCALE_UP_PERCENT / 100.0))); // selectPolicy Max
      limit = Math.max(limit, current);
      int allowed = Math.min(maxReplicas, limit);
      return Math.min(stabilized, allowed);
    }
    if (stabilized < current) {
      int start = periodStart(now, current);
      int limit = (int) (start * (1 - SCALE_DOWN_PERCENT / 100.0));
      limit = Math.min(limit, current);
      int allowed = Math.max(minReplicas, limit);
      return Math.max(stabilized, allowed);
    }
    return stabilized;
  }

  /** The replicas at the start of the policy period: current - added + removed within it. */
  private int periodStart(long now, int current) {
    long cutoff = now - POLICY_PERIOD_S;
    scaleUpEvents.removeIf(e -> e.at() <= cutoff);
    scaleDownEvents.removeIf(e -> e.at() <= cutoff);
    int added = scaleUpEvents.stream().mapToInt(Sample::replicas).sum();
    int removed = scaleDownEvents.stream().mapToInt(Sample::replicas).sum();
    return current - added + removed;
  }
}
