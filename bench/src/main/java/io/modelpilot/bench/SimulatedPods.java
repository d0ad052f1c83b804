package io.modelpilot.bench;

import java.util.ArrayList;
import java.util.List;

import static io.modelpilot.bench.AutoscaleBench.READY_AFTER_S;

/** The Deployment's pods: when each becomes ready. */
final class SimulatedPods {
  private final List<Integer> readyAt = new ArrayList<>();

  SimulatedPods(int replicas, int at) {
    for (int k = 0; k < replicas; k++) {
      readyAt.add(at);
    }
  }

  int spec() {
    return readyAt.size();
  }

  int ready(int t) {
    return (int) readyAt.stream().filter(at -> at <= t).count();
  }

  void scale(int replicas, int t) {
    while (readyAt.size() < replicas) {
      readyAt.add(t + READY_AFTER_S);
    }
    if (readyAt.size() > replicas) {
      readyAt.sort((a, b) -> Integer.compare(b, a)); // the last to become ready go first
      readyAt.subList(0, readyAt.size() - replicas).clear();
    }
  }
}
