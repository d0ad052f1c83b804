package io.modelpilot.runtime.v2;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.tensor.TensorDataSerializer;
import io.modelpilot.runtime.v2.Protocol.InferenceResponse;
import io.modelpilot.runtime.v2.Protocol.ResponseOutput;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes an inference response with a streaming generator: tensor data goes from the output buffers to JSON text
 * with no intermediate objects (the shortest round-tripping decimal for every float, Schubfach).
 */
public final class ResponseWriter {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
  private static final ObjectMapper PARAMETERS = new ObjectMapper(FACTORY);

  private ResponseWriter() {
  }

  public static byte[] write(InferenceResponse response) {
    ByteArrayBuilder out = new ByteArrayBuilder(1024);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.setCodec(PARAMETERS);
      g.writeStartObject();
      g.writeStringField("model_name", response.modelName());
      g.writeStringField("model_version", response.modelVersion());
      if (response.id() != null) {
        g.writeStringField("id", response.id());
      }
      writeParameters(g, response);
      g.writeArrayFieldStart("outputs");
      for (ResponseOutput o : response.outputs()) {
        g.writeStartObject();
        g.writeStringField("name", o.name());
        g.writeStringField("datatype", o.datatype());
        g.writeArrayFieldStart("shape");
        for (long d : o.shape()) {
          g.writeNumber(d);
        }
        g.writeEndArray();
        if (o.parameters() != null) {
          g.writeFieldName("parameters");
          g.writeObject(o.parameters());
        }
        g.writeFieldName("data");
        TensorDataSerializer.writeData(g, o.data());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] bytes = out.toByteArray();
    out.release();
    return bytes;
  }

  /** The request's parameters, then the server's prediction token (a client's own "prediction_token" is dropped). */
  private static void writeParameters(JsonGenerator g, InferenceResponse response) throws IOException {
    Map<String, Object> parameters = response.parameters();
    String token = response.predictionToken();
    if (parameters == null && token == null) {
      return;
    }
    g.writeObjectFieldStart("parameters");
    if (parameters != null) {
      for (Map.Entry<String, Object> p : parameters.entrySet()) {
        if (!Protocol.PREDICTION_TOKEN.equals(p.getKey())) {
          g.writeFieldName(p.getKey());
          g.writeObject(p.getValue());
        }
      }
    }
    if (token != null) {
      g.writeStringField(Protocol.PREDICTION_TOKEN, token);
    }
    g.writeEndObject();
  }
}
