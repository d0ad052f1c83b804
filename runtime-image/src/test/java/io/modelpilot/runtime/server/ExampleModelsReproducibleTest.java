package io.modelpilot.runtime.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The committed models in examples/models are exactly what generate.py writes. */
class ExampleModelsReproducibleTest {

  @Test
  void generateScriptReproducesTheCommittedModels(@TempDir Path out) throws Exception {
    Path models = Tensors.repo().resolve("examples/models");
    ProcessBuilder pb = new ProcessBuilder("/usr/bin/python3", models.resolve("generate.py").toString())
        .redirectErrorStream(true);
    pb.environment().put("MODELPILOT_MODELS_OUT", out.toString());
    Process p = pb.start();
    String log = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(log).isZero();

    List<Path> generated;
    try (Stream<Path> files = Files.list(out)) {
      generated = files.sorted().toList();
    }
    assertThat(generated).extracting(f -> f.getFileName().toString()).contains("mlp-classifier.onnx", "expected.json");
    for (Path f : generated) {
      assertThat(Files.readAllBytes(f)).as(f.getFileName() + " differs from examples/models; rerun generate.py")
          .isEqualTo(Files.readAllBytes(models.resolve(f.getFileName())));
    }
  }
}
