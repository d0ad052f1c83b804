package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Plain HTTP against the running server, as any Open Inference Protocol client would talk to it. */
public final class V2Client {

  public record Reply(int status, JsonNode body, String raw) {
  }

  static final ObjectMapper JSON = new ObjectMapper();
  private final URI base;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public V2Client(URL base) {
    this.base = URI.create(base.toString());
  }

  public Reply get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  public Reply post(String path, Object body) {
    return post(path, body, Map.of());
  }

  public Reply post(String path, Object body, Map<String, String> headers) {
    try {
      byte[] bytes = body instanceof String s ? s.getBytes() : body instanceof byte[] b ? b : JSON.writeValueAsBytes(body);
      HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
      headers.forEach(request::header);
      return send(request);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private Reply send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode body = null;
      try {
        body = response.body().isEmpty() ? null : JSON.readTree(response.body());
      } catch (IOException notJson) {
        // left null; raw keeps the text
      }
      return new Reply(response.statusCode(), body, response.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
