package io.modelpilot.e2e.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.modelpilot.e2e.cluster.Kubelet;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.cluster.ServiceProxy;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import io.modelpilot.e2e.load.LoadGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator, driven for real: a ModelDeployment becomes serving processes, scrape targets and a Service. */
class LocalClusterTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String INFER_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":[1,2,3,4,5,6,7,8]}]}";
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesScalesAndCleansUpTheCpuExample() throws Exception {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "team-a";
    cluster.apply(cluster.repo().example("cpu-model.yaml"), ns);

    GenericKubernetesResource md = awaitReady(ns, "fraud-detector", "2/2");
    assertThat(md.get("status", "observedGeneration").toString()).isEqualTo(md.getMetadata().getGeneration().toString());

    URI service = cluster.serviceUrl(ns, "fraud-detector");
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve("/v2/models/fraud-detector/infer"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INFER_BODY)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode outputs = JSON.readTree(response.body()).path("outputs");
    assertThat(outputs).extracting(o -> o.path("name").asText()).containsExactlyInAnyOrder("probabilities", "label");
    assertThat(response.headers().firstValue(ServiceProxy.POD_HEADER)).isPresent();

    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(cluster.prometheus().queryValue("count(up{modelpilot_io_deployment=\"fraud-detector\"} == 1)"))
            .hasValue(2));
    JsonNode series = cluster.prometheus().query("up{namespace=\"team-a\",modelpilot_io_deployment=\"fraud-detector\"}");
    assertThat(series).allSatisfy(s -> {
      assertThat(s.path("metric").path("modelpilot_io_track").asText()).isEqualTo("stable");
      assertThat(s.path("metric").path("modelpilot_io_revision").asText()).isEqualTo(md.get("status", "revision"));
      assertThat(s.path("metric").path("pod").asText()).startsWith("fraud-detector-");
    });

    cluster.mergePatch("ModelDeployment", ns, "fraud-detector", Map.of("spec", Map.of("replicas", 3)));
    awaitReady(ns, "fraud-detector", "3/3");
    List<Kubelet.PodInfo> running = runningPods(ns, "fraud-detector");
    assertThat(running).hasSize(3).allSatisfy(p -> assertThat(p.process().isAlive()).isTrue());
    assertThat(podNames(ns)).isEqualTo(running.stream().map(Kubelet.PodInfo::name).collect(Collectors.toSet()));

    Path diagnostics = cluster.runDir().resolve("diagnostics-check");
    cluster.dumpDiagnostics(diagnostics);
    assertThat(Files.readString(diagnostics.resolve("modeldeployments.yaml"))).contains("replicaSummary: \"3/3\"");
    assertThat(Files.readString(diagnostics.resolve("events.txt"))).contains("Available");
    assertThat(diagnostics.resolve("operator.log")).isNotEmptyFile();
    assertThat(diagnostics.resolve("pods")).isNotEmptyDirectory();

    cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud-detector").delete();
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(running).allSatisfy(p -> assertThat(p.process().isAlive()).as(p.name()).isFalse());
      assertThat(podNames(ns)).isEmpty();
      assertThat(cluster.client().apps().deployments().inNamespace(ns).withName("fraud-detector").get()).isNull();
      assertThat(cluster.client().services().inNamespace(ns).withName("fraud-detector").get()).isNull();
    });
    assertThat(cluster.kubelet().pods(ns, "fraud-detector")).isEmpty();
  }

  @Test
  void rollsANewRevisionOutWithoutFailingARequest() {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "rollout";
    cluster.apply("""
        apiVersion: modelpilot.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: churn
        spec:
          model:
            uri: file:///models/mlp-classifier.onnx
            version: v1
          replicas: 2
        """, ns);
    GenericKubernetesResource first = awaitReady(ns, "churn", "2/2");
    String firstRevision = (String) first.get("status", "revision");
    Set<String> firstPods = runningPods(ns, "churn").stream().map(Kubelet.PodInfo::name).collect(Collectors.toSet());

    Random random = new Random(1);
    try (LoadGenerator load = LoadGenerator.to(cluster.serviceUrl(ns, "churn").resolve("/v2/models/churn/infer"))
        .rate(40).body(() -> "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":"
            + random.doubles(8).boxed().toList() + "}]}")
        .start()) {
      await().atMost(TIMEOUT).until(() -> load.stats().ok() > 20);

      cluster.apply("""
          apiVersion: modelpilot.io/v1alpha1
          kind: ModelDeployment
          metadata:
            name: churn
          spec:
            model:
              uri: file:///models/mlp-classifier.onnx
              version: v2
            replicas: 2
          """, ns);
      GenericKubernetesResource second = await().atMost(TIMEOUT).until(
          () -> cluster.customResources("ModelDeployment").inNamespace(ns).withName("churn").get(),
          r -> !firstRevision.equals(r.get("status", "revision")) && "True".equals(condition(r, "Ready"))
              && "False".equals(condition(r, "Progressing")));
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(runningPods(ns, "churn"))
          .hasSize(2).allSatisfy(p -> assertThat(p.revision()).isEqualTo(second.get("status", "revision"))));
      assertThat(runningPods(ns, "churn")).extracting(Kubelet.PodInfo::name).doesNotContainAnyElementsOf(firstPods);
      long servedAfterRollout = load.stats().ok();
      await().atMost(TIMEOUT).until(() -> load.stats().ok() > servedAfterRollout + 20);

      LoadGenerator.Stats stats = load.stats();
      assertThat(stats.errors()).as("failed requests during the rollout: %s", stats).isZero();
      assertThat(stats.dropped()).isZero();
    }
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("churn").delete();
  }

  @Test
  void restartsACrashedRuntimeAndSurvivesOperatorAndPrometheusRestarts() {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "restarts";
    cluster.apply("""
        apiVersion: modelpilot.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: sturdy
        spec:
          model:
            uri: file:///models/regression.onnx
          replicas: 1
        """, ns);
    awaitReady(ns, "sturdy", "1/1");
    Kubelet.PodInfo crashed = runningPods(ns, "sturdy").get(0);
    crashed.process().destroyForcibly();
    Kubelet.PodInfo restarted = await().atMost(TIMEOUT).until(() -> runningPods(ns, "sturdy").get(0),
        p -> p.restarts() == 1 && p.ready() && p.process().isAlive());
    assertThat(restarted.name()).isEqualTo(crashed.name());
    assertThat(restarted.process().pid()).isNotEqualTo(crashed.process().pid());
    await().atMost(TIMEOUT).untilAsserted(() -> {
      Pod pod = cluster.client().pods().inNamespace(ns).withName(crashed.name()).get();
      assertThat(pod.getStatus().getContainerStatuses().get(0).getRestartCount()).isEqualTo(1);
      assertThat(pod.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
    });

    cluster.operator().kill();
    assertThat(cluster.operator().isRunning()).isFalse();
    cluster.mergePatch("ModelDeployment", ns, "sturdy", Map.of("spec", Map.of("replicas", 2)));
    cluster.operator().start();
    awaitReady(ns, "sturdy", "2/2");

    cluster.prometheus().stop();
    assertThat(cluster.prometheus().isRunning()).isFalse();
    cluster.prometheus().start();
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(cluster.prometheus().queryValue("count(up{modelpilot_io_deployment=\"sturdy\"} == 1)"))
            .hasValue(2));
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("sturdy").delete();
  }

  @Test
  void servesAModelFromAPersistentVolumeClaim() throws Exception {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "claims";
    Path model = cluster.persistentVolume("model-store").resolve("churn/v12/model.onnx");
    Files.createDirectories(model.getParent());
    Files.copy(cluster.repo().exampleModels().resolve("mlp-classifier.onnx"), model);
    cluster.apply("""
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata:
          name: model-store
        spec:
          accessModes: [ReadOnlyMany]
          resources:
            requests:
              storage: 5Gi
        ---
        apiVersion: modelpilot.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: churn-model
        spec:
          model:
            uri: pvc://model-store/churn/v12/model.onnx
            version: v12
          replicas: 1
        """, ns);
    awaitReady(ns, "churn-model", "1/1");

    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            cluster.serviceUrl(ns, "churn-model").resolve("/v2/models/churn-model/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(INFER_BODY)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("model_version").asText()).isEqualTo("v12");
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("churn-model").delete();
  }

  private GenericKubernetesResource awaitReady(String ns, String name, String summary) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(
        () -> CLUSTER.cluster().customResources("ModelDeployment").inNamespace(ns).withName(name).get(),
        r -> r != null && "True".equals(condition(r, "Ready")) && summary.equals(r.get("status", "replicaSummary"))
            && "False".equals(condition(r, "Progressing")));
  }

  @SuppressWarnings("unchecked")
  static String condition(GenericKubernetesResource r, String type) {
    Object conditions = r.get("status", "conditions");
    if (!(conditions instanceof List<?> list)) {
      return null;
    }
    return list.stream().map(c -> (Map<String, Object>) c).filter(c -> type.equals(c.get("type")))
        .map(c -> (String) c.get("status")).findFirst().orElse(null);
  }

  private List<Kubelet.PodInfo> runningPods(String ns, String deployment) {
    return CLUSTER.cluster().kubelet().pods(ns, deployment).stream().filter(p -> !p.terminating()).toList();
  }

  private Set<String> podNames(String ns) {
    return CLUSTER.cluster().client().pods().inNamespace(ns).list().getItems().stream()
        .map(Pod::getMetadata).map(m -> m.getName()).collect(Collectors.toSet());
  }
}
