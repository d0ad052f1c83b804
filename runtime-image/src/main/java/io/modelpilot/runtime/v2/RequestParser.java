package io.modelpilot.runtime.v2;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.v2.Protocol.InferenceRequest;
import io.modelpilot.runtime.v2.Protocol.RequestInput;
import io.modelpilot.runtime.v2.Protocol.RequestOutput;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Parses an inference request by hand, so every malformed field gets a 400 that names it. */
public final class RequestParser {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  public static final int MAX_ID_LENGTH = 256;

  private RequestParser() {
  }

  @SuppressWarnings("unchecked")
  public static InferenceRequest parse(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (java.io.IOException e) {
      String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new InferenceException(400, "invalid JSON: " + message);
    }
    if (root == null || !root.isObject()) {
      throw new InferenceException(400, "the request body must be a JSON object");
    }
    String id = null;
    if (root.hasNonNull("id")) {
      if (!root.get("id").isTextual()) {
        throw new InferenceException(400, "'id' must be a string");
      }
      id = root.get("id").textValue();
      if (id.length() > MAX_ID_LENGTH) {
        // the id is kept for feedback: an unbounded one would let a client fill the feedback window's memory
        throw new InferenceException(400, "'id' must be at most " + MAX_ID_LENGTH + " characters, got " + id.length());
      }
    }
    Map<String, Object> parameters = parameters(root, "parameters");
    JsonNode inputs = root.get("inputs");
    // an empty array is fine for a model without inputs; a missing input is reported by name later
    if (inputs == null || !inputs.isArray()) {
      throw new InferenceException(400, "'inputs' must be an array");
    }
    List<RequestInput> parsed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < inputs.size(); i++) {
      JsonNode in = inputs.get(i);
      String where = "inputs[" + i + "]";
      if (!in.isObject()) {
        throw new InferenceException(400, where + " must be an object");
      }
      String name = text(in, "name", where);
      if (!names.add(name)) {
        throw new InferenceException(400, "input '" + name + "' appears twice");
      }
      String datatype = text(in, "datatype", "input '" + name + "'");
      JsonNode shapeNode = in.get("shape");
      if (shapeNode == null || !shapeNode.isArray()) {
        throw new InferenceException(400, "input '" + name + "': 'shape' must be an array of integers");
      }
      long[] shape = new long[shapeNode.size()];
      for (int d = 0; d < shape.length; d++) {
        JsonNode dim = shapeNode.get(d);
        if (!dim.isIntegralNumber() || !dim.canConvertToLong()) {
          throw new InferenceException(400, "input '" + name + "': 'shape' must be an array of integers");
        }
        shape[d] = dim.longValue();
      }
      parsed.add(new RequestInput(name, shape, datatype, parameters(in, "input '" + name + "' parameters"),
          in.get("data")));
    }
    List<RequestOutput> outputs = new ArrayList<>();
    JsonNode out = root.get("outputs");
    if (out != null && !out.isNull()) {
      if (!out.isArray()) {
        throw new InferenceException(400, "'outputs' must be an array");
      }
      for (int i = 0; i < out.size(); i++) {
        JsonNode o = out.get(i);
        if (!o.isObject()) {
          throw new InferenceException(400, "outputs[" + i + "] must be an object");
        }
        outputs.add(new RequestOutput(text(o, "name", "outputs[" + i + "]"), parameters(o, "output parameters")));
      }
    }
    return new InferenceRequest(id, parameters, parsed, outputs);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.textValue().isEmpty()) {
      throw new InferenceException(400, where + ": '" + field + "' must be a non-empty string");
    }
    return v.textValue();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> parameters(JsonNode node, String where) {
    JsonNode p = node.get("parameters");
    if (p == null || p.isNull()) {
      return null;
    }
    if (!p.isObject()) {
      throw new InferenceException(400, where + ": 'parameters' must be an object");
    }
    return JSON.convertValue(p, Map.class);
  }
}
