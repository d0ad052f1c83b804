package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TrialStatus {

  public enum Phase {
    @JsonProperty("Pending") PENDING,
    @JsonProperty("Running") RUNNING,
    @JsonProperty("Succeeded") SUCCEEDED,
    @JsonProperty("Failed") FAILED,
    @JsonProperty("EarlyStopped") EARLY_STOPPED;

    public boolean finished() {
      return this == SUCCEEDED || this == FAILED || this == EARLY_STOPPED;
    }
  }

  @JsonPropertyDescription("The trial's name, also its Job's.")
  private String name;

  @JsonPropertyDescription("The point tried, as text.")
  private Map<String, String> parameters;

  @JsonPropertyDescription("What the trial reported.")
  private Map<String, Double> metrics;

  @JsonPropertyDescription("Pending, Running, Succeeded, Failed or EarlyStopped.")
  private Phase phase;

  @JsonPropertyDescription("Why the trial ended as it did (CamelCase), for Failed and EarlyStopped.")
  private String reason;

  @JsonPropertyDescription("What happened, in a sentence.")
  private String message;

  @JsonPropertyDescription("Whether the trial met every constraint (only for Succeeded).")
  private Boolean feasible;

  @JsonPropertyDescription("The objective's values the trial reported while it ran, by step (for early stopping; "
      + "at most " + TuningJobStatus.MAX_INTERMEDIATE + ").")
  private List<IntermediateValue> intermediate;

  public TrialStatus() {
  }

  public TrialStatus(String name, Map<String, String> parameters, Phase phase) {
    this.name = name;
    this.parameters = parameters;
    this.phase = phase;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrialStatus t && Objects.equals(name, t.name) && Objects.equals(parameters, t.parameters)
        && Objects.equals(metrics, t.metrics) && phase == t.phase && Objects.equals(reason, t.reason)
        && Objects.equals(message, t.message) && Objects.equals(feasible, t.feasible)
        && Objects.equals(intermediate, t.intermediate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, phase);
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

  public Map<String, Double> getMetrics() {
    return metrics;
  }

  public void setMetrics(Map<String, Double> metrics) {
    this.metrics = metrics;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public String getReason() {
    return reason;
  }

  public void setReason(String reason) {
    this.reason = reason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public Boolean getFeasible() {
    return feasible;
  }

  public void setFeasible(Boolean feasible) {
    this.feasible = feasible;
  }

  public List<IntermediateValue> getIntermediate() {
    return intermediate;
  }

  public void setIntermediate(List<IntermediateValue> intermediate) {
    this.intermediate = intermediate;
  }
}
