package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.List;

/**
 * spec.rollout.traffic.gatewayAPI: where the operator's HTTPRoute attaches. The route sends every path of its
 * hostnames to the model's two track Services.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayApiTraffic {

  /** Gateway API's Hostname: a DNS name, optionally with a leading wildcard label. */
  static final String HOSTNAME = "^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @Required
  @Size(min = 1, max = 32)
  @ValidationRule(value = "self.all(p, self.exists_one(q, q.name == p.name"
      + " && (has(q.namespace) ? q.namespace : '') == (has(p.namespace) ? p.namespace : '')"
      + " && (has(q.sectionName) ? q.sectionName : '') == (has(p.sectionName) ? p.sectionName : '')))",
      message = "parentRefs must be unique: each names another Gateway or listener (name, namespace, sectionName)",
      reason = "FieldValueDuplicate")
  @JsonPropertyDescription("The Gateways (or Gateway listeners) the HTTPRoute attaches to; the Gateway's "
      + "allowedRoutes must admit routes from this namespace.")
  private List<GatewayParentRef> parentRefs;

  @Size(max = 16)
  @ValidationRule(value = "self.all(h, self.exists_one(o, o == h))", message = "hostnames must be unique",
      reason = "FieldValueDuplicate")
  @JsonPropertyDescription("Host names the route answers, e.g. fraud.models.example.com or *.models.example.com. "
      + "Absent: every host name the Gateway's listener accepts.")
  private List<@Size(min = 1, max = 253) @Pattern(HOSTNAME) String> hostnames;

  public List<GatewayParentRef> getParentRefs() {
    return parentRefs;
  }

  public void setParentRefs(List<GatewayParentRef> parentRefs) {
    this.parentRefs = parentRefs;
  }

  public List<String> getHostnames() {
    return hostnames;
  }

  public void setHostnames(List<String> hostnames) {
    this.hostnames = hostnames;
  }
}
