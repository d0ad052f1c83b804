package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;

import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.gpu) || !has(self.resources) || !has(self.resources.limits)"
    + " || !((has(self.gpu.resourceName) ? self.gpu.resourceName : 'nvidia.com/gpu') in self.resources.limits)",
    message = "set the GPU count with spec.gpu.count, not also in spec.resources.limits",
    reason = "FieldValueDuplicate", fieldPath = ".resources.limits")
@ValidationRule(value = "!has(self.gpu) || !has(self.resources) || !has(self.resources.requests)"
    + " || !((has(self.gpu.resourceName) ? self.gpu.resourceName : 'nvidia.com/gpu') in self.resources.requests)",
    message = "set the GPU count with spec.gpu.count, not also in spec.resources.requests",
    reason = "FieldValueDuplicate", fieldPath = ".resources.requests")
public class ModelDeploymentSpec {

  public static final int DEFAULT_REPLICAS = 1;

  @Required
  @JsonPropertyDescription("The ONNX model to serve: where it is and which version it is.")
  private ModelSource model;

  @JsonPropertyDescription("ONNX Runtime session and server settings of the runtime pods. These are the knobs a "
      + "TuningJob tunes; every change rolls out as a new revision.")
  private RuntimeSpec runtime;

  @JsonPropertyDescription("CPU and memory requests and limits of each runtime container. A cpu or memory request "
      + "or limit left out takes the operator's default (the chart's runtime.pod.resources). GPUs are requested "
      + "through spec.gpu, not here.")
  private ResourceRequirements resources;

  @JsonPropertyDescription("Run on GPU nodes: requests the GPUs, selects the GPU product's nodes, tolerates the "
      + "nvidia.com/gpu taint and turns on ONNX Runtime's CUDA execution provider.")
  private GpuSpec gpu;

  @JsonPropertyDescription("Node labels the runtime pods must match. Merged with the GPU product selector; "
      + "these entries win on a conflict.")
  private Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations of the runtime pods, added to the GPU toleration when spec.gpu is set.")
  private List<Toleration> tolerations;

  @Min(0)
  @Max(1000)
  @JsonPropertyDescription("Number of runtime pods when spec.autoscaling is absent. Defaults to 1.")
  private Integer replicas;

  @JsonPropertyDescription("Scale the runtime pods from Prometheus metrics, with HPA's algorithm, in the "
      + "operator's own loop (it knows about canaries and model load time).")
  private AutoscalingSpec autoscaling;

  @JsonPropertyDescription("Ship every new revision (model or runtime settings) as a canary beside the stable "
      + "track, judged by Prometheus, promoted or rolled back on its own. Without it a change rolls straight to "
      + "100% once ready.")
  private RolloutSpec rollout;

  public RolloutSpec getRollout() {
    return rollout;
  }

  public void setRollout(RolloutSpec rollout) {
    this.rollout = rollout;
  }

  public AutoscalingSpec getAutoscaling() {
    return autoscaling;
  }

  public void setAutoscaling(AutoscalingSpec autoscaling) {
    this.autoscaling = autoscaling;
  }

  public ModelSource getModel() {
    return model;
  }

  public void setModel(ModelSource model) {
    this.model = model;
  }

  public RuntimeSpec getRuntime() {
    return runtime;
  }

  public void setRuntime(RuntimeSpec runtime) {
    this.runtime = runtime;
  }

  public ResourceRequirements getResources() {
    return resources;
  }

  public void setResources(ResourceRequirements resources) {
    this.resources = resources;
  }

  public GpuSpec getGpu() {
    return gpu;
  }

  public void setGpu(GpuSpec gpu) {
    this.gpu = gpu;
  }

  public Map<String, String> getNodeSelector() {
    return nodeSelector;
  }

  public void setNodeSelector(Map<String, String> nodeSelector) {
    this.nodeSelector = nodeSelector;
  }

  public List<Toleration> getTolerations() {
    return tolerations;
  }

  public void setTolerations(List<Toleration> tolerations) {
    this.tolerations = tolerations;
  }

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  @JsonIgnore
  public int replicasOrDefault() {
    return replicas == null ? DEFAULT_REPLICAS : replicas;
  }
}
