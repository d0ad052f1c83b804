package io.modelpilot.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelpilot.operator.metrics.PromQL.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

/**
 * The generated PromQL against a real Prometheus (Debian package {@code prometheus}) scraping two fake runtime
 * pods whose namespace and deployment labels come from the scrape configuration, as a pod monitor would
 * attach them. The hostile values prove that a name cannot escape its label matcher.
 */
class PromQLAgainstPrometheusTest {

  private static final Path PROMETHEUS = Path.of(System.getProperty("modelpilot.prometheus", "/usr/bin/prometheus"));

  // A backslash before the quote: escaping only the quote would turn \" into \\" and end the string
  static final Target A = new Target("ns-a", "fraud\"detector", "stable", null);
  static final Target B = Target.allTracks("ns-a\\\"} or vector(1) #", "fraud\"detector\n\t\\ünï 🚀");

  static final String WINDOW = "4s";
  static final String STABLE_REVISION = "s1";
  static final String CANARY_REVISION = "c2";
  static final double A_RPS = 5;
  static final double B_OK_RPS = 5;
  static final double B_FAILED_RPS = 1;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long STARTED = System.nanoTime();

  private static final List<HttpServer> exporters = new ArrayList<>();
  private static Path workDir;
  private static boolean workDirIsTemporary;
  private static Process prometheus;
  private static URI prometheusUrl;
  private static HttpPrometheusClient client;
  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startPrometheus() throws Exception {
    assertThat(Files.isExecutable(PROMETHEUS))
        .withFailMessage("%s is missing: install the Debian package `prometheus` (apt-get install prometheus; CI "
            + "installs it), or point -Dmodelpilot.prometheus at a Prometheus 2.x binary", PROMETHEUS)
        .isTrue();
    Path target = Path.of("target");
    workDirIsTemporary = !Files.isDirectory(target);
    workDir = workDirIsTemporary ? Files.createTempDirectory("prometheus-test-")
        : Files.createTempDirectory(target, "prometheus-test-");

    InetSocketAddress a = exporter(seconds -> runtimeExposition(A_RPS, 0, 3, seconds));
    InetSocketAddress b = exporter(seconds -> runtimeExposition(B_OK_RPS, B_FAILED_RPS, 7, seconds));
    InetSocketAddress dcgm = exporter(seconds -> dcgmExposition());

    Map<String, Object> config = Map.of(
        "global", Map.of("scrape_interval", "1s", "scrape_timeout", "1s", "evaluation_interval", "1s"),
        "scrape_configs", List.of(
            Map.of("job_name", "modelpilot-runtime", "static_configs", List.of(
                Map.of("targets", List.of(hostPort(a)), "labels", targetLabels(A)),
                Map.of("targets", List.of(hostPort(b)), "labels", targetLabels(B)))),
            // the DCGM exporter names the workload's pod and namespace itself
            Map.of("job_name", "dcgm", "honor_labels", true,
                "static_configs", List.of(Map.of("targets", List.of(hostPort(dcgm)))))));
    Path configFile = workDir.resolve("prometheus.yml");
    // JSON is YAML. Written as a String, not to a File: Jackson's byte generator writes characters beyond the
    // BMP (🚀) as \\uD83D\\uDE80, a surrogate pair that Prometheus's YAML parser rejects.
    Files.writeString(configFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config));

