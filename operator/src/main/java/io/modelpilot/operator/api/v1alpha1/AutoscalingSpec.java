package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.minReplicas) || self.minReplicas <= self.maxReplicas",
    message = "minReplicas must not exceed maxReplicas", reason = "FieldValueInvalid", fieldPath = ".minReplicas")
@ValidationRule(value = "!has(self.interval) || duration(self.interval) >= duration('1s')",
    message = "interval must be at least 1s", reason = "FieldValueInvalid", fieldPath = ".interval")
@ValidationRule(value = "!has(self.window) || (self.window.matches('^([0-9]+h)?([0-9]+m)?([0-9]+s)?$') "
    + "&& duration(self.window) >= duration('1s'))",
    message = "window must be whole hours, minutes and seconds as Prometheus reads a range, e.g. 1m or 1m30s, and at "
        + "least 1s", reason = "FieldValueInvalid", fieldPath = ".window")
public class AutoscalingSpec {

  public static final int DEFAULT_MIN_REPLICAS = 1;
  public static final String DEFAULT_INTERVAL = "15s";
  public static final String DEFAULT_WINDOW = "1m";

  @Min(0)
  @Max(1000)
  @JsonPropertyDescription("Fewest runtime pods. Defaults to 1; 0 allows scaling to zero when every metric is 0.")
  @Default("" + DEFAULT_MIN_REPLICAS)
  private Integer minReplicas;

  @Required
  @Min(1)
  @Max(1000)
  @JsonPropertyDescription("Most runtime pods.")
  private Integer maxReplicas;

  @Required
  @Size(min = 1, max = 10)
  @JsonPropertyDescription("What to scale on. Each metric proposes a replica count, as HPA computes it "
      + "(ceil(current × value / target), tolerance 0.1); the highest proposal wins.")
  private List<ScalingMetric> metrics;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How often the metrics are evaluated. Defaults to 15s.")
  @Default(DEFAULT_INTERVAL)
  private String interval;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Window of the rate() and quantile queries of the built-in metrics. Defaults to 1m. "
      + "At least 4 scrape intervals of the operator's Prometheus are used (condition MetricsWindowAdjusted says so "
      + "when that is longer).")
  @Default(DEFAULT_WINDOW)
  private String window;

  @Size(max = 2048)
  @Pattern("^https?://[^\\s]+$")
  @JsonPropertyDescription("Prometheus to query for this ModelDeployment; defaults to the operator's.")
  private String prometheusUrl;

  @JsonPropertyDescription("Scale-up and scale-down speed limits, as HPA's behavior field.")
  private ScalingBehavior behavior;

  public Integer getMinReplicas() {
    return minReplicas;
  }

  public void setMinReplicas(Integer minReplicas) {
    this.minReplicas = minReplicas;
  }

  public Integer getMaxReplicas() {
    return maxReplicas;
  }

  public void setMaxReplicas(Integer maxReplicas) {
    this.maxReplicas = maxReplicas;
  }

  public List<ScalingMetric> getMetrics() {
    return metrics;
  }

  public void setMetrics(List<ScalingMetric> metrics) {
    this.metrics = metrics;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public String getPrometheusUrl() {
    return prometheusUrl;
  }

  public void setPrometheusUrl(String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
  }

  public ScalingBehavior getBehavior() {
    return behavior;
  }

  public void setBehavior(ScalingBehavior behavior) {
    this.behavior = behavior;
  }

  public int minReplicasOrDefault() {
    return minReplicas == null ? DEFAULT_MIN_REPLICAS : minReplicas;
  }

  public String intervalOrDefault() {
    return interval == null ? DEFAULT_INTERVAL : interval;
  }

  public String windowOrDefault() {
    return window == null ? DEFAULT_WINDOW : window;
  }
}
