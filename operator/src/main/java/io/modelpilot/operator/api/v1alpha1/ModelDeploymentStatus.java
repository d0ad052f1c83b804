package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ModelDeploymentStatus {

  @JsonPropertyDescription("The metadata.generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Ready, Progressing and Degraded, in the metav1 Condition shape.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Runtime pods desired.")
  private Integer replicas;

  @JsonPropertyDescription("Runtime pods ready to serve.")
  private Integer readyReplicas;

  @JsonPropertyDescription("ready/desired, for kubectl get.")
  private String replicaSummary;

  @JsonPropertyDescription("Hash of everything that shapes the runtime pod; the modelpilot.io/revision label.")
  private String revision;

  @JsonPropertyDescription("In-cluster URL of the model's Open Inference Protocol v2 endpoint.")
  private String endpoint;

  @JsonPropertyDescription("The autoscaler's last evaluation, when spec.autoscaling is set.")
  private AutoscalingStatus autoscaling;

  @JsonPropertyDescription("The canary of a new revision, when spec.rollout is set: its revision, step, weight "
      + "and phase, and the last analysis.")
  private CanaryStatus canary;

  public CanaryStatus getCanary() {
    return canary;
  }

  public void setCanary(CanaryStatus canary) {
    this.canary = canary;
  }

  public AutoscalingStatus getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingStatus autoscaling) {
    this.autoscaling = autoscaling;
  }

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public String getReplicaSummary() {
    return replicaSummary;
  }

  public void setReplicaSummary(String replicaSummary) {
    this.replicaSummary = replicaSummary;
  }

  public String getRevision() {
    return revision;
  }

  public void setRevision(String revision) {
    this.revision = revision;
  }

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelDeploymentStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions) && Objects.equals(replicas, s.replicas)
        && Objects.equals(readyReplicas, s.readyReplicas) && Objects.equals(replicaSummary, s.replicaSummary)
        && Objects.equals(revision, s.revision) && Objects.equals(endpoint, s.endpoint)
        && Objects.equals(autoscaling, s.autoscaling) && Objects.equals(canary, s.canary);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, conditions, replicas, readyReplicas, revision, endpoint);
  }
}
