package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Objects;

/** Where the canary of a new revision stands: all the operator needs to resume after a restart. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CanaryStatus {

  @JsonPropertyDescription("The revision being rolled out as the canary.")
  private String revision;

  @JsonPropertyDescription("Progressing, Paused, Promoted, RolledBack or Aborted.")
  private CanaryPhase phase;

  @JsonPropertyDescription("Index of the current step in spec.rollout.steps (0-based).")
  private Integer step;

  @JsonPropertyDescription("Percent of the replicas running the canary now.")
  private Integer weight;

  @JsonPropertyDescription("Percent of the requests the canary gets now. With traffic PodRatio its share of the "
      + "model's pods (canary pods / all pods), the step's weight rounded to whole pods: 10% of 4 pods is 1 canary pod "
      + "beside 3 stable, 25%. With traffic HTTPRoute the canary's weight in the route: the step's weight once the "
      + "canary's pods are ready, 0 before any is.")
  private Integer effectiveWeight;

  @JsonPropertyDescription("What splits the requests: PodRatio (one Service over both tracks) or HTTPRoute (the "
      + "operator's Gateway API route, spec.rollout.traffic.gatewayAPI).")
  private TrafficMode traffic;

  @JsonPropertyDescription("Failed analyses so far.")
  private Integer failures;

  @JsonPropertyDescription("Passing analyses in a row in the current step.")
  private Integer passesInARow;

  @JsonPropertyDescription("Why the canary is where it is: the failing metric with its value and threshold, or "
      + "what it waits for.")
  private String message;

  @JsonPropertyDescription("When the canary started (RFC 3339).")
  private String startedAt;

  @JsonPropertyDescription("When the current step started (RFC 3339).")
  private String stepStartedAt;

  @JsonPropertyDescription("When the last analysis ran (RFC 3339).")
  private String lastAnalysisAt;

  @JsonPropertyDescription("A revision that was rolled back or aborted: not rolled out again until the spec "
      + "changes.")
  private String failedRevision;

  @JsonPropertyDescription("The last analysis' verdict: Pass, Fail or Inconclusive.")
  private AnalysisVerdict lastVerdict;

  @JsonPropertyDescription("The last analysis in one line.")
  private String lastAnalysis;

  @JsonPropertyDescription("The last analysis, metric by metric.")
  private List<Judgement> analysis;

  @JsonPropertyDescription("The metric that failed the last failed analysis.")
  private Judgement lastFailure;

  @JsonPropertyDescription("Since when the canary's pods have not all been ready (RFC 3339); absent while ready.")
  private String notReadySince;

  @JsonPropertyDescription("Since when all the canary's pods have been ready (RFC 3339). Analysis starts one "
      + "interval (at least 15 s) later: a fresh pod's first requests warm its caches and JIT and are not what it "
      + "will serve.")
  private String readySince;

  @JsonPropertyDescription("Promote and abort annotations that name another revision than this canary's, as "
      + "annotation=value: ignored (an Event said so once). The operator never removes or rewrites them.")
  private List<String> ignoredAnnotations;

  public Integer getEffectiveWeight() {
    return effectiveWeight;
  }

  public void setEffectiveWeight(Integer effectiveWeight) {
    this.effectiveWeight = effectiveWeight;
  }

  public TrafficMode getTraffic() {
    return traffic;
  }

  public void setTraffic(TrafficMode traffic) {
    this.traffic = traffic;
  }

  public List<String> getIgnoredAnnotations() {
    return ignoredAnnotations;
  }

  public void setIgnoredAnnotations(List<String> ignoredAnnotations) {
    this.ignoredAnnotations = ignoredAnnotations;
  }

  public String getReadySince() {
    return readySince;
  }

  public void setReadySince(String readySince) {
    this.readySince = readySince;
  }

  public AnalysisVerdict getLastVerdict() {
    return lastVerdict;
  }

  public void setLastVerdict(AnalysisVerdict lastVerdict) {
    this.lastVerdict = lastVerdict;
  }

  public String getLastAnalysis() {
    return lastAnalysis;
  }

  public void setLastAnalysis(String lastAnalysis) {
    this.lastAnalysis = lastAnalysis;
  }

  public Judgement getLastFailure() {
    return lastFailure;
  }

  public void setLastFailure(Judgement lastFailure) {
    this.lastFailure = lastFailure;
  }

  public String getNotReadySince() {
    return notReadySince;
  }

  public void setNotReadySince(String notReadySince) {
    this.notReadySince = notReadySince;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public CanaryPhase getPhase() {
    return phase;
  }

  public void setPhase(CanaryPhase phase) {
    this.phase = phase;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getWeight() {
    return weight;
  }

  public void setWeight(Integer weight) {
    this.weight = weight;
  }

  public Integer getFailures() {
    return failures;
  }

  public void setFailures(Integer failures) {
    this.failures = failures;
  }

  public Integer getPassesInARow() {
    return passesInARow;
  }

  public void setPassesInARow(Integer passesInARow) {
    this.passesInARow = passesInARow;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public String getLastAnalysisAt() {
    return lastAnalysisAt;
  }

  public void setLastAnalysisAt(String lastAnalysisAt) {
    this.lastAnalysisAt = lastAnalysisAt;
  }

  public String getFailedRevision() {
    return failedRevision;
  }

  public void setFailedRevision(String failedRevision) {
    this.failedRevision = failedRevision;
  }

  public List<Judgement> getAnalysis() {
    return analysis;
  }

  public void setAnalysis(List<Judgement> analysis) {
    this.analysis = analysis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CanaryStatus c && Objects.equals(revision, c.revision) && Objects.equals(phase, c.phase)
        && Objects.equals(step, c.step) && Objects.equals(weight, c.weight) && Objects.equals(failures, c.failures)
        && Objects.equals(passesInARow, c.passesInARow) && Objects.equals(message, c.message)
        && Objects.equals(startedAt, c.startedAt) && Objects.equals(stepStartedAt, c.stepStartedAt)
        && Objects.equals(lastAnalysisAt, c.lastAnalysisAt) && Objects.equals(failedRevision, c.failedRevision)
        && Objects.equals(analysis, c.analysis) && Objects.equals(lastVerdict, c.lastVerdict)
        && Objects.equals(lastAnalysis, c.lastAnalysis) && Objects.equals(lastFailure, c.lastFailure)
        && Objects.equals(notReadySince, c.notReadySince) && Objects.equals(readySince, c.readySince)
        && Objects.equals(ignoredAnnotations, c.ignoredAnnotations)
        && Objects.equals(effectiveWeight, c.effectiveWeight) && Objects.equals(traffic, c.traffic);
  }

  @Override
  public int hashCode() {
    return Objects.hash(revision, phase, step, weight, failures, message);
  }

  /** One metric of one analysis. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Judgement {
    @JsonPropertyDescription("The metric, e.g. LatencyP99.")
    private String metric;
    @JsonPropertyDescription("Pass, Fail or Inconclusive.")
    private AnalysisVerdict verdict;
    @JsonPropertyDescription("The measured value (canary, or canary relative to stable).")
    private Double value;
    @JsonPropertyDescription("The threshold it was judged against, e.g. '<= 1.5x stable'.")
    private String threshold;
    @JsonPropertyDescription("What was measured and against what, e.g. 'p99 ratio to stable 1.82 > 1.5'.")
    private String message;

    public Judgement() {
    }

    public Judgement(String metric, AnalysisVerdict verdict, Double value, String threshold, String message) {
      this.metric = metric;
      this.verdict = verdict;
      this.value = value;
      this.threshold = threshold;
      this.message = message;
    }

    public Double getValue() {
      return value;
    }

    public void setValue(Double value) {
      this.value = value;
    }

    public String getThreshold() {
      return threshold;
    }

    public void setThreshold(String threshold) {
      this.threshold = threshold;
    }

    public String getMetric() {
      return metric;
    }

    public void setMetric(String metric) {
      this.metric = metric;
    }

    public AnalysisVerdict getVerdict() {
      return verdict;
    }

    public void setVerdict(AnalysisVerdict verdict) {
      this.verdict = verdict;
    }

    public String getMessage() {
      return message;
    }

    public void setMessage(String message) {
      this.message = message;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Judgement j && Objects.equals(metric, j.metric) && Objects.equals(verdict, j.verdict)
          && Objects.equals(value, j.value) && Objects.equals(threshold, j.threshold)
          && Objects.equals(message, j.message);
    }

    @Override
    public int hashCode() {
      return Objects.hash(metric, verdict, message);
    }
  }
}
