package io.modelpilot.runtime.model;

import ai.onnxruntime.OrtSession;
import io.modelpilot.runtime.config.RuntimeSettings;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the server's settings become ONNX Runtime session options. */
class SessionOptionsTest {

  @Test
  void zeroIntraOpThreadsMeansOnePerCpuThisProcessMayUseNotOnnxRuntimesPinnedDefault() {
    assertThat(ModelRegistry.intraOpThreads(settings(Map.of("intraOpThreads", 0))))
        .isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(ModelRegistry.intraOpThreads(settings(Map.of("intraOpThreads", 3)))).isEqualTo(3);
  }

  @Test
  void poolThreadsSleepRatherThanSpinUnlessAskedTo() throws Exception {
    try (OrtSession.SessionOptions options = new ModelRegistry(settings(Map.of())).sessionOptions()) {
      assertThat(options.getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "0")
          .containsEntry("session.inter_op.allow_spinning", "0");
    }
    try (OrtSession.SessionOptions options =
             new ModelRegistry(settings(Map.of("intraOpSpinning", true))).sessionOptions()) {
      assertThat(options.getConfigEntries()).containsEntry("session.intra_op.allow_spinning", "1");
    }
  }

  @Test
  void aNegativeThreadCountIsRefusedNamingItsVariable() {
    assertThatThrownBy(() -> new ModelRegistry(settings(Map.of("intraOpThreads", -1))).sessionOptions().close())
        .hasMessageContaining("MODELPILOT_INTRA_OP_THREADS must be 0 or more, got -1");
  }

  /** The defaults of RuntimeSettings for what session options read, with some replaced. */
  private static RuntimeSettings settings(Map<String, Object> set) {
    Map<String, Object> defaults = Map.of("intraOpThreads", 0, "interOpThreads", 0, "optimizationLevel", "all",
        "executionProvider", "cpu", "intraOpSpinning", false);
    return (RuntimeSettings) Proxy.newProxyInstance(RuntimeSettings.class.getClassLoader(),
        new Class<?>[] {RuntimeSettings.class}, (proxy, method, args) -> {
          Object value = set.getOrDefault(method.getName(), defaults.get(method.getName()));
          if (value == null) {
            throw new UnsupportedOperationException(method.getName());
          }
          return value;
        });
  }
}
