package io.modelpilot.operator.deployment;

import io.modelpilot.operator.api.v1alpha1.ModelSource;

/** A spec.model.uri, with pvc://claim/path split into its claim and path. */
public record ModelUri(String uri, String claim, String pathInClaim) {

  public static ModelUri parse(String uri) {
    if (uri == null || !uri.matches(ModelSource.URI_PATTERN)) {
      throw new IllegalArgumentException("spec.model.uri must use file://, http://, https://, s3://<bucket>/<key> or "
          + "pvc://<claim>/<path>: " + uri);
    }
    if (uri.matches(".*/\\.\\.(/.*)?") || (uri.startsWith("file:") || uri.startsWith("pvc:"))
        && uri.toLowerCase(java.util.Locale.ROOT).matches(".*%2[ef].*")) {
      // the schema refuses these too; a server without the schema's rules must not mount outside the claim
      throw new IllegalArgumentException("spec.model.uri may not contain '..' segments, plain or percent-encoded: "
          + uri);
    }
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      return new ModelUri(uri, rest.substring(0, slash), rest.substring(slash + 1));
    }
    return new ModelUri(uri, null, null);
  }

  public boolean onS3() {
    return uri.startsWith("s3://");
  }

  /** Downloaded by the runtime (http, https, s3) rather than read from a file or a claim. */
  public boolean downloaded() {
    return uri.startsWith("http://") || uri.startsWith("https://") || onS3();
  }

  public boolean onClaim() {
    return claim != null;
  }
}
