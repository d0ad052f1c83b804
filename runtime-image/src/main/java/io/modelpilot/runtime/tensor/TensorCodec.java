package io.modelpilot.runtime.tensor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.modelpilot.runtime.v2.TensorData;

import java.io.IOException;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** JSON tensor data (flat or nested, row-major) ↔ host tensors ↔ ONNX Runtime tensors. */
public final class TensorCodec {

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private TensorCodec() {
  }

  /** Decodes one request input from a JSON tree (tests, and callers that already hold one). */
  public static HostTensor decode(String name, Datatype datatype, long[] shape, JsonNode data) {
    return decode(name, datatype, shape, data == null || data.isMissingNode() ? null : TensorData.of(data.toString()));
  }

  /**
   * Decodes one request input, streaming its JSON text straight into the tensor's buffer: no tree, no boxed
   * values, and nothing allocated before the shape is known to fit the text (n elements need at least 2n-1
   * characters), so a body of padding cannot make the server allocate more than a few times its own size.
   * Data is flat (row-major) or nested exactly as the shape; every problem is a 400 that names the input.
   */
  public static HostTensor decode(String name, Datatype datatype, long[] shape, TensorData data) {
    for (long d : shape) {
      if (d < 0) {
        throw new InferenceException(400, "input '" + name + "': shape " + Arrays.toString(shape)
            + " has a negative dimension");
      }
    }
    long expected;
    try {
      expected = HostTensor.elements(shape);
    } catch (ArithmeticException e) {
      throw new InferenceException(400, "input '" + name + "': shape " + Arrays.toString(shape) + " is too large");
    }
    if (data == null || data.length() <= 16 && "null".equals(data.toString().strip())) {
      throw new InferenceException(400, "input '" + name + "': 'data' is required");
    }
    try {
      if (expected > (data.length() + 1L) / 2 + 1) {
        throw countMismatch(name, shape, expected, data);
      }
      Sink sink = datatype == Datatype.BYTES ? new Sink(name, datatype, null, new String[(int) expected])
          : new Sink(name, datatype, HostTensor.allocate(expected, datatype), null);
      if (!fill(data, shape, expected, sink)) {
        InferenceException count = countMismatch(name, shape, expected, data);
        throw count != null ? count : new InferenceException(400, "input '" + name + "': " + describe(data, shape));
      }
      if (datatype == Datatype.BYTES) {
        return HostTensor.bytes(name, shape, sink.strings);
      }
      sink.buffer.flip();
      return HostTensor.numeric(name, datatype, shape, sink.buffer);
    } catch (IOException e) {
      throw new InferenceException(400, "input '" + name + "': invalid JSON data: " + e.getMessage());
    }
  }

  /** Where decoded values go: a numeric buffer, or the strings of a BYTES tensor. */
  private static final class Sink {
    final String name;
    final Datatype datatype;
    final ByteBuffer buffer;
    final String[] strings;
    int at;

    Sink(String name, Datatype datatype, ByteBuffer buffer, String[] strings) {
      this.name = name;
      this.datatype = datatype;
      this.buffer = buffer;
      this.strings = strings;
    }

    void accept(JsonParser p, JsonToken t) throws IOException {
      if (strings != null) {
        if (t != JsonToken.VALUE_STRING) {
          throw mismatch(name, datatype, shown(p, t));
        }
        String text = p.getText();
        checkModifiedUtf8Safe(name, text); // refused here, before batching, so it fails this request alone
        strings[at++] = text;
      } else {
        put(buffer, datatype, p, t, name);
        at++;
      }
    }
  }