    int port = freePort();
    prometheusUrl = URI.create("http://127.0.0.1:" + port);
    prometheus = new ProcessBuilder(PROMETHEUS.toString(),
        "--config.file=" + configFile,
        "--storage.tsdb.path=" + workDir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(workDir.resolve("prometheus.log").toFile())
        .start();
    client = new HttpPrometheusClient(prometheusUrl, Duration.ofSeconds(5));

    awaitUntil("Prometheus ready", Duration.ofSeconds(30), PromQLAgainstPrometheusTest::ready);
    // A rate needs two samples in its window, and is accurate only once the series is as old as the window:
    // over a younger series Prometheus extrapolates by half a scrape interval at most (2 samples 1s apart in
    // a 4s window give 2/4 of the true rate).
    awaitUntil("a full window of samples from every target", Duration.ofSeconds(30),
        () -> client.query("min(count_over_time(up[" + WINDOW + "]))") instanceof QueryResult.Value samples
            && samples.value() >= 4);
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor();
      }
    }
    exporters.forEach(server -> server.stop(0));
    if (workDir != null) {
      // under target/ the configuration and the log stay for whoever looks into a failure
      deleteRecursively(workDirIsTemporary ? workDir : workDir.resolve("data"));
    }
  }

  @Test
  void inFlightOfOneDeploymentIsExactlyThatDeploymentsGauge() {
    assertThat(client.query(PromQL.inFlight(A))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isEqualTo(3.0));
    assertThat(client.query(PromQL.inFlight(B))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isEqualTo(7.0));
  }

  @Test
  void requestsPerSecondIsThePositiveRateOfTheDeploymentsCounter() {
    assertThat(client.query(PromQL.requestsPerSecond(A, WINDOW))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isCloseTo(A_RPS, within(A_RPS * 0.2)));
    assertThat(client.query(PromQL.requestsPerSecond(B, WINDOW))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isCloseTo(B_OK_RPS + B_FAILED_RPS, within((B_OK_RPS + B_FAILED_RPS) * 0.2)));
  }

  @Test
  void deploymentsThatDoNotExistHaveNoData() {
    assertThat(client.query(PromQL.inFlight(Target.allTracks("ns-a", "no-such-model"))))
        .isEqualTo(new QueryResult.NoData());
    // each name exists, but not together
    assertThat(client.query(PromQL.inFlight(Target.allTracks(A.namespace(), B.deployment()))))
        .isEqualTo(new QueryResult.NoData());
    assertThat(client.query(PromQL.inFlight(Target.allTracks(B.namespace(), A.deployment()))))
        .isEqualTo(new QueryResult.NoData());
    assertThat(client.query(PromQL.requestsPerSecond(A.withTrack("canary"), WINDOW)))
        .isEqualTo(new QueryResult.NoData());
  }

  @Test
  void errorRateIsZeroWithoutA5xxSeriesAndTheFailedFractionOtherwise() {
    assertThat(client.query(PromQL.errorRate(A, WINDOW))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isEqualTo(0.0));
    assertThat(client.query(PromQL.errorRate(B, WINDOW))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isCloseTo(B_FAILED_RPS / (B_OK_RPS + B_FAILED_RPS), within(1e-3)));
  }

  @Test
  void latencyQuantileInterpolatesInsideTheBucketHoldingTheRequests() {
    // every request falls in (0.05, 0.1]: p99 = 0.05 + 0.05 * 0.99
    assertThat(client.query(PromQL.latencyQuantile(A, WINDOW, 0.99))).isInstanceOfSatisfying(
        QueryResult.Value.class, v -> assertThat(v.value()).isCloseTo(0.0995, within(1e-6)));
  }

  @Test
  void accuracyAndCpuUtilization() {
    assertThat(client.query(PromQL.accuracy(A.withRevision(STABLE_REVISION), WINDOW)))
        .isInstanceOfSatisfying(QueryResult.Value.class, v -> assertThat(v.value()).isCloseTo(0.75, within(1e-3)));
    assertThat(client.query(PromQL.cpuUtilization(A))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isCloseTo(25.0, within(1e-9)));
  }

  @Test
  void canaryAccuracyCountsFeedbackOnItsPredictionsThatStablePodsReceived() {
    // no pod of A is on the canary track: the canary's predictions were judged by stable pods
    Target canary = new Target(A.namespace(), A.deployment(), "canary", CANARY_REVISION);

    assertThat(client.query(PromQL.accuracy(canary, WINDOW))).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isCloseTo(0.5, within(1e-3)));
    assertThat(client.query(PromQL.feedbackPerSecond(canary, WINDOW))).isInstanceOfSatisfying(
        QueryResult.Value.class, v -> assertThat(v.value()).isCloseTo(2.0, within(0.4)));
    assertThat(client.query(PromQL.accuracy(A.withRevision("never-served"), WINDOW)))
        .isEqualTo(new QueryResult.NoData());
  }

  @Test
  void gpuUtilizationMatchesOnlyPodsOfTheDeploymentDespiteRegexCharactersInItsName() {
    assertThat(client.query(PromQL.gpuUtilization(Target.allTracks("ns-a", "fraud.detector"))))
        .isInstanceOfSatisfying(QueryResult.Value.class, v -> assertThat(v.value()).isEqualTo(40.0));
    assertThat(client.query(PromQL.gpuUtilization(Target.allTracks("ns-a", "we\"ird\\(x)+"))))
        .isInstanceOfSatisfying(QueryResult.Value.class, v -> assertThat(v.value()).isEqualTo(11.0));
  }

  @Test
  void escapedStringsReachPromQLUnchanged() throws Exception {
    for (String raw : List.of("a\"b", "a\\b", "ns\\", "line\nnext", "cr\rtab\t", "\"} or vector(1) #",
        "\\\"} or vector(1) #", "ünï 模型 🚀", "\u0001ctl\u007f", "", B.namespace(), B.deployment())) {
      JsonNode result = rawQuery("label_replace(vector(1), \"v\", \"" + PromQL.labelValue(raw) + "\", \"\", \"\")");
      assertThat(result.size()).as("series for %s", JSON.writeValueAsString(raw)).isEqualTo(1);
      assertThat(result.get(0).path("metric").path("v").asText()).as(JSON.writeValueAsString(raw)).isEqualTo(raw);
    }
  }

  @Test
  void regexLiteralMatchesExactlyTheRawText() throws Exception {
    Map<String, String> rawAndDecoy = new LinkedHashMap<>();
    rawAndDecoy.put("fraud.detector", "fraudxdetector");
    rawAndDecoy.put("a+b", "aab");
    rawAndDecoy.put("(x)|y", "y");
    rawAndDecoy.put("we\"ird\\[0-9]{2}^$", "we\"ird\\12");
    rawAndDecoy.put("line\nnext.*", "line\nnext-and-more");
    for (Map.Entry<String, String> pair : rawAndDecoy.entrySet()) {
      assertThat(regexMatches(pair.getKey(), pair.getKey())).as(pair.getKey()).isTrue();
      assertThat(regexMatches(pair.getKey(), pair.getValue())).as(pair.getKey() + " vs " + pair.getValue()).isFalse();
    }
  }

  @Test
  void prometheusAnswersAreMappedToTheRightResult() {
    assertThat(client.query("sum(")).isInstanceOfSatisfying(QueryResult.BadQuery.class,
        b -> assertThat(b.error()).startsWith("bad_data: ").contains("parse error"));
    assertThat(client.query("up")).isEqualTo(
        new QueryResult.BadQuery("query returned 3 series; aggregate it to one (e.g. sum(...))"));
    assertThat(client.query("0/0")).isEqualTo(new QueryResult.NoData());
    assertThat(client.query("sum(up) / 0")).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isEqualTo(Double.POSITIVE_INFINITY));
    assertThat(client.query("up[1m]")).isInstanceOf(QueryResult.BadQuery.class);
    assertThat(client.query(PromQL.substitute("sum(modelpilot_inflight_requests{namespace=\"$namespace\","
        + "modelpilot_io_deployment=\"$deployment\"})", PromQL.placeholders(B))))
        .isInstanceOfSatisfying(QueryResult.Value.class, v -> assertThat(v.value()).isEqualTo(7.0));
  }

  private static boolean regexMatches(String raw, String candidate) throws Exception {
    JsonNode result = rawQuery("label_replace(label_replace(vector(1), \"v\", \"" + PromQL.labelValue(candidate)
        + "\", \"\", \"\"), \"m\", \"yes\", \"v\", \"" + PromQL.regexLiteral(raw) + "\")");
    assertThat(result.size()).isEqualTo(1);
    return result.get(0).path("metric").has("m");
  }

  /** The series of a vector result, labels and all, which the client deliberately does not expose. */
  private static JsonNode rawQuery(String promql) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s → %s", promql, response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data").path("result");
  }

  private static Map<String, String> targetLabels(Target target) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(PromQL.LABEL_NAMESPACE, target.namespace());
    labels.put(PromQL.LABEL_DEPLOYMENT, target.deployment());
    if (target.track() != null) {
      labels.put(PromQL.LABEL_TRACK, target.track());
    }
    return labels;
  }

  /** What the runtime's Micrometer registry exposes, with counters growing at the given rates. */
  private static String runtimeExposition(double okPerSecond, double failedPerSecond, int inFlight, double seconds) {
    double ok = okPerSecond * seconds;
    double failed = failedPerSecond * seconds;
    String tags = "model=\"m\",version=\"1\"";
    StringBuilder text = new StringBuilder()
        .append("# TYPE modelpilot_requests_total counter\n")
        .append("modelpilot_requests_total{").append(tags).append(",code=\"200\",status_class=\"2xx\"} ")
        .append(ok).append('\n');
    if (failedPerSecond > 0) {
      text.append("modelpilot_requests_total{").append(tags).append(",code=\"503\",status_class=\"5xx\"} ")
          .append(failed).append('\n');
    }
    double all = ok + failed;
    return text
        .append("# TYPE modelpilot_inflight_requests gauge\n")
        .append("modelpilot_inflight_requests{").append(tags).append("} ").append(inFlight).append('\n')
        .append("# TYPE process_cpu_usage gauge\n")
        .append("process_cpu_usage{").append(tags).append("} 0.25\n")
        .append("# TYPE modelpilot_request_duration_seconds histogram\n")
        .append("modelpilot_request_duration_seconds_bucket{").append(tags).append(",le=\"0.05\"} 0\n")
        .append("modelpilot_request_duration_seconds_bucket{").append(tags).append(",le=\"0.1\"} ").append(all)
        .append('\n')
        .append("modelpilot_request_duration_seconds_bucket{").append(tags).append(",le=\"+Inf\"} ").append(all)
        .append('\n')
        .append("modelpilot_request_duration_seconds_count{").append(tags).append("} ").append(all).append('\n')
        .append("modelpilot_request_duration_seconds_sum{").append(tags).append("} ").append(all * 0.08).append('\n')
        .append("# TYPE modelpilot_feedback_total counter\n")
        // feedback on this pod's own revision's predictions, and on the canary's (the Service sent it here)
        .append("modelpilot_feedback_total{").append(tags).append(",result=\"correct\",prediction_revision=\"")
        .append(STABLE_REVISION).append("\"} ").append(3 * seconds).append('\n')
        .append("modelpilot_feedback_total{").append(tags).append(",result=\"incorrect\",prediction_revision=\"")
        .append(STABLE_REVISION).append("\"} ").append(seconds).append('\n')
        .append("modelpilot_feedback_total{").append(tags).append(",result=\"correct\",prediction_revision=\"")
        .append(CANARY_REVISION).append("\"} ").append(seconds).append('\n')
        .append("modelpilot_feedback_total{").append(tags).append(",result=\"incorrect\",prediction_revision=\"")
        .append(CANARY_REVISION).append("\"} ").append(seconds).append('\n')
        .toString();
  }

  /** As NVIDIA's DCGM exporter with Kubernetes mapping: one series per GPU, labelled with the pod using it. */
  private static String dcgmExposition() {
    return "# TYPE DCGM_FI_DEV_GPU_UTIL gauge\n"
        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\",namespace=\"ns-a\",pod=\"fraud.detector-7d4b9c8f6-x2k4p\"} 40\n"
        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"1\",namespace=\"ns-a\",pod=\"fraudxdetector-7d4b9c8f6-x2k4p\"} 90\n"
        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"2\",namespace=\"ns-b\",pod=\"fraud.detector-7d4b9c8f6-abcde\"} 70\n"
        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"3\",namespace=\"ns-a\",pod=\"we\\\"ird\\\\(x)+-5f6d7-qwert\"} 11\n"
        + "DCGM_FI_DEV_GPU_UTIL{gpu=\"4\",namespace=\"ns-a\",pod=\"we\\\"ird\\\\x-5f6d7-qwert\"} 99\n";
  }

  private static InetSocketAddress exporter(DoubleFunction<String> exposition) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = exposition.apply((System.nanoTime() - STARTED) / 1e9).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    exporters.add(server);
    return server.getAddress();
  }

  private static String hostPort(InetSocketAddress address) {
    return "127.0.0.1:" + address.getPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static boolean ready() {
    try {
      return http.send(HttpRequest.newBuilder(prometheusUrl.resolve("/-/ready")).timeout(Duration.ofSeconds(2))
          .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void awaitUntil(String what, Duration limit, Supplier<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.get()) {
      if (!prometheus.isAlive()) {
        fail("Prometheus exited with %d while waiting for %s:%n%s", prometheus.exitValue(), what, log());
      }
      if (System.nanoTime() > deadline) {
        fail("no %s after %s; Prometheus log:%n%s", what, limit, log());
      }
      Thread.sleep(200);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private static String log() {
    try {
      return Files.readString(workDir.resolve("prometheus.log"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
