package io.modelpilot.operator.deployment;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.rollout.Tracks;

/**
 * The one hand-off from the reconciler to the runtime Deployments' dependents: the {@link Tracks} decided this
 * reconcile. JOSDK's workflow context is a map; the key stays in here.
 */
final class DesiredTracks {

  private static final String KEY = Tracks.class.getName();

  private DesiredTracks() {
  }

  static void handTo(Context<ModelDeployment> context, Tracks tracks) {
    context.managedWorkflowAndDependentResourceContext().put(KEY, tracks);
  }

  /** This reconcile's tracks; the spec's alone when none was handed over (a workflow run by JOSDK itself). */
  static Tracks of(Context<ModelDeployment> context, ModelDeployment md) {
    return context.managedWorkflowAndDependentResourceContext().get(KEY, Tracks.class)
        .orElseGet(() -> Tracks.allStable(md.getSpec().replicasOrDefault()));
  }
}
