package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BestTrial {

  @JsonPropertyDescription("The trial's name.")
  private String name;

  @JsonPropertyDescription("Its parameters.")
  private Map<String, String> parameters;

  @JsonPropertyDescription("Its objective value.")
  private Double value;

  @JsonPropertyDescription("metric=value, for kubectl get.")
  private String summary;

  @Override
  public boolean equals(Object o) {
    return o instanceof BestTrial b && Objects.equals(name, b.name) && Objects.equals(parameters, b.parameters)
        && Objects.equals(value, b.value) && Objects.equals(summary, b.summary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, value);
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public Map<String, String> getParameters() {
    return parameters;
  }

  public void setParameters(Map<String, String> parameters) {
    this.parameters = parameters;
  }

  public Double getValue() {
    return value;
  }

  public void setValue(Double value) {
    this.value = value;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }
}
