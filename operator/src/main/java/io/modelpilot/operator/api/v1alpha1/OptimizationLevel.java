package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;

/** ONNX Runtime graph optimization levels (GraphOptimizationLevel). */
public enum OptimizationLevel {
  @JsonProperty("disabled") DISABLED,
  @JsonProperty("basic") BASIC,
  @JsonProperty("extended") EXTENDED,
  @JsonProperty("all") ALL;

  public String value() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
