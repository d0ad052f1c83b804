package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dynamic batching under concurrent load (the test profile batches up to 16 rows, waiting 5 ms), on the heavy example
 * model, where a batch of rows costs little more than one row (on the small one the batcher lets requests run at
 * once: a batch would save it nothing).
 */
@QuarkusTest
@TestProfile(BatchingTest.HeavyModel.class)
class BatchingTest {

  public static class HeavyModel implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("modelpilot.model-uri", "file://${repo.root}/examples/models/mlp-classifier-slow.onnx");
    }
  }

  @TestHTTPResource("/")
  URL url;

  @Test
  void batchedResultsEqualUnbatchedOnesUnderConcurrentLoad() throws Exception {
    V2Client client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
    int requests = 64;
    // one at a time first: nothing else is queued, so each runs alone
    List<JsonNode> alone = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      alone.add(client.post("/v2/models/mlp-classifier/infer", request(i)).body().path("outputs"));
    }
    // concurrent rounds until one stacks requests (it takes requests that overlap)
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      double batches = requests;
      for (int round = 0; round < 20 && batches >= requests; round++) {
        double batchesBefore = metric(client, "modelpilot_batch_size_count");
        double rowsBefore = metric(client, "modelpilot_batch_size_sum");
        List<Future<JsonNode>> together = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          int n = i;
          together.add(pool.submit((Callable<JsonNode>) () -> {
            V2Client.Reply reply = client.post("/v2/models/mlp-classifier/infer", request(n));
            assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
            return reply.body().path("outputs");
          }));
        }
        for (int i = 0; i < requests; i++) {
          JsonNode batched = together.get(i).get();
          for (JsonNode expected : alone.get(i)) {
            assertThat(Tensors.compare(expected, Tensors.output(V2Client.JSON.createObjectNode().set("outputs",
                batched), expected.path("name").asText()), 1e-6, 1e-5)).as("request " + i).isEmpty();
          }
        }
        batches = metric(client, "modelpilot_batch_size_count") - batchesBefore;
        double rows = metric(client, "modelpilot_batch_size_sum") - rowsBefore;
        assertThat(rows).as("rows served concurrently").isEqualTo(requests * 2.0);
      }
      assertThat(batches).as("batches run for " + requests + " concurrent requests").isLessThan(requests);
    } finally {
      pool.shutdown();
    }
  }

  /**
   * On a model whose requests queue for batches, the requests the batcher does not take are answered as without
   * batching: an unknown model or version, a body the protocol or the model refuses, more rows than a batch holds.
   */
  @Test
  void requestsTheBatcherDoesNotTakeAreAnsweredAsWithoutIt() {
    V2Client client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);

    V2Client.Reply unknown = client.post("/v2/models/other/infer", request(1));
    assertThat(unknown.status()).as(unknown.raw()).isEqualTo(404);
    assertThat(unknown.body().path("error").asText()).contains("unknown model 'other'");
    V2Client.Reply version = client.post("/v2/models/mlp-classifier/versions/v9/infer", request(1));
    assertThat(version.status()).as(version.raw()).isEqualTo(404);

    V2Client.Reply notJson = client.post("/v2/models/mlp-classifier/infer", "{\"inputs\": [");
    assertThat(notJson.status()).as(notJson.raw()).isEqualTo(400);
    var narrow = InferenceEndpointTest.request("narrow", List.of(1f, 2f, 3f), 1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) narrow.path("inputs").get(0)).putArray("shape").add(1).add(3);
    V2Client.Reply badShape = client.post("/v2/models/mlp-classifier/infer", narrow);
    assertThat(badShape.status()).as(badShape.raw()).isEqualTo(400);
    assertThat(badShape.body().path("error").asText()).contains("input 'input'");

    List<Float> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) { // more rows than a batch holds (16): runs alone
      many.addAll(InferenceEndpointTest.row(i * 0.05f));
    }
    V2Client.Reply large = client.post("/v2/models/mlp-classifier/infer",
        InferenceEndpointTest.request("large", many, 20));
    assertThat(large.status()).as(large.raw()).isEqualTo(200);
    assertThat(large.body().path("outputs").get(0).path("shape").get(0).asInt()).isEqualTo(20);

    V2Client.Reply fine = client.post("/v2/models/mlp-classifier/infer", request(2));
    assertThat(fine.status()).as(fine.raw()).isEqualTo(200);
    assertThat(metric(client, "modelpilot_inflight_requests")).as("every place in the queue released").isZero();
  }

  /** Two rows per request, different for every request. */
  static Object request(int n) {
    List<Float> rows = new ArrayList<>(InferenceEndpointTest.row(n * 0.1f));
    rows.addAll(InferenceEndpointTest.row(-n * 0.07f));
    return InferenceEndpointTest.request("batch-" + n, rows, 2);
  }

  static double metric(V2Client client, String name) {
    return client.get("/q/metrics").raw().lines().filter(l -> l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
