package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScalingRules {

  public enum SelectPolicy {
    @JsonProperty("Max") MAX,
    @JsonProperty("Min") MIN,
    @JsonProperty("Disabled") DISABLED
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Policy {

    public enum Type {
      @JsonProperty("Pods") PODS,
      @JsonProperty("Percent") PERCENT
    }

    @Required
    @JsonPropertyDescription("Pods (a number of pods) or Percent (of the pods at the start of the period).")
    private Type type;

    @Required
    @Min(1)
    @Max(10000)
    @JsonPropertyDescription("Pods or percent allowed per period.")
    private Integer value;

    @Required
    @Size(max = 16)
    @Pattern(Durations.PATTERN)
    @JsonPropertyDescription("The period, e.g. 15s (at most 30m).")
    private String period;

    public Type getType() {
      return type;
    }

    public void setType(Type type) {
      this.type = type;
    }

    public Integer getValue() {
      return value;
    }

    public void setValue(Integer value) {
      this.value = value;
    }

    public String getPeriod() {
      return period;
    }

    public void setPeriod(String period) {
      this.period = period;
    }
  }

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Recommendations of this long are considered: scale-down takes their highest, "
      + "scale-up their lowest.")
  private String stabilizationWindow;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("scaleDown only (not in HPA): a scale-down waits until the window's highest "
      + "recommendation has stopped falling for this long, then goes the whole way in one step instead of down a "
      + "staircase while load keeps falling. Defaults to 0s (HPA's behaviour).")
  private String settleWindow;

  @Size(max = 10)
  @JsonPropertyDescription("Rate limits; selectPolicy picks among them.")
  private List<Policy> policies;

  @JsonPropertyDescription("Max (the policy allowing the biggest change), Min, or Disabled (no scaling in this "
      + "direction).")
  private SelectPolicy selectPolicy;

  @Min(0)
  @Max(1)
  @JsonPropertyDescription("Ratio of value to target within which nothing changes. Defaults to 0.1.")
  private Double tolerance;

  public String getStabilizationWindow() {
    return stabilizationWindow;
  }

  public void setStabilizationWindow(String stabilizationWindow) {
    this.stabilizationWindow = stabilizationWindow;
  }

  public String getSettleWindow() {
    return settleWindow;
  }

  public void setSettleWindow(String settleWindow) {
    this.settleWindow = settleWindow;
  }

  public List<Policy> getPolicies() {
    return policies;
  }

  public void setPolicies(List<Policy> policies) {
    this.policies = policies;
  }

  public SelectPolicy getSelectPolicy() {
    return selectPolicy;
  }

  public void setSelectPolicy(SelectPolicy selectPolicy) {
    this.selectPolicy = selectPolicy;
  }

  public Double getTolerance() {
    return tolerance;
  }

  public void setTolerance(Double tolerance) {
    this.tolerance = tolerance;
  }
}
