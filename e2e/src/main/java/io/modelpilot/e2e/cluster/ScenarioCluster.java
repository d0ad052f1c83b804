package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.e2e.process.PrometheusControl;
import io.modelpilot.e2e.process.RepoLayout;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a scenario test needs of a cluster, so that one scenario runs on the {@link LocalCluster} here and on a
 * real cluster (Kind, through a kubeconfig: {@link KubeconfigCluster}) alike. Scenarios that need the local
 * cluster's own parts (the kubelet's processes, the operator's log) take a {@link LocalCluster} instead.
 */
public interface ScenarioCluster extends AutoCloseable {

  KubernetesClient client();

  /** {@code kubectl apply --server-side -n namespace}: every document of {@code yaml}; creates the namespace. */
  List<HasMetadata> apply(String yaml, String namespace);

  /** Operations on one of the project's custom kinds, e.g. {@code customResources("ModelDeployment")}. */
  MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      customResources(String kind);

  /**
   * {@code kubectl patch --type merge} (and what {@code kubectl annotate} sends): an RFC 7386 merge patch of one
   * object of the project's kinds, serialized from {@code patch} (a null value deletes the key). It carries no
   * resourceVersion, so unlike a read-modify-write {@code edit} it never loses a race to the operator's status
   * writes with 409 Conflict.
   */
  default GenericKubernetesResource mergePatch(String kind, String namespace, String name, Map<String, ?> patch) {
    return customResources(kind).inNamespace(namespace).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), Serialization.asJson(patch));
  }

  /**
   * A plain-HTTP base URL (no trailing slash) at which this test process reaches the Service, spread over its
   * ready pods as kube-proxy spreads; append the request path to it ({@code serviceUrl(..) + "/v2/..."}).
   */
  URI serviceUrl(String namespace, String name);

  /** The Prometheus the operator reads, which a scenario may stop and start. */
  PrometheusControl prometheus();

  /** The pods of a Deployment, terminating ones included. */
  List<ScenarioPod> pods(String namespace, String deployment);

  /**
   * Whether anything of the pod still runs: its process on the local cluster, its Pod object on a real one
   * (the kubelet removes the object once the containers have stopped).
   */
  boolean stillRunning(ScenarioPod pod);

  /** Writes the objects, Events and logs that explain a failure under {@code dir}. */
  void dumpDiagnostics(Path dir);

  /** Where failing tests leave their diagnostics: {@code <repo>/e2e/target}. */
  default Path reportsDir() {
    return RepoLayout.discover().root().resolve("e2e/target");
  }

  @Override
  void close();

  /**
   * A pod as a scenario sees it.
   *
   * @param process the runtime process that the local cluster's kubelet runs for it; null on a real cluster and
   *     before the process started
   */
  record ScenarioPod(String namespace, String name, boolean ready, boolean terminating, ProcessHandle process) {
  }
}
