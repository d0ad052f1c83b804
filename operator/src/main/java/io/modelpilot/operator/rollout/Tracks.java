package io.modelpilot.operator.rollout;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;

/**
 * What the two runtime Deployments should run: the reconciler decides it, the dependents build from it.
 *
 * @param stableReplicas replicas of the stable Deployment {@code <name>}
 * @param stableTemplate the pod template the stable track keeps while a canary runs; null: the spec's
 * @param canaryReplicas replicas of {@code <name>-canary}; 0: no canary Deployment
 */
public record Tracks(int stableReplicas, PodTemplateSpec stableTemplate, int canaryReplicas) {

  /** Every replica on the spec's template, no canary. */
  public static Tracks allStable(int replicas) {
    return new Tracks(replicas, null, 0);
  }
}
