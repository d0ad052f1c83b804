package io.modelpilot.e2e.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.e2e.cluster.Kubelet;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.cluster.ServiceProxy;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import io.modelpilot.e2e.load.LoadGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.modelpilot.e2e.scenario.Hold.holdFor;
import static io.modelpilot.e2e.scenario.LocalClusterTest.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Canaries end to end: a new revision runs as {@code <name>-canary} beside stable behind one Service, real model
 * servers answer real load (with ground-truth feedback for accuracy), a real Prometheus scrapes both tracks, and
 * the operator's analysis promotes or rolls back. Each scenario uses its own namespace and a 4 s analysis interval.
 */
class CanaryScenarioTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(150);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NAME = "scorer";
  private static final String MODEL = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: scorer
      spec:
        model:
          uri: file:///models/%s
          version: %s
        replicas: 2
        runtime:
          intraOpThreads: 1
        rollout:
          steps:
      %s
          progressDeadline: 2m
          analysis:
            interval: 4s
            failureLimit: 1
            minRequests: 30
            metrics:
      %s
      """;
  private static final String ONE_STEP = "      - {weight: 50, pause: 4s}";
  private static final String TWO_STEPS = "      - {weight: 25, pause: 4s}\n      - {weight: 50, pause: 4s}";
  private static final String MANUAL_STEP = "      - {weight: 50}";
  private static final String ALL_METRICS = "        - {type: ErrorRate, max: 0.05}\n"
      // a p99 of ~1 ms over ~100 requests moves by 3x with one slow request on this 2-core machine: healthy
      // canaries measured up to 3.2x stable; the slow model is ~10 ms slower (about 10x)
      + "        - {type: LatencyP99, maxRatioToStable: 5}\n"
      + "        - {type: Accuracy, maxDropFromStable: 0.1}";

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void aGoodModelIsPromotedThroughEveryStep() {
    String ns = "canary-good";
    String v1 = deploy(ns, "mlp-classifier.onnx", "v1", TWO_STEPS, ALL_METRICS);
    try (Traffic traffic = traffic(ns, false)) {
      apply(ns, "mlp-classifier.onnx", "v2", TWO_STEPS, ALL_METRICS);
      GenericKubernetesResource promoted = awaitPhase(ns, "Promoted");
      String v2 = canary(promoted, "revision");
      assertThat(v2).isNotEqualTo(v1);
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(stableRevision(ns)).isEqualTo(v2);
        assertThat(deployment(ns, NAME + "-canary")).isNull();
        assertThat(running(ns, NAME + "-canary")).isEmpty();
      });
      assertThat(events(ns, "CanaryStep")).as("the 25%% step passed to the 50%% one").isNotEmpty();
      assertThat(events(ns, "CanaryPromoted")).singleElement().asString().contains("every step passed");
      assertThat(canary(promoted, "lastVerdict")).isEqualTo("Pass");
      assertThat(traffic.load.stats().errors()).as("failed requests: %s", traffic.load.stats()).isZero();
      assertThat(traffic.feedback.get()).isPositive();
    }
  }

  @Test
  void aSlowerModelIsRolledBackOnLatencyAgainstStable() {
    shipAndRollBack("canary-slow", "mlp-classifier-slow.onnx", "        - {type: LatencyP99, maxRatioToStable: 1.5}",
        "LatencyP99", false, traffic -> assertThat(traffic.load.stats().errors()).isZero());
  }

  @Test
  void aLessAccurateModelIsRolledBackOnAccuracyFromFeedback() {
    shipAndRollBack("canary-inaccurate", "mlp-classifier-inaccurate.onnx",
        "        - {type: Accuracy, maxDropFromStable: 0.1}", "Accuracy", false, traffic -> {
          assertThat(traffic.feedback.get()).isPositive();
          assertThat(traffic.elsewhere.get()).as("feedback judged by a pod that did not make the prediction")
              .isPositive();
        });
  }

  @Test
  void aModelThatRejectsInputsIsRolledBackOnErrorRate() {
    // the canary refuses batches of 4: the only failed requests are the canary's, and they stop with it
    shipAndRollBack("canary-strict", "mlp-classifier-strict.onnx", "        - {type: ErrorRate, max: 0.05}",
        "ErrorRate", true, traffic -> assertThat(traffic.load.stats().byStatus()).containsKey(400));
  }

  /**
   * The good model as v1 judged by {@code metric}; under traffic, {@code badModel} ships as v2 and is rolled back
   * on {@code failingMetric}; then {@code check} on the traffic.
   */
  private void shipAndRollBack(String ns, String badModel, String metric, String failingMetric, boolean bigBatches,
      Consumer<Traffic> check) {
    String v1 = deploy(ns, "mlp-classifier.onnx", "v1", ONE_STEP, metric);
    try (Traffic traffic = traffic(ns, bigBatches)) {
      apply(ns, badModel, "v2", ONE_STEP, metric);
      assertRolledBack(ns, v1, failingMetric);
      check.accept(traffic);
    }
  }

  @Test
  void prometheusStoppedDuringAnalysisPausesTheRolloutUntilItReturns() {
    String ns = "canary-blackout";
    deploy(ns, "mlp-classifier.onnx", "v1", ONE_STEP, ALL_METRICS);
    try (Traffic traffic = traffic(ns, false)) {
      LocalCluster cluster = CLUSTER.cluster();
      cluster.prometheus().stop();
      try {
        apply(ns, "mlp-classifier.onnx", "v2", ONE_STEP, ALL_METRICS);
        GenericKubernetesResource paused = awaitPhase(ns, "Paused");
        assertThat(canary(paused, "message")).containsIgnoringCase("inconclusive");
        holdFor(Duration.ofSeconds(12), () -> assertThat(phase(ns)).isEqualTo("Paused"));
        assertThat(deployment(ns, NAME + "-canary")).isNotNull();
      } finally {
        cluster.prometheus().start();
      }
      awaitPhase(ns, "Promoted");
      assertThat(traffic.load.stats().errors()).isZero();
    }
  }

  @Test
  void aCanaryResumesWhereItWasAfterTheOperatorIsKilledAndThePromoteAnnotationPromotesIt() {
    String ns = "canary-restart";
    deploy(ns, "mlp-classifier.onnx", "v1", MANUAL_STEP, ALL_METRICS);
    try (Traffic traffic = traffic(ns, false)) {
      apply(ns, "mlp-classifier.onnx", "v2", MANUAL_STEP, ALL_METRICS);
      GenericKubernetesResource waiting = awaitPhase(ns, "AwaitingPromotion");
      String startedAt = canary(waiting, "startedAt");
      LocalCluster cluster = CLUSTER.cluster();
      cluster.operator().kill();
      cluster.operator().start();
      // analysis goes on after the restart, from the same rollout: same start, no second CanaryStarted
      String analysedBefore = canary(waiting, "lastAnalysisAt");
      await().atMost(TIMEOUT).until(() -> !String.valueOf(canary(md(ns), "lastAnalysisAt")).equals(analysedBefore));
      GenericKubernetesResource resumed = md(ns);
      assertThat(canary(resumed, "phase")).isEqualTo("AwaitingPromotion");
      assertThat(canary(resumed, "startedAt")).isEqualTo(startedAt);
      assertThat(events(ns, "CanaryStarted")).hasSize(1);

      // the annotation names the revision it promotes, and stays as written (GitOps re-applies it harmlessly)
      annotate(ns, "modelpilot.io/promote", canary(resumed, "revision"));
      awaitPhase(ns, "Promoted");
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(deployment(ns, NAME + "-canary")).isNull());
      assertThat(md(ns).getMetadata().getAnnotations()).containsEntry("modelpilot.io/promote",
          canary(resumed, "revision"));
      assertThat(traffic.load.stats().errors()).isZero();
    }
  }

  @Test
  void aChangeDuringACanarySupersedesItAndTheAbortAnnotationRollsBack() {
    String ns = "canary-supersede";
    String v1 = deploy(ns, "mlp-classifier.onnx", "v1", MANUAL_STEP, ALL_METRICS);
    try (Traffic traffic = traffic(ns, false)) {
      apply(ns, "mlp-classifier.onnx", "v2", MANUAL_STEP, ALL_METRICS);
      String v2 = canary(awaitPhase(ns, "AwaitingPromotion"), "revision");
      apply(ns, "mlp-classifier.onnx", "v3", MANUAL_STEP, ALL_METRICS);
      GenericKubernetesResource superseded = await().atMost(TIMEOUT).until(() -> md(ns),
          r -> !v2.equals(canary(r, "revision")) && "AwaitingPromotion".equals(canary(r, "phase")));
      String v3 = canary(superseded, "revision");
      assertThat(events(ns, "CanarySuperseded")).singleElement().asString().contains(v2).contains(v3);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(running(ns, NAME + "-canary"))
          .isNotEmpty().allSatisfy(p -> assertThat(p.revision()).isEqualTo(v3)));

      annotate(ns, "modelpilot.io/abort", v3);
      GenericKubernetesResource aborted = awaitPhase(ns, "Aborted");
      assertThat(canary(aborted, "failedRevision")).isEqualTo(v3);
      assertThat(condition(aborted, "Degraded")).isEqualTo("True");
      await().atMost(TIMEOUT).untilAsserted(() -> {
        assertThat(deployment(ns, NAME + "-canary")).isNull();
        assertThat(stableRevision(ns)).isEqualTo(v1);
        assertThat(md(ns).getMetadata().getAnnotations()).containsEntry("modelpilot.io/abort", v3);
      });
      assertThat(traffic.load.stats().errors()).isZero();
    }
  }

  @Test
  void thePauseAnnotationHoldsAPassingCanaryUntilItIsRemoved() {
    String ns = "canary-pause";
    deploy(ns, "mlp-classifier.onnx", "v1", ONE_STEP, ALL_METRICS);
    annotate(ns, "modelpilot.io/pause", "true");
    try (Traffic traffic = traffic(ns, false)) {
      apply(ns, "mlp-classifier.onnx", "v2", ONE_STEP, ALL_METRICS);
      await().atMost(TIMEOUT).until(() -> "Pass".equals(canary(md(ns), "lastVerdict")));
      holdFor(Duration.ofSeconds(10), () -> assertThat(phase(ns)).isNotEqualTo("Promoted"));
      annotate(ns, "modelpilot.io/pause", null);
      awaitPhase(ns, "Promoted");
      assertThat(traffic.load.stats().errors()).isZero();
    }
  }

  /** Each scenario's model servers stop with it, so the next one runs on an idle machine. */
  @AfterEach
  void deleteTheModelDeployments() {
    LocalCluster cluster = CLUSTER.cluster();
    cluster.customResources("ModelDeployment").inAnyNamespace().list().getItems().forEach(r ->
        cluster.customResources("ModelDeployment").inNamespace(r.getMetadata().getNamespace())
            .withName(r.getMetadata().getName()).delete());
    await().atMost(TIMEOUT).until(() -> cluster.kubelet().pods().stream().allMatch(Kubelet.PodInfo::terminating)
        || cluster.kubelet().pods().isEmpty());
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** Applies the first revision and waits until it serves with no canary; returns its revision. */
  private String deploy(String ns, String model, String version, String steps, String metrics) {
    apply(ns, model, version, steps, metrics);
    GenericKubernetesResource md = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> md(ns),
        r -> r != null && "True".equals(condition(r, "Ready")) && "2/2".equals((Object) r.get("status", "replicaSummary")));
    return (String) md.get("status", "revision");
  }

  private void apply(String ns, String model, String version, String steps, String metrics) {
    CLUSTER.cluster().apply(MODEL.formatted(model, version, steps, metrics), ns);
  }

  private void assertRolledBack(String ns, String stableBefore, String metric) {
    GenericKubernetesResource rolledBack = awaitPhase(ns, "RolledBack");
    String failed = canary(rolledBack, "revision");
    assertThat(canary(rolledBack, "failedRevision")).isEqualTo(failed);
    assertThat(canary(rolledBack, "lastFailure", "metric")).isEqualTo(metric);
    assertThat(condition(rolledBack, "Degraded")).isEqualTo("True");
    assertThat(rolledBack.get("status", "revision").toString()).isEqualTo(stableBefore);
    assertThat(events(ns, "CanaryRolledBack")).singleElement().asString().contains(metric);
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(deployment(ns, NAME + "-canary")).isNull();
      assertThat(running(ns, NAME + "-canary")).isEmpty();
      assertThat(stableRevision(ns)).isEqualTo(stableBefore);
      assertThat(deployment(ns, NAME).getSpec().getReplicas()).isEqualTo(2);
    });
    // the failed revision is remembered: it is not tried again while the spec stays
    holdFor(Duration.ofSeconds(6), () -> {
      assertThat(deployment(ns, NAME + "-canary")).isNull();
      assertThat(phase(ns)).isEqualTo("RolledBack");
    });
    assertThat(events(ns, "CanaryStarted")).hasSize(1);
  }

  private GenericKubernetesResource awaitPhase(String ns, String phase) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> md(ns),
        r -> phase.equals(canary(r, "phase")));
  }

  private static GenericKubernetesResource md(String ns) {
    return CLUSTER.cluster().customResources("ModelDeployment").inNamespace(ns).withName(NAME).get();
  }

  private static String phase(String ns) {
    return canary(md(ns), "phase");
  }

  @SuppressWarnings("unchecked")
  private static String canary(GenericKubernetesResource r, String... path) {
    Object value = r == null ? null : r.get("status", "canary");
    for (String key : path) {
      value = value instanceof Map<?, ?> map ? ((Map<String, Object>) map).get(key) : null;
    }
    return value == null ? null : value.toString();
  }

  private static Deployment deployment(String ns, String name) {
    return CLUSTER.cluster().client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static String stableRevision(String ns) {
    return deployment(ns, NAME).getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision");
  }

  private static List<Kubelet.PodInfo> running(String ns, String deployment) {
    return CLUSTER.cluster().kubelet().pods(ns, deployment).stream().filter(p -> !p.terminating()).toList();
  }

  private static List<String> events(String ns, String reason) {
    return CLUSTER.cluster().client().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> NAME.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
        .map(e -> e.getMessage()).toList();
  }

  /** {@code kubectl annotate}: sets the annotation, or removes it when {@code value} is null. */
  private static void annotate(String ns, String key, String value) {
    CLUSTER.cluster().mergePatch("ModelDeployment", ns, NAME,
        Map.of("metadata", Map.of("annotations", Collections.singletonMap(key, value))));
  }

  /**
   * Load through the Service at 60 requests/s, with ground-truth feedback through the Service too: each answer's
   * prediction token goes to whichever pod the Service picks. {@code feedback} counts the accepted ones,
   * {@code elsewhere} those judged by another pod than the one that predicted.
   */
  private record Traffic(LoadGenerator load, AtomicLong feedback, AtomicLong elsewhere) implements AutoCloseable {
    @Override
    public void close() {
      load.close();
    }
  }

  /**
   * @param bigBatches about every second request carries a batch of 4 rows (which the stable model accepts)
   */
  private Traffic traffic(String ns, boolean bigBatches) {
    LocalCluster cluster = CLUSTER.cluster();
    URI service = cluster.serviceUrl(ns, NAME);
    // the truth for a pool of inputs is what the stable model answers for them (all pods are stable now)
    Random random = new Random(ns.hashCode());
    List<String> pool = new ArrayList<>();
    List<String> truth = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      String row = random.doubles(8, -3, 3).boxed().map(d -> String.format(java.util.Locale.ROOT, "%.3f", d)).toList()
          .toString();
      pool.add(row);
      truth.add(label(service, row));
    }
    Map<String, String> truthById = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    AtomicLong feedback = new AtomicLong();
    AtomicLong elsewhere = new AtomicLong();
    LoadGenerator load = LoadGenerator.to(service.resolve("/v2/models/" + NAME + "/infer")).rate(60)
        .body(() -> {
          int n = next.incrementAndGet();
          String id = "r" + n;
          // chosen at random, not every second request: whichever pattern, the Service spreads them at random
          if (bigBatches && random.nextBoolean()) {
            return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[4,8],"
                + "\"data\":[" + String.join(",", pool.get(0), pool.get(1), pool.get(2), pool.get(3))
                .replace("[", "").replace("]", "") + "]}]}";
          }
          int pick = Math.floorMod(n * 31, pool.size());
          truthById.put(id, truth.get(pick));
          return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],"
              + "\"data\":" + pool.get(pick) + "}]}";
        })
        .onResponse(exchange -> {
          if (!exchange.ok()) {
            return;
          }
          try {
            JsonNode answer = JSON.readTree(exchange.responseBody());
            String label = truthById.remove(answer.path("id").asText());
            String token = answer.path("parameters").path("prediction_token").asText(null);
            String predictedBy = exchange.headers().firstValue(ServiceProxy.POD_HEADER).orElse("");
            if (label == null || token == null) {
              return;
            }
            http.sendAsync(HttpRequest.newBuilder(service.resolve("/v2/models/" + NAME + "/feedback"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"" + token + "\",\"label\":" + label + "}"))
                .build(), HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
                  if (r.statusCode() == 200) {
                    feedback.incrementAndGet();
                    if (!predictedBy.equals(r.headers().firstValue(ServiceProxy.POD_HEADER).orElse(predictedBy))) {
                      elsewhere.incrementAndGet();
                    }
                  }
                });
          } catch (java.io.IOException e) {
            // an unreadable answer gets no feedback
          }
        })
        .start();
    return new Traffic(load, feedback, elsewhere);
  }

  private String label(URI service, String row) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(service.resolve("/v2/models/" + NAME + "/infer"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
              "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":" + row + "}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      for (JsonNode output : JSON.readTree(response.body()).path("outputs")) {
        if ("label".equals(output.path("name").asText())) {
          return output.path("data").get(0).asText();
        }
      }
      throw new AssertionError("no label in " + response.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
