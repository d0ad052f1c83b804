package io.modelpilot.operator.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class HttpPrometheusClientTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private HttpServer server;
  private ExecutorService executor;
  private final List<URI> requests = new CopyOnWriteArrayList<>();
  private volatile int status;
  private volatile String body;
  private volatile long delayMillis;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::answer);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void answer(HttpExchange exchange) throws IOException {
    requests.add(exchange.getRequestURI());
    try {
      if (delayMillis > 0) {
        Thread.sleep(delayMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
      return;
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void respond(int status, String body) {
    this.status = status;
    this.body = body;
  }

  private HttpPrometheusClient client(String path) {
    return new HttpPrometheusClient(
        URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path), TIMEOUT);
  }

  private HttpPrometheusClient client() {
    return client("");
  }

  private static String success(String resultType, String result) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"" + resultType + "\",\"result\":" + result + "}}";
  }

  @Test
  void scalarResultIsAValueWithItsTimestamp() {
    respond(200, success("scalar", "[1700000000.123,\"42.5\"]"));

    assertThat(client().query("scalar(vector(42.5))"))
        .isEqualTo(new QueryResult.Value(42.5, Instant.ofEpochMilli(1_700_000_000_123L)));
  }

  @Test
  void vectorWithOneSeriesIsAValue() {
    respond(200, success("vector",
        "[{\"metric\":{\"namespace\":\"ml\"},\"value\":[1700000001,\"3\"]}]"));

    assertThat(client().query("sum(x)")).isEqualTo(new QueryResult.Value(3, Instant.ofEpochSecond(1_700_000_001)));
  }

  @Test
  void emptyVectorIsNoData() {
    respond(200, success("vector", "[]"));

    assertThat(client().query("sum(x)")).isEqualTo(new QueryResult.NoData());
  }

  @Test
  void nanIsNoDataInAVectorAndAsAScalar() {
    respond(200, success("vector", "[{\"metric\":{},\"value\":[1700000001,\"NaN\"]}]"));
    assertThat(client().query("sum(x) / sum(y)")).isEqualTo(new QueryResult.NoData());

    respond(200, success("scalar", "[1700000001,\"NaN\"]"));
    assertThat(client().query("0/0")).isEqualTo(new QueryResult.NoData());
  }

  @Test
  void infinityIsAValue() {
    respond(200, success("vector", "[{\"metric\":{},\"value\":[1700000001,\"+Inf\"]}]"));

    assertThat(client().query("1/0")).isInstanceOfSatisfying(QueryResult.Value.class,
        v -> assertThat(v.value()).isEqualTo(Double.POSITIVE_INFINITY));
  }

  @Test
  void vectorWithTwoSeriesIsABadQueryThatSaysToAggregate() {
    respond(200, success("vector", "[{\"metric\":{\"pod\":\"a\"},\"value\":[1700000001,\"1\"]},"
        + "{\"metric\":{\"pod\":\"b\"},\"value\":[1700000001,\"2\"]}]"));

    assertThat(client().query("x")).isEqualTo(
        new QueryResult.BadQuery("query returned 2 series; aggregate it to one (e.g. sum(...))"));
  }

  @Test
  void rangeVectorAndStringResultsAreBadQueries() {
    respond(200, success("matrix", "[{\"metric\":{},\"values\":[[1700000001,\"1\"]]}]"));
    assertThat(client().query("x[1m]")).isInstanceOfSatisfying(QueryResult.BadQuery.class,
        b -> assertThat(b.error()).contains("range vector"));

    respond(200, success("string", "[1700000001,\"hello\"]"));
    assertThat(client().query("\"hello\"")).isInstanceOf(QueryResult.BadQuery.class);
  }

  @Test
  void badDataIsABadQueryWithPrometheusErrorText() {
    respond(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\": "
        + "1:5: parse error: unclosed left parenthesis\"}");

    assertThat(client().query("sum(")).isEqualTo(new QueryResult.BadQuery(
        "bad_data: invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"));
  }

  @Test
  void executionErrorIsABadQuery() {
    respond(422, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"found duplicate series\"}");

    assertThat(client().query("a / b")).isEqualTo(new QueryResult.BadQuery("execution: found duplicate series"));
  }

  @Test
  void serviceUnavailableIsUnreachable() {
    respond(503, "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"TSDB not ready\"}");

    assertThat(client().query("up")).isInstanceOfSatisfying(QueryResult.Unreachable.class,
        u -> assertThat(u.reason()).contains("HTTP 503").contains("TSDB not ready"));
  }

  @Test
  void serverErrorWithoutJsonIsUnreachable() {
    respond(502, "<html>Bad Gateway</html>");

    assertThat(client().query("up")).isInstanceOfSatisfying(QueryResult.Unreachable.class,
        u -> assertThat(u.reason()).contains("HTTP 502").contains("Bad Gateway"));
  }

  @Test
  void unparsableSuccessBodyIsUnreachable() {
    respond(200, "<html>login</html>");
    assertThat(client().query("up")).isInstanceOfSatisfying(QueryResult.Unreachable.class,
        u -> assertThat(u.reason()).contains("unparsable").contains("login"));

    respond(200, success("vector", "[{\"metric\":{},\"value\":[1700000001,\"not a number\"]}]"));
    assertThat(client().query("up")).isInstanceOf(QueryResult.Unreachable.class);

    respond(200, "");
    assertThat(client().query("up")).isInstanceOf(QueryResult.Unreachable.class);
  }

  @Test
  void connectionRefusedIsUnreachable() throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    HttpPrometheusClient client = new HttpPrometheusClient(URI.create("http://127.0.0.1:" + closedPort), TIMEOUT);

    assertThat(client.query("up")).isInstanceOfSatisfying(QueryResult.Unreachable.class,
        u -> assertThat(u.reason()).contains("cannot connect"));
  }

  @Test
  void serverSlowerThanTheTimeoutIsUnreachableWithinTheTimeout() {
    respond(200, success("scalar", "[1700000000,\"1\"]"));
    delayMillis = 5_000;

    long started = System.nanoTime();
    QueryResult result = client().query("up");
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(result).isInstanceOfSatisfying(QueryResult.Unreachable.class,
        u -> assertThat(u.reason()).contains("within 500 ms"));
    assertThat(took).isLessThan(TIMEOUT.plusMillis(1_000));
  }

  @Test
  void queryIsUrlEncodedAndSentToTheApiUnderTheBasePath() {
    respond(200, success("vector", "[]"));
    String promql = "sum(x{a=\"b c&d=e+f%\",é=\"🚀\"}) # ?";

    client("/prometheus/").query(promql);

    URI seen = requests.get(0);
    assertThat(seen.getPath()).isEqualTo("/prometheus/api/v1/query");
    assertThat(seen.getRawQuery()).startsWith("query=");
    assertThat(URLDecoder.decode(seen.getRawQuery().substring("query=".length()), StandardCharsets.UTF_8))
        .isEqualTo(promql);
  }

  @Test
  void oneClientServesConcurrentQueries() throws Exception {
    respond(200, success("scalar", "[1700000000,\"7\"]"));
    HttpPrometheusClient client = client();
    ExecutorService callers = Executors.newFixedThreadPool(8);
    try {
      List<Future<QueryResult>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        results.add(callers.submit(() -> client.query("seven")));
      }
      for (Future<QueryResult> result : results) {
        assertThat(result.get()).isEqualTo(new QueryResult.Value(7, Instant.ofEpochSecond(1_700_000_000)));
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void aReplyOverTheSizeLimitIsRefusedWithoutReadingItWhole() {
    String series = "{\"metric\":{\"pod\":\"p\"},\"value\":[1700000000,\"1\"]},";
    respond(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + series.repeat(HttpPrometheusClient.MAX_REPLY_BYTES / series.length() + 10) + series.replace("},", "}")
        + "]}}");

    QueryResult result = client("").query("up");

    assertThat(result).isInstanceOfSatisfying(QueryResult.BadQuery.class,
        b -> assertThat(b.error()).contains("larger than 4 MiB", "one series"));
  }
}
