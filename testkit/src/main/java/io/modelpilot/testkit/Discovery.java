package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's discovery documents, which clients such as kubectl read before anything else to map kinds to
 * resources: {@code /api}, {@code /api/v1}, {@code /apis} and {@code /apis/GROUP/VERSION}, for the built-in
 * resources the project uses and for every served version of the stored CRDs. (The stock mock serves only
 * {@code /apis/GROUP/VERSION}, without verbs or short names.)
 */
final class Discovery {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final List<String> VERBS =
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

  /** A built-in resource: name, kind, namespaced, short names. */
  private record Resource(String name, String kind, boolean namespaced, List<String> shortNames) {
  }

  /** Built-in group/version → its resources (the ones the operator and its tests touch, and their neighbours). */
  private static final Map<String, List<Resource>> BUILT_IN = new LinkedHashMap<>();

  static {
    BUILT_IN.put("v1", List.of(
        ns("pods", "Pod", "po"), ns("services", "Service", "svc"), ns("configmaps", "ConfigMap", "cm"),
        ns("secrets", "Secret"), ns("serviceaccounts", "ServiceAccount", "sa"), ns("events", "Event", "ev"),
        ns("endpoints", "Endpoints", "ep"), ns("persistentvolumeclaims", "PersistentVolumeClaim", "pvc"),
        cluster("namespaces", "Namespace", "ns"), cluster("nodes", "Node", "no"),
        cluster("persistentvolumes", "PersistentVolume", "pv")));
    BUILT_IN.put("apps/v1", List.of(ns("deployments", "Deployment", "deploy"), ns("replicasets", "ReplicaSet", "rs"),
        ns("statefulsets", "StatefulSet", "sts"), ns("daemonsets", "DaemonSet", "ds")));
    BUILT_IN.put("batch/v1", List.of(ns("jobs", "Job"), ns("cronjobs", "CronJob", "cj")));
    BUILT_IN.put("autoscaling/v2", List.of(ns("horizontalpodautoscalers", "HorizontalPodAutoscaler", "hpa")));
    BUILT_IN.put("policy/v1", List.of(ns("poddisruptionbudgets", "PodDisruptionBudget", "pdb")));
    BUILT_IN.put("coordination.k8s.io/v1", List.of(ns("leases", "Lease")));
    BUILT_IN.put("events.k8s.io/v1", List.of(ns("events", "Event", "ev")));
    BUILT_IN.put("discovery.k8s.io/v1", List.of(ns("endpointslices", "EndpointSlice")));
    BUILT_IN.put("networking.k8s.io/v1", List.of(ns("networkpolicies", "NetworkPolicy", "netpol"),
        ns("ingresses", "Ingress", "ing")));
    BUILT_IN.put("rbac.authorization.k8s.io/v1", List.of(ns("roles", "Role"), ns("rolebindings", "RoleBinding"),
        cluster("clusterroles", "ClusterRole"), cluster("clusterrolebindings", "ClusterRoleBinding")));
    BUILT_IN.put("apiextensions.k8s.io/v1",
        List.of(cluster("customresourcedefinitions", "CustomResourceDefinition", "crd", "crds")));
  }

  private final CustomResourceTypes customTypes;

  Discovery(CustomResourceTypes customTypes) {
    this.customTypes = customTypes;
  }

  /** The discovery document at {@code path}, or null when the path is not a discovery path. */
  MockResponse serve(String path) {
    if (path.equals("/api") || path.equals("/api/")) {
      ObjectNode versions = NODES.objectNode().put("kind", "APIVersions");
      versions.putArray("versions").add("v1");
      versions.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
          .put("serverAddress", "127.0.0.1");
      return json(versions);
    }
    if (path.equals("/apis") || path.equals("/apis/")) {
      return json(groupList());
    }
    if (path.equals("/api/v1")) {
      return json(resourceList("v1"));
    }
    if (path.equals("/openapi/v3") || path.equals("/openapi/v3/")) {
      return json(openApiV3Root());
    }
    if (path.startsWith("/openapi/v3/api")) {
      String groupVersion = path.substring("/openapi/v3/".length()).replaceFirst("^apis?/", "");
      return knows(groupVersion) ? json(openApiV3(groupVersion))
          : ApiStatus.notFound("the server could not find the requested resource");
    }
    if (path.startsWith("/openapi/")) {
      // no OpenAPI v2: clients (kubectl) read v3
      return ApiStatus.notFound("the server could not find the requested resource");
    }
    String[] parts = path.split("/");
    if (parts.length == 3 && parts[1].equals("apis")) {
      ObjectNode group = group(parts[2]);
      return group == null ? ApiStatus.notFound("the server could not find the requested resource") : json(group);
    }
    if (parts.length == 4 && parts[1].equals("apis")) {
      String groupVersion = parts[2] + "/" + parts[3];
      if (!knows(groupVersion)) {
        return ApiStatus.notFound("the server could not find the requested resource");
      }
      return json(resourceList(groupVersion));
    }
    return null;
  }

