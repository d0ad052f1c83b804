package io.modelpilot.e2e.cluster;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code kubectl proxy} and the API server's service proxy do for {@link KubeconfigCluster}, taught to the
 * local cluster (the mock API server has no service proxy): {@code /api/v1/namespaces/NS/services/NAME:PORT/proxy/
 * PATH} goes to the Service's loopback address, and the Service {@code monitoring/prometheus} to the local
 * Prometheus. Method, body, status, content type and the query string pass through.
 */
final class KubectlProxyStandIn implements AutoCloseable {

  private static final Pattern PATH =
      Pattern.compile("/api/v1/namespaces/([^/]+)/services/([^/:]+):([^/]+)/proxy(/.*)?");

  private final LocalCluster cluster;
  private final HttpServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  KubectlProxyStandIn(LocalCluster cluster) throws IOException {
    this.cluster = cluster;
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Matcher m = PATH.matcher(exchange.getRequestURI().getRawPath());
      if (!m.matches()) {
        reply(exchange, 404, "text/plain", "no service proxy path: " + exchange.getRequestURI());
        return;
      }
      URI base = "monitoring".equals(m.group(1)) && "prometheus".equals(m.group(2))
          ? cluster.prometheus().url() : cluster.serviceUrl(m.group(1), m.group(2));
      String query = exchange.getRequestURI().getRawQuery();
      URI target = URI.create(base + (m.group(4) == null ? "/" : m.group(4)) + (query == null ? "" : "?" + query));
      byte[] body = exchange.getRequestBody().readAllBytes();
      HttpRequest.Builder request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
          .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(body));
      String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
      if (contentType != null) {
        request.header("Content-Type", contentType);
      }
      HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      exchange.getResponseHeaders().add("Content-Type",
          response.headers().firstValue("Content-Type").orElse("application/octet-stream"));
      exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
      if (response.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      reply(exchange, 503, "text/plain", e.toString());
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String text) throws IOException {
    byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
