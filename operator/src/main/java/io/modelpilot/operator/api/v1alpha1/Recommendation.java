package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.List;
import java.util.Map;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Recommendation {

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
