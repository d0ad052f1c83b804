package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelpilot.runtime.model.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reference models served end to end: each model goes through the server's own start (load, warm-up,
 * readiness), its reference inputs through POST /v2/models/{name}/infer as JSON, and the outputs are
 * compared with the reference outputs. Two sets, reported apart:
 * <ul>
 *   <li>ONNX's own node tests (Debian's libonnx-testdata), turned into protocol JSON by
 *       {@code onnx_testdata_to_v2.py};</li>
 *   <li>a broad set of models built by {@code build_conformance_models.py}: what a model server meets outside the
 *       node tests (PyTorch-style exports, every datatype, several inputs and outputs, 0-d and empty tensors,
 *       outputs without the batch dimension, no inputs, warm-up data a server cannot guess). Each of these is also
 *       sent by several clients at once, so that the batcher stacks them.</li>
 * </ul>
 * The reports land in target/conformance-report.txt and target/conformance-broad-report.txt.
 */
@QuarkusTest
class OnnxConformanceTest {

  static final Path TESTDATA = Path.of("/usr/share/libonnx-testdata/data/node");
  static final Path SCRIPTS = Path.of("src", "test", "python");
  static final Path CONVERTED = Path.of("target", "conformance");
  static final Path BROAD = Path.of("target", "conformance-broad");
  static final Path REPORT = Path.of("target", "conformance-report.txt");
  static final Path BROAD_REPORT = Path.of("target", "conformance-broad-report.txt");
  static final int CONCURRENT_CLIENTS = 4;

  @TestHTTPResource("/")
  URL url;

  @Inject
  ModelStartup startup;

  @AfterAll
  static void restore() throws Exception {
    // the served model is swapped per test case; later test classes expect the configured one
    ServedModel.restore(io.quarkus.arc.Arc.container().instance(ModelRegistry.class).get());
  }

