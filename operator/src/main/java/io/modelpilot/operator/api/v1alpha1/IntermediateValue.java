package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class IntermediateValue {

  @JsonPropertyDescription("Units of work done: epochs, requests, seconds.")
  private Long step;

  @JsonPropertyDescription("The objective's value after them.")
  private Double value;

  public IntermediateValue() {
  }

  public IntermediateValue(long step, double value) {
    this.step = step;
    this.value = value;
  }

  public Long getStep() {
    return step;
  }

  public void setStep(Long step) {
    this.step = step;
  }

  public Double getValue() {
    return value;
  }

  public void setValue(Double value) {
    this.value = value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IntermediateValue v && Objects.equals(step, v.step) && Objects.equals(value, v.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, value);
  }
}