  private boolean knows(String groupVersion) {
    int slash = groupVersion.indexOf('/');
    return BUILT_IN.containsKey(groupVersion) || slash > 0
        && !customTypes.inGroupVersion(groupVersion.substring(0, slash), groupVersion.substring(slash + 1)).isEmpty();
  }

  /**
   * The OpenAPI v3 index: one document per group version. kubectl reads it to learn whether the server validates
   * fields itself ({@code fieldValidation}); it then leaves validation to the server.
   */
  private ObjectNode openApiV3Root() {
    ObjectNode root = NODES.objectNode();
    ObjectNode paths = root.putObject("paths");
    List<String> groupVersions = new java.util.ArrayList<>(BUILT_IN.keySet());
    customTypes.all().forEach(t -> {
      if (!groupVersions.contains(t.apiVersion())) {
        groupVersions.add(t.apiVersion());
      }
    });
    for (String gv : groupVersions) {
      String key = gv.equals("v1") ? "api/v1" : "apis/" + gv;
      paths.putObject(key).put("serverRelativeURL", "/openapi/v3/" + key + "?hash=" + Integer.toHexString(
          openApiV3(gv).toString().hashCode()));
    }
    return root;
  }

  /**
   * A group version's OpenAPI v3 document, reduced to what clients look up in it: the PATCH operation of each
   * resource with its {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} query parameter, and
   * the custom resources' schemas.
   */
  private ObjectNode openApiV3(String groupVersion) {
    ObjectNode doc = NODES.objectNode().put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Kubernetes").put("version", "v1.33.0");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    int slash = groupVersion.indexOf('/');
    String group = slash < 0 ? "" : groupVersion.substring(0, slash);
    String version = slash < 0 ? groupVersion : groupVersion.substring(slash + 1);
    String prefix = slash < 0 ? "/api/v1" : "/apis/" + groupVersion;
    for (Resource r : BUILT_IN.getOrDefault(groupVersion, List.of())) {
      patchPath(paths, prefix, r.name(), r.namespaced(), group, version, r.kind());
    }
    for (CustomResourceTypes.Type t : customTypes.inGroupVersion(group, version)) {
      patchPath(paths, prefix, t.plural(), t.namespaced(), group, version, t.kind());
      List<String> reversed = new java.util.ArrayList<>(java.util.Arrays.asList(group.split("\\.")));
      java.util.Collections.reverse(reversed);
      String name = String.join(".", reversed) + "." + version + "." + t.kind();
      if (t.schema().isObject()) {
        ObjectNode schema = t.schema().deepCopy();
        ArrayNode gvk = schema.putArray("x-kubernetes-group-version-kind");
        gvk.addObject().put("group", group).put("version", version).put("kind", t.kind());
        schemas.set(name, schema);
      }
    }
    return doc;
  }

  private static void patchPath(ObjectNode paths, String prefix, String plural, boolean namespaced, String group,
      String version, String kind) {
    String path = prefix + (namespaced ? "/namespaces/{namespace}/" : "/") + plural + "/{name}";
    ObjectNode patch = paths.putObject(path).putObject("patch");
    patch.putObject("x-kubernetes-group-version-kind").put("group", group).put("version", version).put("kind", kind);
    ArrayNode parameters = patch.putArray("parameters");
    for (String parameter : List.of("dryRun", "fieldManager", "fieldValidation", "force")) {
      parameters.addObject().put("name", parameter).put("in", "query").putObject("schema").put("type",
          parameter.equals("force") ? "boolean" : "string");
    }
    patch.putObject("responses").putObject("200").put("description", "OK");
  }

