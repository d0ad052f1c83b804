package io.modelpilot.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged model server as a separate process, as a pod runs it. */
final class RuntimeServer implements AutoCloseable {

  static final Path JAR = Path.of("runtime-image", "target", "quarkus-app", "quarkus-run.jar");
  private final Process process;
  final int port;

  RuntimeServer(Path model, String name, Map<String, String> env, Path log) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx512m"));
    String jfr = System.getenv("BENCH_JFR"); // a directory: each server records a flight recording there
    if (jfr != null && !jfr.isBlank()) {
      command.add("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(jfr).toAbsolutePath()
          .resolve(log.getFileName().toString().replace(".log", ".jfr")));
    }
    command.addAll(List.of("-jar", JAR.toString()));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MODELPILOT_MODEL_URI", model.toAbsolutePath().toUri().toString());
    pb.environment().put("MODELPILOT_MODEL_NAME", name);
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
    pb.environment().putAll(env);
    String javaOptions = System.getenv("BENCH_SERVER_JAVA_OPTIONS"); // e.g. -Xlog:gc:file=/tmp/gc-%p.log
    if (javaOptions != null && !javaOptions.isBlank()) {
      pb.environment().put("JDK_JAVA_OPTIONS", javaOptions);
    }
    process = pb.start();
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("model server exited; see " + log);
      }
      try {
        if (client.send(HttpRequest.newBuilder(uri("/v2/health/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // starting
      }
      Thread.sleep(100);
    }
    close();
    throw new IllegalStateException("model server not ready after 90 s; see " + log);
  }

  /** CPU time the server process has used so far. */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
