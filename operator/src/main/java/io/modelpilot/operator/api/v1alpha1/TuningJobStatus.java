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

  public static final int MAX_INTERMEDIATE = 32;

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
