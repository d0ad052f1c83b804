package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class RuntimeSpec {

  @Size(max = 512)
  @Pattern("^[^\\s]+$")
  @JsonPropertyDescription("Runtime container image. Defaults to the operator's configured runtime image "
      + "(Helm value runtime.image).")
  private String image;

  @Min(0)
  @Max(256)
  @JsonPropertyDescription("ONNX Runtime intra-op threads (parallelism inside one operator). 0: one per CPU the "
      + "container may use (its CPU limit), rather than ONNX Runtime's own default, which counts the node's cores and "
      + "pins its threads to them.")
  private Integer intraOpThreads;

  @Min(0)
  @Max(256)
  @JsonPropertyDescription("ONNX Runtime inter-op threads (parallelism between independent operators). 0 lets "
      + "ONNX Runtime choose.")
  private Integer interOpThreads;

  @JsonPropertyDescription("ONNX Runtime graph optimization level: disabled, basic, extended or all. The runtime "
      + "defaults to all.")
  private OptimizationLevel optimizationLevel;

  @JsonPropertyDescription("Dynamic batching: concurrent requests are stacked along the first dimension and run "
      + "as one inference.")
  private BatchingSpec batching;

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public Integer getIntraOpThreads() {
    return intraOpThreads;
  }

  public void setIntraOpThreads(Integer intraOpThreads) {
    this.intraOpThreads = intraOpThreads;
  }

  public Integer getInterOpThreads() {
    return interOpThreads;
  }

  public void setInterOpThreads(Integer interOpThreads) {
    this.interOpThreads = interOpThreads;
  }

  public OptimizationLevel getOptimizationLevel() {
    return optimizationLevel;
  }

  public void setOptimizationLevel(OptimizationLevel optimizationLevel) {
    this.optimizationLevel = optimizationLevel;
  }

  public BatchingSpec getBatching() {
    return batching;
  }

  public void setBatching(BatchingSpec batching) {
    this.batching = batching;
  }
}
