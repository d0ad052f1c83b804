package io.modelpilot.runtime.v2;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.v2.Protocol.InferenceRequest;
import io.modelpilot.runtime.v2.Protocol.RequestInput;
import io.modelpilot.runtime.v2.Protocol.RequestOutput;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses an inference request by hand, streaming, so every malformed field gets a 400 that names it and no JSON
 * tree is ever built: tensor data stays a span of the body until the codec decodes it into the tensor's buffer, and
 * whatever the parser does not need is skipped token by token. Memory per request is the body plus the tensors.
 */
public final class RequestParser {

  public static final int MAX_ID_LENGTH = 256;
  /** Tensor names and datatypes. */
  public static final int MAX_NAME_LENGTH = 4096;
  /** More inputs or outputs than any model has; a request with more is refused before they are kept. */
  public static final int MAX_TENSORS = 1024;
  /** Dimensions of one shape (ONNX Runtime itself stops far below). */
  public static final int MAX_RANK = 64;
  /** Bytes of one 'parameters' object: parameters are a few flags, never data. */
  public static final int MAX_PARAMETERS_BYTES = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestParser() {
  }

  public static InferenceRequest parse(byte[] body) {
    try (JsonParser p = TensorData.FACTORY.createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new InferenceException(400, "the request body must be a JSON object");
      }
      String id = null;
      Map<String, Object> parameters = null;
      List<RequestInput> inputs = null;
      List<RequestOutput> outputs = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "id" -> {
            if (value == JsonToken.VALUE_NULL) {
              id = null;
            } else if (value != JsonToken.VALUE_STRING) {
              throw new InferenceException(400, "'id' must be a string");
            } else {
              // the id is echoed and kept for feedback: an unbounded one would let a client fill memory
              if (p.getTextLength() > MAX_ID_LENGTH) {
                throw new InferenceException(400, "'id' must be at most " + MAX_ID_LENGTH + " characters, got "
                    + p.getTextLength());
              }
              id = p.getText();
            }
          }
          case "parameters" -> parameters = parameters(Span.of(p), body, "parameters");
          case "inputs" -> inputs = inputs(p, body);
          case "outputs" -> outputs = outputs(p, body);
          default -> p.skipChildren();
        }
      }
      if (p.nextToken() != null) {
        throw new InferenceException(400, "invalid JSON: trailing content after the request object");
      }
      // an empty array is fine for a model without inputs; a missing input is reported by name later
      if (inputs == null) {
        throw new InferenceException(400, "'inputs' must be an array");
      }
      return new InferenceRequest(id, parameters, inputs, outputs);
    } catch (JsonProcessingException e) {
      throw new InferenceException(400, "invalid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InferenceException(400, "invalid JSON: " + e.getMessage());
    }
  }

  private static List<RequestInput> inputs(JsonParser p, byte[] body) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InferenceException(400, "'inputs' must be an array");
    }
    List<RequestInput> parsed = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      String where = "inputs[" + i + "]";
      if (i >= MAX_TENSORS) {
        throw new InferenceException(400, "'inputs' has more than " + MAX_TENSORS + " entries");
      }
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new InferenceException(400, where + " must be an object");
      }
      String name = null;
      String datatype = null;
      long[] shape = null;
      Map<String, Object> parameters = null;
      TensorData data = null;
      boolean shapeSeen = false;
      Span parametersSpan = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "name" -> name = text(p, value, "name", where);
          case "datatype" -> datatype = text(p, value, "datatype", where);
          case "shape" -> {
            shapeSeen = true;
            shape = shape(p, value, name == null ? where : "input '" + name + "'");
          }
          case "parameters" -> parametersSpan = Span.of(p); // read once the name is known, so an error names it
          case "data" -> {
            Span span = Span.of(p); // checks the syntax, keeps nothing
            data = span.token() == JsonToken.VALUE_NULL ? null : new TensorData(body, span.start(), span.end());
          }
          default -> p.skipChildren();
        }
      }
      if (name == null) {
        throw new InferenceException(400, where + ": 'name' must be a non-empty string");
      }
      if (!names.add(name)) {
        throw new InferenceException(400, "input '" + name + "' appears twice");
      }
      if (datatype == null) {
        throw new InferenceException(400, "input '" + name + "': 'datatype' must be a non-empty string");
      }
      if (!shapeSeen || shape == null) {
        throw new InferenceException(400, "input '" + name + "': 'shape' must be an array of integers");
      }
      if (parametersSpan != null) {
        parameters = parameters(parametersSpan, body, "input '" + name + "' parameters");
      }
      parsed.add(new RequestInput(name, shape, datatype, parameters, data));
    }
    return parsed;
  }

  private static long[] shape(JsonParser p, JsonToken value, String where) throws IOException {
    if (value != JsonToken.START_ARRAY) {
      throw new InferenceException(400, where + ": 'shape' must be an array of integers");
    }
    long[] dims = new long[8];
    int n = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new InferenceException(400, where + ": 'shape' must be an array of integers");
      }
      if (n == MAX_RANK) {
        throw new InferenceException(400, where + ": 'shape' has more than " + MAX_RANK + " dimensions");
      }
      if (n == dims.length) {
        dims = java.util.Arrays.copyOf(dims, n * 2);
      }
      dims[n++] = p.getLongValue();
    }
    return java.util.Arrays.copyOf(dims, n);
  }

  private static List<RequestOutput> outputs(JsonParser p, byte[] body) throws IOException {
    List<RequestOutput> outputs = new ArrayList<>();
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return outputs;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new InferenceException(400, "'outputs' must be an array");
    }
    for (int i = 0; p.nextToken() != JsonToken.END_ARRAY; i++) {
      String where = "outputs[" + i + "]";
      if (i >= MAX_TENSORS) {
        throw new InferenceException(400, "'outputs' has more than " + MAX_TENSORS + " entries");
      }
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new InferenceException(400, where + " must be an object");
      }
      String name = null;
      Map<String, Object> parameters = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "name" -> name = text(p, value, "name", where);
          case "parameters" -> parameters = parameters(Span.of(p), body, "output parameters");
          default -> p.skipChildren();
        }
      }
      if (name == null) {
        throw new InferenceException(400, where + ": 'name' must be a non-empty string");
      }
      outputs.add(new RequestOutput(name, parameters));
    }
    return outputs;
  }

  private static String text(JsonParser p, JsonToken value, String field, String where) throws IOException {
    if (value != JsonToken.VALUE_STRING || p.getTextLength() == 0) {
      throw new InferenceException(400, where + ": '" + field + "' must be a non-empty string");
    }
    if (p.getTextLength() > MAX_NAME_LENGTH) {
      throw new InferenceException(400, where + ": '" + field + "' must be at most " + MAX_NAME_LENGTH + " characters");
    }
    return p.getText();
  }

  /** Where a value lies in the body, and its first token; skipped over, nothing kept. */
  private record Span(JsonToken token, int start, int end) {
    static Span of(JsonParser p) throws IOException {
      JsonToken token = p.currentToken();
      int start = (int) p.currentTokenLocation().getByteOffset();
      p.skipChildren();
      return new Span(token, start, (int) p.currentLocation().getByteOffset());
    }
  }

  /** A 'parameters' object, read as a map only if it is small. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> parameters(Span span, byte[] body, String where) throws IOException {
    if (span.token() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (span.token() != JsonToken.START_OBJECT) {
      throw new InferenceException(400, where + ": 'parameters' must be an object");
    }
    int size = span.end() - span.start();
    if (size > MAX_PARAMETERS_BYTES) {
      throw new InferenceException(400, where + ": 'parameters' is " + size + " bytes; at most "
          + MAX_PARAMETERS_BYTES + " are accepted");
    }
    return JSON.readValue(body, span.start(), size, Map.class);
  }
}
