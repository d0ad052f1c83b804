package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One canary step. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStep {

  @Required
  @Min(1)
  @Max(100)
  @JsonPropertyDescription("Percent of the replicas that run the new revision at this step "
      + "(canary replicas = ceil(total × weight / 100)).")
  private Integer weight;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How long to hold this step, e.g. 2m; it advances once the time passed and an analysis "
      + "passed. Without a pause the step waits for a person: annotate modelpilot.io/promote=<status.canary.revision>.")
  private String pause;

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public String getPause() {
    return pause;
  }

  public void setPause(String pause) {
    this.pause = pause;
  }
}
