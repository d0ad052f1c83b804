package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.max) || has(self.min)", message = "a constraint needs max, min or both",
    reason = "FieldValueRequired")
@ValidationRule(value = "!has(self.max) || !has(self.min) || self.min <= self.max", message = "min must not exceed max",
    reason = "FieldValueInvalid", fieldPath = ".min")
public class TuningConstraint {

  @Required
  @Size(max = 63)
  @Pattern(TuningObjective.METRIC_PATTERN)
  @JsonPropertyDescription("A metric every trial reports.")
  private String metric;

  @JsonPropertyDescription("The largest value a trial may report.")
  private Double max;

  @JsonPropertyDescription("The smallest value a trial may report.")
  private Double min;

  public String getMetric() {
    return metric;
  }

  public void setMetric(String metric) {
    this.metric = metric;
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
}
