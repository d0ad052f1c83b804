package io.modelpilot.operator.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Instant queries over the Prometheus HTTP API ({@code GET /api/v1/query}). Thread-safe: all reconcilers share
 * one instance and its one {@link HttpClient} (and so its connection pool).
 */
public final class HttpPrometheusClient implements PrometheusClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY_IN_MESSAGE = 200;
  private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?");

  private final String queryEndpoint;
  private final Duration timeout;
  private final HttpClient http;

  /**
   * @param baseUrl where Prometheus serves its UI and API, with any path prefix ({@code --web.route-prefix}),
   *     e.g. {@code http://prometheus-operated.monitoring.svc:9090}
   * @param timeout the most one query may take, connecting included
   */
  public HttpPrometheusClient(URI baseUrl, Duration timeout) {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    if (!"http".equals(baseUrl.getScheme()) && !"https".equals(baseUrl.getScheme())) {
      throw new IllegalArgumentException("Prometheus URL must be http or https: " + baseUrl);
    }
    String base = baseUrl.toString();
    while (base.endsWith("/")) {
      base = base.substring(0, base.length() - 1);
    }
    this.queryEndpoint = base + "/api/v1/query";
    this.timeout = timeout;
    this.http = HttpClient.newBuilder()
        // Prometheus speaks HTTP/1.1 on plain http; the default h2c upgrade attempt only adds headers
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .build();
  }

  /** Largest reply read from Prometheus; a bigger one is refused while it streams, not buffered whole. */
  static final int MAX_REPLY_BYTES = 4 << 20;

  @Override
  public QueryResult query(String promql) {
    Objects.requireNonNull(promql, "promql");
    HttpRequest request = HttpRequest.newBuilder(
            URI.create(queryEndpoint + "?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
        .timeout(timeout)
        .header("Accept", "application/json")
        .GET()
        .build();
    // The request timeout covers only the wait for response headers; the deadline on the future also bounds
    // a server that sends headers and then stalls the body.
    CompletableFuture<HttpResponse<byte[]>> pending =
        http.sendAsync(request, info -> new LimitedBody(MAX_REPLY_BYTES));
    HttpResponse<byte[]> response;
    try {
      response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      pending.cancel(true);
      return timedOut();
    } catch (ExecutionException e) {
      return failed(e.getCause());
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt();
      return new QueryResult.Unreachable("interrupted while querying " + queryEndpoint);
    }
    return interpret(response.statusCode(), response.body());
  }

  private QueryResult timedOut() {
    return new QueryResult.Unreachable("no answer from " + queryEndpoint + " within " + timeout.toMillis() + " ms");
  }

  private QueryResult failed(Throwable cause) {
    if (cause instanceof HttpTimeoutException) {
      return timedOut();
    }
    if (cause instanceof LimitedBody.TooLarge) {
      // what the operator asks for is one number; megabytes of series mean a query that selects far too much
      return new QueryResult.BadQuery("the reply from " + queryEndpoint + " is larger than " + (MAX_REPLY_BYTES >> 20)
          + " MiB: the query must select one series");
    }
    if (cause instanceof ConnectException) {
      return new QueryResult.Unreachable("cannot connect to " + queryEndpoint + messageOf(cause));
    }
    return new QueryResult.Unreachable("querying " + queryEndpoint + " failed: " + cause.getClass().getSimpleName()
        + messageOf(cause));
  }

  private static String messageOf(Throwable cause) {
    return cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")";
  }

  private QueryResult interpret(int status, byte[] body) {
    JsonNode root = parse(body);
    if (status == 400 || status == 422) {
      // 400: the query does not parse or a parameter is wrong; 422: it parsed but cannot be evaluated
      return new QueryResult.BadQuery(root != null ? prometheusError(root) : "HTTP " + status + ": " + snippet(body));
    }
    if (status < 200 || status > 299) {
      return new QueryResult.Unreachable("HTTP " + status + " from " + queryEndpoint + ": "
          + (root != null ? prometheusError(root) : snippet(body)));
    }
    if (root == null || !"success".equals(root.path("status").asText())) {
      return unparsable(body);
    }
    JsonNode data = root.path("data");
    JsonNode result = data.path("result");
    switch (data.path("resultType").asText()) {
      case "scalar":
        return sample(result, body);
      case "vector":
        if (!result.isArray()) {
          return unparsable(body);
        }
        if (result.isEmpty()) {
          return new QueryResult.NoData();
        }
        if (result.size() > 1) {
          return new QueryResult.BadQuery(
              "query returned " + result.size() + " series; aggregate it to one (e.g. sum(...))");
        }
        JsonNode series = result.get(0);
        if (series.has("histogram")) {
          return new QueryResult.BadQuery("query returned a native histogram, not a number; "
              + "apply histogram_quantile, histogram_sum or histogram_count to it");
        }
        return sample(series.path("value"), body);
      case "matrix":
        return new QueryResult.BadQuery("query returned a range vector; an instant query needs a number, "
            + "e.g. rate(x[1m]) instead of x[1m]");
      case "string":
        return new QueryResult.BadQuery("query returned a string, not a number");
      default:
        return unparsable(body);
    }
  }

  /** A [unix seconds, "value"] pair as the API encodes samples. */
  private QueryResult sample(JsonNode pair, byte[] body) {
    if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isNumber() || !pair.get(1).isTextual()) {
      return unparsable(body);
    }
    double value;
    try {
      value = parseValue(pair.get(1).asText());
    } catch (NumberFormatException e) {
      return unparsable(body);
    }
    if (Double.isNaN(value)) {
      return new QueryResult.NoData();
    }
    return new QueryResult.Value(value, Instant.ofEpochMilli(Math.round(pair.get(0).asDouble() * 1000)));
  }

  /** Go's strconv.FormatFloat spelling: "+Inf", "-Inf" and "NaN" besides ordinary numbers. */
  private static double parseValue(String text) {
    switch (text) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        // Java also reads "Infinity", "0x1p3" and a trailing "d"; Prometheus never writes those
        if (!DECIMAL.matcher(text).matches()) {
          throw new NumberFormatException(text);
        }
        return Double.parseDouble(text);
    }
  }

  private static String prometheusError(JsonNode root) {
    String type = root.path("errorType").asText("");
    String error = root.path("error").asText("");
    if (type.isEmpty() && error.isEmpty()) {
      return snippet(root.toString().getBytes(StandardCharsets.UTF_8));
    }
    return type.isEmpty() ? error : type + ": " + error;
  }

  private QueryResult unparsable(byte[] body) {
    return new QueryResult.Unreachable("unparsable response from " + queryEndpoint + ": " + snippet(body));
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String snippet(byte[] body) {
    if (body == null || body.length == 0) {
      return "(empty body)";
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "…";
  }
}
