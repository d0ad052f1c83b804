package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelpilot.runtime.feedback.PredictionTokens;
import io.modelpilot.runtime.metrics.Predictions.Row;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static io.modelpilot.runtime.server.InferenceEndpointTest.request;
import static io.modelpilot.runtime.server.InferenceEndpointTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Feedback with prediction tokens over real HTTP. This server is pod B of revision rev-b (application.properties,
 * %test); pod A, of revision rev-a, is played by a {@link PredictionTokens} with the same key file: feedback on its
 * predictions, sent to B, is judged and counted under rev-a.
 */
@QuarkusTest
class FeedbackTokenTest {

  private static final String FEEDBACK = "/v2/models/mlp-classifier/feedback";

  @TestHTTPResource("/")
  URL url;

  V2Client client;

  @BeforeEach
  void ready() {
    client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
  }

  static byte[] sharedKey() {
    try {
      return Files.readAllBytes(Tensors.repo().resolve("runtime-image/src/test/resources/feedback-test.key"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static PredictionTokens podA(Clock clock) {
    return new PredictionTokens(sharedKey(), "rev-a", Duration.ofHours(1), clock);
  }

  @Test
  void aTokenFromAnotherPodWithTheSameKeyIsCountedUnderThatPodsRevision() {
    String token = podA(Clock.systemUTC()).issue("mlp-classifier", "from-a", List.of(new Row("2", 0.8),
        new Row("1", 0.6)));
    double correctA = metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-a\"");
    double incorrectA = metric("modelpilot_feedback_total", "result=\"incorrect\"", "prediction_revision=\"rev-a\"");
    double correctB = metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-b\"");

    V2Client.Reply right = client.post(FEEDBACK, Map.of("token", token, "index", 0, "label", 2));
    V2Client.Reply wrong = client.post(FEEDBACK, Map.of("token", token, "index", 1, "label", "0"));

    assertThat(right.status()).as(right.raw()).isEqualTo(200);
    assertThat(right.body().path("correct").asBoolean()).isTrue();
    assertThat(right.body().path("predictionRevision").asText()).isEqualTo("rev-a");
    assertThat(wrong.body().path("correct").asBoolean()).isFalse();
    assertThat(metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-a\""))
        .isEqualTo(correctA + 1);
    assertThat(metric("modelpilot_feedback_total", "result=\"incorrect\"", "prediction_revision=\"rev-a\""))
        .isEqualTo(incorrectA + 1);
    assertThat(metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-b\""))
        .as("nothing counted under the receiving pod's revision").isEqualTo(correctB);
  }

  @Test
  void everyAnswerCarriesATokenOfThisPodsRevisionThatJudgesEachRowOnce() {
    JsonNode answer = client.post("/v2/models/mlp-classifier/infer",
        request("mine", InferenceEndpointTest.concat(row(1), row(2)), 2)).body();
    String token = answer.path("parameters").path("prediction_token").asText();
    long first = Tensors.output(answer, "label").path("data").get(0).asLong();
    double correctB = metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-b\"");
    double replays = metric("modelpilot_feedback_rejected_total", "reason=\"replayed\"");

    V2Client.Reply judged = client.post(FEEDBACK, Map.of("token", token, "label", first));
    V2Client.Reply again = client.post(FEEDBACK, Map.of("token", token, "index", 0, "label", first));
    V2Client.Reply secondRow = client.post(FEEDBACK, Map.of("token", token, "index", 1, "label", "x"));
    V2Client.Reply beyond = client.post(FEEDBACK, Map.of("token", token, "index", 2, "label", first));

