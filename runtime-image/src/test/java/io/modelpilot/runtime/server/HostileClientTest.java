package io.modelpilot.runtime.server;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The model server as a hostile client finds it: bodies built to cost the server memory, many tensors, huge
 * parameters. Each gets a 4xx naming the problem, memory stays bounded by the body, and the server serves the next
 * request normally.
 */
@QuarkusTest
class HostileClientTest {

  static final String PATH = "/v2/models/mlp-classifier/infer";

  @TestHTTPResource("/")
  URL url;

  /** Bytes allocated by every live thread of this JVM (the server runs in it). */
  static long allocated() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    return Arrays.stream(threads.getThreadAllocatedBytes(threads.getAllThreadIds())).filter(b -> b > 0).sum();
  }

  @Test
  void paddingOfEmptyArraysCostsNoMoreThanItsOwnBytes() {
    V2Client client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
    // ~3.9 MB of "[]," inside the data of a [1, 8] input: parsed into a JSON tree, ~1.3 million array nodes
    StringBuilder body = new StringBuilder("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],"
        + "\"data\":[");
    int pads = 1_300_000;
    for (int i = 0; i < pads; i++) {
      body.append(i == 0 ? "[]" : ",[]");
    }
    body.append("]}]}");
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).as("under the test profile's 4 MiB body limit").isLessThan(4 << 20);
    client.post(PATH, InferenceEndpointTest.request(null, InferenceEndpointTest.row(0.1f), 1)); // warm the path

    long before = allocated();
    V2Client.Reply reply = client.post(PATH, bytes);
    long used = allocated() - before;

    assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
    assertThat(reply.body().path("error").asText()).contains("'input'", "[1, 8]");
    // the body itself, a copy or two of it, the client's own buffers: a few times its size, never a tree
    assertThat(used).as("bytes allocated while serving a %d-byte body", bytes.length)
        .isLessThan(8L * bytes.length);
    assertThat(client.post(PATH, InferenceEndpointTest.request(null, InferenceEndpointTest.row(0.1f), 1)).status())
        .isEqualTo(200);
  }

  @Test
  void aShapeThatTheDataCannotFillAllocatesNothing() {
    V2Client client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
    // 2^28 rows x 8 floats = 8 GiB announced by a 100-byte body
    String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[268435456,8],\"data\":[1,2,3]}]}";

    long before = allocated();
    V2Client.Reply reply = client.post(PATH, body);
    long used = allocated() - before;

    assertThat(reply.status()).as(reply.raw()).isEqualTo(400);
    assertThat(reply.body().path("error").asText()).contains("2147483648", "3");
    assertThat(used).as("bytes allocated for a shape the data cannot fill").isLessThan(64L << 20);
  }

  @Test
  void thousandsOfInputsOrHugeParametersAreRefusedByName() {
    V2Client client = new V2Client(url);
    StringBuilder many = new StringBuilder("{\"inputs\":[");
    for (int i = 0; i < 5000; i++) {
      many.append(i == 0 ? "" : ",").append("{\"name\":\"i").append(i).append("\",\"datatype\":\"FP32\",\"shape\":[1],"
          + "\"data\":[1]}");
    }
    many.append("]}");
    V2Client.Reply tooMany = client.post(PATH, many.toString());
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.body().path("error").asText()).contains("'inputs'", "1024");

    String padding = "[]," .repeat(40_000);
    V2Client.Reply bigParameters = client.post(PATH, "{\"parameters\":{\"x\":[" + padding + "[]]},\"inputs\":[]}");
    assertThat(bigParameters.status()).isEqualTo(400);
    assertThat(bigParameters.body().path("error").asText()).contains("'parameters'", "65536");
  }

  @Test
  void everyRefusalIsCountedInTheRequestMetrics() {
    V2Client client = new V2Client(url);
    double before = badRequests(client);
    client.post(PATH, "{\"inputs\": [");
    client.post(PATH, "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[2,8],\"data\":[[1]]}]}");
    double after = badRequests(client);
    assertThat(after - before).isEqualTo(2);
  }

  @Test
  void aClientThatWaitsFor100ContinueIsAnswered() throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    byte[] body = V2Client.JSON.writeValueAsBytes(InferenceEndpointTest.request(null,
        InferenceEndpointTest.row(0.2f), 1));
    java.net.http.HttpResponse<String> reply = http.send(java.net.http.HttpRequest.newBuilder(url.toURI().resolve(
            PATH)).expectContinue(true).timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
  }

  static double badRequests(V2Client client) {
    return client.get("/q/metrics").raw().lines()
        .filter(l -> l.startsWith("modelpilot_requests_total{") && l.contains("code=\"400\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
