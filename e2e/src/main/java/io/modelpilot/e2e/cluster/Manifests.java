package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** What {@code kubectl create namespace} and {@code kubectl apply --server-side} do, for either cluster. */
final class Manifests {

  private Manifests() {
  }

  /** Creates the namespace unless it exists; true when this call created it. */
  static boolean ensureNamespace(KubernetesClient client, String name) {
    if (client.namespaces().withName(name).get() != null) {
      return false;
    }
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return true;
  }

  /** {@code kubectl apply --server-side -n namespace -f yaml}: every document, created or updated. */
  static List<HasMetadata> apply(KubernetesClient client, InputStream yaml, String namespace) {
    List<HasMetadata> applied = new ArrayList<>();
    for (HasMetadata item : client.load(yaml).items()) {
      item.getMetadata().setNamespace(namespace);
      applied.add(client.resource(item).inNamespace(namespace).fieldManager("kubectl").forceConflicts()
          .serverSideApply());
    }
    return applied;
  }
}
