package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelpilot.contract.RuntimeContract;
import io.modelpilot.runtime.model.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Open Inference Protocol v2 endpoints over real HTTP, serving examples/models/mlp-classifier.onnx. */
@QuarkusTest
class InferenceEndpointTest {

  @TestHTTPResource("/")
  URL url;

  @Inject
  ModelRegistry registry;

  V2Client client;

  @BeforeEach
  void ready() {
    client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
  }

  static ObjectNode request(String id, List<Float> rows, int batch) {
    ObjectNode r = V2Client.JSON.createObjectNode();
    if (id != null) {
      r.put("id", id);
    }
    ObjectNode in = r.putArray("inputs").addObject();
    in.put("name", "input").put("datatype", "FP32");
    in.putArray("shape").add(batch).add(8);
    var data = in.putArray("data");
    rows.forEach(data::add);
    return r;
  }

  static List<Float> row(float seed) {
    return List.of(seed, -seed, 0.5f * seed, 1f, -1f, seed * seed, 0.1f, -0.3f);
  }

  @Test
  void healthAndServerMetadataAnswer() {
    assertThat(client.get("/v2/health/live").status()).isEqualTo(200);
    assertThat(client.get("/v2/health/ready").status()).isEqualTo(200);
    JsonNode server = client.get("/v2").body();
    assertThat(server.path("name").asText()).isEqualTo("modelpilot");
    assertThat(client.get("/v2/models/mlp-classifier/ready").status()).isEqualTo(200);
    assertThat(client.get("/v2/models/mlp-classifier/versions/v1/ready").status()).isEqualTo(200);
  }

