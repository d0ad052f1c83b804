package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** The canary analysis: metrics judged for canary and stable over the same window, every interval. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How often to judge the canary, and the window each query looks back over, e.g. 30s. "
      + "Defaults to 30s.")
  private String interval;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Failed analyses tolerated; one more rolls the canary back. Defaults to 1.")
  private Integer failureLimit;

  @Min(0)
  @JsonPropertyDescription("Requests the canary must have served in the window before an analysis counts; "
      + "fewer make it inconclusive. Defaults to 50.")
  private Long minRequests;

  @Size(max = 16)
  @JsonPropertyDescription("The metrics; each must pass. Without metrics the steps only wait out their pauses.")
  private List<AnalysisMetric> metrics;

  @Size(max = 2048)
  @io.fabric8.generator.annotation.Pattern("^https?://[^\\s]+$")
  @JsonPropertyDescription("Prometheus to query. Defaults to spec.autoscaling.prometheusUrl, then to the "
      + "operator's MODELPILOT_PROMETHEUS_URL.")
  private String prometheusUrl;

  public String getPrometheusUrl() {
    return prometheusUrl;
  }

  public void setPrometheusUrl(String prometheusUrl) {
    this.prometheusUrl = prometheusUrl;
  }

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public Integer getFailureLimit() {
    return failureLimit;
  }

  public void setFailureLimit(Integer failureLimit) {
    this.failureLimit = failureLimit;
  }

  public Long getMinRequests() {
    return minRequests;
  }

  public void setMinRequests(Long minRequests) {
    this.minRequests = minRequests;
  }

  public List<AnalysisMetric> getMetrics() {
    return metrics;
  }

  public void setMetrics(List<AnalysisMetric> metrics) {
    this.metrics = metrics;
  }
}
