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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ONNX's own node tests (Debian's libonnx-testdata): each model is loaded into the server, its
 * reference inputs go through POST /v2/models/{name}/infer as JSON, and the outputs are compared
 * with the reference outputs. A Python script (python3-onnx) turns the protobuf test data into
 * protocol JSON first. The report lands in target/conformance-report.txt.
 */
@QuarkusTest
class OnnxConformanceTest {

  static final Path TESTDATA = Path.of("/usr/share/libonnx-testdata/data/node");
  static final Path CONVERTED = Path.of("target", "conformance");
  static final Path REPORT = Path.of("target", "conformance-report.txt");

  @TestHTTPResource("/")
  URL url;

  @Inject
  ModelRegistry registry;

  @AfterAll
  static void restore() throws Exception {
    // the served model is swapped per test case; later test classes expect the configured one
    ServedModel.restore(io.quarkus.arc.Arc.container().instance(ModelRegistry.class).get());
  }

  @Test
  void passesOnnxNodeReferenceTests() throws Exception {
    assertThat(TESTDATA).as("libonnx-testdata is installed (.ci/run installs it)").isDirectory();
    convert();
    V2Client client = new V2Client(url);
    Map<String, String> skipped = new TreeMap<>();
    Map<String, String> failed = new TreeMap<>();
    List<String> passed = new ArrayList<>();

    List<Path> cases;
    try (Stream<Path> files = Files.list(CONVERTED)) {
      cases = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : cases) {
      JsonNode c = V2Client.JSON.readTree(file.toFile());
      String name = c.path("name").asText();
      if (!c.path("skip").isNull()) {
        skipped.put(name, c.path("skip").asText());
        continue;
      }
      String unsupported = unsupportedInput(c);
      if (unsupported == null && RANDOM.matcher(name).find()) {
        unsupported = "random operator: the reference output is one random draw (ONNX Runtime's own test runner excludes it too)";
      }
      if (unsupported != null) {
        skipped.put(name, unsupported);
        continue;
      }
      try {
        ServedModel.serve(registry, Path.of(c.path("model").asText()), "conformance");
      } catch (Exception e) {
        failed.put(name, "load: " + firstLine(e.getMessage()));
        continue;
      }
      V2Client.Reply reply = client.post("/v2/models/conformance/infer", c.path("request"));
      if (reply.status() != 200) {
        failed.put(name, "HTTP " + reply.status() + ": " + firstLine(reply.raw()));
        continue;
      }
      List<String> problems = new ArrayList<>();
      for (JsonNode expected : c.path("expected")) {
        problems.addAll(Tensors.compare(expected, Tensors.output(reply.body(), expected.path("name").asText()),
            1e-5, 1e-3));
      }
      if (problems.isEmpty()) {
        passed.add(name);
      } else {
        failed.put(name, String.join("; ", problems.subList(0, Math.min(3, problems.size()))));
      }
    }

    StringBuilder report = new StringBuilder();
    double ratio = passed.size() / (double) Math.max(1, passed.size() + failed.size());
    report.append("ONNX node conformance: passed=%d failed=%d skipped=%d pass_rate=%.4f%n".formatted(
        passed.size(), failed.size(), skipped.size(), ratio));
    report.append("\nfailed:\n");
    failed.forEach((k, v) -> report.append("  ").append(k).append(": ").append(v).append('\n'));
    report.append("\nskipped, by reason:\n");
    Map<String, List<String>> byReason = new TreeMap<>();
    skipped.forEach((k, v) -> byReason.computeIfAbsent(v, r -> new ArrayList<>()).add(k));
    byReason.forEach((reason, names) -> report.append("  ").append(names.size()).append(" × ").append(reason)
        .append(": ").append(String.join(", ", names)).append('\n'));
    Files.writeString(REPORT, report);
    System.out.println(report);

    assertThat(passed.size() + failed.size()).as("cases run").isGreaterThan(500);
    assertThat(ratio).as("pass rate of the cases not skipped; see " + REPORT).isGreaterThanOrEqualTo(0.95);
  }

  static final java.util.regex.Pattern RANDOM = java.util.regex.Pattern.compile("^test_(bernoulli|training_dropout)");

  /** Inputs ONNX Runtime's Java API cannot build: it has no unsigned 16/32/64-bit tensors. */
  private static String unsupportedInput(JsonNode c) {
    for (JsonNode in : c.path("request").path("inputs")) {
      String type = in.path("datatype").asText();
      if (type.equals("UINT16") || type.equals("UINT32") || type.equals("UINT64")) {
        return type + " inputs: ONNX Runtime's Java API cannot create " + type + " tensors";
      }
    }
    return null;
  }

  private static void convert() throws IOException, InterruptedException {
    Files.createDirectories(CONVERTED);
    Path script = Path.of("src", "test", "python", "onnx_testdata_to_v2.py");
    Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), TESTDATA.toString(), CONVERTED.toString())
        .redirectErrorStream(true).start();
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
