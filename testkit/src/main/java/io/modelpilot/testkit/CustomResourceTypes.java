package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The custom resource types the stand-in API server serves: one per served version of each stored
 * CustomResourceDefinition, rebuilt from the stored CRDs whenever one is written, so a CRD created through the API
 * (a test's setup, Quarkus applying the generated CRDs, {@code kubectl apply}) is what the server validates against.
 */
final class CustomResourceTypes {

  /** One served version of a CRD. */
  record Type(String group, String version, String plural, String singular, String kind, String listKind,
      boolean namespaced, boolean statusSubresource, List<String> shortNames, List<String> categories,
      JsonNode schema, JsonNode printerColumns, CrdValidator validator) {

    String apiVersion() {
      return group + "/" + version;
    }
  }

  private volatile Map<List<String>, Type> types = Map.of();

  /** Replaces the known types with those of the given CRDs (the items of a CustomResourceDefinitionList). */
  void reload(Iterable<JsonNode> crds) {
    Map<List<String>, Type> result = new LinkedHashMap<>();
    Map<List<String>, Type> previous = types;
    for (JsonNode crd : crds) {
      JsonNode spec = crd.path("spec");
      JsonNode names = spec.path("names");
      String group = spec.path("group").asText();
      for (JsonNode version : spec.path("versions")) {
        if (!version.path("served").asBoolean(true)) {
          continue;
        }
        JsonNode schema = version.path("schema").path("openAPIV3Schema");
        List<String> key = List.of(group, version.path("name").asText(), names.path("plural").asText());
        Type old = previous.get(key);
        // building a validator compiles the JSON schema: keep the old one while the schema is unchanged
        CrdValidator validator = old != null && old.schema().equals(schema) ? old.validator()
            : schema.isObject() ? new CrdValidator(schema) : null;
        result.put(key, new Type(group, version.path("name").asText(), names.path("plural").asText(),
            names.path("singular").asText(names.path("kind").asText().toLowerCase()), names.path("kind").asText(),
            names.path("listKind").asText(names.path("kind").asText() + "List"),
            !"Cluster".equals(spec.path("scope").asText()), version.path("subresources").has("status"),
            strings(names.path("shortNames")), strings(names.path("categories")),
            schema, version.path("additionalPrinterColumns"), validator));
      }
    }
    types = result;
  }

  Optional<Type> find(String group, String version, String plural) {
    return Optional.ofNullable(types.get(List.of(group, version, plural)));
  }

  /** Whether any CRD serves the group at that version (for discovery). */
  List<Type> inGroupVersion(String group, String version) {
    return types.values().stream().filter(t -> t.group().equals(group) && t.version().equals(version)).toList();
  }

  List<Type> all() {
    return List.copyOf(types.values());
  }

  private static List<String> strings(JsonNode array) {
    List<String> result = new ArrayList<>();
    array.forEach(n -> result.add(n.asText()));
    return result;
  }
}
