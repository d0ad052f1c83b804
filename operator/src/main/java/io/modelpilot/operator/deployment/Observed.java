package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;

import java.util.List;

/**
 * What a reconcile found in the cluster for one ModelDeployment.
 *
 * @param stable the stable Deployment {@code <name>}, or null
 * @param canary the canary Deployment {@code <name>-canary}, or null
 * @param problems references the cluster lacks (reported instead of rolling out)
 * @param specRevision the revision the spec asks for
 */
public record Observed(Deployment stable, Deployment canary, List<ReferenceProblem> problems, String specRevision) {
}
