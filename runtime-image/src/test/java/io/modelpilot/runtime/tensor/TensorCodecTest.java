package io.modelpilot.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class TensorCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long[] SHAPE = {2, 2};

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** One sample per datatype: four values as flat JSON, the same values nested [2,2], and the bytes they must give. */
  record Sample(Datatype datatype, String flat, String nested, byte[] bytes, String[] strings) {
    @Override
    public String toString() {
      return datatype.name();
    }
  }

  private static ByteBuffer buffer(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  private static Sample sample(Datatype t, String a, String b, String c, String d, ByteBuffer expected) {
    return new Sample(t, "[" + a + "," + b + "," + c + "," + d + "]", "[[" + a + "," + b + "],[" + c + "," + d + "]]",
        expected == null ? null : expected.array(), null);
  }

  static Stream<Sample> samples() {
    return Stream.of(
        sample(Datatype.BOOL, "true", "false", "false", "true", buffer(4).put((byte) 1).put((byte) 0).put((byte) 0)
            .put((byte) 1)),
        sample(Datatype.UINT8, "0", "1", "128", "255", buffer(4).put((byte) 0).put((byte) 1).put((byte) 128)
            .put((byte) 255)),
        sample(Datatype.INT8, "-128", "-1", "0", "127", buffer(4).put((byte) -128).put((byte) -1).put((byte) 0)
            .put((byte) 127)),
        sample(Datatype.INT16, "-32768", "-1", "0", "32767", buffer(8).putShort((short) -32768).putShort((short) -1)
            .putShort((short) 0).putShort((short) 32767)),
        sample(Datatype.UINT16, "0", "1", "32768", "65535", buffer(8).putShort((short) 0).putShort((short) 1)
            .putShort((short) 32768).putShort((short) 65535)),
        sample(Datatype.INT32, "-2147483648", "-1", "0", "2147483647", buffer(16).putInt(Integer.MIN_VALUE).putInt(-1)
            .putInt(0).putInt(Integer.MAX_VALUE)),
        sample(Datatype.UINT32, "0", "1", "2147483648", "4294967295", buffer(16).putInt(0).putInt(1)
            .putInt((int) 2147483648L).putInt((int) 4294967295L)),
        sample(Datatype.INT64, "-9223372036854775808", "-1", "0", "9223372036854775807", buffer(32)
            .putLong(Long.MIN_VALUE).putLong(-1).putLong(0).putLong(Long.MAX_VALUE)),
        // above Long.MAX_VALUE: 2^63 and 2^64-1
        sample(Datatype.UINT64, "0", "1", "9223372036854775808", "18446744073709551615", buffer(32).putLong(0)
            .putLong(1).putLong(Long.MIN_VALUE).putLong(-1L)),
        sample(Datatype.FP16, "1.0", "-2.0", "0.5", "65504", buffer(8).putShort((short) 0x3C00)
            .putShort((short) 0xC000).putShort((short) 0x3800).putShort((short) 0x7BFF)),
        sample(Datatype.BF16, "1.0", "-2.0", "0.5", "3.140625", buffer(8).putShort((short) 0x3F80)
            .putShort((short) 0xC000).putShort((short) 0x3F00).putShort((short) 0x4049)),
        sample(Datatype.FP32, "1.5", "-0.25", "0", "3.4028234663852886E38", buffer(16).putFloat(1.5f)
            .putFloat(-0.25f).putFloat(0f).putFloat(Float.MAX_VALUE)),
        sample(Datatype.FP64, "1.5", "-0.25", "0", "1.7976931348623157E308", buffer(32).putDouble(1.5)
            .putDouble(-0.25).putDouble(0).putDouble(Double.MAX_VALUE)),
        new Sample(Datatype.BYTES, "[\"a\",\"\",\"h\\u00e9llo\",\"x y\"]", "[[\"a\",\"\"],[\"h\\u00e9llo\",\"x y\"]]", null,
            new String[] {"a", "", "h\u00e9llo", "x y"}));
  }

  @Test
  void samplesCoverEveryDatatype() {
    assertThat(samples().map(Sample::datatype)).containsExactlyInAnyOrder(Datatype.values());
  }

  static byte[] bytes(HostTensor t) {
    ByteBuffer b = t.data().duplicate();
    b.rewind();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void decodesFlatAndNestedDataToTheSameBytes(Sample s) {
    HostTensor flat = TensorCodec.decode("in0", s.datatype(), SHAPE, json(s.flat()));
    HostTensor nested = TensorCodec.decode("in0", s.datatype(), SHAPE, json(s.nested()));

    for (HostTensor t : new HostTensor[] {flat, nested}) {
      assertThat(t.name()).isEqualTo("in0");
      assertThat(t.datatype()).isEqualTo(s.datatype());
      assertThat(t.shape()).containsExactly(2, 2);
      assertThat(t.elements()).isEqualTo(4);
      if (s.datatype() == Datatype.BYTES) {
        assertThat(t.data()).isNull();
        assertThat(t.strings()).containsExactly(s.strings());
      } else {
        assertThat(t.strings()).isNull();
        assertThat(t.data().isDirect()).as("direct buffer").isTrue();
        assertThat(t.data().order()).isEqualTo(ByteOrder.nativeOrder());
        assertThat(t.data().position()).isZero();
        assertThat(t.data().remaining()).isEqualTo(4 * s.datatype().size);
        assertThat(bytes(t)).as("bytes of %s", s.datatype()).containsExactly(s.bytes());
      }
    }
    if (s.datatype() != Datatype.BYTES) {
      assertThat(bytes(nested)).containsExactly(bytes(flat));
    }
  }

  @Test
  void decodesDeeplyNestedAndScalarData() {
    HostTensor deep = TensorCodec.decode("x", Datatype.INT32, new long[] {2, 1, 2}, json("[[[1,2]],[[3,4]]]"));
    assertThat(bytes(deep)).containsExactly(buffer(16).putInt(1).putInt(2).putInt(3).putInt(4).array());

    HostTensor scalar = TensorCodec.decode("x", Datatype.FP64, new long[0], json("2.5"));
    assertThat(scalar.elements()).isEqualTo(1);
    assertThat(TensorCodec.elementAsDouble(scalar, 0)).isEqualTo(2.5);

    HostTensor empty = TensorCodec.decode("x", Datatype.FP32, new long[] {0, 3}, json("[]"));
    assertThat(empty.elements()).isZero();
    assertThat(empty.data().remaining()).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = Datatype.class, names = {"FP16", "BF16", "FP32", "FP64"})
  void acceptsNonFiniteFloatsSpelledAsStrings(Datatype t) {
    HostTensor decoded = TensorCodec.decode("f", t, new long[] {4}, json("[\"NaN\",\"Infinity\",\"-Infinity\",1.0]"));

    assertThat(TensorCodec.elementAsDouble(decoded, 0)).isNaN();
    assertThat(TensorCodec.elementAsDouble(decoded, 1)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(TensorCodec.elementAsDouble(decoded, 2)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(TensorCodec.elementAsDouble(decoded, 3)).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
      "ragged rows for [2, 8]     | 2,8 | [[1,2,3],[4,5,6,7,8,9,10,11,12,13,14,15,16]] | dimension 1 has 3 items",
      "transposed [8, 2] for [2, 8] | 2,8 | [[1,2],[3,4],[5,6],[7,8],[9,10],[11,12],[13,14],[15,16]] | dimension 0 has 8 items",
      "mixed nesting              | 2,2 | [1,[2,3],4]                                   | dimension 0 has 3 items",
      "too deep                   | 4   | [[1],[2],[3],[4]]                             | deeper than shape"})
  void nestedDataThatIsNotTheShapeIsRefused(String why, String dims, String data, String message) {
    long[] shape = Arrays.stream(dims.split(",")).mapToLong(Long::parseLong).toArray();
    assertRejected(Datatype.FP32, shape, data, message, Arrays.toString(shape));
  }

  @Test
  void fp32ValuesBeyondItsRangeAreRefused() {
    assertRejected(Datatype.FP32, new long[] {2}, "[1.0, 1e39]", "1.0E39", "FP32");
    assertRejected(Datatype.FP32, new long[] {1}, "[-3.5e38]", "FP32");
    HostTensor edge = TensorCodec.decode("x", Datatype.FP32, new long[] {1}, json("[3.4e38]"));
    assertThat(TensorCodec.elementAsDouble(edge, 0)).isFinite();
  }

  @ParameterizedTest
  @EnumSource(value = Datatype.class, names = {"INT32", "INT64", "UINT8"})
  void nonFiniteSpellingsAreNotIntegers(Datatype t) {
    assertRejected(t, new long[] {1}, "[\"NaN\"]", "NaN");
  }

  static Stream<Arguments> elementAsDoubleCases() {
    return Stream.of(
        Arguments.of(Datatype.UINT8, "[255]", 255d),
        Arguments.of(Datatype.UINT16, "[65535]", 65535d),
        Arguments.of(Datatype.UINT32, "[4294967295]", 4294967295d),
        Arguments.of(Datatype.UINT64, "[18446744073709551615]", 18446744073709551615d),
        Arguments.of(Datatype.INT8, "[-5]", -5d),
        Arguments.of(Datatype.BOOL, "[true]", 1d),
        Arguments.of(Datatype.FP16, "[-0.5]", -0.5d),
        Arguments.of(Datatype.BF16, "[-0.5]", -0.5d));
  }

  @ParameterizedTest
  @MethodSource("elementAsDoubleCases")
  void elementAsDoubleReadsUnsignedAndHalfPrecisionValues(Datatype t, String data, double expected) {
    assertThat(TensorCodec.elementAsDouble(TensorCodec.decode("v", t, new long[] {1}, json(data)), 0))
        .isEqualTo(expected);
  }

  /**
   * BUG (main code): TensorCodec.put truncates BF16 (drops the low 16 bits of the float) instead of
   * rounding to nearest even as ONNX Runtime's own Fp16Conversions.floatToBf16 (and its Cast
   * kernel, PyTorch, NumPy's ml_dtypes) do; 0.1 becomes 0.099609375 (0x3DCC) rather than the
   * nearest bfloat16, 0.10009765625 (0x3DCD). FP16 already goes through ONNX Runtime's rounding
   * conversion.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(floats = {0.1f, 1.01171875f, -3.3f, 1e-3f, 65535f})
  void bf16RoundsToTheNearestValueLikeOnnxRuntime(float value) {
    HostTensor decoded = TensorCodec.decode("b", Datatype.BF16, new long[] {1}, json("[" + value + "]"));

    short expected = ai.onnxruntime.platform.Fp16Conversions.floatToBf16(value);
    assertThat(String.format("0x%04X", decoded.data().getShort(0)))
        .as("BF16 bits of %s", value).isEqualTo(String.format("0x%04X", expected));
  }

  // ---- errors: a 400 that names the input ----

  static InferenceException assertRejected(Datatype t, long[] shape, String data, String... fragments) {
    InferenceException e = catchThrowableOfType(InferenceException.class,
        () -> TensorCodec.decode("in0", t, shape, data == null ? null : json(data)));
    assertThat(e).as("decode of %s %s %s", t, Arrays.toString(shape), data).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("'in0'").contains(fragments);
    return e;
  }

  static Stream<Arguments> rejected() {
    return Stream.of(
        Arguments.of("too few elements", Datatype.FP32, new long[] {2, 2}, "[1,2,3]", new String[] {"4", "3"}),
        Arguments.of("too many elements", Datatype.FP32, new long[] {3}, "[[1,2],[3,4]]", new String[] {"3", "4"}),
        Arguments.of("scalar for a vector", Datatype.INT32, new long[] {2}, "7", new String[] {"2", "1"}),
        Arguments.of("empty data for a scalar", Datatype.INT32, new long[0], "[]", new String[] {"1", "0"}),
        Arguments.of("negative dimension", Datatype.FP32, new long[] {-1, 2}, "[1,2]", new String[] {"negative"}),
        Arguments.of("shape overflows", Datatype.FP32, new long[] {1L << 32, 1L << 32}, "[1]",
            new String[] {"too large"}),
        Arguments.of("300 for UINT8", Datatype.UINT8, new long[] {1}, "[300]", new String[] {"300", "UINT8"}),
        Arguments.of("-1 for UINT8", Datatype.UINT8, new long[] {1}, "[-1]", new String[] {"-1", "UINT8"}),
        Arguments.of("128 for INT8", Datatype.INT8, new long[] {1}, "[128]", new String[] {"128", "INT8"}),
        Arguments.of("65536 for UINT16", Datatype.UINT16, new long[] {1}, "[65536]", new String[] {"65536"}),
        Arguments.of("40000 for INT16", Datatype.INT16, new long[] {1}, "[40000]", new String[] {"40000"}),
        Arguments.of("-1 for UINT32", Datatype.UINT32, new long[] {1}, "[-1]", new String[] {"-1", "UINT32"}),
        Arguments.of("2^32 for UINT32", Datatype.UINT32, new long[] {1}, "[4294967296]",
            new String[] {"4294967296"}),
        Arguments.of("2^31 for INT32", Datatype.INT32, new long[] {1}, "[2147483648]", new String[] {"INT32"}),
        Arguments.of("2^63 for INT64", Datatype.INT64, new long[] {1}, "[9223372036854775808]",
            new String[] {"INT64"}),
        Arguments.of("-1 for UINT64", Datatype.UINT64, new long[] {1}, "[-1]", new String[] {"UINT64"}),
        Arguments.of("2^64 for UINT64", Datatype.UINT64, new long[] {1}, "[18446744073709551616]",
            new String[] {"UINT64"}),
        Arguments.of("fractional INT32", Datatype.INT32, new long[] {2}, "[1, 1.5]", new String[] {"1.5", "INT32"}),
        Arguments.of("fractional UINT8", Datatype.UINT8, new long[] {1}, "[0.5]", new String[] {"0.5"}),
        Arguments.of("fractional UINT64", Datatype.UINT64, new long[] {1}, "[2.5]", new String[] {"2.5"}),
        Arguments.of("string for INT32", Datatype.INT32, new long[] {1}, "[\"7\"]", new String[] {"\"7\""}),
        Arguments.of("string for FP32", Datatype.FP32, new long[] {1}, "[\"1.5\"]", new String[] {"FP32"}),
        Arguments.of("string for FP64", Datatype.FP64, new long[] {1}, "[\"abc\"]", new String[] {"abc"}),
        Arguments.of("boolean for FP32", Datatype.FP32, new long[] {1}, "[true]", new String[] {"true"}),
        Arguments.of("null element", Datatype.FP32, new long[] {2}, "[1, null]", new String[] {"null"}),
        Arguments.of("object element", Datatype.INT64, new long[] {1}, "[{\"a\":1}]", new String[] {"INT64"}),
        Arguments.of("number for BOOL", Datatype.BOOL, new long[] {2}, "[true, 1]", new String[] {"BOOL"}),
        Arguments.of("string for BOOL", Datatype.BOOL, new long[] {1}, "[\"true\"]", new String[] {"BOOL"}),
        Arguments.of("number for BYTES", Datatype.BYTES, new long[] {2}, "[\"a\", 1]", new String[] {"BYTES"}),
        Arguments.of("missing data", Datatype.FP32, new long[] {1}, null, new String[] {"data"}),
        Arguments.of("null data", Datatype.FP32, new long[] {1}, "null", new String[] {"data"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectsBadDataWithA400NamingTheInput(String why, Datatype t, long[] shape, String data, String[] fragments) {
    assertRejected(t, shape, data, fragments);
  }

  @Test
  void longValuesAreAbbreviatedInTheMessage() {
    String longString = "\"" + "x".repeat(200) + "\"";
    InferenceException e = assertRejected(Datatype.FP32, new long[] {1}, "[" + longString + "]", "FP32");
    assertThat(e.getMessage()).hasSizeLessThan(120);
  }

  // ---- ONNX Runtime round trip ----

  static Stream<Sample> acceptedSamples() {
    return samples().filter(s -> s.datatype().acceptedAsInput());
  }

  @Test
  void onlyUnsignedWiderThanEightBitsAreRefusedAsInputs() {
    assertThat(Arrays.stream(Datatype.values()).filter(d -> !d.acceptedAsInput()))
        .containsExactlyInAnyOrder(Datatype.UINT16, Datatype.UINT32, Datatype.UINT64);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("acceptedSamples")
  void roundTripsThroughOnnxRuntime(Sample s) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    HostTensor decoded = TensorCodec.decode("in0", s.datatype(), SHAPE, json(s.nested()));

    HostTensor back;
    try (OnnxTensor onnx = TensorCodec.toOnnx(env, decoded)) {
      assertThat(onnx.getInfo().getShape()).containsExactly(2, 2);
      back = TensorCodec.fromOnnx("out0", onnx);
    }

    assertThat(back.name()).isEqualTo("out0");
    assertThat(back.datatype()).isEqualTo(s.datatype());
    assertThat(back.shape()).containsExactly(2, 2);
    if (s.datatype() == Datatype.BYTES) {
      assertThat(back.strings()).containsExactly(s.strings());
    } else {
      assertThat(back.data().isDirect()).isTrue();
      assertThat(back.data().order()).isEqualTo(ByteOrder.nativeOrder());
      assertThat(bytes(back)).containsExactly(s.bytes());
      for (int i = 0; i < 4; i++) {
        assertThat(TensorCodec.elementAsDouble(back, i)).isEqualTo(TensorCodec.elementAsDouble(decoded, i));
      }
    }
  }

  @Test
  void roundTripsAScalarAndNonFiniteFloats() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    HostTensor decoded = TensorCodec.decode("s", Datatype.FP32, new long[] {3}, json("[\"NaN\",\"Infinity\",-1]"));
    try (OnnxTensor onnx = TensorCodec.toOnnx(env, decoded)) {
      HostTensor back = TensorCodec.fromOnnx("s", onnx);
      assertThat(TensorCodec.elementAsDouble(back, 0)).isNaN();
      assertThat(TensorCodec.elementAsDouble(back, 1)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(TensorCodec.elementAsDouble(back, 2)).isEqualTo(-1.0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Datatype.class, names = {"UINT16", "UINT32", "UINT64"})
  void unsignedWideInputsAreA400NamingTheInput(Datatype t) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    HostTensor decoded = TensorCodec.decode("counts", t, new long[] {2}, json("[1,2]"));

    InferenceException e = catchThrowableOfType(InferenceException.class, () -> TensorCodec.toOnnx(env, decoded));

    assertThat(e).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("'counts'").contains(t.name());
  }
}
