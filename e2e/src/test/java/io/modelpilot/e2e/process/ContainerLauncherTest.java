package io.modelpilot.e2e.process;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelpilot.testkit.MockApiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
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

  @Test
  void theDownwardApiGivesPodLabelsAndSecretVolumesHoldTheirBytesAsTheyAre(@TempDir Path podDir) throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (0x80 + i * 3); // not UTF-8 text
    }
    try (MockApiServer server = new MockApiServer().start(); KubernetesClient client = server.client()) {
      client.secrets().inNamespace("ns").resource(new SecretBuilder().withNewMetadata().withName("m-feedback-key")
          .endMetadata().withData(Map.of("key", Base64.getEncoder().encodeToString(key))).build()).create();
      ContainerLauncher launcher = new ContainerLauncher(new RepoLayout(podDir), client, claim -> podDir, List.of());
      PodSpec spec = new PodSpecBuilder()
          .addNewVolume().withName("feedback-key").withNewSecret().withSecretName("m-feedback-key").withOptional(true)
          .endSecret().endVolume()
          .addNewVolume().withName("absent").withNewSecret().withSecretName("no-such-secret").withOptional(true)
          .endSecret().endVolume().build();
      Container container = new ContainerBuilder().withName("c").withCommand("sh")
          .addNewVolumeMount().withName("feedback-key").withMountPath("/var/run/secrets/key").endVolumeMount()
          .addNewVolumeMount().withName("absent").withMountPath("/var/run/secrets/absent").endVolumeMount()
          .addNewEnv().withName("REVISION").withNewValueFrom().withNewFieldRef()
          .withFieldPath("metadata.labels['modelpilot.io/revision']").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("NOTE").withNewValueFrom().withNewFieldRef()
          .withFieldPath("metadata.annotations['note']").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("MISSING").withNewValueFrom().withNewFieldRef()
          .withFieldPath("metadata.labels['absent']").endFieldRef().endValueFrom().endEnv()
          .addNewEnv().withName("KEY_FILE").withValue("/var/run/secrets/key/key").endEnv()
          .build();

      ContainerLauncher.Launch launch = launcher.prepare(new ContainerLauncher.PodMeta("ns", "m-abc12-x",
          Map.of("modelpilot.io/revision", "abc12"), Map.of("note", "hi")), spec, container, podDir, 1234,
          podDir.resolve("termination"));

      assertThat(launch.environment()).containsEntry("REVISION", "abc12").containsEntry("NOTE", "hi")
          .containsEntry("MISSING", "");
      assertThat(Files.readAllBytes(Path.of(launch.environment().get("KEY_FILE")))).isEqualTo(key);
      assertThat(podDir.resolve("volumes/absent")).isEmptyDirectory();
    }
  }
}
