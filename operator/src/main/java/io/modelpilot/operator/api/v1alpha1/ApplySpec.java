package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ApplySpec {

  public enum Policy {
    @JsonProperty("Canary") CANARY,
    @JsonProperty("Manual") MANUAL
  }

  @Default("Manual")
  @JsonPropertyDescription("Canary: patch the best parameters into the target's spec (field manager "
      + "modelpilot-tuning), which ships them as a canary judged by the target's spec.rollout; status.applied says "
      + "whether production agreed. Manual (GitOps-safe): never touch the target, write the recommendation and the "
      + "exact patch into status.recommendation. Defaults to Manual.")
  private Policy policy;

  @JsonPropertyDescription("With throughput as the objective and a latency constraint: set the target's "
      + "RequestsPerSecond autoscaling targetPerReplica to this share (0-1] of the best trial's measured throughput. "
      + "Off when absent.")
  @io.fabric8.generator.annotation.Min(0.01)
  @io.fabric8.generator.annotation.Max(1.0)
  private Double capacityTargetShare;

  public Policy policyOrDefault() {
    return policy == null ? Policy.MANUAL : policy;
  }

  public Policy getPolicy() {
    return policy;
  }

  public void setPolicy(Policy policy) {
    this.policy = policy;
  }

  public Double getCapacityTargetShare() {
    return capacityTargetShare;
  }

  public void setCapacityTargetShare(Double capacityTargetShare) {
    this.capacityTargetShare = capacityTargetShare;
  }
}