  /**
   * Streams the data into the sink, checking its structure as it goes; false at the first place the data is not the
   * shape (the caller then finds the words for it: a wrong element count first, as the likelier mistake, then the
   * outermost dimension that differs).
   */
  private static boolean fill(TensorData data, long[] shape, long expected, Sink sink) throws IOException {
    try (JsonParser p = data.parser()) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_ARRAY) { // a single value: a 0-d tensor, or one element
        if (expected != 1) {
          return false;
        }
        sink.accept(p, t);
        return true;
      }
      long[] counts = new long[shape.length + 2];
      int depth = 1;
      Boolean nested = null;
      long leaves = 0;
      while (depth > 0) {
        t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
          depth--;
          if (Boolean.TRUE.equals(nested) && depth >= 1 && counts[depth] != shape[depth]) {
            return false;
          }
          continue;
        }
        if (nested == null) {
          nested = t == JsonToken.START_ARRAY;
        }
        if (nested) {
          if (depth - 1 >= shape.length) {
            return false;
          }
          if (++counts[depth - 1] > shape[depth - 1]) {
            return false;
          }
          boolean leafLevel = depth == shape.length;
          if (t == JsonToken.START_ARRAY) {
            if (leafLevel) {
              return false;
            }
            depth++;
            counts[depth - 1] = 0;
            continue;
          }
          if (!leafLevel) {
            return false;
          }
        } else if (t == JsonToken.START_ARRAY) { // flat values, then an array
          return false;
        }
        if (++leaves > expected) {
          return false;
        }
        sink.accept(p, t);
        if (t == JsonToken.START_OBJECT) {
          p.skipChildren();
        }
      }
      return Boolean.TRUE.equals(nested) ? counts[0] == shape[0] : leaves == expected;
    }
  }

  /**
   * What is wrong with nested data, at the outermost dimension where it differs from the shape (a transposed
   * array is reported by its first dimension, as a person would see it). One streaming pass, nothing kept.
   */
  private static String describe(TensorData data, long[] shape) throws IOException {
    String[] found = new String[shape.length + 1];
    long[] counts = new long[shape.length + 2];
    try (JsonParser p = data.parser()) {
      int level = -1; // the level of the innermost open array
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.END_ARRAY) {
          if (level < shape.length && counts[level] != shape[level] && found[level] == null) {
            found[level] = counts[level] + " items";
          }
          level--;
          continue;
        }
        if (level >= 0) {
          counts[level]++;
        }
        if (t == JsonToken.START_ARRAY) {
          level++;
          if (level >= shape.length) {
            if (found[shape.length] == null) {
              found[shape.length] = "deeper";
            }
            p.skipChildren();
            level--;
            continue;
          }
          counts[level] = 0;
        } else {
          if (level + 1 < shape.length && found[level + 1] == null) {
            found[level + 1] = "a single value";
          }
          p.skipChildren();
        }
      }
    }
    for (int d = 0; d < found.length; d++) {
      if (found[d] != null) {
        return d == shape.length ? "nested data is deeper than shape " + Arrays.toString(shape)
            : ragged(shape, d, found[d]);
      }
    }
    return "nested data does not match shape " + Arrays.toString(shape);
  }

  private static String ragged(long[] shape, int dimension, String found) {
    return "nested data does not match shape " + Arrays.toString(shape) + ": dimension " + dimension + " has "
        + found + ", the shape says " + (dimension < shape.length ? shape[dimension] : 0);
  }

  /** A 400 saying how many elements the data has, or null when it has the expected number. */
  private static InferenceException countMismatch(String name, long[] shape, long expected, TensorData data)
      throws IOException {
    long actual = 0;
    try (JsonParser p = data.parser()) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_ARRAY) {
        actual = 1;
      } else {
        int depth = 1;
        while (depth > 0) {
          t = p.nextToken();
          if (t == JsonToken.START_ARRAY) {
            depth++;
          } else if (t == JsonToken.END_ARRAY) {
            depth--;
          } else {
            actual++;
            if (t == JsonToken.START_OBJECT) {
              p.skipChildren();
            }
          }
        }
      }
    }
    return actual == expected ? null : new InferenceException(400, "input '" + name + "': shape "
        + Arrays.toString(shape) + " needs " + expected + " elements, data has " + actual);
  }

  private static void put(ByteBuffer b, Datatype t, JsonParser p, JsonToken token, String name) throws IOException {
    switch (t) {
      case BOOL -> {
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
          throw mismatch(name, t, shown(p, token));
        }
        b.put((byte) (token == JsonToken.VALUE_TRUE ? 1 : 0));
      }
      case UINT8 -> b.put((byte) integer(p, token, t, name, 0, 255));
      case INT8 -> b.put((byte) integer(p, token, t, name, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT16 -> b.putShort((short) integer(p, token, t, name, 0, 65535));
      case INT16 -> b.putShort((short) integer(p, token, t, name, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT32 -> b.putInt((int) integer(p, token, t, name, 0, 4294967295L));
      case INT32 -> b.putInt((int) integer(p, token, t, name, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 -> b.putLong(integer(p, token, t, name, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> {
        if (token != JsonToken.VALUE_NUMBER_INT || p.getBigIntegerValue().signum() < 0
            || p.getBigIntegerValue().compareTo(UINT64_MAX) > 0) {
          throw mismatch(name, t, shown(p, token));
        }
        b.putLong(p.getBigIntegerValue().longValue());
      }
      case FP16 -> b.putShort(Fp16Conversions.floatToFp16((float) floating(p, token, t, name)));
      case BF16 -> b.putShort(Fp16Conversions.floatToBf16((float) floating(p, token, t, name)));
      case FP32 -> b.putFloat(fp32(floating(p, token, t, name), p, name));
      case FP64 -> b.putDouble(floating(p, token, t, name));
      case BYTES -> throw new IllegalStateException("BYTES are not numeric");
      default -> throw new IllegalStateException(t.name());
    }
  }

  private static long integer(JsonParser p, JsonToken token, Datatype t, String name, long min, long max)
      throws IOException {
    if (token != JsonToken.VALUE_NUMBER_INT) {
      throw mismatch(name, t, shown(p, token));
    }
    JsonParser.NumberType type = p.getNumberType();
    if (type == JsonParser.NumberType.BIG_INTEGER) {
      throw mismatch(name, t, shown(p, token));
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw mismatch(name, t, shown(p, token));
    }
    return v;
  }

  /** A finite number beyond FP32's range is refused, not silently turned into an infinity. */
  private static float fp32(double d, JsonParser p, String name) throws IOException {
    if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
      throw new InferenceException(400, "input '" + name + "': " + p.getText() + " is beyond FP32's range (±3.4e38)");
    }
    return (float) d;
  }

  private static double floating(JsonParser p, JsonToken token, Datatype t, String name) throws IOException {
    if (token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT) {
      return p.getDoubleValue();
    }
    // JSON has no NaN or infinities; accept them spelled out
    if (token == JsonToken.VALUE_STRING) {
      switch (p.getText()) {
        case "NaN":
          return Double.NaN;
        case "Infinity", "inf", "+Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity", "-inf":
          return Double.NEGATIVE_INFINITY;
        default:
          break;
      }
    }
    throw mismatch(name, t, shown(p, token));
  }

  private static String shown(JsonParser p, JsonToken token) throws IOException {
    return switch (token) {
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "\"" + p.getText() + "\"";
      default -> p.getText();
    };
  }

  private static InferenceException mismatch(String name, Datatype t, String shown) {
    return new InferenceException(400, "input '" + name + "': " + (shown.length() > 40 ? shown.substring(0, 40) + "…"
        : shown) + " is not a valid " + t + " value");
  }

  /** Wraps a host tensor for ONNX Runtime; numeric data is handed over without a copy. */
  public static OnnxTensor toOnnx(OrtEnvironment env, HostTensor t) throws OrtException {
    if (t.datatype() == Datatype.BYTES) {
      for (String s : t.strings()) {
        checkModifiedUtf8Safe(t.name(), s);
      }
      return OnnxTensor.createTensor(env, t.strings(), t.shape());
    }
    if (!t.datatype().acceptedAsInput()) {
      throw new InferenceException(400, "input '" + t.name() + "': " + t.datatype()
          + " inputs are not supported by ONNX Runtime's Java API");
    }
    return OnnxTensor.createTensor(env, t.data(), t.shape(), t.datatype().javaType);
  }

  /**
   * ONNX Runtime's Java API hands strings to the model as JNI's modified UTF-8, which is UTF-8 except for NUL and
   * characters beyond U+FFFF (emoji, many CJK extensions): the model would see other bytes than the client sent
   * (a vocabulary lookup misses, silently). Such input is refused instead of answered wrongly.
   */
  private static void checkModifiedUtf8Safe(String name, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0 || Character.isSurrogate(c)) {
        throw new InferenceException(400, "input '" + name + "': " + (c == 0 ? "NUL characters"
            : "characters beyond U+FFFF (such as emoji)") + " in BYTES data cannot be passed to the model: "
            + "ONNX Runtime's Java API does not pass them on as UTF-8");
      }
    }
  }

  /** Copies an ONNX Runtime output into host memory (the session's result is closed afterwards). */
  public static HostTensor fromOnnx(String name, OnnxTensor tensor) throws OrtException {
    TensorInfo info = tensor.getInfo();
    Datatype datatype = Datatype.fromOnnx(info.onnxType).orElseThrow(() -> new InferenceException(500,
        "output '" + name + "' has type " + info.onnxType + ", which the protocol cannot carry"));
    long[] shape = info.getShape();
    if (datatype == Datatype.BYTES) {
      String[] flat = new String[(int) HostTensor.elements(shape)];
      flatten(tensor.getValue(), flat, new int[] {0});
      return HostTensor.bytes(name, shape, flat);
    }
    ByteBuffer raw = tensor.getByteBuffer();
    ByteBuffer copy = ByteBuffer.allocateDirect(raw.remaining()).order(ByteOrder.nativeOrder());
    copy.put(raw.order(ByteOrder.nativeOrder()));
    copy.flip();
    return HostTensor.numeric(name, datatype, shape, copy);
  }

  private static void flatten(Object value, String[] out, int[] at) {
    if (value instanceof String s) {
      out[at[0]++] = s;
    } else if (value instanceof Object[] array) {
      for (Object o : array) {
        flatten(o, out, at);
      }
    }
  }

  /** Element i of a numeric host tensor as a double (for metrics and predictions). */
  public static double elementAsDouble(HostTensor t, int i) {
    ByteBuffer b = t.data();
    int at = i * t.datatype().size;
    return switch (t.datatype()) {
      case BOOL -> b.get(at) != 0 ? 1 : 0;
      case UINT8 -> b.get(at) & 0xff;
      case INT8 -> b.get(at);
      case UINT16 -> b.getShort(at) & 0xffff;
      case INT16 -> b.getShort(at);
      case UINT32 -> b.getInt(at) & 0xffffffffL;
      case INT32 -> b.getInt(at);
      case UINT64 -> unsigned(b.getLong(at)).doubleValue();
      case INT64 -> b.getLong(at);
      case FP16 -> Fp16Conversions.fp16ToFloat(b.getShort(at));
      case BF16 -> Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
      case FP32 -> b.getFloat(at);
      case FP64 -> b.getDouble(at);
      case BYTES -> throw new IllegalArgumentException("BYTES are not numeric");
    };
  }

  static BigInteger unsigned(long bits) {
    return new BigInteger(Long.toUnsignedString(bits));
  }
}
