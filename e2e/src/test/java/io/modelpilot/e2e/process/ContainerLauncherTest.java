package io.modelpilot.e2e.process;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerLauncherTest {

  private static final Map<String, Path> MOUNTS = Map.of(
      "/models", Path.of("/repo/examples/models"),
      "/mnt/models", Path.of("/run/pvc/claim"),
      "/mnt/models/sub", Path.of("/elsewhere"));

  @Test
  void mapsImageAndVolumePathsPlainOrAsFileUris() {
    assertThat(ContainerLauncher.mapPath("file:///models/mlp-classifier.onnx", MOUNTS))
        .isEqualTo("file:///repo/examples/models/mlp-classifier.onnx");
    assertThat(ContainerLauncher.mapPath("/mnt/models/v7/model.onnx", MOUNTS)).isEqualTo("/run/pvc/claim/v7/model.onnx");
    assertThat(ContainerLauncher.mapPath("/mnt/models/sub/x.onnx", MOUNTS)).isEqualTo("/elsewhere/x.onnx");
  }

  @Test
  void leavesOtherValuesAlone() {
    assertThat(ContainerLauncher.mapPath("https://models.example.com/models/x.onnx", MOUNTS))
        .isEqualTo("https://models.example.com/models/x.onnx");
    assertThat(ContainerLauncher.mapPath("/modelsX/a", MOUNTS)).isEqualTo("/modelsX/a");
    assertThat(ContainerLauncher.mapPath("2ms", MOUNTS)).isEqualTo("2ms");
  }
}
