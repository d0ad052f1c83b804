package io.modelpilot.runtime.server;

import io.modelpilot.runtime.model.ModelRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model whose warm-up cannot be synthesised or fails still becomes ready, and the metrics say that the warm-up
 * was skipped and why. The models come from build_conformance_models.py.
 */
@QuarkusTest
class WarmUpTest {

  static final Path MODELS = Path.of("target", "warm-up-models");

  @TestHTTPResource("/")
  URL url;

  @Inject
  ModelStartup startup;

  @Inject
  ModelRegistry registry;

  @BeforeAll
  static void build() throws Exception {
    Files.createDirectories(MODELS);
    Process p = new ProcessBuilder("/usr/bin/python3", "src/test/python/build_conformance_models.py", MODELS.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @AfterAll
  static void restore() throws Exception {
    ServedModel.restore(io.quarkus.arc.Arc.container().instance(ModelRegistry.class).get());
  }

  @Test
  void aModelWhoseInputsCannotBeSynthesisedServesAndTheMetricSaysWhy() throws Exception {
    // UINT32 inputs: ONNX Runtime's Java API cannot create the tensor, so there is nothing to warm up with
    ModelStartup.WarmUp warmUp = start("uint32_input_cannot_be_created");

    assertThat(warmUp.inference()).isEqualTo(ModelStartup.Skip.INPUT_NOT_SYNTHESISABLE);
    assertReady();
    assertThat(skipped("inference", "input_not_synthesisable")).isEqualTo(1.0);
    assertThat(skipped("http", "input_not_synthesisable")).isEqualTo(1.0);
    assertThat(metricsText()).doesNotContainPattern("modelpilot_warmup_skipped\\{[^}]*reason=\"none\"[^}]*stage=\"inference\"");
  }

  @Test
  void warmUpTriesOtherDataWhereZerosOrSmallDimensionsAreRefused() throws Exception {
    // Range refuses a zero step; a 3x3 convolution refuses a 1x1 image (height and width are named dimensions)
    for (String model : List.of("range_from_scalar_inputs", "pytorch_cnn_dynamic_height_width",
        "gather_from_one_row_table")) {
      ModelStartup.WarmUp warmUp = start(model);

      assertThat(warmUp).as(model).isEqualTo(new ModelStartup.WarmUp(ModelStartup.Skip.NONE, ModelStartup.Skip.NONE));
      assertReady();
      assertThat(skipped("inference", "none")).as(model).isEqualTo(0.0);
      assertThat(skipped("http", "none")).as(model).isEqualTo(0.0);
    }
  }

  @Test
  void modelsWhoseOutputsAreNotRowByRowAreNotBatched() throws Exception {
    start("transpose_batch_moves");
    assertThat(registry.current().orElseThrow().batchable()).as("a transpose moves the batch to dimension 1")
        .isFalse();
    start("two_inputs_with_different_batch_dims");
    assertThat(registry.current().orElseThrow().batchable()).as("a concatenation of two batches").isFalse();

    start("pytorch_mlp_gemm_relu");
    assertThat(registry.current().orElseThrow().batchable()).as("an MLP computes each row alone").isTrue();
  }

  @Test
  void sequenceOutputsAreLeftOutInsteadOfFailingEveryRequest() throws Exception {
    start("sklearn_classifier_with_zipmap");

    V2Client.Reply reply = new V2Client(url).post("/v2/models/warm-up/infer",
        "{\"inputs\":[{\"name\":\"float_input\",\"datatype\":\"FP32\",\"shape\":[1,3],\"data\":[1,2,3]}]}");
    assertThat(reply.status()).as(reply.raw()).isEqualTo(200);
    assertThat(reply.body().path("outputs").findValuesAsText("name")).containsExactly("output_label", "probabilities");
  }

  private ModelStartup.WarmUp start(String model) throws Exception {
    return startup.start(MODELS.resolve(model + ".onnx"), "warm-up", "1", 2);
  }

  private void assertReady() {
    V2Client client = new V2Client(url);
    assertThat(client.get("/v2/health/ready").status()).isEqualTo(200);
    assertThat(client.get("/v2/models/warm-up/ready").status()).isEqualTo(200);
  }

  private String metricsText() {
    return new V2Client(url).get("/q/metrics").raw();
  }

  private double skipped(String stage, String reason) {
    return metricsText().lines()
        .filter(l -> l.startsWith("modelpilot_warmup_skipped{") && l.contains("stage=\"" + stage + "\"")
            && l.contains("reason=\"" + reason + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst().orElse(Double.NaN);
  }
}
