package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link KubeconfigCluster}, the scenarios' view of a real cluster, driven against the local cluster through
 * nothing but its kubeconfig and a stand-in for {@code kubectl proxy}: what e2e/kind/run.sh relies on, short of
 * Kind itself (no Docker here). Stopping Prometheus by scaling its Deployment needs a real cluster's Prometheus
 * Deployment and is left to Kind.
 */
class KubeconfigClusterOnLocalClusterTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String MODEL = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: remote
      spec:
        replicas: 2
        model:
          uri: file:///models/mlp-classifier.onnx
          version: v1
        runtime:
          intraOpThreads: 1
      """;
  private static final String INFER_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":[1,2,3,4,5,6,7,8]}]}";

  @Test
  void appliesServesWatchesAndCleansUpThroughAKubeconfig() throws Exception {
    LocalCluster local = CLUSTER.cluster();
    String ns = "through-kubeconfig";
    try (KubectlProxyStandIn proxy = new KubectlProxyStandIn(local);
         KubeconfigCluster cluster = KubeconfigCluster.connect(new KubeconfigCluster.Settings(local.kubeconfig(),
             proxy.url(), "monitoring", "prometheus", 9090, "modelpilot-system"))) {
      cluster.apply(MODEL, ns);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.pods(ns, "remote")).hasSize(2)
          .allSatisfy(p -> assertThat(p.ready()).isTrue()));
      assertThat(cluster.pods(ns, "remote")).allSatisfy(p -> assertThat(cluster.stillRunning(p)).isTrue());

      URI infer = URI.create(cluster.serviceUrl(ns, "remote") + "/v2/models/remote/infer");
      HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(infer)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INFER_BODY)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(response.body()).contains("probabilities");
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.prometheus()
          .queryValue("count(up{namespace=\"" + ns + "\",modelpilot_io_deployment=\"remote\"} == 1)")).hasValue(2));

      GenericKubernetesResource md = cluster.customResources("ModelDeployment").inNamespace(ns).withName("remote")
          .get();
      assertThat(md.getMetadata().getNamespace()).isEqualTo(ns);
      Path diagnostics = local.runDir().resolve("kubeconfig-diagnostics");
      cluster.dumpDiagnostics(diagnostics);
      assertThat(Files.readString(diagnostics.resolve("modeldeployments.yaml"))).contains("name: \"remote\"");
      assertThat(diagnostics.resolve("events.txt")).exists();

      var pods = cluster.pods(ns, "remote");
      cluster.customResources("ModelDeployment").inNamespace(ns).withName("remote").delete();
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(cluster.pods(ns, "remote")).isEmpty();
        assertThat(pods).allSatisfy(p -> assertThat(cluster.stillRunning(p)).as(p.name()).isFalse());
      });
    }
    // the namespace it created is gone with it
    assertThat(local.client().namespaces().withName(ns).get()).isNull();
  }
}
