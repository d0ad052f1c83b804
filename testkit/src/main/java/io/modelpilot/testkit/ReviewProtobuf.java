package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the spec of an {@code authorization.k8s.io/v1} self-subject review sent as
 * {@code application/vnd.kubernetes.protobuf}, as client-go's typed clients send built-in types (kubectl
 * {@code auth can-i}): the {@code k8s\0} envelope holds a {@code runtime.Unknown} whose {@code raw} (field 2) is the
 * review; field numbers are those of {@code k8s.io/api/authorization/v1/generated.proto}. Only the spec is read.
 */
final class ReviewProtobuf {

  private static final byte[] MAGIC = {'k', '8', 's', 0};
  private static final String[] RESOURCE_ATTRIBUTES =
      {null, "namespace", "verb", "group", "version", "resource", "subresource", "name"};
  private static final String[] NON_RESOURCE_ATTRIBUTES = {null, "path", "verb"};

  private ReviewProtobuf() {
  }

  /**
   * The review as JSON ({@code {"spec": {...}}}), for {@code kind} SelfSubjectAccessReview or SelfSubjectRulesReview.
   *
   * @throws IllegalArgumentException when the body is not a protobuf-encoded Kubernetes object
   */
  static ObjectNode read(byte[] body, boolean accessReview) {
    if (body.length < MAGIC.length || !java.util.Arrays.equals(java.util.Arrays.copyOf(body, MAGIC.length), MAGIC)) {
      throw new IllegalArgumentException("the body does not start with the k8s protobuf envelope");
    }
    byte[] raw = bytes(fields(body, MAGIC.length, body.length), 2);
    byte[] spec = bytes(fields(raw, 0, raw.length), 2);
    Map<Integer, List<Object>> specFields = fields(spec, 0, spec.length);
    ObjectNode review = JsonNodeFactory.instance.objectNode();
    ObjectNode specJson = review.putObject("spec");
    if (!accessReview) {
      byte[] namespace = bytes(specFields, 1);
      if (namespace.length > 0) {
        specJson.put("namespace", new String(namespace, StandardCharsets.UTF_8));
      }
      return review;
    }
    if (specFields.containsKey(1)) {
      byte[] attributes = bytes(specFields, 1);
      specJson.set("resourceAttributes", strings(fields(attributes, 0, attributes.length), RESOURCE_ATTRIBUTES));
    }
    if (specFields.containsKey(2)) {
      byte[] attributes = bytes(specFields, 2);
      specJson.set("nonResourceAttributes", strings(fields(attributes, 0, attributes.length),
          NON_RESOURCE_ATTRIBUTES));
    }
    return review;
  }

  private static ObjectNode strings(Map<Integer, List<Object>> fields, String[] names) {
    ObjectNode json = JsonNodeFactory.instance.objectNode();
    for (int number = 1; number < names.length; number++) {
      if (fields.containsKey(number)) {
        json.put(names[number], new String(bytes(fields, number), StandardCharsets.UTF_8));
      }
    }
    return json;
  }

  /** The last value of a length-delimited field, or no bytes when absent. */
  private static byte[] bytes(Map<Integer, List<Object>> fields, int number) {
    List<Object> values = fields.getOrDefault(number, List.of());
    if (values.isEmpty()) {
      return new byte[0];
    }
    if (!(values.get(values.size() - 1) instanceof byte[] value)) {
      throw new IllegalArgumentException("field " + number + " is not length-delimited");
    }
    return value;
  }

  /** The fields of one message: number → values (a Long for varints and fixed widths, byte[] for the rest). */
  private static Map<Integer, List<Object>> fields(byte[] buffer, int from, int to) {
    Map<Integer, List<Object>> fields = new LinkedHashMap<>();
    int[] at = {from};
    while (at[0] < to) {
      long tag = varint(buffer, at, to);
      int number = (int) (tag >>> 3);
      Object value = switch ((int) (tag & 7)) {
        case 0 -> varint(buffer, at, to);
        case 1 -> fixed(buffer, at, to, 8);
        case 2 -> {
          long length = varint(buffer, at, to);
          if (length < 0 || at[0] + length > to) {
            throw new IllegalArgumentException("a field of length " + length + " runs past the message");
          }
          byte[] content = java.util.Arrays.copyOfRange(buffer, at[0], at[0] + (int) length);
          at[0] += (int) length;
          yield content;
        }
        case 5 -> fixed(buffer, at, to, 4);
        default -> throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7));
      };
      fields.computeIfAbsent(number, n -> new ArrayList<>()).add(value);
    }
    return fields;
  }

  private static long varint(byte[] buffer, int[] at, int to) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at[0] >= to) {
        throw new IllegalArgumentException("a varint runs past the message");
      }
      byte b = buffer[at[0]++];
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("a varint longer than 10 bytes");
  }

  private static long fixed(byte[] buffer, int[] at, int to, int width) {
    if (at[0] + width > to) {
      throw new IllegalArgumentException("a fixed-width field runs past the message");
    }
    long value = 0;
    for (int i = width - 1; i >= 0; i--) {
      value = value << 8 | (buffer[at[0] + i] & 0xff);
    }
    at[0] += width;
    return value;
  }
}
