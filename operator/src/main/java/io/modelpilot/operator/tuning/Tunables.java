package io.modelpilot.operator.tuning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentSpec;
import io.modelpilot.operator.api.v1alpha1.TuningParameter;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fields of a ModelDeployment's spec a TuningJob may set (the CRD's allow-list), with the JSON type each takes,
 * and the two things done with them: a candidate spec for a trial, and the merge patch that ships the winner.
 */
final class Tunables {

  enum Kind { INTEGER, NUMBER, TEXT }

  private static final Pattern SEGMENT = Pattern.compile("([a-zA-Z]+)(?:\\[([0-9]+)])?");
  private static final Pattern ALLOWED = Pattern.compile(TuningParameter.PATH_PATTERN.replace("\\\\", "\\"));
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private Tunables() {
  }

  static boolean allowed(String path) {
    return path != null && ALLOWED.matcher(path).matches();
  }

  static Kind kind(String path) {
    String leaf = path.substring(path.lastIndexOf('.') + 1);
    return switch (leaf) {
      case "intraOpThreads", "interOpThreads", "maxBatchSize", "count", "minReplicas", "maxReplicas" -> Kind.INTEGER;
      case "targetPerReplica", "targetValue", "targetUtilization" -> Kind.NUMBER;
      default -> Kind.TEXT;
    };
  }

  /** The value as the field's JSON type; the message names the parameter, the path and the type. */
  static JsonNode value(String parameter, String path, String text) {
    try {
      return switch (kind(path)) {
        case INTEGER -> JsonNodeFactory.instance.numberNode(new BigDecimal(text).intValueExact());
        case NUMBER -> JsonNodeFactory.instance.numberNode(Double.parseDouble(text));
        case TEXT -> JsonNodeFactory.instance.textNode(text);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("parameter '%s': value '%s' is not %s, as %s needs".formatted(parameter, text,
          kind(path) == Kind.INTEGER ? "a whole number" : "a number", path));
    }
  }

  /** The target's spec with the point's values set at their paths. */
  static ModelDeployment candidate(ModelDeployment target, List<TuningParameter> parameters,
      Map<String, String> point) {
    ObjectNode spec = JSON.valueToTree(target.getSpec());
    ObjectNode patch = specPatch(parameters, point, target);
    merge(spec, (ObjectNode) patch.get("spec"));
    ModelDeployment copy = new ModelDeployment();
    copy.setMetadata(target.getMetadata());
    copy.setSpec(JSON.convertValue(spec, ModelDeploymentSpec.class));
    return copy;
  }

  /**
   * The RFC 7386 merge patch that sets the point's values ({@code {"spec": {...}}}). A list on the way (autoscaling
   * metrics) is written whole, since a merge patch replaces lists: its other items are the target's own.
   */
  static ObjectNode specPatch(List<TuningParameter> parameters, Map<String, String> point, ModelDeployment target) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    JsonNode current = JSON.valueToTree(target);
    for (TuningParameter p : parameters) {
      if (p.getPath() == null || !point.containsKey(p.getName())) {
        continue;
      }
      set(root, current, p.getPath(), value(p.getName(), p.getPath(), point.get(p.getName())));
    }
    return root;
  }

  /**
   * Sets the target's RequestsPerSecond autoscaling target to {@code perReplica} in the patch (the whole metrics
   * list, as a merge patch replaces lists). False when the target autoscales on no RequestsPerSecond metric.
   */
  static boolean withCapacity(ObjectNode patch, ModelDeployment target, double perReplica) {
    JsonNode current = JSON.valueToTree(target).path("spec").path("autoscaling").path("metrics");
    ObjectNode spec = patch.has("spec") ? (ObjectNode) patch.get("spec") : patch.putObject("spec");
    ObjectNode autoscaling = spec.has("autoscaling") ? (ObjectNode) spec.get("autoscaling")
        : spec.putObject("autoscaling");
    ArrayNode metrics = autoscaling.has("metrics") ? (ArrayNode) autoscaling.get("metrics")
        : current instanceof ArrayNode a ? a.deepCopy() : JsonNodeFactory.instance.arrayNode();
    boolean set = false;
    for (JsonNode m : metrics) {
      if ("RequestsPerSecond".equals(m.path("type").asText())) {
        ((ObjectNode) m).put("targetPerReplica", Math.round(perReplica * 100) / 100.0);
        set = true;
      }
    }
    if (set) {
      autoscaling.set("metrics", metrics);
    } else if (autoscaling.isEmpty()) {
      spec.remove("autoscaling");
      if (spec.isEmpty()) {
        patch.remove("spec");
      }
    }
    return set;
  }

  /**
   * The target's current values of the parameters, as a point (text by name), or null when a parameter has no path
   * or its field is unset: the baseline a search starts from.
   */
  static Map<String, String> current(List<TuningParameter> parameters, ModelDeployment target) {
    JsonNode root = JSON.valueToTree(target);
    Map<String, String> point = new LinkedHashMap<>();
    for (TuningParameter p : parameters) {
      if (p.getPath() == null) {
        return null;
      }
      JsonNode node = root;
      for (String part : p.getPath().split("\\.")) {
        Matcher m = SEGMENT.matcher(part);
        if (!m.matches()) {
          return null;
        }
        node = node.path(m.group(1));
        if (m.group(2) != null) {
          node = node.path(Integer.parseInt(m.group(2)));
        }
      }
      if (node.isMissingNode() || node.isNull() || node.isContainerNode()) {
        return null;
      }
      point.put(p.getName(), node.asText());
    }
    return point;
  }

  /** path → value text, for status.recommendation. */
  static Map<String, String> byPath(List<TuningParameter> parameters, Map<String, String> point) {
    Map<String, String> out = new LinkedHashMap<>();
    for (TuningParameter p : parameters) {
      if (p.getPath() != null && point.containsKey(p.getName())) {
        out.put(p.getPath(), point.get(p.getName()));
      }
    }
    return out;
  }

  private static void set(ObjectNode root, JsonNode current, String path, JsonNode value) {
    String[] parts = path.split("\\.");
    ObjectNode node = root;
    JsonNode existing = current;
    for (int i = 0; i < parts.length; i++) {
      Matcher m = SEGMENT.matcher(parts[i]);
      if (!m.matches()) {
        throw new IllegalArgumentException("path " + path + ": cannot read segment " + parts[i]);
      }
      String field = m.group(1);
      existing = existing == null ? null : existing.get(field);
      boolean last = i == parts.length - 1;
      if (m.group(2) != null) {
        int index = Integer.parseInt(m.group(2));
        ArrayNode list = node.has(field) ? (ArrayNode) node.get(field)
            : existing instanceof ArrayNode a ? a.deepCopy() : null;
        if (list == null || index >= list.size()) {
          throw new IllegalArgumentException("path " + path + ": the target has no item " + index + " in " + field);
        }
        node.set(field, list);
        if (last) {
          list.set(index, value);
          return;
        }
        node = (ObjectNode) list.get(index);
        existing = null; // the copied item already holds the target's own values
      } else if (last) {
        node.set(field, value);
      } else {
        node = node.has(field) ? (ObjectNode) node.get(field) : node.putObject(field);
      }
    }
  }

  private static void merge(ObjectNode into, ObjectNode patch) {
    patch.fields().forEachRemaining(e -> {
      if (e.getValue() instanceof ObjectNode p && into.get(e.getKey()) instanceof ObjectNode existing) {
        merge(existing, p);
      } else {
        into.set(e.getKey(), e.getValue().deepCopy());
      }
    });
  }
}