  @Test
  void modelMetadataIsReadFromTheModel() {
    JsonNode meta = client.get("/v2/models/mlp-classifier").body();

    assertThat(meta.path("name").asText()).isEqualTo("mlp-classifier");
    assertThat(meta.path("versions").get(0).asText()).isEqualTo("v1");
    assertThat(meta.path("platform").asText()).isEqualTo("onnxruntime_onnx");
    assertThat(meta.path("inputs").toString()).isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,8]}]");
    assertThat(meta.path("outputs").findValuesAsText("name")).containsExactlyInAnyOrder("probabilities", "label");
  }

  @Test
  void infersTheExpectedOutputsWithFlatAndNestedData() throws Exception {
    JsonNode cases = V2Client.JSON.readTree(Files.readString(Tensors.repo().resolve("examples/models/expected.json")))
        .path("models").path("mlp-classifier").path("testCases");
    for (JsonNode c : cases) {
      ObjectNode request = V2Client.JSON.createObjectNode();
      request.put("id", "case-" + c.path("name").asText());
      request.set("inputs", c.path("inputs"));
      V2Client.Reply flat = client.post("/v2/models/mlp-classifier/infer", request);
      assertThat(flat.status()).as(flat.raw()).isEqualTo(200);
      for (JsonNode expected : c.path("outputs")) {
        assertThat(Tensors.compare(expected, Tensors.output(flat.body(), expected.path("name").asText()), 1e-5, 1e-4))
            .as(c.path("name").asText()).isEmpty();
      }
      assertThat(flat.body().path("id").asText()).isEqualTo("case-" + c.path("name").asText());
      assertThat(flat.body().path("model_name").asText()).isEqualTo("mlp-classifier");
      assertThat(flat.body().path("model_version").asText()).isEqualTo("v1");

      // the same data nested row by row gives the same answer
      ObjectNode nested = request.deepCopy();
      ObjectNode in = (ObjectNode) nested.path("inputs").get(0);
      var rows = V2Client.JSON.createArrayNode();
      JsonNode data = in.path("data");
      for (int r = 0; r < data.size() / 8; r++) {
        var row = rows.addArray();
        for (int k = 0; k < 8; k++) {
          row.add(data.get(r * 8 + k));
        }
      }
      in.set("data", rows);
      V2Client.Reply again = client.post("/v2/models/mlp-classifier/infer", nested);
      assertThat(again.body().path("outputs")).isEqualTo(flat.body().path("outputs"));
    }
  }

  @Test
  void onlyTheRequestedOutputsAreReturnedAndParametersPassThrough() {
    ObjectNode request = request("sel", row(1), 1);
    request.putArray("outputs").addObject().put("name", "label");
    request.putObject("parameters").put("trace", "abc");

    JsonNode body = client.post("/v2/models/mlp-classifier/infer", request).body();

    assertThat(body.path("outputs").findValuesAsText("name")).containsExactly("label");
    assertThat(body.path("parameters").path("trace").asText()).isEqualTo("abc");
  }

  @Test
  void badRequestsAreRefusedWithAProtocolErrorAndNeverA500() {
    ObjectNode wrongType = request(null, row(1), 1);
    ((ObjectNode) wrongType.path("inputs").get(0)).put("datatype", "INT32");
    ObjectNode wrongShape = request(null, row(1), 1);
    ((ObjectNode) wrongShape.path("inputs").get(0)).putArray("shape").add(1).add(4);
    ObjectNode wrongCount = request(null, row(1), 2);
    ObjectNode missingInput = V2Client.JSON.createObjectNode();
    missingInput.putArray("inputs");
    ObjectNode unknownInput = request(null, row(1), 1);
    ((ObjectNode) unknownInput.path("inputs").get(0)).put("name", "pixels");
    ObjectNode unknownOutput = request(null, row(1), 1);
    unknownOutput.putArray("outputs").addObject().put("name", "logits");
    ObjectNode unknownDatatype = request(null, row(1), 1);
    ((ObjectNode) unknownDatatype.path("inputs").get(0)).put("datatype", "FLOAT");
    ObjectNode stringData = request(null, row(1), 1);
    ((com.fasterxml.jackson.databind.node.ArrayNode) stringData.path("inputs").get(0).path("data")).set(0,
        V2Client.JSON.getNodeFactory().textNode("one"));

    record Case(String what, Object body, int status, String mentions) {
    }
    List<Case> table = List.of(
        new Case("wrong datatype", wrongType, 400, "datatype"),
        new Case("wrong shape", wrongShape, 400, "shape"),
        new Case("data does not fill the shape", wrongCount, 400, "elements"),
        new Case("no inputs", missingInput, 400, "missing input 'input'"),
        new Case("unknown input", unknownInput, 400, "pixels"),
        new Case("unknown output", unknownOutput, 400, "logits"),
        new Case("unknown datatype", unknownDatatype, 400, "FLOAT"),
        new Case("a string where a number belongs", stringData, 400, "FP32"),
        new Case("invalid JSON", "{\"inputs\": [", 400, "invalid JSON"),
        new Case("not an object", "[1,2,3]", 400, "object"));
    for (Case c : table) {
      V2Client.Reply reply = client.post("/v2/models/mlp-classifier/infer", c.body());
      assertThat(reply.status()).as(c.what() + ": " + reply.raw()).isEqualTo(c.status());
      assertThat(reply.body().path("error").asText()).as(c.what()).contains(c.mentions());
    }
    V2Client.Reply unknownModel = client.post("/v2/models/other/infer", request(null, row(1), 1));
    assertThat(unknownModel.status()).isEqualTo(404);
    assertThat(unknownModel.body().path("error").asText()).contains("other");
    assertThat(client.post("/v2/models/mlp-classifier/versions/v9/infer", request(null, row(1), 1)).status())
        .isEqualTo(404);
    assertThat(client.get("/v2/models/other").status()).isEqualTo(404);
  }

  @Test
  void anOversizedBodyIsRefusedWith413() {
    byte[] huge = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');

    V2Client.Reply reply = client.post("/v2/models/mlp-classifier/infer", huge);

    assertThat(reply.status()).isEqualTo(413);
    assertThat(reply.body().path("error").asText()).contains("MODELPILOT_MAX_REQUEST_BYTES");
    assertThat(client.post("/v2/models/mlp-classifier/infer", request(null, row(1), 1)).status()).isEqualTo(200);
  }

  @Test
  void feedbackCountsCorrectAndIncorrectPredictionsAndForgetsJudgedOnes() {
    JsonNode answer = client.post("/v2/models/mlp-classifier/infer", request("fb-1", concat(row(1), row(2)), 2)).body();
    long first = Tensors.output(answer, "label").path("data").get(0).asLong();
    long second = Tensors.output(answer, "label").path("data").get(1).asLong();
    double correctBefore = metric("modelpilot_feedback_total", "result=\"correct\"");
    double incorrectBefore = metric("modelpilot_feedback_total", "result=\"incorrect\"");

    V2Client.Reply right = client.post("/v2/models/mlp-classifier/feedback", Map.of("id", "fb-1", "index", 0, "label", first));
    V2Client.Reply wrong = client.post("/v2/models/mlp-classifier/feedback",
        Map.of("id", "fb-1", "index", 1, "label", (second + 1) % 3));

    assertThat(right.status()).isEqualTo(200);
    assertThat(right.body().path("correct").asBoolean()).isTrue();
    assertThat(wrong.body().path("correct").asBoolean()).isFalse();
    assertThat(metric("modelpilot_feedback_total", "result=\"correct\"")).isEqualTo(correctBefore + 1);
    assertThat(metric("modelpilot_feedback_total", "result=\"incorrect\"")).isEqualTo(incorrectBefore + 1);
    V2Client.Reply again = client.post("/v2/models/mlp-classifier/feedback", Map.of("id", "fb-1", "label", first));
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.body().path("error").asText()).contains("fb-1");
    assertThat(client.post("/v2/models/mlp-classifier/feedback", Map.of("id", "never-seen", "label", 1)).status())
        .isEqualTo(404);
    assertThat(client.post("/v2/models/mlp-classifier/feedback", Map.of("label", 1)).status()).isEqualTo(400);
  }

  @Test
  void requestsWithoutAnIdGetOneForFeedback() {
    JsonNode answer = client.post("/v2/models/mlp-classifier/infer", request(null, row(3), 1)).body();

    assertThat(answer.path("id").asText()).isNotBlank();
    assertThat(client.post("/v2/models/mlp-classifier/feedback",
        Map.of("id", answer.path("id").asText(), "label", 0)).status()).isEqualTo(200);
  }

  @Test
  void metricsCarryModelAndVersionAndTheDocumentedNames() {
    client.post("/v2/models/mlp-classifier/infer", request(null, row(1), 1));
    client.post("/v2/models/mlp-classifier/infer", "{");

    String metrics = client.get("/q/metrics").raw();

    for (String name : List.of("modelpilot_requests_total", "modelpilot_request_duration_seconds_bucket",
        "modelpilot_inference_duration_seconds_bucket", "modelpilot_queue_duration_seconds_bucket",
        "modelpilot_batch_size_bucket", "modelpilot_inflight_requests", "modelpilot_queue_depth",
        "modelpilot_model_load_duration_seconds", "modelpilot_predictions_total", "modelpilot_prediction_score_bucket",
        "jvm_memory_used_bytes", "process_cpu_usage")) {
      assertThat(metrics).as(name).containsPattern("(?m)^" + name + "\\{[^}]*model=\"mlp-classifier\"[^}]*\\}");
      assertThat(metrics).as(name).containsPattern("(?m)^" + name + "\\{[^}]*version=\"v1\"");
    }
    assertThat(metric("modelpilot_requests_total", "status_class=\"4xx\"")).isPositive();
    assertThat(metric("modelpilot_requests_total", "status_class=\"2xx\"")).isPositive();
  }

  @Test
  void aClientCannotHideItsRequestsFromTheMetricsWithTheWarmUpHeader() {
    double before = metric("modelpilot_requests_total", "status_class=\"2xx\"");
    for (String value : List.of("true", "1", "", ModelStartup.class.getName())) {
      assertThat(client.post("/v2/models/mlp-classifier/infer", request(null, row(2), 1),
          Map.of(V2Resource.WARMUP_HEADER, value)).status()).isEqualTo(200);
    }
    assertThat(metric("modelpilot_requests_total", "status_class=\"2xx\"")).isEqualTo(before + 4);
  }

  @Test
  void exposesEverySeriesTheOperatorQueries() throws IllegalAccessException {
    JsonNode answer = client.post("/v2/models/mlp-classifier/infer", request(null, row(1), 1)).body();
    client.post("/v2/models/mlp-classifier/feedback", Map.of("id", answer.path("id").asText(), "label", 0));
    String metrics = client.get("/q/metrics").raw();
    for (var field : RuntimeContract.Metrics.class.getFields()) {
      String name = (String) field.get(null);
      assertThat(metrics).as(field.getName()).containsPattern("(?m)^" + name + "\\{");
    }
  }

  private double metric(String name, String labelFragment) {
    String metrics = client.get("/q/metrics").raw();
    return metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(labelFragment))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  static List<Float> concat(List<Float> a, List<Float> b) {
    List<Float> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
