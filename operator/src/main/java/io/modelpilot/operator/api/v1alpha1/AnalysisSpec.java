package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

import java.util.List;

/** The canary analysis: metrics judged for canary and stable over the same window, every interval. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.interval) || duration(self.interval) >= duration('1s')",
    message = "interval must be at least 1s: it is also the window each query looks back over",
    reason = "FieldValueInvalid", fieldPath = ".interval")
public class AnalysisSpec {

  public static final String DEFAULT_INTERVAL = "30s";
  public static final int DEFAULT_FAILURE_LIMIT = 1;
  public static final long DEFAULT_MIN_REQUESTS = 50;

  @Size(max = 16)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("How often to judge the canary, and the window each query looks back over, e.g. 30s. "
      + "Defaults to 30s. At least 4 scrape intervals of the operator's Prometheus are used (condition "
      + "MetricsWindowAdjusted says so when that is longer).")
  @Default(DEFAULT_INTERVAL)
  private String interval;

  @Min(0)
  @Max(100)
  @JsonPropertyDescription("Failed analyses tolerated; one more rolls the canary back. Defaults to 1.")
  @Default("" + DEFAULT_FAILURE_LIMIT)
  private Integer failureLimit;

  @Min(0)
  @JsonPropertyDescription("Requests the canary must have served in the window before an analysis counts; "
      + "fewer make it inconclusive. Defaults to 50.")
  @Default("" + DEFAULT_MIN_REQUESTS)
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

  // The schema defaults these on a real API server; objects stored before a default existed (and the test
  // API server, which applies no schema) still arrive without them.

  public String intervalOrDefault() {
    return interval == null ? DEFAULT_INTERVAL : interval;
  }

  public int failureLimitOrDefault() {
    return failureLimit == null ? DEFAULT_FAILURE_LIMIT : failureLimit;
  }

  public long minRequestsOrDefault() {
    return minRequests == null ? DEFAULT_MIN_REQUESTS : minRequests;
  }
}
