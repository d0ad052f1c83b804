package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.status.Reasons;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks that the Secret and the PVC a ModelDeployment names exist. A plain GET each (RBAC: get
 * only), not an informer: caching every Secret of the cluster in the operator would cost memory
 * and a list/watch permission on Secrets. While something is missing the reconciler re-checks
 * on a timer.
 */
public class References {

  private final KubernetesClient client;

  public References(KubernetesClient client) {
    this.client = client;
  }

  public List<ReferenceProblem> check(ModelDeployment md) {
    String namespace = md.getMetadata().getNamespace();
    List<ReferenceProblem> problems = new ArrayList<>();
    var secretRef = md.getSpec().getModel().getCredentialsSecretRef();
    if (secretRef != null
        && client.resources(Secret.class).inNamespace(namespace).withName(secretRef.getName()).get() == null) {
      problems.add(new ReferenceProblem(Reasons.CREDENTIALS_SECRET_NOT_FOUND, "spec.model.credentialsSecretRef.name",
          "spec.model.credentialsSecretRef.name: Secret \"" + secretRef.getName() + "\" not found in namespace \""
              + namespace + "\""));
    }
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
