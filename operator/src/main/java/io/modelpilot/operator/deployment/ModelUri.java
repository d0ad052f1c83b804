package io.modelpilot.operator.deployment;

import io.modelpilot.operator.api.v1alpha1.ModelSource;

/** A spec.model.uri, with pvc://claim/path split into its claim and path. */
public record ModelUri(String uri, String claim, String pathInClaim) {

  public static ModelUri parse(String uri) {
    if (uri == null || !uri.matches(ModelSource.URI_PATTERN)) {
      throw new IllegalArgumentException("spec.model.uri must use file://, http://, https:// or pvc://<claim>/<path>: "
          + uri);
    }
    if (uri.startsWith("pvc://")) {
      String rest = uri.substring("pvc://".length());
      int slash = rest.indexOf('/');
      return new ModelUri(uri, rest.substring(0, slash), rest.substring(slash + 1));
    }
    return new ModelUri(uri, null, null);
  }

  public boolean onClaim() {
    return claim != null;
  }
}
