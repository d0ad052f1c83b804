package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** How a new revision ships: canary steps judged by Prometheus. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.progressDeadline) || duration(self.progressDeadline) >= duration('10s')",
    message = "progressDeadline must be at least 10s: a canary's pods need time to start",
    reason = "FieldValueInvalid", fieldPath = ".progressDeadline")
public class RolloutSpec {

  public static final String DEFAULT_PROGRESS_DEADLINE = "10m";

  @Required
  @Size(min = 1, max = 20)
  @JsonPropertyDescription("Canary steps in order, each a share of the replicas for the new revision and how long "
      + "to hold it while the analysis runs. After the last step passes, the new revision is promoted.")
  private List<RolloutStep> steps;

  @JsonPropertyDescription("What judges the canary against the stable track, every interval.")
  private AnalysisSpec analysis;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How long the canary's pods may take to become ready before the rollout is rolled "
      + "back, e.g. 10m. Defaults to 10m.")
  @Default(DEFAULT_PROGRESS_DEADLINE)
  private String progressDeadline;

  @JsonPropertyDescription("How the requests are split between stable and canary. Absent: by their share of the "
      + "pods behind the model's one Service.")
  private TrafficSpec traffic;

  public List<RolloutStep> getSteps() {
    return steps;
  }

  public void setSteps(List<RolloutStep> steps) {
    this.steps = steps;
  }

  public AnalysisSpec getAnalysis() {
    return analysis;
  }

  public void setAnalysis(AnalysisSpec analysis) {
    this.analysis = analysis;
  }

  public String getProgressDeadline() {
    return progressDeadline;
  }

  public void setProgressDeadline(String progressDeadline) {
    this.progressDeadline = progressDeadline;
  }

  public TrafficSpec getTraffic() {
    return traffic;
  }

  public void setTraffic(TrafficSpec traffic) {
    this.traffic = traffic;
  }

  /** spec.rollout.traffic.gatewayAPI, or null. */
  public GatewayApiTraffic gatewayApiOrNull() {
    return traffic == null ? null : traffic.getGatewayApi();
  }

  public String progressDeadlineOrDefault() {
    return progressDeadline == null ? DEFAULT_PROGRESS_DEADLINE : progressDeadline;
  }
}
