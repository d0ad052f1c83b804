package io.modelpilot.operator.autoscaling.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A Deployment as the autoscaler sees it: each new pod becomes ready a fixed model-load time after it starts. */
final class TestingDeployment {

  private final Duration loadTime;
  private final List<Instant> podsReadyAt = new ArrayList<>();

  TestingDeployment(int readyPods, Duration loadTime, Instant now) {
    this.loadTime = loadTime;
    for (int i = 0; i < readyPods; i++) {
      podsReadyAt.add(now);
    }
  }

  int replicas() {
    return podsReadyAt.size();
  }

  int ready(Instant now) {
    return (int) podsReadyAt.stream().filter(t -> !t.isAfter(now)).count();
  }

  /** Removes the youngest pods first, as a ReplicaSet removes not-ready pods before ready ones. */
  void scaleTo(int replicas, Instant now) {
    while (podsReadyAt.size() < replicas) {
      podsReadyAt.add(now.plus(loadTime));
    }
    podsReadyAt.sort(Comparator.naturalOrder());
    while (podsReadyAt.size() > replicas) {
      podsReadyAt.remove(podsReadyAt.size() - 1);
    }
  }
}
