package io.modelpilot.operator.deployment;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Prometheus HTTP API on loopback that answers every instant query with one value that the
 * test sets, or with 503 while "down". It records the queries the operator sent.
 */
final class FakePrometheus implements AutoCloseable {

  private final HttpServer server;
  private volatile double requestsPerSecond;
  private volatile boolean down;
  /** Answers that take precedence (null: the defaults below); a null answer means "no data". */
  volatile java.util.function.Function<String, Double> answers;
  final List<String> queries = new CopyOnWriteArrayList<>();

  FakePrometheus() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/query", exchange -> {
      String raw = exchange.getRequestURI().getRawQuery();
      String query = URLDecoder.decode(raw.substring(raw.indexOf("query=") + 6).split("&")[0], StandardCharsets.UTF_8);
      queries.add(query);
      if (down) {
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      // requests/s for rate queries, 30 ms for the latency quantile
      Double value = answers != null ? answers.apply(query)
          : query.contains("histogram_quantile") ? 0.030 : requestsPerSecond;
      String body = value == null ? "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"
          : "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
          + "\"value\":[1700000000,\"" + value + "\"]}]}}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void requestsPerSecond(double value) {
    requestsPerSecond = value;
  }

  void down(boolean isDown) {
    down = isDown;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