    assertThat(token).isNotBlank();
    assertThat(judged.status()).as(judged.raw()).isEqualTo(200);
    assertThat(judged.body().path("predictionRevision").asText()).isEqualTo("rev-b");
    assertThat(metric("modelpilot_feedback_total", "result=\"correct\"", "prediction_revision=\"rev-b\""))
        .isEqualTo(correctB + 1);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.body().path("error").asText()).contains("already judged");
    assertThat(metric("modelpilot_feedback_rejected_total", "reason=\"replayed\"")).isEqualTo(replays + 1);
    assertThat(secondRow.status()).as("another row of the same token").isEqualTo(200);
    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.body().path("error").asText()).contains("rows 0 to 1");
    assertThat(client.post(FEEDBACK, Map.of("token", token, "index", -1, "label", first)).body().path("error")
        .asText()).contains("'index' must be a row number");
    // the id path still works on the pod that answered (it keeps its own record of the rows)
    assertThat(client.post(FEEDBACK, Map.of("id", "mine", "index", 0, "label", 0)).status()).isEqualTo(200);
  }

  @Test
  void alteredForeignExpiredAndMalformedTokensAreRefusedAndCounted() {
    String token = podA(Clock.systemUTC()).issue("mlp-classifier", "a", List.of(new Row("1", 0.5)));
    byte[] bytes = Base64.getUrlDecoder().decode(token);
    bytes[bytes.length - 32 - 9] = '2'; // the predicted label "1" becomes "2"
    String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String foreign = new PredictionTokens("the key of some other deployment".getBytes(), "rev-a", Duration.ofHours(1),
        Clock.systemUTC()).issue("mlp-classifier", "a", List.of(new Row("1", 0.5)));
    String expired = new PredictionTokens(sharedKey(), "rev-a", Duration.ofSeconds(1),
        Clock.offset(Clock.systemUTC(), Duration.ofHours(-1))).issue("mlp-classifier", "a", List.of(new Row("1", 0.5)));
    String otherModel = podA(Clock.systemUTC()).issue("another-model", "a", List.of(new Row("1", 0.5)));
    double forged = metric("modelpilot_feedback_rejected_total", "reason=\"forged\"");
    double tooLate = metric("modelpilot_feedback_rejected_total", "reason=\"expired\"");
    double malformed = metric("modelpilot_feedback_rejected_total", "reason=\"malformed\"");

    V2Client.Reply alteredReply = client.post(FEEDBACK, Map.of("token", altered, "label", 2));
    V2Client.Reply foreignReply = client.post(FEEDBACK, Map.of("token", foreign, "label", 1));
    V2Client.Reply expiredReply = client.post(FEEDBACK, Map.of("token", expired, "label", 1));
    V2Client.Reply garbage = client.post(FEEDBACK, Map.of("token", "not a token", "label", 1));
    V2Client.Reply both = client.post(FEEDBACK, Map.of("token", token, "id", "a", "label", 1));

    assertThat(alteredReply.status()).isEqualTo(403);
    assertThat(alteredReply.body().path("error").asText()).contains("signature does not match");
    assertThat(foreignReply.status()).isEqualTo(403);
    assertThat(expiredReply.status()).isEqualTo(403);
    assertThat(expiredReply.body().path("error").asText()).contains("expired at");
    assertThat(garbage.status()).isEqualTo(400);
    assertThat(both.status()).isEqualTo(400);
    assertThat(both.body().path("error").asText()).contains("exactly one of 'token'");
    assertThat(client.post(FEEDBACK, Map.of("token", otherModel, "label", 1)).status()).isEqualTo(400);
    assertThat(metric("modelpilot_feedback_rejected_total", "reason=\"forged\"")).isEqualTo(forged + 2);
    assertThat(metric("modelpilot_feedback_rejected_total", "reason=\"expired\"")).isEqualTo(tooLate + 1);
    assertThat(metric("modelpilot_feedback_rejected_total", "reason=\"malformed\"")).isEqualTo(malformed + 2);
    // none of them was judged: the genuine token still is
    assertThat(client.post(FEEDBACK, Map.of("token", token, "label", 1)).status()).isEqualTo(200);
  }

  @Test
  void aClientCannotSupplyItsOwnToken() {
    JsonNode answer = client.post("/v2/models/mlp-classifier/infer",
        request(null, row(3), 1).set("parameters", V2Client.JSON.createObjectNode()
            .put("prediction_token", "forged-by-client").put("tenant", "t1"))).body();

    assertThat(answer.path("parameters").path("tenant").asText()).isEqualTo("t1");
    assertThat(answer.path("parameters").path("prediction_token").asText()).isNotEqualTo("forged-by-client")
        .isNotBlank();
    assertThat(answer.toString()).doesNotContain("forged-by-client");
  }

  private double metric(String name, String... labelFragments) {
    String metrics = client.get("/q/metrics").raw();
    return metrics.lines().filter(l -> l.startsWith(name + "{"))
        .filter(l -> java.util.Arrays.stream(labelFragments).allMatch(l::contains))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
