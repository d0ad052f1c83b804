package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * How server-side apply treats a list: atomic (replaced whole), a set of scalars, or a map keyed by some fields of
 * its items. Custom resources say so in their schema ({@code x-kubernetes-list-type},
 * {@code x-kubernetes-list-map-keys}); built-in types by their strategic merge keys, of which this knows the ones
 * the operator's objects use (pod templates, Services, metadata).
 */
final class ListTypes {

  /** A list's type: {@code keys} null for atomic, empty for a set, else the map keys. */
  record ListType(List<String> keys) {
    static final ListType ATOMIC = new ListType(null);
    static final ListType SET = new ListType(List.of());

    boolean atomic() {
      return keys == null;
    }

    boolean set() {
      return keys != null && keys.isEmpty();
    }
  }

  private final JsonNode schema;

  private ListTypes(JsonNode schema) {
    this.schema = schema;
  }

  /** The list types of a custom resource, by its CRD schema (metadata lists as for every object). */
  static ListTypes ofSchema(JsonNode openApiV3Schema) {
    return new ListTypes(openApiV3Schema);
  }

  /** The list types of a built-in object, by the Kubernetes strategic merge keys. */
  static ListTypes builtIn() {
    return new ListTypes(null);
  }

  /** The type of the list at {@code path} (field names from the object's root; list items add no element). */
  ListType at(List<String> path) {
    if (schema == null || (!path.isEmpty() && path.get(0).equals("metadata"))) {
      return builtInAt(path);
    }
    JsonNode node = schema;
    for (String field : path) {
      while (node.has("items")) {
        node = node.get("items");
      }
      JsonNode properties = node.path("properties");
      if (properties.has(field)) {
        node = properties.get(field);
      } else if (node.path("additionalProperties").isObject()) {
        node = node.get("additionalProperties");
      } else {
        return ListType.ATOMIC;
      }
    }
    switch (node.path("x-kubernetes-list-type").asText("atomic")) {
      case "map": {
        List<String> keys = new java.util.ArrayList<>();
        node.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asText()));
        return keys.isEmpty() ? ListType.ATOMIC : new ListType(List.copyOf(keys));
      }
      case "set":
        return ListType.SET;
      default:
        return ListType.ATOMIC;
    }
  }

  /** The strategic merge keys of the built-in types (k8s.io/api, {@code patchMergeKey} / listType=map). */
  private static ListType builtInAt(List<String> path) {
    if (path.isEmpty()) {
      return ListType.ATOMIC;
    }
    String field = path.get(path.size() - 1);
    String parent = path.size() > 1 ? path.get(path.size() - 2) : "";
    switch (field) {
      case "finalizers":
        return path.size() == 2 && parent.equals("metadata") ? ListType.SET : ListType.ATOMIC;
      case "ownerReferences":
        return parent.equals("metadata") ? keys("uid") : ListType.ATOMIC;
      case "containers":
      case "initContainers":
      case "ephemeralContainers":
      case "imagePullSecrets":
      case "volumes":
      case "resourceClaims":
      case "env":
        return keys("name");
      case "volumeMounts":
        return keys("mountPath");
      case "volumeDevices":
        return keys("devicePath");
      case "hostAliases":
        return keys("ip");
      case "topologySpreadConstraints":
        return keys("topologyKey", "whenUnsatisfiable");
      case "conditions":
        return parent.equals("status") ? keys("type") : ListType.ATOMIC;
      case "ports":
        if (parent.equals("containers") || parent.equals("initContainers") || parent.equals("ephemeralContainers")) {
          return keys("containerPort");
        }
        return path.equals(List.of("spec", "ports")) ? keys("port") : ListType.ATOMIC;
      default:
        return ListType.ATOMIC;
    }
  }

  private static ListType keys(String... keys) {
    return new ListType(List.of(keys));
  }
}
