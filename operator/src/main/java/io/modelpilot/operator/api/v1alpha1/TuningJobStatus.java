package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Where a TuningJob stands: every trial, the best one, and what became of it online. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class TuningJobStatus {

  public enum Phase {
    @JsonProperty("Pending") PENDING,
    @JsonProperty("Running") RUNNING,
    @JsonProperty("Applying") APPLYING,
    @JsonProperty("Succeeded") SUCCEEDED,
    @JsonProperty("Failed") FAILED;

    public boolean terminal() {
      return this == SUCCEEDED || this == FAILED;
    }
  }

  @JsonPropertyDescription("The generation of the spec this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Running (trials), Applying (the winner's canary), Succeeded or Failed.")
  private Phase phase;

  @JsonPropertyDescription("Ready, Progressing and Degraded, in metav1 shape.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Finished trials / maxTrials, e.g. 7/24.")
  private String trialSummary;

  @JsonPropertyDescription("Every trial, in the order it was created.")
  private List<TrialStatus> trials = new ArrayList<>();

  @JsonPropertyDescription("The best feasible trial so far.")
  private BestTrial bestTrial;

  @JsonPropertyDescription("The best parameters and the exact merge patch of the target's spec that applies them "
      + "(written under both policies; with Manual, this is the outcome).")
  private Recommendation recommendation;

  @JsonPropertyDescription("The revision the best parameters were shipped as (policy Canary), and whether its "
      + "canary was promoted.")
  private AppliedStatus applied;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TrialStatus {

    public enum Phase {
      @JsonProperty("Pending") PENDING,
      @JsonProperty("Running") RUNNING,
      @JsonProperty("Succeeded") SUCCEEDED,
      @JsonProperty("Failed") FAILED,
      @JsonProperty("EarlyStopped") EARLY_STOPPED;

      public boolean finished() {
        return this == SUCCEEDED || this == FAILED || this == EARLY_STOPPED;
      }
    }

    @JsonPropertyDescription("The trial's name, also its Job's.")
    private String name;

    @JsonPropertyDescription("The point tried, as text.")
    private Map<String, String> parameters;

    @JsonPropertyDescription("What the trial reported.")
    private Map<String, Double> metrics;

    @JsonPropertyDescription("Pending, Running, Succeeded, Failed or EarlyStopped.")
    private Phase phase;

    @JsonPropertyDescription("Why the trial ended as it did (CamelCase), for Failed and EarlyStopped.")
    private String reason;

    @JsonPropertyDescription("What happened, in a sentence.")
    private String message;

    @JsonPropertyDescription("Whether the trial met every constraint (only for Succeeded).")
    private Boolean feasible;

    @JsonPropertyDescription("The objective's values the trial reported while it ran, by step (for early stopping; "
        + "at most " + MAX_INTERMEDIATE + ").")
    private List<IntermediateValue> intermediate;

    public TrialStatus() {
    }

    public TrialStatus(String name, Map<String, String> parameters, Phase phase) {
      this.name = name;
      this.parameters = parameters;
      this.phase = phase;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof TrialStatus t && Objects.equals(name, t.name) && Objects.equals(parameters, t.parameters)
          && Objects.equals(metrics, t.metrics) && phase == t.phase && Objects.equals(reason, t.reason)
          && Objects.equals(message, t.message) && Objects.equals(feasible, t.feasible)
          && Objects.equals(intermediate, t.intermediate);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, phase);
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Map<String, String> getParameters() {
      return parameters;
    }

    public void setParameters(Map<String, String> parameters) {
      this.parameters = parameters;
    }

    public Map<String, Double> getMetrics() {
      return metrics;
    }

    public void setMetrics(Map<String, Double> metrics) {
      this.metrics = metrics;
    }

    public Phase getPhase() {
      return phase;
    }

    public void setPhase(Phase phase) {
      this.phase = phase;
    }

    public String getReason() {
      return reason;
    }

    public void setReason(String reason) {
      this.reason = reason;
    }

    public String getMessage() {
      return message;
    }

    public void setMessage(String message) {
      this.message = message;
    }

    public Boolean getFeasible() {
      return feasible;
    }

    public void setFeasible(Boolean feasible) {
      this.feasible = feasible;
    }

    public List<IntermediateValue> getIntermediate() {
      return intermediate;
    }

    public void setIntermediate(List<IntermediateValue> intermediate) {
      this.intermediate = intermediate;
    }
  }

  public static final int MAX_INTERMEDIATE = 64;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class IntermediateValue {

    @JsonPropertyDescription("Units of work done: epochs, requests, seconds.")
    private Long step;

    @JsonPropertyDescription("The objective's value after them.")
    private Double value;

    public IntermediateValue() {
    }

    public IntermediateValue(long step, double value) {
      this.step = step;
      this.value = value;
    }

    public Long getStep() {
      return step;
    }

    public void setStep(Long step) {
      this.step = step;
    }

    public Double getValue() {
      return value;
    }

    public void setValue(Double value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof IntermediateValue v && Objects.equals(step, v.step) && Objects.equals(value, v.value);
    }

    @Override
    public int hashCode() {
      return Objects.hash(step, value);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class BestTrial {

    @JsonPropertyDescription("The trial's name.")
    private String name;

    @JsonPropertyDescription("Its parameters.")
    private Map<String, String> parameters;

    @JsonPropertyDescription("Its objective value.")
    private Double value;

    @JsonPropertyDescription("metric=value, for kubectl get.")
    private String summary;

    @Override
    public boolean equals(Object o) {
      return o instanceof BestTrial b && Objects.equals(name, b.name) && Objects.equals(parameters, b.parameters)
          && Objects.equals(value, b.value) && Objects.equals(summary, b.summary);
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, value);
    }

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public Map<String, String> getParameters() {
      return parameters;
    }

    public void setParameters(Map<String, String> parameters) {
      this.parameters = parameters;
    }

    public Double getValue() {
      return value;
    }

    public void setValue(Double value) {
      this.value = value;
    }

    public String getSummary() {
      return summary;
    }

    public void setSummary(String summary) {
      this.summary = summary;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Recommendation {

    @JsonPropertyDescription("The best parameters by path, e.g. spec.runtime.intraOpThreads: \"4\".")
    private Map<String, String> parameters;

    @JsonPropertyDescription("JSON merge patch (RFC 7386) of the target that applies them, for kubectl patch --type "
        + "merge or a GitOps change.")
    private String patch;

    @Override
    public boolean equals(Object o) {
      return o instanceof Recommendation r && Objects.equals(parameters, r.parameters)
          && Objects.equals(patch, r.patch);
    }

    @Override
    public int hashCode() {
      return Objects.hash(parameters, patch);
    }

    public Map<String, String> getParameters() {
      return parameters;
    }

    public void setParameters(Map<String, String> parameters) {
      this.parameters = parameters;
    }

    public String getPatch() {
      return patch;
    }

    public void setPatch(String patch) {
      this.patch = patch;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AppliedStatus {

    public enum Outcome {
      @JsonProperty("Pending") PENDING,
      @JsonProperty("Promoted") PROMOTED,
      @JsonProperty("RolledBack") ROLLED_BACK,
      @JsonProperty("Superseded") SUPERSEDED
    }

    @JsonPropertyDescription("The target's revision that carries the best parameters.")
    private String revision;

    @JsonPropertyDescription("Pending (its canary runs), Promoted, RolledBack, or Superseded (the target's spec "
        + "changed before the canary ended).")
    private Outcome outcome;

    @JsonPropertyDescription("The metric that failed the canary, for RolledBack.")
    private String failingMetric;

    @JsonPropertyDescription("When the parameters were patched into the target (RFC 3339).")
    private String appliedAt;

    @Override
    public boolean equals(Object o) {
      return o instanceof AppliedStatus a && Objects.equals(revision, a.revision) && outcome == a.outcome
          && Objects.equals(failingMetric, a.failingMetric) && Objects.equals(appliedAt, a.appliedAt);
    }

    @Override
    public int hashCode() {
      return Objects.hash(revision, outcome);
    }

    public String getRevision() {
      return revision;
    }

    public void setRevision(String revision) {
      this.revision = revision;
    }

    public Outcome getOutcome() {
      return outcome;
    }

    public void setOutcome(Outcome outcome) {
      this.outcome = outcome;
    }

    public String getFailingMetric() {
      return failingMetric;
    }

    public void setFailingMetric(String failingMetric) {
      this.failingMetric = failingMetric;
    }

    public String getAppliedAt() {
      return appliedAt;
    }

    public void setAppliedAt(String appliedAt) {
      this.appliedAt = appliedAt;
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TuningJobStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && phase == s.phase && Objects.equals(conditions, s.conditions) && Objects.equals(trialSummary, s.trialSummary)
        && Objects.equals(trials, s.trials) && Objects.equals(bestTrial, s.bestTrial)
        && Objects.equals(recommendation, s.recommendation) && Objects.equals(applied, s.applied);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, trialSummary);
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public Phase getPhase() {
    return phase;
  }

  public void setPhase(Phase phase) {
    this.phase = phase;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public String getTrialSummary() {
    return trialSummary;
  }

  public void setTrialSummary(String trialSummary) {
    this.trialSummary = trialSummary;
  }

  public List<TrialStatus> getTrials() {
    return trials;
  }

  public void setTrials(List<TrialStatus> trials) {
    this.trials = trials;
  }

  public BestTrial getBestTrial() {
    return bestTrial;
  }

  public void setBestTrial(BestTrial bestTrial) {
    this.bestTrial = bestTrial;
  }

  public Recommendation getRecommendation() {
    return recommendation;
  }

  public void setRecommendation(Recommendation recommendation) {
    this.recommendation = recommendation;
  }

  public AppliedStatus getApplied() {
    return applied;
  }

  public void setApplied(AppliedStatus applied) {
    this.applied = applied;
  }
}
