package io.modelpilot.runtime.tensor;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** JSON tensor data (flat or nested, row-major) ↔ host tensors ↔ ONNX Runtime tensors. */
public final class TensorCodec {

  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private TensorCodec() {
  }

  /** Decodes one request input; every problem is a 400 that names the input. */
  public static HostTensor decode(String name, Datatype datatype, long[] shape, JsonNode data) {
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
    if (data == null || data.isNull() || data.isMissingNode()) {
      throw new InferenceException(400, "input '" + name + "': 'data' is required");
    }
    long actual = count(data);
    if (actual != expected) {
      throw new InferenceException(400, "input '" + name + "': shape " + Arrays.toString(shape) + " needs "
          + expected + " elements, data has " + actual);
    }
    if (data.isArray() && nested(data)) {
      // nested data must be the shape itself: a ragged or transposed array of the right size would be read
      // row-major into the wrong elements and answered without a word
      checkNesting(data, shape, 0, name);
    }
    if (datatype == Datatype.BYTES) {
      String[] strings = new String[(int) expected];
      int[] at = {0};
      forEachLeaf(data, v -> {
        if (!v.isTextual()) {
          throw new InferenceException(400, "input '" + name + "': BYTES data must be strings, got " + v);
        }
        strings[at[0]++] = v.textValue();
      });
      return HostTensor.bytes(name, shape, strings);
    }
    ByteBuffer buffer = HostTensor.allocate(expected, datatype);
    forEachLeaf(data, v -> put(buffer, datatype, v, name));
    buffer.flip();
    return HostTensor.numeric(name, datatype, shape, buffer);
  }

  private static boolean nested(JsonNode data) {
    for (JsonNode child : data) {
      if (child.isArray()) {
        return true;
      }
    }
    return false;
  }

  private static void checkNesting(JsonNode node, long[] shape, int depth, String name) {
    if (depth == shape.length) {
      if (node.isArray()) {
        throw new InferenceException(400, "input '" + name + "': nested data is deeper than shape "
            + Arrays.toString(shape));
      }
      return;
    }
    if (!node.isArray() || node.size() != shape[depth]) {
      throw new InferenceException(400, "input '" + name + "': nested data does not match shape "
          + Arrays.toString(shape) + ": dimension " + depth + " has " + (node.isArray() ? node.size() + " items"
          : "a single value") + ", the shape says " + shape[depth]);
    }
    for (JsonNode child : node) {
      checkNesting(child, shape, depth + 1, name);
    }
  }

  private static long count(JsonNode data) {
    if (!data.isArray()) {
      return 1;
    }
    long n = 0;
    for (JsonNode child : data) {
      n += count(child);
    }
    return n;
  }

  private static void forEachLeaf(JsonNode data, java.util.function.Consumer<JsonNode> action) {
    if (data.isArray()) {
      for (JsonNode child : data) {
        forEachLeaf(child, action);
      }
    } else {
      action.accept(data);
    }
  }

  private static void put(ByteBuffer b, Datatype t, JsonNode v, String name) {
    switch (t) {
      case BOOL -> {
        if (!v.isBoolean()) {
          throw mismatch(name, t, v);
        }
        b.put((byte) (v.booleanValue() ? 1 : 0));
      }
      case UINT8 -> b.put((byte) integer(v, t, name, 0, 255));
      case INT8 -> b.put((byte) integer(v, t, name, Byte.MIN_VALUE, Byte.MAX_VALUE));
      case UINT16 -> b.putShort((short) integer(v, t, name, 0, 65535));
      case INT16 -> b.putShort((short) integer(v, t, name, Short.MIN_VALUE, Short.MAX_VALUE));
      case UINT32 -> b.putInt((int) integer(v, t, name, 0, 4294967295L));
      case INT32 -> b.putInt((int) integer(v, t, name, Integer.MIN_VALUE, Integer.MAX_VALUE));
      case INT64 -> b.putLong(integer(v, t, name, Long.MIN_VALUE, Long.MAX_VALUE));
      case UINT64 -> {
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().compareTo(UINT64_MAX) > 0) {
          throw mismatch(name, t, v);
        }
        b.putLong(v.bigIntegerValue().longValue());
      }
      case FP16 -> b.putShort(Fp16Conversions.floatToFp16((float) floating(v, t, name)));
      case BF16 -> b.putShort(Fp16Conversions.floatToBf16((float) floating(v, t, name)));
      case FP32 -> b.putFloat(fp32(floating(v, t, name), v, name));
      case FP64 -> b.putDouble(floating(v, t, name));
      case BYTES -> throw new IllegalStateException("BYTES are not numeric");
      default -> throw new IllegalStateException(t.name());
    }
  }

  private static long integer(JsonNode v, Datatype t, String name, long min, long max) {
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw mismatch(name, t, v);
    }
    return v.longValue();
  }

  /** A finite number beyond FP32's range is refused, not silently turned into an infinity. */
  private static float fp32(double d, JsonNode v, String name) {
    if (Double.isFinite(d) && Math.abs(d) > Float.MAX_VALUE) {
      throw new InferenceException(400, "input '" + name + "': " + v + " is beyond FP32's range (±3.4e38)");
    }
    return (float) d;
  }

  private static double floating(JsonNode v, Datatype t, String name) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    // JSON has no NaN or infinities; accept them spelled out
    if (v.isTextual()) {
      switch (v.textValue()) {
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
    throw mismatch(name, t, v);
  }

  private static InferenceException mismatch(String name, Datatype t, JsonNode v) {
    String shown = v.toString();
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
