package io.modelpilot.operator.deployment;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.rollout.RolloutPlan;
import io.modelpilot.operator.rollout.Tracks;
import io.modelpilot.operator.rollout.Traffic;

/**
 * The one hand-off from the reconciler to its dependents: the {@link Tracks} and the {@link Traffic} decided this
 * reconcile, and whether the cluster serves HTTPRoutes. JOSDK's workflow context is a map; the keys stay in here.
 */
final class DesiredTracks {

  private static final String TRACKS = Tracks.class.getName();
  private static final String TRAFFIC = Traffic.class.getName();
  private static final String GATEWAY_API = GatewayApi.class.getName();

  private DesiredTracks() {
  }

  static void handTo(Context<ModelDeployment> context, RolloutPlan plan, boolean gatewayApiServed) {
    var handOff = context.managedWorkflowAndDependentResourceContext();
    handOff.put(TRACKS, plan.tracks());
    handOff.put(TRAFFIC, plan.traffic());
    handOff.put(GATEWAY_API, gatewayApiServed);
  }

  /** This reconcile's tracks; the spec's alone when none was handed over (a workflow run by JOSDK itself). */
  static Tracks of(Context<ModelDeployment> context, ModelDeployment md) {
    return context.managedWorkflowAndDependentResourceContext().get(TRACKS, Tracks.class)
        .orElseGet(() -> Tracks.allStable(md.getSpec().replicasOrDefault()));
  }

  /** This reconcile's traffic; pod ratio when none was handed over (no route is then made or changed). */
  static Traffic traffic(Context<ModelDeployment> context) {
    return context.managedWorkflowAndDependentResourceContext().get(TRAFFIC, Traffic.class)
        .orElseGet(Traffic::podRatio);
  }

  /** Whether the cluster serves HTTPRoutes, as the reconciler found; false when it did not say. */
  static boolean gatewayApiServed(Context<ModelDeployment> context) {
    return context.managedWorkflowAndDependentResourceContext().get(GATEWAY_API, Boolean.class).orElse(false);
  }
}
