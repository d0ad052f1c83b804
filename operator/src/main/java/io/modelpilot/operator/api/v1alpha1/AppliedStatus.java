package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AppliedStatus {

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
