package io.modelpilot.runtime.server;

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A server with room for 2 requests at a time, serving the slow classifier, under a burst of 40. */
@QuarkusTest
@TestProfile(QueueLimitTest.TinyQueue.class)
class QueueLimitTest {

  public static class TinyQueue implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "modelpilot.model-uri", "file://" + Tensors.repo().toAbsolutePath().normalize()
              + "/examples/models/mlp-classifier-slow.onnx",
          "modelpilot.max-queue-length", "2",
          "modelpilot.max-batch-size", "1",
          "modelpilot.feedback-window", "10");
    }
  }

  @TestHTTPResource("/")
  URL url;

  @Test
  void aFullQueueAnswers503AndTheServerRecoversWithBoundedState() throws Exception {
    V2Client client = new V2Client(url);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.get("/v2/health/ready").status() == 200);
    Object big = InferenceEndpointTest.request(null, rows(2048), 2048);

    ExecutorService pool = Executors.newFixedThreadPool(40);
    List<Future<V2Client.Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      replies.add(pool.submit(() -> client.post("/v2/models/mlp-classifier/infer", big)));
    }
    int ok = 0;
    int refused = 0;
    for (Future<V2Client.Reply> f : replies) {
      V2Client.Reply r = f.get();
      if (r.status() == 200) {
        ok++;
      } else {
        assertThat(r.status()).as(r.raw()).isEqualTo(503);
        assertThat(r.body().path("error").asText()).contains("MODELPILOT_MAX_QUEUE_LENGTH");
        refused++;
      }
    }
    pool.shutdown();

    assertThat(ok).isPositive();
    assertThat(refused).as("requests refused while 2 were in flight").isPositive();
    // recovered: the queue drained and requests succeed again
    assertThat(BatchingTest.metric(client, "modelpilot_inflight_requests")).isZero();
    for (int i = 0; i < 5; i++) {
      assertThat(client.post("/v2/models/mlp-classifier/infer", InferenceEndpointTest.request(null, rows(1), 1))
          .status()).isEqualTo(200);
    }
    // bounded: the feedback window keeps only the newest 10 request ids
    assertThat(io.quarkus.arc.Arc.container().instance(InferenceService.class).get().feedback().size())
        .isLessThanOrEqualTo(10);
  }

  static List<Float> rows(int n) {
    List<Float> all = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      all.addAll(InferenceEndpointTest.row(i * 0.01f));
    }
    return all;
  }
}
