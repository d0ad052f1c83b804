package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalingStatus {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class MetricStatus {
    @JsonPropertyDescription("The metric, as the reason texts name it.")
    private String name;
    @JsonPropertyDescription("Current value (per replica for per-replica targets), or absent without data.")
    private Double current;
    @JsonPropertyDescription("Its target.")
    private Double target;
    @JsonPropertyDescription("Replicas this metric asks for.")
    private Integer proposal;
    @JsonPropertyDescription("Why there is no value (Prometheus unreachable, no data, bad query).")
    private String unavailable;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Double getCurrent() {
      return current;
    }

    public void setCurrent(Double current) {
      this.current = current;
    }

    public Double getTarget() {
      return target;
    }

    public void setTarget(Double target) {
      this.target = target;
    }

    public Integer getProposal() {
      return proposal;
    }

    public void setProposal(Integer proposal) {
      this.proposal = proposal;
    }

    public String getUnavailable() {
      return unavailable;
    }

    public void setUnavailable(String unavailable) {
      this.unavailable = unavailable;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MetricStatus m && Objects.equals(name, m.name) && Objects.equals(current, m.current)
          && Objects.equals(target, m.target) && Objects.equals(proposal, m.proposal)
          && Objects.equals(unavailable, m.unavailable);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, current, target, proposal, unavailable);
    }
  }

  @JsonPropertyDescription("Replicas the autoscaler wants; the runtime Deployment gets this count.")
  private Integer desiredReplicas;

  @JsonPropertyDescription("When the replica count last changed.")
  private String lastScaleTime;

  @JsonPropertyDescription("The last decision and why, e.g. 'scaled 2→4: requests/s per replica 81 > 50'.")
  private String lastDecision;

  @JsonPropertyDescription("Each metric's current value, target and proposal at the last evaluation.")
  private List<MetricStatus> metrics;

  @JsonPropertyDescription("When the metrics were last evaluated (RFC 3339).")
  private String lastEvaluationTime;

  @JsonPropertyDescription("What the stabilization windows and rate policies remember, so that a restarted operator "
      + "goes on where it stood: bounded by the windows (at most maxReplicas - minReplicas + 1 recommendations).")
  private History history;

  /** The autoscaler's memory between evaluations. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class History {
    @JsonPropertyDescription("Replica counts the metrics asked for, newest of each count, as 'RFC 3339=count'.")
    private List<String> recommendations;
    @JsonPropertyDescription("Changes the autoscaler made within the longest policy period, as 'RFC 3339=change'.")
    private List<String> scaleEvents;
    @JsonPropertyDescription("Ready pods at recent evaluations within the metrics window, as 'RFC 3339=ready'.")
    private List<String> readySamples;

    public List<String> getRecommendations() {
      return recommendations;
    }

    public void setRecommendations(List<String> recommendations) {
      this.recommendations = recommendations;
    }

    public List<String> getScaleEvents() {
      return scaleEvents;
    }

    public void setScaleEvents(List<String> scaleEvents) {
      this.scaleEvents = scaleEvents;
    }

    public List<String> getReadySamples() {
      return readySamples;
    }

    public void setReadySamples(List<String> readySamples) {
      this.readySamples = readySamples;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof History h && Objects.equals(recommendations, h.recommendations)
          && Objects.equals(scaleEvents, h.scaleEvents) && Objects.equals(readySamples, h.readySamples);
    }

    @Override
    public int hashCode() {
      return Objects.hash(recommendations, scaleEvents, readySamples);
    }
  }

  public String getLastEvaluationTime() {
    return lastEvaluationTime;
  }

  public void setLastEvaluationTime(String lastEvaluationTime) {
    this.lastEvaluationTime = lastEvaluationTime;
  }

  public History getHistory() {
    return history;
  }

  public void setHistory(History history) {
    this.history = history;
  }

  public Integer getDesiredReplicas() {
    return desiredReplicas;
  }

  public void setDesiredReplicas(Integer desiredReplicas) {
    this.desiredReplicas = desiredReplicas;
  }

  public String getLastScaleTime() {
    return lastScaleTime;
  }

  public void setLastScaleTime(String lastScaleTime) {
    this.lastScaleTime = lastScaleTime;
  }

  public String getLastDecision() {
    return lastDecision;
  }

  public void setLastDecision(String lastDecision) {
    this.lastDecision = lastDecision;
  }

  public List<MetricStatus> getMetrics() {
    return metrics;
  }

  public void setMetrics(List<MetricStatus> metrics) {
    this.metrics = metrics;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AutoscalingStatus s && Objects.equals(desiredReplicas, s.desiredReplicas)
        && Objects.equals(lastScaleTime, s.lastScaleTime) && Objects.equals(lastDecision, s.lastDecision)
        && Objects.equals(metrics, s.metrics) && Objects.equals(lastEvaluationTime, s.lastEvaluationTime)
        && Objects.equals(history, s.history);
  }

  @Override
  public int hashCode() {
    return Objects.hash(desiredReplicas, lastScaleTime, lastDecision, metrics);
  }
}