  @Test
  void passesOnnxNodeReferenceTests() throws Exception {
    assertThat(TESTDATA).as("libonnx-testdata is installed (.ci/run installs it)").isDirectory();
    generate("onnx_testdata_to_v2.py", TESTDATA.toString(), CONVERTED.toString());
    Outcome o = runCases(CONVERTED, false);
    Files.writeString(REPORT, o.report("ONNX node conformance"));
    System.out.println(o.report("ONNX node conformance"));

    assertThat(o.notReady).as("models that loaded but did not become ready; see " + REPORT).isEmpty();
    assertThat(o.passed.size() + o.failed.size()).as("cases run").isGreaterThan(500);
    assertThat(o.passRate()).as("pass rate of the cases not skipped; see " + REPORT).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void servesABroadSetOfModels() throws Exception {
    generate("build_conformance_models.py", BROAD.toString());
    Outcome o = runCases(BROAD, true);
    Files.writeString(BROAD_REPORT, o.report("Broad model conformance"));
    System.out.println(o.report("Broad model conformance"));

    assertThat(o.notReady).as("models that loaded but did not become ready; see " + BROAD_REPORT).isEmpty();
    assertThat(o.passed.size() + o.failed.size()).as("cases run").isGreaterThan(50);
    assertThat(o.passRate()).as("pass rate of the runnable models; see " + BROAD_REPORT)
        .isGreaterThanOrEqualTo(0.98);
  }

  static final class Outcome {
    final List<String> passed = new ArrayList<>();
    final Map<String, String> failed = new TreeMap<>();
    final Map<String, String> skipped = new TreeMap<>();
    final Map<String, String> notReady = new TreeMap<>();
    final Map<String, List<String>> warmUpSkipped = new TreeMap<>();

    double passRate() {
      return passed.size() / (double) Math.max(1, passed.size() + failed.size());
    }

    String report(String title) {
      StringBuilder report = new StringBuilder();
      report.append("%s: passed=%d failed=%d skipped=%d pass_rate=%.4f not_ready=%d%n".formatted(title,
          passed.size(), failed.size(), skipped.size(), passRate(), notReady.size()));
      report.append("\nfailed:\n");
      failed.forEach((k, v) -> report.append("  ").append(k).append(": ").append(v).append('\n'));
      if (!notReady.isEmpty()) {
        report.append("\nnot ready after the start:\n");
        notReady.forEach((k, v) -> report.append("  ").append(k).append(": ").append(v).append('\n'));
      }
      report.append("\nwarm-up skipped (the model served anyway), by stage and reason:\n");
      warmUpSkipped.forEach((reason, names) -> report.append("  ").append(names.size()).append(" × ").append(reason)
          .append(": ").append(String.join(", ", names)).append('\n'));
      report.append("\nskipped, by reason:\n");
      Map<String, List<String>> byReason = new TreeMap<>();
      skipped.forEach((k, v) -> byReason.computeIfAbsent(v, r -> new ArrayList<>()).add(k));
      byReason.forEach((reason, names) -> report.append("  ").append(names.size()).append(" × ").append(reason)
          .append(": ").append(String.join(", ", names)).append('\n'));
      return report.toString();
    }
  }

  private Outcome runCases(Path dir, boolean concurrently) throws Exception {
    V2Client client = new V2Client(url);
    Outcome o = new Outcome();
    List<Path> cases;
    try (Stream<Path> files = Files.list(dir)) {
      cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    ExecutorService clients = Executors.newFixedThreadPool(CONCURRENT_CLIENTS);
    try {
      for (Path file : cases) {
        JsonNode c = V2Client.JSON.readTree(file.toFile());
        String name = c.path("name").asText();
        if (!c.path("skip").isNull()) {
          o.skipped.put(name, c.path("skip").asText());
          continue;
        }
        String unsupported = unsupportedInput(c);
        if (unsupported == null && RANDOM.matcher(name).find()) {
          unsupported = "random operator: the reference output is one random draw (ONNX Runtime's own test runner excludes it too)";
        }
        ModelStartup.WarmUp warmUp;
        try {
          warmUp = startup.start(Path.of(c.path("model").asText()), "conformance", "1", 1);
        } catch (Exception e) {
          // ONNX Runtime cannot load it: counted as a failure unless the case is skipped anyway
          if (unsupported != null) {
            o.skipped.put(name, unsupported);
          } else {
            o.failed.put(name, "load: " + firstLine(e.getMessage()));
          }
          continue;
        }
        // a model that loads serves, whatever its warm-up did
        String ready = readiness(client);
        if (ready != null) {
          o.notReady.put(name, ready);
        }
        if (warmUp.inference() != ModelStartup.Skip.NONE) {
          o.warmUpSkipped.computeIfAbsent("inference " + warmUp.inference().label(), r -> new ArrayList<>()).add(name);
        }
        if (warmUp.http() != ModelStartup.Skip.NONE && warmUp.http() != warmUp.inference()) {
          o.warmUpSkipped.computeIfAbsent("http " + warmUp.http().label(), r -> new ArrayList<>()).add(name);
        }
        if (unsupported != null) {
          // what ONNX Runtime's Java API cannot carry must be refused with a 400, never answered wrongly
          V2Client.Reply reply = client.post("/v2/models/conformance/infer", c.path("request"));
          if (reply.status() == 400 || RANDOM.matcher(name).find()) {
            o.skipped.put(name, unsupported);
          } else {
            o.failed.put(name, "input the server cannot pass on answered " + reply.status() + " instead of 400: "
                + firstLine(reply.raw()));
          }
          continue;
        }
        String unsupportedOutput = unsupportedOutput(c);
        if (unsupportedOutput != null) {
          o.skipped.put(name, unsupportedOutput);
          continue;
        }
        List<String> problems = check(c, client.post("/v2/models/conformance/infer", c.path("request")));
        if (problems.isEmpty() && concurrently) {
          // the same request from several clients at once: the batcher may stack them
          List<CompletableFuture<V2Client.Reply>> replies = IntStream.range(0, CONCURRENT_CLIENTS)
              .mapToObj(i -> CompletableFuture.supplyAsync(
                  () -> client.post("/v2/models/conformance/infer", c.path("request")), clients)).toList();
          for (CompletableFuture<V2Client.Reply> reply : replies) {
            List<String> concurrent = check(c, reply.get(60, TimeUnit.SECONDS));
            if (!concurrent.isEmpty()) {
              problems.add("with " + CONCURRENT_CLIENTS + " concurrent clients: " + concurrent.get(0));
              break;
            }
          }
        }
        if (problems.isEmpty()) {
          o.passed.add(name);
        } else {
          o.failed.put(name, String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
        }
      }
    } finally {
      clients.shutdownNow();
    }
    return o;
  }

  private static List<String> check(JsonNode c, V2Client.Reply reply) {
    List<String> problems = new ArrayList<>();
    if (reply.status() != 200) {
      problems.add("HTTP " + reply.status() + ": " + firstLine(reply.raw()));
      return problems;
    }
    for (JsonNode expected : c.path("expected")) {
      problems.addAll(Tensors.compare(expected, Tensors.output(reply.body(), expected.path("name").asText()),
          1e-5, 1e-3));
    }
    return problems;
  }

  /** Null when the server and the model say ready, else what they said. */
  private static String readiness(V2Client client) {
    V2Client.Reply server = client.get("/v2/health/ready");
    V2Client.Reply model = client.get("/v2/models/conformance/ready");
    return server.status() == 200 && model.status() == 200 ? null
        : "health/ready " + server.status() + " " + firstLine(server.raw()) + ", models/conformance/ready "
            + model.status() + " " + firstLine(model.raw());
  }

  static final java.util.regex.Pattern RANDOM = java.util.regex.Pattern.compile("^test_(bernoulli|training_dropout)");

  /**
   * Inputs ONNX Runtime's Java API cannot build: it has no unsigned 16/32/64-bit tensors, and it passes strings as
   * JNI's modified UTF-8 (NUL and characters beyond U+FFFF would reach the model as other bytes).
   */
  private static String unsupportedInput(JsonNode c) {
    for (JsonNode in : c.path("request").path("inputs")) {
      String type = in.path("datatype").asText();
      if (type.equals("UINT16") || type.equals("UINT32") || type.equals("UINT64")) {
        return type + " inputs: ONNX Runtime's Java API cannot create " + type + " tensors";
      }
      if (type.equals("BYTES") && notModifiedUtf8Safe(in.path("data"))) {
        return "BYTES inputs with NUL or characters beyond U+FFFF: ONNX Runtime's Java API passes strings as "
            + "modified UTF-8";
      }
    }
    return null;
  }

  /** Outputs ONNX Runtime's Java API cannot return: it reads strings back as modified UTF-8. */
  private static String unsupportedOutput(JsonNode c) {
    for (JsonNode out : c.path("expected")) {
      if (out.path("datatype").asText().equals("BYTES") && notModifiedUtf8Safe(out.path("data"))) {
        return "BYTES outputs with NUL or characters beyond U+FFFF: ONNX Runtime's Java API reads strings as "
            + "modified UTF-8";
      }
    }
    return null;
  }

  private static boolean notModifiedUtf8Safe(JsonNode data) {
    for (JsonNode v : data) {
      if (v.isTextual() && v.textValue().chars().anyMatch(ch -> ch == 0 || Character.isSurrogate((char) ch))) {
        return true;
      }
    }
    return false;
  }

  private static void generate(String script, String... args) throws IOException, InterruptedException {
    Files.createDirectories(Path.of(args[args.length - 1]));
    List<String> command = new ArrayList<>(List.of("/usr/bin/python3", SCRIPTS.resolve(script).toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    System.out.println(out);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "…" : line;
  }
}
