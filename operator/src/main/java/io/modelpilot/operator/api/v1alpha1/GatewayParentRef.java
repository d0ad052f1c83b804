package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A Gateway, or one listener of it, as Gateway API's ParentReference names it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayParentRef {

  static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

  @Required
  @Size(min = 1, max = 253)
  @Pattern(DNS_SUBDOMAIN)
  @JsonPropertyDescription("Name of the Gateway.")
  private String name;

  @Size(min = 1, max = 63)
  @Pattern(DNS_LABEL)
  @JsonPropertyDescription("Namespace of the Gateway. Absent: the ModelDeployment's namespace.")
  private String namespace;

  @Size(min = 1, max = 253)
  @Pattern(DNS_SUBDOMAIN)
  @JsonPropertyDescription("One listener of the Gateway, by name. Absent: every listener that admits the route.")
  private String sectionName;

  public GatewayParentRef() {
  }

  public GatewayParentRef(String name, String namespace, String sectionName) {
    this.name = name;
    this.namespace = namespace;
    this.sectionName = sectionName;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public String getSectionName() {
    return sectionName;
  }

  public void setSectionName(String sectionName) {
    this.sectionName = sectionName;
  }
}
