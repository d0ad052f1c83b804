package io.modelpilot.runtime.v2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.v2.Protocol.InferenceRequest;
import io.modelpilot.runtime.v2.Protocol.RequestInput;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {

  private static InferenceRequest parse(String body) {
    return RequestParser.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static final String INPUT = "{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,2],\"data\":[1,2]}";

  @Test
  void parsesAValidRequest() {
    InferenceRequest r = parse("""
        {
          "id": "req-42",
          "parameters": {"priority": 3, "tag": "a", "nested": {"k": [1, 2]}},
          "inputs": [
            {"name": "x", "datatype": "FP32", "shape": [2, 2], "data": [[1.5, 2], [3, 4]],
             "parameters": {"binary_data_size": 16}},
            {"name": "mask", "datatype": "BOOL", "shape": [2], "data": [true, false]},
            {"name": "scalar", "datatype": "INT64", "shape": [], "data": 7}
          ],
          "outputs": [
            {"name": "probabilities", "parameters": {"classification": 2}},
            {"name": "label"}
          ]
        }
        """);

    assertThat(r.id()).isEqualTo("req-42");
    assertThat(r.parameters()).containsEntry("priority", 3).containsEntry("tag", "a")
        .containsEntry("nested", Map.of("k", List.of(1, 2)));
    assertThat(r.inputs()).extracting(RequestInput::name).containsExactly("x", "mask", "scalar");

    RequestInput x = r.inputs().get(0);
    assertThat(x.datatype()).isEqualTo("FP32");
    assertThat(x.shape()).containsExactly(2, 2);
    assertThat(x.parameters()).containsEntry("binary_data_size", 16);
    assertThat(x.data().toString()).isEqualTo("[[1.5, 2], [3, 4]]"); // the body's own text, decoded later

    RequestInput mask = r.inputs().get(1);
    assertThat(mask.datatype()).isEqualTo("BOOL");
    assertThat(mask.shape()).containsExactly(2);
    assertThat(mask.parameters()).isNull();
    assertThat(mask.data().toString()).isEqualTo("[true, false]");

    RequestInput scalar = r.inputs().get(2);
    assertThat(scalar.shape()).isEmpty();
    assertThat(scalar.data().toString()).isEqualTo("7");

    assertThat(r.outputs()).hasSize(2);
    assertThat(r.outputs().get(0).name()).isEqualTo("probabilities");
    assertThat(r.outputs().get(0).parameters()).containsEntry("classification", 2);
    assertThat(r.outputs().get(1).name()).isEqualTo("label");
    assertThat(r.outputs().get(1).parameters()).isNull();
  }

  @Test
  void idParametersAndOutputsAreOptional() {
    InferenceRequest r = parse("{\"inputs\":[" + INPUT + "]}");

    assertThat(r.id()).isNull();
    assertThat(r.parameters()).isNull();
    assertThat(r.outputs()).isEmpty();
    assertThat(r.inputs()).hasSize(1);
  }

  @Test
  void anEmptyInputsArrayIsAllowedForModelsWithoutInputs() {
    // missing inputs are reported by name later, against the model's inputs
    assertThat(parse("{\"inputs\": []}").inputs()).isEmpty();
  }

  @Test
  void nullOutputsAndParametersAreTreatedAsAbsent() {
    InferenceRequest r = parse("{\"inputs\":[" + INPUT + "],\"outputs\":null,\"parameters\":null}");

    assertThat(r.outputs()).isEmpty();
    assertThat(r.parameters()).isNull();
  }

  @Test
  void missingDataIsLeftForTheCodecToReport() {
    InferenceRequest r = parse("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1]}]}");

    assertThat(r.inputs().get(0).data()).isNull();
  }

  @Test
  void negativeShapeDimensionsAreLeftForTheCodecToReport() {
    InferenceRequest r = parse("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1],\"data\":[]}]}");

    assertThat(r.inputs().get(0).shape()).containsExactly(-1);
  }

  /**
   * BUG (main code): RequestParser reads the body with ObjectMapper.readTree, which stops after
   * the first JSON value and ignores whatever follows (DeserializationFeature.FAIL_ON_TRAILING_TOKENS
   * is off by default), so malformed bodies such as an object followed by "]" or by a second
   * object are accepted instead of being a 400 "invalid JSON".
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"]", " garbage", " {\"inputs\": []}", ","})
  void rejectsContentAfterTheRequestObject(String trailing) {
    InferenceException e = catchThrowableOfType(InferenceException.class,
        () -> parse("{\"inputs\": [" + INPUT + "]}" + trailing));

    assertThat(e).as("a body with %s after the object", trailing).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("invalid JSON");
  }

  /** why | body | a fragment of the message; '' is an empty body. */
  private static final String REJECTED = """
      invalid JSON                 | {"inputs": [                                                         | invalid JSON
      not JSON at all              | hello                                                                | invalid JSON
      empty body                   | ''                                                                   | JSON object
      array body                   | [1, 2]                                                               | JSON object
      string body                  | "inputs"                                                             | JSON object
      null body                    | null                                                                 | JSON object
      missing inputs               | {"id": "a"}                                                          | 'inputs'
      inputs not an array          | {"inputs": {"name": "x"}}                                            | 'inputs'
      input not an object          | {"inputs": [1]}                                                      | inputs[0]
      input without name           | {"inputs": [{"datatype": "FP32", "shape": [1], "data": [1]}]}        | inputs[0]: 'name'
      input with empty name        | {"inputs": [{"name": "", "datatype": "FP32", "shape": [1]}]}         | inputs[0]: 'name'
      input with numeric name      | {"inputs": [{"name": 5, "datatype": "FP32", "shape": [1]}]}          | inputs[0]: 'name'
      input without datatype       | {"inputs": [{"name": "x", "shape": [1], "data": [1]}]}               | input 'x': 'datatype'
      input without shape          | {"inputs": [{"name": "x", "datatype": "FP32", "data": [1]}]}         | input 'x': 'shape'
      shape not an array           | {"inputs": [{"name": "x", "datatype": "FP32", "shape": 3}]}          | input 'x': 'shape'
      fractional shape             | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1.5]}]}      | input 'x': 'shape'
      string shape                 | {"inputs": [{"name": "x", "datatype": "FP32", "shape": ["2"]}]}      | input 'x': 'shape'
      huge shape                   | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1e999]}]}    | input 'x': 'shape'
      duplicate input              | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}, {"name": "x", "datatype": "FP32", "shape": [1]}]} | input 'x' appears twice
      outputs not an array         | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}], "outputs": {"name": "y"}} | 'outputs' must be an array
      output not an object         | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}], "outputs": ["y"]} | outputs[0]
      output without name          | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}], "outputs": [{"parameters": {}}]} | outputs[0]: 'name'
      numeric id                   | {"id": 7, "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}]} | 'id' must be a string
      object id                    | {"id": {}, "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}]} | 'id' must be a string
      parameters not an object     | {"parameters": [1], "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}]} | 'parameters' must be an object
      input parameters not object  | {"inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "parameters": 1}]} | input 'x'
      """;

  static Stream<Arguments> rejected() {
    return REJECTED.lines().filter(l -> !l.isBlank()).map(l -> {
      String[] cols = l.split("\\|");
      String body = cols[1].trim();
      return Arguments.of(cols[0].trim(), body.equals("''") ? "" : body, cols[2].trim());
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rejected")
  void rejectsWithA400NamingTheProblem(String why, String body, String fragment) {
    InferenceException e = catchThrowableOfType(InferenceException.class, () -> parse(body));

    assertThat(e).as(why).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains(fragment);
  }

  @Test
  void aRequestIdIsAtMost256Characters() {
    String ok = "{\"id\": \"" + "a".repeat(256) + "\", \"inputs\": []}";
    assertThat(parse(ok).id()).hasSize(256);
    InferenceException e = catchThrowableOfType(InferenceException.class,
        () -> parse("{\"id\": \"" + "a".repeat(100_000) + "\", \"inputs\": []}"));
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.getMessage()).contains("'id'", "256", "100000");
  }
}
