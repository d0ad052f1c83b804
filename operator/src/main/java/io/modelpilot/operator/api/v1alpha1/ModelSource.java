package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.credentialsSecretRef) || self.uri.startsWith('http://') || self.uri.startsWith('https://')",
    message = "credentialsSecretRef applies only to http:// and https:// model URIs",
    reason = "FieldValueForbidden", fieldPath = ".credentialsSecretRef")
@ValidationRule(value = "!has(self.credentialsSecretRef) || !self.uri.startsWith('http://')",
    message = "credentials are only sent over TLS: use an https:// uri with credentialsSecretRef",
    reason = "FieldValueForbidden", fieldPath = ".credentialsSecretRef")
@ValidationRule(value = "!self.uri.matches('^[a-z]+://[^/]*@')",
    message = "uri may not carry user:password: put them in a Secret named by credentialsSecretRef",
    reason = "FieldValueForbidden", fieldPath = ".uri")
@ValidationRule(value = "!self.uri.matches('/[.][.](/|$)')",
    message = "uri may not contain '..' segments", reason = "FieldValueInvalid", fieldPath = ".uri")
public class ModelSource {

  /** file:///abs/path, http(s)://host/..., or pvc://claim/path (claim: a DNS-1123 subdomain). */
  public static final String URI_PATTERN =
      "^(file:///[^\\s]+|https?://[^\\s/]+(/[^\\s]*)?|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[^\\s]+)$";

  @Required
  @Size(max = 2048)
  @Pattern(URI_PATTERN)
  @JsonPropertyDescription("Where the ONNX model is: file:///path (inside the runtime image), http:// or https:// "
      + "(downloaded at start), or pvc://<claim>/<path> (the claim is mounted read-only).")
  private String uri;

  @Size(max = 63)
  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @JsonPropertyDescription("Version of the model, shown in kubectl get and labelled on every metric the runtime "
      + "exports (letters, digits, '-', '_', '.'; at most 63 characters).")
  private String version;

  @JsonPropertyDescription("Secret in the same namespace whose keys authenticate the model download "
      + "(http/https only): 'token' for a bearer token, or 'username' and 'password'. Mounted read-only at "
      + "/var/run/secrets/modelpilot/model-credentials.")
  private SecretReference credentialsSecretRef;

  public String getUri() {
    return uri;
  }

  public void setUri(String uri) {
    this.uri = uri;
  }

  public String getVersion() {
    return version;
  }

  public void setVersion(String version) {
    this.version = version;
  }

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}
