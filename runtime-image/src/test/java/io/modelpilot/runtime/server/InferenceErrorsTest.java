package io.modelpilot.runtime.server;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtException.OrtErrorCode;
import io.modelpilot.runtime.tensor.InferenceException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Who is at fault when ONNX Runtime fails: the request (400) or the server (500, counted as an error). */
class InferenceErrorsTest {

  @ParameterizedTest
  @EnumSource(OrtErrorCode.class)
  void onlyAnInvalidArgumentIsTheClientsFault(OrtErrorCode code) {
    RuntimeException e = InferenceService.translate(new OrtException(code, "kernel said no"));

    assertThat(e).isInstanceOf(InferenceException.class).hasMessageContaining("kernel said no");
    assertThat(((InferenceException) e).status()).as(code.name())
        .isEqualTo(code == OrtErrorCode.ORT_INVALID_ARGUMENT ? 400 : 500);
  }
}
