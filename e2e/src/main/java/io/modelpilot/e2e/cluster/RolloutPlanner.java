package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.IntOrString;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the Deployment controller would do next for one Deployment, as a pure function of its pods: how
 * many pods of the current template to start and which pods to stop. Follows the Kubernetes rolling update
 * (new pods first up to {@code maxSurge}, old pods removed only while at least {@code desired -
 * maxUnavailable} pods stay ready, unhealthy old pods first) and the Recreate strategy.
 */
final class RolloutPlanner {

  /** A pod of the Deployment that is not terminating. {@code sequence} orders pods by creation. */
  record PodView(String name, boolean current, boolean ready, long sequence) {
  }

  record Plan(int start, List<String> stop) {
    static final Plan NOTHING = new Plan(0, List.of());
  }

  private RolloutPlanner() {
  }

  /**
   * @param recreate the Recreate strategy: every old pod goes before a new one starts
   * @param terminating pods still shutting down (they hold back a Recreate rollout)
   */
  static Plan plan(boolean recreate, int desired, int maxSurge, int maxUnavailable, List<PodView> pods,
      int terminating) {
    List<PodView> current = pods.stream().filter(PodView::current).toList();
    List<PodView> old = pods.stream().filter(p -> !p.current()).toList();
    List<String> stop = new ArrayList<>();

    if (recreate && !old.isEmpty()) {
      old.forEach(p -> stop.add(p.name()));
      return new Plan(0, stop);
    }
    if (recreate && terminating > 0 && current.size() < desired) {
      return Plan.NOTHING;
    }
    if (old.isEmpty()) {
      if (current.size() < desired) {
        return new Plan(desired - current.size(), List.of());
      }
      // scale down: pods that are not ready first, then the newest
      current.stream().sorted(UNREADY_THEN_NEWEST).limit(current.size() - desired).map(PodView::name).forEach(stop::add);
      return new Plan(0, stop);
    }
    // more current pods than wanted (replicas lowered mid-rollout): trim those first
    if (current.size() > desired) {
      current.stream().sorted(UNREADY_THEN_NEWEST).limit(current.size() - desired).map(PodView::name).forEach(stop::add);
    }
    int currentKept = Math.min(current.size(), desired);
    int total = currentKept + old.size();
    int start = Math.max(0, Math.min(desired - currentKept, desired + maxSurge - total));

    int minAvailable = Math.max(0, desired - maxUnavailable);
    long currentUnready = current.stream().filter(p -> !p.ready()).count();
    // Kubernetes: at most (all pods - minAvailable - unready new pods) old pods may go
    int maxScaleDown = (int) (total - minAvailable - Math.min(currentUnready, currentKept));
    List<PodView> oldUnready = old.stream().filter(p -> !p.ready()).sorted(NEWEST_FIRST).toList();
    List<PodView> oldReady = old.stream().filter(PodView::ready).sorted(NEWEST_FIRST).toList();
    int removed = 0;
    for (PodView p : oldUnready) {
      if (removed >= maxScaleDown) {
        break;
      }
      stop.add(p.name());
      removed++;
    }
    long readyNow = current.stream().filter(PodView::ready).limit(currentKept).count() + oldReady.size();
    int healthyScaleDown = (int) Math.min(oldReady.size(), readyNow - minAvailable);
    for (int i = 0; i < healthyScaleDown; i++) {
      stop.add(oldReady.get(i).name());
    }
    return new Plan(start, stop);
  }

  /** {@code maxSurge} (rounded up) or {@code maxUnavailable} (rounded down) of a rolling update, 25% by default. */
  static int resolve(IntOrString value, int desired, boolean roundUp) {
    if (value == null) {
      value = new IntOrString("25%");
    }
    if (value.getIntVal() != null) {
      return value.getIntVal();
    }
    String text = value.getStrVal().trim();
    if (!text.endsWith("%")) {
      return Integer.parseInt(text);
    }
    double percent = Double.parseDouble(text.substring(0, text.length() - 1));
    double exact = desired * percent / 100.0;
    return (int) (roundUp ? Math.ceil(exact) : Math.floor(exact));
  }

  private static final Comparator<PodView> NEWEST_FIRST = Comparator.comparingLong(PodView::sequence).reversed();
  private static final Comparator<PodView> UNREADY_THEN_NEWEST =
      Comparator.comparing(PodView::ready).thenComparing(NEWEST_FIRST);
}
