package io.modelpilot.runtime.v2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The raw JSON text of one input's {@code data}, a span of the request body. Nothing is built from it until the
 * codec streams it straight into the tensor's buffer, once the input's datatype and shape are known and checked.
 */
public record TensorData(byte[] body, int start, int end) {

  static final JsonFactory FACTORY = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamReadFeature.USE_FAST_BIG_NUMBER_PARSER).build();

  public static TensorData of(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return new TensorData(bytes, 0, bytes.length);
  }

  /** A parser over the span, positioned before its first token. */
  public JsonParser parser() throws IOException {
    return FACTORY.createParser(body, start, end - start);
  }

  public int length() {
    return end - start;
  }

  @Override
  public String toString() {
    return new String(body, start, end - start, StandardCharsets.UTF_8);
  }
}
