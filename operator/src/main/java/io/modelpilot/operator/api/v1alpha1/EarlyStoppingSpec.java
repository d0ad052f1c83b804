package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/**
 * Stops trials from the intermediate values they report: a custom trial prints lines
 * {@code MODELPILOT_INTERMEDIATE {"step": 3, "value": 0.81}} to its standard output.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EarlyStoppingSpec {

  public enum Type {
    @JsonProperty("Median") MEDIAN,
    @JsonProperty("Asha") ASHA
  }

  @Required
  @JsonPropertyDescription("Median: stop a trial whose best value so far is worse than the median of the other "
      + "trials at the same step. Asha: successive halving, keep the best 1/reductionFactor at each rung.")
  private Type type;

  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Completed trials needed before any trial is stopped. Defaults to 3.")
  private Integer minTrials;

  @Min(0)
  @JsonPropertyDescription("Steps a trial runs before it may be stopped. Defaults to 1.")
  private Long minSteps;

  @Min(2)
  @Max(16)
  @JsonPropertyDescription("Asha: keep 1 trial in this many at each rung. Defaults to 3.")
  private Integer reductionFactor;

  public Type getType() {
    return type;
  }

  public void setType(Type type) {
    this.type = type;
  }

  public Integer getMinTrials() {
    return minTrials;
  }

  public void setMinTrials(Integer minTrials) {
    this.minTrials = minTrials;
  }

  public Long getMinSteps() {
    return minSteps;
  }

  public void setMinSteps(Long minSteps) {
    this.minSteps = minSteps;
  }

  public Integer getReductionFactor() {
    return reductionFactor;
  }

  public void setReductionFactor(Integer reductionFactor) {
    this.reductionFactor = reductionFactor;
  }
}