  private ObjectNode groupList() {
    ObjectNode list = NODES.objectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode groups = list.putArray("groups");
    for (String name : groupNames()) {
      groups.add(group(name));
    }
    return list;
  }

  private Set<String> groupNames() {
    Set<String> names = new LinkedHashSet<>();
    BUILT_IN.keySet().stream().filter(gv -> gv.contains("/")).forEach(gv -> names.add(gv.substring(0, gv.indexOf('/'))));
    customTypes.all().forEach(t -> names.add(t.group()));
    return names;
  }

  private ObjectNode group(String name) {
    Set<String> versions = new LinkedHashSet<>();
    BUILT_IN.keySet().stream().filter(gv -> gv.startsWith(name + "/")).forEach(gv -> versions.add(gv.substring(name.length() + 1)));
    customTypes.all().stream().filter(t -> t.group().equals(name)).forEach(t -> versions.add(t.version()));
    if (versions.isEmpty()) {
      return null;
    }
    ObjectNode group = NODES.objectNode().put("kind", "APIGroup").put("apiVersion", "v1").put("name", name);
    ArrayNode list = group.putArray("versions");
    for (String version : versions) {
      list.addObject().put("groupVersion", name + "/" + version).put("version", version);
    }
    String preferred = versions.iterator().next();
    group.putObject("preferredVersion").put("groupVersion", name + "/" + preferred).put("version", preferred);
    return group;
  }

  private ObjectNode resourceList(String groupVersion) {
    ObjectNode list = NODES.objectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (Resource r : BUILT_IN.getOrDefault(groupVersion, List.of())) {
      resource(resources, r.name(), r.kind().toLowerCase(), r.kind(), r.namespaced(), r.shortNames(),
          List.of());
      if (r.name().equals("pods")) {
        subresource(resources, "pods/log", "Pod", true, List.of("get"));
        subresource(resources, "pods/status", "Pod", true, List.of("get", "patch", "update"));
      } else if (r.name().equals("deployments") || r.name().equals("jobs")
          || r.name().equals("horizontalpodautoscalers")) {
        subresource(resources, r.name() + "/status", r.kind(), true, List.of("get", "patch", "update"));
      }
    }
    int slash = groupVersion.indexOf('/');
    if (slash > 0) {
      for (CustomResourceTypes.Type t : customTypes.inGroupVersion(groupVersion.substring(0, slash),
          groupVersion.substring(slash + 1))) {
        resource(resources, t.plural(), t.singular(), t.kind(), t.namespaced(), t.shortNames(), t.categories());
        if (t.statusSubresource()) {
          subresource(resources, t.plural() + "/status", t.kind(), t.namespaced(), List.of("get", "patch", "update"));
        }
      }
    }
    return list;
  }

  private static void resource(ArrayNode resources, String name, String singular, String kind, boolean namespaced,
      List<String> shortNames, List<String> categories) {
    ObjectNode r = resources.addObject().put("name", name).put("singularName", singular.toLowerCase())
        .put("namespaced", namespaced).put("kind", kind);
    ArrayNode verbs = r.putArray("verbs");
    VERBS.forEach(verbs::add);
    if (!shortNames.isEmpty()) {
      ArrayNode names = r.putArray("shortNames");
      shortNames.forEach(names::add);
    }
    if (!categories.isEmpty()) {
      ArrayNode names = r.putArray("categories");
      categories.forEach(names::add);
    }
  }

  private static void subresource(ArrayNode resources, String name, String kind, boolean namespaced, List<String> verbs) {
    ObjectNode r = resources.addObject().put("name", name).put("singularName", "").put("namespaced", namespaced)
        .put("kind", kind);
    ArrayNode list = r.putArray("verbs");
    verbs.forEach(list::add);
  }

  private static Resource ns(String name, String kind, String... shortNames) {
    return new Resource(name, kind, true, List.of(shortNames));
  }

  private static Resource cluster(String name, String kind, String... shortNames) {
    return new Resource(name, kind, false, List.of(shortNames));
  }

  private static MockResponse json(ObjectNode body) {
    return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
        .setBody(body.toString());
  }
}
