package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.status.Reasons;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that the PVC a ModelDeployment names exists. A plain GET (RBAC: get only), not an informer. While it is
 * missing the reconciler re-checks on a timer.
 *
 * <p>The credentials Secret is not read at all: the operator holds no permission on Secrets. The runtime pod mounts
 * it as an optional volume, and a pod whose Secret is missing says so in its termination message (reason
 * {@code CredentialsSecretNotFound}), which {@link ModelLoadFailure} reports like any other model-load failure.
 */
public class References {

  private final KubernetesClient client;

  public References(KubernetesClient client) {
    this.client = client;
  }

  public List<ReferenceProblem> check(ModelDeployment md) {
    String namespace = md.getMetadata().getNamespace();
    List<ReferenceProblem> problems = new ArrayList<>();
    ModelUri uri = ModelUri.parse(md.getSpec().getModel().getUri());
    if (uri.onClaim()
        && client.resources(PersistentVolumeClaim.class).inNamespace(namespace).withName(uri.claim()).get() == null) {
      problems.add(new ReferenceProblem(Reasons.MODEL_CLAIM_NOT_FOUND, "spec.model.uri",
          "spec.model.uri: PersistentVolumeClaim \"" + uri.claim() + "\" not found in namespace \"" + namespace
              + "\""));
    }
    return problems;
  }
}
