package io.modelpilot.e2e.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.modelpilot.e2e.cluster.Kubelet;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import io.modelpilot.e2e.load.LoadGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.modelpilot.e2e.scenario.LocalClusterTest.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * TuningJobs end to end: trials run as Jobs whose pods are real processes (the runtime image's bench mode with the
 * candidate settings, or a Python script of the user's), results come back in termination messages and intermediate
 * values through the pods' logs, and the winner ships into a ModelDeployment whose canary real Prometheus judges
 * under real load. Each scenario uses its own namespace.
 */
class TuningScenarioTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(180);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final double BRANIN_MIN = 0.397887;
  private static final String FAST = "file:///models/mlp-classifier.onnx";

  /** A ModelDeployment serving the classifier, judged on p99 against stable: the slow model is rolled back. */
  private static final String SCORER = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: scorer
      spec:
        model:
          uri: file:///models/mlp-classifier.onnx
          version: v1
        replicas: 2
        runtime:
          intraOpThreads: 1
        rollout:
          steps:
            - {weight: 50, pause: 4s}
          progressDeadline: 2m
          analysis:
            interval: 4s
            failureLimit: 1
            minRequests: 30
            metrics:
              - {type: LatencyP99, maxRatioToStable: 1.5}
      """;

  /** A target that runs no pod: custom trials need it to exist, not to serve. */
  private static final String IDLE_TARGET = """
      apiVersion: modelpilot.io/v1alpha1
      kind: ModelDeployment
      metadata:
        name: %s
      spec:
        model:
          uri: file:///models/mlp-classifier.onnx
          version: v1
        replicas: 0
      """;

  /**
   * A custom trial over the model: its "offline evaluation" prefers the slow model, which production refuses, to the
   * current one, and that to a third.
   */
  private static final String MODEL_CHOICE = """
      apiVersion: modelpilot.io/v1alpha1
      kind: TuningJob
      metadata:
        name: %s
      spec:
        targetRef: {name: scorer}
        objective: {metric: accuracy, direction: Maximize}
        parameters:
          - name: model
            type: categorical
            values:
              - file:///models/mlp-classifier.onnx
              - file:///models/mlp-classifier-slow.onnx
              - file:///models/mlp-classifier-inaccurate.onnx
            path: spec.model.uri
        algorithm: {name: grid}
        maxTrials: 3
        trial:
          template:
            spec:
              containers:
                - name: trial
                  image: python:3.12-slim
                  command: ["/usr/bin/python3", "-c"]
                  args:
                    - |
                      import json, os
                      model = os.environ["MODELPILOT_PARAM_MODEL"]
                      accuracy = 0.93 if "slow" in model else 0.90 if "inaccurate" in model else 0.91
                      open("/dev/termination-log", "w").write(json.dumps({"accuracy": accuracy}))
        apply: {policy: %s}
      """;

  /** Trials that take a while and report their own parameter back, so a result can be matched to its trial. */
  private static final String SLOW_ECHO = """
      apiVersion: modelpilot.io/v1alpha1
      kind: TuningJob
      metadata:
        name: echo
      spec:
        targetRef: {name: idle}
        objective: {metric: loss, direction: Minimize}
        parameters:
          - {name: x, type: double, min: 0, max: 1}
        algorithm: {name: random, seed: 5}
        maxTrials: 6
        parallelTrials: 2
        trial:
          template:
            spec:
              containers:
                - name: trial
                  image: python:3.12-slim
                  command: ["/usr/bin/python3", "-c"]
                  args:
                    - |
                      import json, os, time
                      time.sleep(3)
                      open("/dev/termination-log", "w").write(json.dumps({"loss": float(os.environ["MODELPILOT_PARAM_X"])}))
        apply: {policy: Manual}
      """;

  /**
   * Training until the loss is under 0.2 (at most 60 steps, half a second each), reporting each step: a rate under 1
   * converges in a few steps, 9 would take 45.
   */
  private static final String CURVES = """
      apiVersion: modelpilot.io/v1alpha1
      kind: TuningJob
      metadata:
        name: curves
      spec:
        targetRef: {name: idle}
        objective: {metric: loss, direction: Minimize}
        parameters:
          - {name: rate, type: categorical, values: ["0.5", "0.6", "0.7", "9"]}
        algorithm: {name: grid}
        maxTrials: 4
        earlyStopping: {type: Median, minTrials: 3, minSteps: 1}
        trial:
          template:
            spec:
              containers:
                - name: trial
                  image: python:3.12-slim
                  command: ["/usr/bin/python3", "-c"]
                  args:
                    - |
                      import json, os, time
                      rate = float(os.environ["MODELPILOT_PARAM_RATE"])
                      for step in range(1, 61):
                          loss = rate / step
                          print("MODELPILOT_INTERMEDIATE " + json.dumps({"step": step, "value": loss}), flush=True)
                          if loss < 0.2:
                              break
                          time.sleep(0.5)
                      open("/dev/termination-log", "w").write(json.dumps({"loss": loss}))
        apply: {policy: Manual}
      """;

  @Test
  void theFastestRuntimeSettingsShipAsACanaryAndArePromoted() throws IOException {
    String ns = "tune-runtime";
    LocalCluster cluster = CLUSTER.cluster();
    String yaml = Files.readString(cluster.repo().example("tuning-demo.yaml"));
    String[] documents = yaml.split("(?m)^---$");
    cluster.apply(documents[0], ns);
    awaitServing(ns, "fraud-tune");
    try (LoadGenerator load = load(ns, "fraud-tune", 60)) {
      cluster.apply(documents[1], ns);
      JsonNode tj = awaitFinished(ns, "fraud-tune-runtime");

      assertThat(tj.at("/status/phase").asText()).as(describe(tj)).isEqualTo("Succeeded");
      assertThat(tj.at("/status/applied/outcome").asText()).isEqualTo("Promoted");
      List<JsonNode> trials = list(tj.at("/status/trials"));
      assertThat(trials).extracting(t -> t.path("name").asText())
          .containsExactly("fraud-tune-runtime-1", "fraud-tune-runtime-2", "fraud-tune-runtime-3");
      assertThat(trials).allSatisfy(t -> assertThat(t.path("phase").asText()).as(t.toString()).isEqualTo("Succeeded"));
      JsonNode baseline = trials.get(0);
      assertThat(baseline.path("parameters").path("intraOpThreads").asText()).isEqualTo("1");
      assertThat(baseline.path("parameters").path("maxBatchSize").asText()).isEqualTo("1");
      // the heavy model runs a batch of 4 rows in about the time of 1.2 lone rows: batching wins, by far
      JsonNode best = tj.at("/status/bestTrial");
      assertThat(best.path("parameters").path("maxBatchSize").asInt()).isGreaterThan(1);
      assertThat(best.path("value").asDouble()).isGreaterThan(1.2 * baseline.at("/metrics/throughput").asDouble());

      GenericKubernetesResource target = md(ns, "fraud-tune");
      JsonNode spec = JSON.valueToTree(target).path("spec");
      assertThat(spec.at("/runtime/batching/maxBatchSize").asText())
          .isEqualTo(best.path("parameters").path("maxBatchSize").asText());
      assertThat(spec.at("/runtime/intraOpThreads").asText())
          .isEqualTo(best.path("parameters").path("intraOpThreads").asText());
      String revision = tj.at("/status/applied/revision").asText();
      assertThat((Object) target.get("status", "canary", "phase")).isEqualTo("Promoted");
      assertThat((Object) target.get("status", "canary", "revision")).isEqualTo(revision);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(running(ns, "fraud-tune"))
          .hasSize(2).allSatisfy(p -> assertThat(p.revision()).isEqualTo(revision)));
      assertThat(load.stats().errors()).as("failed requests: %s", load.stats()).isZero();
    }
  }

  @Test
  void aWinnerThatProductionRollsBackIsNeverProposedAgain() {
    String ns = "tune-rollback";
    LocalCluster cluster = CLUSTER.cluster();
    cluster.apply(SCORER, ns);
    awaitServing(ns, "scorer");
    try (LoadGenerator load = load(ns, "scorer", 60)) {
      cluster.apply(MODEL_CHOICE.formatted("pick-model", "Canary"), ns);
      JsonNode tj = awaitFinished(ns, "pick-model");

      assertThat(tj.at("/status/bestTrial/parameters/model").asText()).as(describe(tj)).contains("slow");
      assertThat(tj.at("/status/applied/outcome").asText()).isEqualTo("RolledBack");
      assertThat(tj.at("/status/applied/failingMetric").asText()).isEqualTo("LatencyP99");
      assertThat(tj.at("/status/phase").asText()).isEqualTo("Failed");
      GenericKubernetesResource target = md(ns, "scorer");
      assertThat((Object) target.get("status", "canary", "phase")).isEqualTo("RolledBack");
      assertThat(target.getMetadata().getAnnotations()).containsKey("modelpilot.io/rolled-back-parameters");
      assertThat(target.getMetadata().getAnnotations().get("modelpilot.io/rolled-back-parameters"))
          .contains("mlp-classifier-slow.onnx");
      assertThat(load.stats().errors()).as("failed requests: %s", load.stats()).isZero();
    }

    // The rollback leaves the spec naming the slow model while stable runs v1; it is reverted here, as a GitOps user
    // reverts the refused commit, so the next TuningJob's trial 1 (the baseline) is what the target serves. (A spec
    // left on the rolled-back point is never taken as the baseline: it is not what runs, and it is remembered.)
    cluster.mergePatch("ModelDeployment", ns, "scorer", Map.of("spec", Map.of("model", Map.of("uri", FAST))));
    cluster.apply(MODEL_CHOICE.formatted("pick-model-again", "Manual"), ns);
    JsonNode again = awaitFinished(ns, "pick-model-again");
    assertThat(again.at("/status/phase").asText()).as(describe(again)).isEqualTo("Succeeded");
    assertThat(list(again.at("/status/trials"))).extracting(t -> t.at("/parameters/model").asText())
        .as("the current model, then the one point left: the slow one is remembered as failed")
        .containsExactly(FAST, "file:///models/mlp-classifier-inaccurate.onnx");
    assertThat(cluster.client().batch().v1().jobs().inNamespace(ns)
        .withLabel("modelpilot.io/tuning-job", "pick-model-again").list().getItems()).hasSize(2)
        .allSatisfy(j -> assertThat(j.getMetadata().getAnnotations().get("modelpilot.io/parameters"))
            .doesNotContain("slow"));
    assertThat(again.at("/status/bestTrial/parameters/model").asText()).isEqualTo(FAST);
  }

  @Test
  void aCustomTrialSearchFindsTheMinimumOfBraninAndOnlyRecommendsIt() throws IOException {
    String ns = "tune-branin";
    LocalCluster cluster = CLUSTER.cluster();
    cluster.apply(IDLE_TARGET.formatted("fraud-detector"), ns);
    GenericKubernetesResource before = md(ns, "fraud-detector");
    cluster.apply(Files.readString(cluster.repo().example("tuning-custom-trial.yaml")), ns);
    JsonNode tj = awaitFinished(ns, "branin-search");

    assertThat(tj.at("/status/phase").asText()).as(describe(tj)).isEqualTo("Succeeded");
    List<JsonNode> trials = list(tj.at("/status/trials"));
    assertThat(trials).hasSize(tj.at("/spec/maxTrials").asInt())
        .allSatisfy(t -> assertThat(t.path("phase").asText()).as(t.toString()).isEqualTo("Succeeded"));
    double best = tj.at("/status/bestTrial/value").asDouble();
    assertThat(best).as(describe(tj)).isCloseTo(BRANIN_MIN, within(0.05));
    assertThat(tj.at("/status/recommendation").isObject()).isTrue();
    assertThat(condition(customResource(ns, "TuningJob", "branin-search"), "Ready")).isEqualTo("True");
    GenericKubernetesResource after = md(ns, "fraud-detector");
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
    assertThat((Object) after.get("spec")).isEqualTo(before.get("spec"));
    assertThat(after.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void anOperatorKilledMidTuningResumesWithNoTrialLostOrRunTwice() {
    String ns = "tune-restart";
    LocalCluster cluster = CLUSTER.cluster();
    cluster.apply(IDLE_TARGET.formatted("idle"), ns);
    cluster.apply(SLOW_ECHO, ns);
    // killed once the second round has started, while at least one trial runs
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> list(json(ns, "echo").at("/status/trials")),
        trials -> trials.size() >= 3 && trials.stream().anyMatch(t -> "Running".equals(t.path("phase").asText())));
    cluster.operator().kill();
    cluster.operator().start();
    JsonNode tj = awaitFinished(ns, "echo");

    assertThat(tj.at("/status/phase").asText()).as(describe(tj)).isEqualTo("Succeeded");
    List<JsonNode> trials = list(tj.at("/status/trials"));
    assertThat(trials).extracting(t -> t.path("name").asText())
        .containsExactly("echo-1", "echo-2", "echo-3", "echo-4", "echo-5", "echo-6");
    // each result is its own trial's: the script reports its parameter back
    assertThat(trials).allSatisfy(t -> {
      assertThat(t.path("phase").asText()).as(t.toString()).isEqualTo("Succeeded");
      assertThat(t.at("/metrics/loss").asDouble()).isEqualTo(t.at("/parameters/x").asDouble());
    });
    assertThat(new HashSet<>(trials.stream().map(t -> t.at("/parameters/x").asText()).toList())).hasSize(6);
    List<Job> jobs = cluster.client().batch().v1().jobs().inNamespace(ns).withLabel("modelpilot.io/tuning-job", "echo")
        .list().getItems();
    assertThat(jobs).extracting(j -> j.getMetadata().getName())
        .containsExactlyInAnyOrder("echo-1", "echo-2", "echo-3", "echo-4", "echo-5", "echo-6");
    assertThat(cluster.kubelet().pods().stream().filter(p -> p.ownerName().startsWith("echo-")))
        .as("one pod per trial").hasSize(6);
  }

  @Test
  void aTrialWhoseCurveTrailsTheMedianIsStoppedEarlyFromItsLog() {
    String ns = "tune-early";
    LocalCluster cluster = CLUSTER.cluster();
    cluster.apply(IDLE_TARGET.formatted("idle"), ns);
    cluster.apply(CURVES, ns);
    JsonNode tj = awaitFinished(ns, "curves");

    assertThat(tj.at("/status/phase").asText()).as(describe(tj)).isEqualTo("Succeeded");
    List<JsonNode> trials = list(tj.at("/status/trials"));
    assertThat(trials).hasSize(4);
    assertThat(trials.subList(0, 3)).allSatisfy(t -> {
      assertThat(t.path("phase").asText()).as(t.toString()).isEqualTo("Succeeded");
      assertThat(list(t.path("intermediate"))).as("its curve, read from its log").hasSizeGreaterThanOrEqualTo(3);
    });
    JsonNode bad = trials.get(3);
    assertThat(bad.at("/parameters/rate").asText()).isEqualTo("9");
    assertThat(bad.path("phase").asText()).as(bad.toString()).isEqualTo("EarlyStopped");
    assertThat(bad.path("message").asText()).contains("median");
    // it would have run 45 steps; the operator stopped it after a few
    assertThat(list(bad.path("intermediate"))).isNotEmpty().hasSizeLessThan(30);
    assertThat(tj.at("/status/bestTrial/name").asText()).isEqualTo("curves-1");
    await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(cluster.client().batch().v1().jobs().inNamespace(ns).withName("curves-4").get()).isNull();
      assertThat(cluster.kubelet().pods(ns, "curves-4")).isEmpty();
    });
  }

  /** Each scenario's processes stop with it, so the next one runs on an idle machine. */
  @AfterEach
  void deleteEverything() {
    LocalCluster cluster = CLUSTER.cluster();
    for (String kind : List.of("TuningJob", "ModelDeployment")) {
      cluster.customResources(kind).inAnyNamespace().list().getItems().forEach(r -> cluster.customResources(kind)
          .inNamespace(r.getMetadata().getNamespace()).withName(r.getMetadata().getName()).delete());
    }
    await().atMost(TIMEOUT).until(() -> cluster.kubelet().pods().stream().allMatch(Kubelet.PodInfo::terminating));
  }

  // ------------------------------------------------------------------------------------------ helpers

  private static void awaitServing(String ns, String name) {
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> md(ns, name),
        r -> r != null && "True".equals(condition(r, "Ready")) && "2/2".equals((Object) r.get("status",
            "replicaSummary")));
  }

  /** Waits until the TuningJob is Succeeded or Failed; its status then. */
  private static JsonNode awaitFinished(String ns, String name) {
    return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(() -> json(ns, name),
        tj -> List.of("Succeeded", "Failed").contains(tj.at("/status/phase").asText()));
  }

  private static JsonNode json(String ns, String name) {
    return JSON.valueToTree(customResource(ns, "TuningJob", name));
  }

  private static GenericKubernetesResource customResource(String ns, String kind, String name) {
    return CLUSTER.cluster().customResources(kind).inNamespace(ns).withName(name).get();
  }

  private static GenericKubernetesResource md(String ns, String name) {
    return customResource(ns, "ModelDeployment", name);
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }

  private static String describe(JsonNode tj) {
    return "TuningJob status: " + tj.path("status").toPrettyString();
  }

  private static List<Kubelet.PodInfo> running(String ns, String deployment) {
    return CLUSTER.cluster().kubelet().pods(ns, deployment).stream().filter(p -> !p.terminating()).toList();
  }

  /** Single-row requests through the Service at {@code rate} per second. */
  private static LoadGenerator load(String ns, String name, int rate) {
    URI service = CLUSTER.cluster().serviceUrl(ns, name);
    Random random = new Random(ns.hashCode());
    return LoadGenerator.to(service.resolve("/v2/models/" + name + "/infer")).rate(rate)
        .body(() -> "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":"
            + random.doubles(8, -3, 3).boxed().toList() + "}]}")
        .start();
  }
}
