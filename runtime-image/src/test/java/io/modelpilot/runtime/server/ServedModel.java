package io.modelpilot.runtime.server;

import io.modelpilot.runtime.model.ModelRegistry;

import java.nio.file.Path;

/** Tests that serve another model put the configured one back afterwards. */
final class ServedModel {

  private ServedModel() {
  }

  static void restore(ModelRegistry registry) throws Exception {
    registry.load(Tensors.repo().resolve("examples/models/mlp-classifier.onnx"), "mlp-classifier", "v1");
  }

  static void serve(ModelRegistry registry, Path file, String name) throws Exception {
    registry.load(file, name, "1");
  }
}
