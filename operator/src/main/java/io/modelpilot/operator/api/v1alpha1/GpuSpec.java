package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.resourceName) || (self.resourceName.contains('/') "
    + "&& !self.resourceName.startsWith('kubernetes.io/') && !self.resourceName.contains('.kubernetes.io/'))",
    message = "resourceName must be a device plugin's extended resource, vendor-domain/name such as nvidia.com/gpu "
        + "or amd.com/gpu (not cpu, memory or a kubernetes.io resource)",
    reason = "FieldValueInvalid", fieldPath = ".resourceName")
public class GpuSpec {

  public static final String DEFAULT_RESOURCE_NAME = "nvidia.com/gpu";

  @Required
  @Min(1)
  @Max(16)
  @JsonPropertyDescription("GPUs per runtime pod (the container limit of resourceName).")
  private Integer count;

  @Size(max = 63)
  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @JsonPropertyDescription("GPU product to run on, as the NVIDIA GPU feature discovery labels it "
      + "(node label nvidia.com/gpu.product), e.g. NVIDIA-A100-SXM4-80GB. Any GPU when absent.")
  private String product;

  @Size(max = 253)
  @Pattern("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$")
  @JsonPropertyDescription("Extended resource that counts the GPUs. Defaults to nvidia.com/gpu.")
  private String resourceName;

  public Integer getCount() {
    return count;
  }

  public void setCount(Integer count) {
    this.count = count;
  }

  public String getProduct() {
    return product;
  }

  public void setProduct(String product) {
    this.product = product;
  }

  public String getResourceName() {
    return resourceName;
  }

  public void setResourceName(String resourceName) {
    this.resourceName = resourceName;
  }

  @JsonIgnore
  public String resourceNameOrDefault() {
    return resourceName == null ? DEFAULT_RESOURCE_NAME : resourceName;
  }
}
