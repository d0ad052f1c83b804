package io.modelpilot.testkit;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource path of a named API group, {@code /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUBRESOURCE]]},
 * without its query string; {@code namespace}, {@code name} and {@code subresource} are null where the path has
 * none. (Core group paths are not parsed: the stand-in only needs to recognise custom resources.)
 */
record ApiPath(String group, String version, String namespace, String plural, String name, String subresource) {

  private static final Pattern GROUP =
      Pattern.compile("^/apis/([^/]+)/([^/]+)(?:/namespaces/([^/]+))?/([^/]+)(?:/([^/]+))?(?:/([^/]+))?$");

  /** The resource the path addresses, or null for a core-group path or one that addresses none (discovery). */
  static ApiPath parse(String path) {
    int q = path.indexOf('?');
    String p = q < 0 ? path : path.substring(0, q);
    Matcher m = GROUP.matcher(p);
    if (m.matches()) {
      return new ApiPath(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6));
    }
    return null;
  }

  /**
   * Whether the group is one the API server serves itself (the unqualified ones such as apps and batch, and every
   * {@code *.k8s.io}); any other group exists only through a CustomResourceDefinition.
   */
  boolean builtIn() {
    return !group.contains(".") || group.endsWith(".k8s.io");
  }
}
