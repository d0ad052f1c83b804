package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/** Where and how to reach the S3 API of an s3:// model: AWS S3 by default, or any S3-compatible store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class S3Source {

  @Size(max = 2048)
  @Pattern("^https?://[^\\s/?#]+(/[^\\s?#]*)?$")
  @JsonPropertyDescription("URL of the S3 API, for MinIO, Ceph RGW or GCS's interoperability API "
      + "(https://storage.googleapis.com); AWS S3 when unset. An http:// URL needs spec.model.allowPlainHttp.")
  private String endpoint;

  @Size(max = 63)
  @Pattern("^[a-z0-9-]+$")
  @JsonPropertyDescription("Region that signs the requests (us-east-1 when unset; most S3-compatible stores accept "
      + "any).")
  private String region;

  @JsonPropertyDescription("Path-style requests (https://endpoint/bucket/key) rather than virtual-hosted ones "
      + "(https://bucket.endpoint/key): MinIO and most S3-compatible stores want true.")
  private Boolean pathStyle;

  public String getEndpoint() {
    return endpoint;
  }

  public void setEndpoint(String endpoint) {
    this.endpoint = endpoint;
  }

  public String getRegion() {
    return region;
  }

  public void setRegion(String region) {
    this.region = region;
  }

  public Boolean getPathStyle() {
    return pathStyle;
  }

  public void setPathStyle(Boolean pathStyle) {
    this.pathStyle = pathStyle;
  }
}
