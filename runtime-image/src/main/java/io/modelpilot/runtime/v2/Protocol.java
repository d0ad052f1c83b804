package io.modelpilot.runtime.v2;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.TensorDataSerializer;

import java.util.List;
import java.util.Map;

/** Open Inference Protocol v2 REST messages. */
public final class Protocol {

  private Protocol() {
  }

  public record ServerMetadata(String name, String version, List<String> extensions) {
  }

  public record TensorMetadata(String name, String datatype, long[] shape) {
  }

  public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
      List<TensorMetadata> outputs) {
  }

  /** A request input after parsing; data stays JSON text until the codec streams it into a tensor. */
  public record RequestInput(String name, long[] shape, String datatype, Map<String, Object> parameters,
      TensorData data) {
  }

  public record RequestOutput(String name, Map<String, Object> parameters) {
  }

  public record InferenceRequest(String id, Map<String, Object> parameters, List<RequestInput> inputs,
      List<RequestOutput> outputs) {
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ResponseOutput(String name, long[] shape, String datatype, Map<String, Object> parameters,
      @JsonSerialize(using = TensorDataSerializer.class) HostTensor data) {
  }

  /** The response parameter that carries the prediction token (see feedback.PredictionTokens). */
  public static final String PREDICTION_TOKEN = "prediction_token";

  /**
   * @param parameters the request's, passed through
   * @param predictionToken written into {@code parameters} as {@value #PREDICTION_TOKEN}; null when there is none
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record InferenceResponse(@JsonProperty("model_name") String modelName,
      @JsonProperty("model_version") String modelVersion, String id, Map<String, Object> parameters,
      List<ResponseOutput> outputs, @JsonIgnore String predictionToken) {
  }

  public record Error(String error) {
  }
}
