package io.modelpilot.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.modelpilot.runtime.v2.Protocol.ResponseOutput;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TensorDataSerializerTest {

  private static final ObjectMapper PLAIN = new ObjectMapper();
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new SimpleModule().addSerializer(HostTensor.class, new TensorDataSerializer()));

  private static HostTensor decode(Datatype t, long[] shape, String data) throws Exception {
    return TensorCodec.decode("t", t, shape, PLAIN.readTree(data));
  }

  private static String write(HostTensor t) throws Exception {
    return JSON.writeValueAsString(t);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "BOOL   | [[true,false],[false,true]]                              | [true,false,false,true]",
      "UINT8  | [[0,1],[128,255]]                                        | [0,1,128,255]",
      "INT8   | [[-128,-1],[0,127]]                                      | [-128,-1,0,127]",
      "UINT16 | [[0,1],[32768,65535]]                                    | [0,1,32768,65535]",
      "INT16  | [[-32768,-1],[0,32767]]                                  | [-32768,-1,0,32767]",
      "UINT32 | [[0,1],[2147483648,4294967295]]                          | [0,1,2147483648,4294967295]",
      "INT32  | [[-2147483648,-1],[0,2147483647]]                        | [-2147483648,-1,0,2147483647]",
      "UINT64 | [[0,1],[9223372036854775808,18446744073709551615]]       | [0,1,9223372036854775808,18446744073709551615]",
      "INT64  | [[-9223372036854775808,-1],[0,9223372036854775807]]      | [-9223372036854775808,-1,0,9223372036854775807]",
      "FP16   | [[1.0,-2.0],[0.5,65504]]                                 | [1.0,-2.0,0.5,65504.0]",
      "BF16   | [[1.0,-2.0],[0.5,3.140625]]                              | [1.0,-2.0,0.5,3.140625]",
      "FP32   | [[1.5,-0.25],[0,0.1]]                                    | [1.5,-0.25,0.0,0.1]",
      "FP64   | [[1.5,-0.25],[0,0.1]]                                    | [1.5,-0.25,0.0,0.1]",
      "BYTES  | [[\"a\",\"\"],[\"b c\",\"\\\"q\\\"\"]]                   | [\"a\",\"\",\"b c\",\"\\\"q\\\"\"]",
  })
  void writesAFlatArrayOfTheValues(Datatype t, String nested, String expected) throws Exception {
    String written = write(decode(t, new long[] {2, 2}, nested));

    assertThat(written).isEqualTo(expected);
  }

  @Test
  void writesUnsignedExtremesAsPositiveNumbers() throws Exception {
    assertThat(write(decode(Datatype.UINT8, new long[] {1}, "[255]"))).isEqualTo("[255]");
    assertThat(write(decode(Datatype.UINT64, new long[] {1}, "[18446744073709551615]")))
        .isEqualTo("[18446744073709551615]");

    JsonNode parsed = PLAIN.readTree(write(decode(Datatype.UINT64, new long[] {1}, "[18446744073709551615]")));
    assertThat(parsed.get(0).bigIntegerValue()).hasToString("18446744073709551615");
  }

  @ParameterizedTest
  @EnumSource(value = Datatype.class, names = {"FP16", "BF16", "FP32", "FP64"})
  void writesNonFiniteFloatsAsStrings(Datatype t) throws Exception {
    String written = write(decode(t, new long[] {4}, "[\"NaN\",\"Infinity\",\"-Infinity\",2.0]"));

    assertThat(written).isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\",2.0]");
  }

  @Test
  void writesFromTheBufferStartWhateverItsPosition() throws Exception {
    ByteBuffer data = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
    data.putInt(7).putInt(8).putInt(9); // not flipped: position at the end
    HostTensor t = HostTensor.numeric("t", Datatype.INT32, new long[] {3}, data);

    assertThat(write(t)).isEqualTo("[7,8,9]");
  }

  @Test
  void writesAnEmptyTensorAsAnEmptyArray() throws Exception {
    assertThat(write(decode(Datatype.FP32, new long[] {0, 4}, "[]"))).isEqualTo("[]");
    assertThat(write(HostTensor.bytes("s", new long[] {0}, new String[0]))).isEqualTo("[]");
  }

  @Test
  void responseOutputsUseTheSerializerAndLeaveOutNulls() throws Exception {
    HostTensor t = decode(Datatype.UINT8, new long[] {2, 1}, "[[3],[255]]");
    ResponseOutput out = new ResponseOutput("y", t.shape(), t.datatype().name(), null, t);

    JsonNode written = PLAIN.readTree(PLAIN.writeValueAsString(out));

    assertThat(written.get("name").textValue()).isEqualTo("y");
    assertThat(written.get("datatype").textValue()).isEqualTo("UINT8");
    assertThat(written.get("shape").toString()).isEqualTo("[2,1]");
    assertThat(written.get("data").toString()).isEqualTo("[3,255]");
    assertThat(written.has("parameters")).isFalse();
  }
}
