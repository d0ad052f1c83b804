package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One canary metric and its threshold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.type != 'ErrorRate' || (has(self.max) && !has(self.min) && !has(self.maxRatioToStable)"
    + " && !has(self.maxDropFromStable) && !has(self.query))",
    message = "ErrorRate takes max (a fraction of requests, e.g. 0.01) and nothing else", reason = "FieldValueInvalid",
    fieldPath = ".max")
@ValidationRule(value = "self.type != 'LatencyP99' || ((has(self.max) != has(self.maxRatioToStable)) && !has(self.min)"
    + " && !has(self.maxDropFromStable) && !has(self.query))",
    message = "LatencyP99 takes exactly one of max (seconds) or maxRatioToStable", reason = "FieldValueInvalid",
    fieldPath = ".maxRatioToStable")
@ValidationRule(value = "self.type != 'Accuracy' || ((has(self.min) != has(self.maxDropFromStable)) && !has(self.max)"
    + " && !has(self.maxRatioToStable) && !has(self.query))",
    message = "Accuracy takes exactly one of min (a fraction, e.g. 0.9) or maxDropFromStable", reason = "FieldValueInvalid",
    fieldPath = ".maxDropFromStable")
@ValidationRule(value = "self.type != 'PromQL' || (has(self.query) && (has(self.min) != has(self.max))"
    + " && !has(self.maxRatioToStable) && !has(self.maxDropFromStable))",
    message = "PromQL takes a query and exactly one of min or max", reason = "FieldValueInvalid", fieldPath = ".query")
@ValidationRule(value = "self.type != 'Accuracy' || ((!has(self.min) || (self.min >= 0.0 && self.min <= 1.0)) "
    + "&& (!has(self.maxDropFromStable) || (self.maxDropFromStable >= 0.0 && self.maxDropFromStable <= 1.0)))",
    message = "Accuracy min and maxDropFromStable are shares between 0 and 1", reason = "FieldValueInvalid",
    fieldPath = ".min")
@ValidationRule(value = "self.type != 'ErrorRate' || !has(self.max) || (self.max >= 0.0 && self.max <= 1.0)",
    message = "ErrorRate max is a share between 0 and 1", reason = "FieldValueInvalid", fieldPath = ".max")
public class AnalysisMetric {

  public enum Type {
    @JsonProperty("ErrorRate") ERROR_RATE,
    @JsonProperty("LatencyP99") LATENCY_P99,
    @JsonProperty("Accuracy") ACCURACY,
    @JsonProperty("PromQL") PROMQL
  }

  @Required
  @JsonPropertyDescription("ErrorRate (fraction of failed requests), LatencyP99 (seconds, or as a ratio to the "
      + "stable track), Accuracy (fraction of correct predictions from the runtime's feedback, or the drop from "
      + "stable), or PromQL.")
  private Type type;

  @Min(0)
  @JsonPropertyDescription("Highest passing value: ErrorRate (fraction), LatencyP99 (seconds), PromQL.")
  private Double max;

  @JsonPropertyDescription("Lowest passing value: Accuracy (fraction), PromQL.")
  private Double min;

  @Min(1)
  @JsonPropertyDescription("LatencyP99: highest passing canary p99 divided by stable p99, e.g. 1.2.")
  private Double maxRatioToStable;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Accuracy: highest passing drop of the canary's accuracy below stable's, e.g. 0.02.")
  private Double maxDropFromStable;

  @Size(max = 4096)
  @JsonPropertyDescription("PromQL returning one number; $namespace, $deployment, $revision and $track are "
      + "replaced (escaped) for the track being judged.")
  private String query;

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Double getMax() {
    return max;
  }

  public void setMax(Double max) {
    this.max = max;
  }

  public Double getMin() {
    return min;
  }

  public void setMin(Double min) {
    this.min = min;
  }

  public Double getMaxRatioToStable() {
    return maxRatioToStable;
  }

  public void setMaxRatioToStable(Double maxRatioToStable) {
    this.maxRatioToStable = maxRatioToStable;
  }

  public Double getMaxDropFromStable() {
    return maxDropFromStable;
  }

  public void setMaxDropFromStable(Double maxDropFromStable) {
    this.maxDropFromStable = maxDropFromStable;
  }

  public String getQuery() {
    return query;
  }

  public void setQuery(String query) {
    this.query = query;
  }
}
