package io.modelpilot.operator.rollout;

import io.modelpilot.operator.api.v1alpha1.TrafficMode;

/**
 * How the requests reach the two tracks after a reconcile.
 *
 * @param mode one Service over both tracks (the canary's share follows its pods), or the operator's HTTPRoute
 * @param canaryWeight with a route, the canary backend's weight (stable gets 100 minus it); 0 without
 */
public record Traffic(TrafficMode mode, int canaryWeight) {

  public Traffic {
    if (canaryWeight < 0 || canaryWeight > 100) {
      throw new IllegalArgumentException("canary weight " + canaryWeight + " is not within 0-100");
    }
    if (mode == TrafficMode.POD_RATIO && canaryWeight != 0) {
      throw new IllegalArgumentException("only a route carries a canary weight");
    }
  }

  public static Traffic podRatio() {
    return new Traffic(TrafficMode.POD_RATIO, 0);
  }

  /** Every request to stable: a route at 100/0, or the pods' ratio where no canary runs. */
  static Traffic allStable(boolean routed) {
    return routed ? new Traffic(TrafficMode.HTTP_ROUTE, 0) : podRatio();
  }

  public boolean routed() {
    return mode == TrafficMode.HTTP_ROUTE;
  }

  public int stableWeight() {
    return 100 - canaryWeight;
  }

  /**
   * The canary's route weight this reconcile. A backend without ready pods would answer its share of the requests
   * with errors (kserve#5335), so the canary gets none while no pod of its revision is ready; while a step's pods
   * are still starting (or its Deployment has not caught up with a new count), it keeps the weight it had, and it
   * takes the step's once they all are ready.
   *
   * @param stepWeight the weight of the current step
   * @param ready the canary Deployment's ready pods, while it runs this canary's revision; else 0
   * @param allReady every pod the step asks for runs this revision and is ready
   * @param previous the weight the route had (status.canary.effectiveWeight of this canary), 0 when new
   */
  static int routeWeight(int stepWeight, int ready, boolean allReady, int previous) {
    if (ready <= 0) {
      return 0;
    }
    return allReady ? stepWeight : Math.min(stepWeight, previous);
  }
}
