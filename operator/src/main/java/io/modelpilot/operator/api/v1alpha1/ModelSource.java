package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.credentialsSecretRef) || self.uri.startsWith('http://') || self.uri.startsWith('https://') "
    + "|| self.uri.startsWith('s3://')",
    message = "credentialsSecretRef applies only to http://, https:// and s3:// model URIs",
    reason = "FieldValueForbidden", fieldPath = ".credentialsSecretRef")
@ValidationRule(value = "!has(self.credentialsSecretRef) || !self.uri.startsWith('http://') "
    + "|| (has(self.allowPlainHttp) && self.allowPlainHttp)",
    message = "credentials are only sent over TLS: use an https:// uri with credentialsSecretRef, or set "
        + "allowPlainHttp: true for a server without TLS",
    reason = "FieldValueForbidden", fieldPath = ".credentialsSecretRef")
@ValidationRule(value = "!has(self.s3) || self.uri.startsWith('s3://')",
    message = "s3 applies only to s3:// model URIs", reason = "FieldValueForbidden", fieldPath = ".s3")
@ValidationRule(value = "!has(self.s3) || !has(self.s3.endpoint) || !self.s3.endpoint.startsWith('http://') "
    + "|| (has(self.allowPlainHttp) && self.allowPlainHttp)",
    message = "S3 requests go only over TLS: use an https:// endpoint, or set allowPlainHttp: true for a local "
        + "MinIO or S3Proxy without TLS",
    reason = "FieldValueForbidden", fieldPath = ".s3.endpoint")
@ValidationRule(value = "!has(self.maxSize) || self.uri.startsWith('http://') || self.uri.startsWith('https://') "
    + "|| self.uri.startsWith('s3://')",
    message = "maxSize caps downloads: it applies only to http://, https:// and s3:// model URIs",
    reason = "FieldValueForbidden", fieldPath = ".maxSize")
@ValidationRule(value = "!self.uri.matches('^[a-z0-9]+://[^/]*@')",
    message = "uri may not carry user:password: put them in a Secret named by credentialsSecretRef",
    reason = "FieldValueForbidden", fieldPath = ".uri")
@ValidationRule(value = "!self.uri.matches('/[.][.](/|$)')",
    message = "uri may not contain '..' segments", reason = "FieldValueInvalid", fieldPath = ".uri")
@ValidationRule(value = "!(self.uri.startsWith('file://') || self.uri.startsWith('pvc://')) "
    + "|| !self.uri.matches('%2[eEfF]')",
    message = "a file:// or pvc:// uri may not contain percent-encoded dots or slashes (%2e, %2f)",
    reason = "FieldValueInvalid", fieldPath = ".uri")
public class ModelSource {

  /**
   * file:///abs/path, http(s)://host/..., pvc://claim/path (claim: a DNS-1123 subdomain), or s3://bucket/key
   * (bucket: 3 to 63 lower-case letters, digits, '.' and '-').
   */
  public static final String URI_PATTERN = "^(file:///[^\\s]+|https?://[^\\s/]+(/[^\\s]*)?"
      + "|pvc://[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[^\\s]+|s3://[a-z0-9][-a-z0-9.]{1,61}[a-z0-9]/[^\\s]+)$";

  /** A size in bytes, with an optional binary or decimal suffix, as Kubernetes quantities write them. */
  public static final String SIZE_PATTERN = "^[1-9][0-9]*(Ki|Mi|Gi|Ti|k|M|G|T)?$";

  @Required
  @Size(max = 2048)
  @Pattern(URI_PATTERN)
  @JsonPropertyDescription("Where the ONNX model is: file:///path (inside the runtime image), http:// or https:// "
      + "(downloaded at start), s3://<bucket>/<key> (AWS S3 or any S3-compatible store, see s3), or "
      + "pvc://<claim>/<path> (the claim is mounted read-only).")
  private String uri;

  @Size(max = 63)
  @Pattern("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
  @JsonPropertyDescription("Version of the model, shown in kubectl get and labelled on every metric the runtime "
      + "exports (letters, digits, '-', '_', '.'; at most 63 characters).")
  private String version;

  @JsonPropertyDescription("Secret in the same namespace whose keys authenticate the model download: for "
      + "http(s), 'token' for a bearer token, or 'username' and 'password'; for s3://, 'accessKeyId' and "
      + "'secretAccessKey' (and 'sessionToken' for temporary credentials; without a Secret the AWS SDK's default "
      + "chain, e.g. the pod's or node's identity, applies). Mounted read-only at "
      + "/var/run/secrets/modelpilot/model-credentials, never put in the environment.")
  private SecretReference credentialsSecretRef;

  @Pattern("^[0-9a-fA-F]{64}$")
  @JsonPropertyDescription("Hex SHA-256 the model file must have (any scheme). A mismatch stops the pod, and the "
      + "ModelDeployment reports Ready=False with reason ModelDigestMismatch. Downloads are kept in the pod under "
      + "this digest, so a restarted container does not download the model again.")
  private String sha256;

  @Size(max = 16)
  @Pattern(SIZE_PATTERN)
  @JsonPropertyDescription("Largest model the runtime downloads (http, https, s3), as a quantity such as 2Gi; "
      + "4Gi when unset. Also the size limit of the pod's download cache.")
  private String maxSize;

  @JsonPropertyDescription("S3 API settings of an s3:// uri: endpoint (MinIO, Ceph RGW, GCS interoperability), "
      + "region, path-style access.")
  private S3Source s3;

  @JsonPropertyDescription("Allow plain http for a download that carries credentials (an http:// uri with "
      + "credentialsSecretRef, or an http:// s3.endpoint): for a local MinIO or S3Proxy without TLS only.")
  private Boolean allowPlainHttp;

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

  public String getSha256() {
    return sha256;
  }

  public void setSha256(String sha256) {
    this.sha256 = sha256;
  }

  public String getMaxSize() {
    return maxSize;
  }

  public void setMaxSize(String maxSize) {
    this.maxSize = maxSize;
  }

  public S3Source getS3() {
    return s3;
  }

  public void setS3(S3Source s3) {
    this.s3 = s3;
  }

  public Boolean getAllowPlainHttp() {
    return allowPlainHttp;
  }

  public void setAllowPlainHttp(Boolean allowPlainHttp) {
    this.allowPlainHttp = allowPlainHttp;
  }

  public SecretReference getCredentialsSecretRef() {
    return credentialsSecretRef;
  }

  public void setCredentialsSecretRef(SecretReference credentialsSecretRef) {
    this.credentialsSecretRef = credentialsSecretRef;
  }
}
