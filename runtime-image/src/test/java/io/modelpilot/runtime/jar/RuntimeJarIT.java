package io.modelpilot.runtime.jar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.modelpilot.runtime.model.LocalS3;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged model server as a pod runs it: `java -jar quarkus-run.jar` with MODELPILOT_*
 * environment. Runs after `package` (failsafe).
 */
class RuntimeJarIT {

  static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  static final Path MODELS = Path.of(System.getProperty("repo.root", "..")).resolve("examples/models").toAbsolutePath()
      .normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  record Run(int exit, String output) {
  }

  private Process start(Map<String, String> env, String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("out-" + System.nanoTime() + ".log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("MODELPILOT_") || k.startsWith("QUARKUS_"));
    pb.environment().putAll(env);
    return pb.start();
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    Process p = start(env, args);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("process ended").isTrue();
    return new Run(p.exitValue(), output(p));
  }

  private String output(Process p) throws IOException {
    try (var files = Files.list(tmp)) {
      StringBuilder all = new StringBuilder();
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("out-")).toList()) {
        all.append(Files.readString(f));
      }
      return all.toString();
    }
  }

  private static Map<String, String> env(String... pairs) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("QUARKUS_HTTP_PORT", Integer.toString(freePort()));
    env.put("MODELPILOT_MODEL_NAME", "mlp-classifier");
    env.put("MODELPILOT_MODEL_URI", "file://" + MODELS.resolve("mlp-classifier.onnx"));
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void badSettingsStopTheStartWithAMessageNamingThem() throws Exception {
    Map<Map<String, String>, String> table = new LinkedHashMap<>();
    table.put(env("MODELPILOT_MODEL_URI", "ftp://models/x.onnx"), "MODELPILOT_MODEL_URI");
    table.put(env("MODELPILOT_OPTIMIZATION_LEVEL", "turbo"), "MODELPILOT_OPTIMIZATION_LEVEL");
    table.put(env("MODELPILOT_EXECUTION_PROVIDER", "cuda"), "MODELPILOT_EXECUTION_PROVIDER");
    table.put(env("MODELPILOT_MAX_QUEUE_DELAY", "2 seconds"), "MODELPILOT_MAX_QUEUE_DELAY");
    table.put(env("MODELPILOT_MAX_BATCH_SIZE", "0"), "MODELPILOT_MAX_BATCH_SIZE");
    table.put(env("MODELPILOT_INTRA_OP_THREADS", "-1"), "MODELPILOT_INTRA_OP_THREADS");
    table.put(env("MODELPILOT_MODEL_URI", "file:///nonexistent/model.onnx"), "no model file");
    table.put(env("MODELPILOT_MODEL_SHA256", "0".repeat(64)), "MODELPILOT_MODEL_SHA256");
    table.put(env("MODELPILOT_MODEL_S3_ENDPOINT", "minio:9000"), "MODELPILOT_MODEL_S3_ENDPOINT");
    table.put(env("MODELPILOT_MODEL_READ_TIMEOUT", "a minute"), "MODELPILOT_MODEL_READ_TIMEOUT");
    for (Map.Entry<Map<String, String>, String> c : table.entrySet()) {
      Files.list(tmp).forEach(f -> f.toFile().delete());
      Run run = run(c.getKey());
      assertThat(run.exit()).as(c.getValue() + ":\n" + run.output()).isNotZero();
      assertThat(run.output()).as(c.getValue()).contains(c.getValue());
    }
  }

  @Test
  void benchModePrintsOneJsonResultAndWritesItToTheTerminationMessage() throws Exception {
    Path termination = tmp.resolve("termination-log");

    Run run = run(env("MODELPILOT_INTRA_OP_THREADS", "1"), "bench", "--concurrency", "2", "--duration", "2s",
        "--warmup", "500ms", "--output", termination.toString());

    assertThat(run.exit()).as(run.output()).isZero();
    String line = run.output().lines().filter(l -> l.startsWith("{\"model\"")).findFirst().orElseThrow();
    JsonNode result = JSON.readTree(line);
    assertThat(result.path("throughput").asDouble()).isPositive();
    assertThat(result.path("latencyP50Ms").asDouble()).isPositive();
    assertThat(result.path("latencyP99Ms").asDouble()).isGreaterThanOrEqualTo(result.path("latencyP50Ms").asDouble());
    assertThat(result.path("errors").asLong()).isZero();
    assertThat(result.path("settings").path("intraOpThreads").asInt()).isEqualTo(1);
    assertThat(result.path("settings").path("concurrency").asInt()).isEqualTo(2);
    assertThat(JSON.readTree(Files.readString(termination))).isEqualTo(result);
  }

  @Test
  void downloadsAnHttpModelWithABearerTokenAndChecksItsHash() throws Exception {
    byte[] model = Files.readAllBytes(MODELS.resolve("mlp-classifier.onnx"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    registry.createContext("/models/fraud.onnx", exchange -> {
      boolean authorized = "Bearer s3cret".equals(exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(authorized ? 200 : 401, authorized ? model.length : -1);
      if (authorized) {
        exchange.getResponseBody().write(model);
      }
      exchange.close();
    });
    registry.start();
    Path credentials = Files.createDirectories(tmp.resolve("credentials"));
    Files.writeString(credentials.resolve("token"), "s3cret\n");
    Map<String, String> env = env("MODELPILOT_MODEL_URI",
        "http://127.0.0.1:" + registry.getAddress().getPort() + "/models/fraud.onnx",
        "MODELPILOT_MODEL_CREDENTIALS_DIR", credentials.toString(), "MODELPILOT_MODEL_SHA256", sha,
        "MODELPILOT_MODEL_VERSION", "v7", "MODELPILOT_MODEL_ALLOW_PLAIN_HTTP", "true");
    Process server = start(env);
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI base = URI.create("http://127.0.0.1:" + env.get("QUARKUS_HTTP_PORT"));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      int ready = 0;
      while (ready != 200 && System.nanoTime() < deadline && server.isAlive()) {
        try {
          ready = http.send(HttpRequest.newBuilder(base.resolve("/v2/health/ready")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException notYet) {
          Thread.sleep(200);
        }
      }
      assertThat(ready).as(output(server)).isEqualTo(200);
      String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":[1,2,3,4,5,6,7,8]}]}";
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/v2/models/mlp-classifier/infer"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(answer.body()).path("model_version").asText()).isEqualTo("v7");
      server.destroy();
      server.waitFor(20, TimeUnit.SECONDS);

      Files.writeString(credentials.resolve("token"), "wrong");
      Run refused = run(env);
      assertThat(refused.exit()).isNotZero();
      assertThat(refused.output()).contains("MODELPILOT_MODEL_URI").contains("HTTP 401");
    } finally {
      server.destroy();
      registry.stop(0);
    }
  }

  @Test
  void servesAModelFromS3AndReportsADigestMismatchInTheTerminationMessage() throws Exception {
    byte[] model = Files.readAllBytes(MODELS.resolve("mlp-classifier.onnx"));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    try (LocalS3 s3 = new LocalS3()) {
      s3.put("models", "mlp/model.onnx", model);
      Path credentials = Files.createDirectories(tmp.resolve("s3-credentials"));
      Files.writeString(credentials.resolve("accessKeyId"), LocalS3.ACCESS_KEY_ID);
      Files.writeString(credentials.resolve("secretAccessKey"), LocalS3.SECRET_ACCESS_KEY);
      Path termination = tmp.resolve("termination-log");
      Map<String, String> env = env("MODELPILOT_MODEL_URI", "s3://models/mlp/model.onnx",
          "MODELPILOT_MODEL_S3_ENDPOINT", s3.endpoint().toString(), "MODELPILOT_MODEL_S3_PATH_STYLE", "true",
          "MODELPILOT_MODEL_ALLOW_PLAIN_HTTP", "true", "MODELPILOT_MODEL_CREDENTIALS_DIR", credentials.toString(),
          "MODELPILOT_MODEL_SHA256", sha, "MODELPILOT_MODEL_CACHE_DIR", tmp.resolve("cache").toString(),
          "MODELPILOT_TERMINATION_MESSAGE_PATH", termination.toString());
      Process server = start(env);
      try {
        HttpClient http = HttpClient.newHttpClient();
        URI base = URI.create("http://127.0.0.1:" + env.get("QUARKUS_HTTP_PORT"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
            .until(() -> !server.isAlive() || http.send(HttpRequest.newBuilder(base.resolve("/v2/health/ready"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
        assertThat(server.isAlive()).as(output(server)).isTrue();
        String body = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],"
            + "\"data\":[1,2,3,4,5,6,7,8]}]}";
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/v2/models/mlp-classifier/infer"))
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      } finally {
        server.destroy();
        server.waitFor(20, TimeUnit.SECONDS);
      }
      assertThat(output(server)).doesNotContain(LocalS3.SECRET_ACCESS_KEY);

      env.put("MODELPILOT_MODEL_SHA256", "0".repeat(64));
      Run refused = run(env);
      assertThat(refused.exit()).as(refused.output()).isNotZero();
      JsonNode message = JSON.readTree(Files.readString(termination));
      assertThat(message.path("reason").asText()).isEqualTo("ModelDigestMismatch");
      assertThat(message.path("message").asText()).contains("has SHA-256 " + sha).contains("0".repeat(64));
    }
  }
}
