package io.modelpilot.runtime.tensor;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import ai.onnxruntime.platform.Fp16Conversions;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Writes a host tensor's data as a flat JSON array, straight from its buffer. */
public class TensorDataSerializer extends JsonSerializer<HostTensor> {

  @Override
  public void serialize(HostTensor t, JsonGenerator g, SerializerProvider provider) throws IOException {
    writeData(g, t);
  }

  /** The tensor's elements as one flat JSON array. */
  public static void writeData(JsonGenerator g, HostTensor t) throws IOException {
    g.writeStartArray();
    if (t.datatype() == Datatype.BYTES) {
      for (String s : t.strings()) {
        g.writeString(s);
      }
    } else {
      ByteBuffer b = t.data();
      int n = (int) t.elements();
      for (int i = 0; i < n; i++) {
        write(g, t.datatype(), b, i);
      }
    }
    g.writeEndArray();
  }

  private static void write(JsonGenerator g, Datatype type, ByteBuffer b, int i) throws IOException {
    int at = i * type.size;
    switch (type) {
      case BOOL -> g.writeBoolean(b.get(at) != 0);
      case UINT8 -> g.writeNumber(b.get(at) & 0xff);
      case INT8 -> g.writeNumber(b.get(at));
      case UINT16 -> g.writeNumber(b.getShort(at) & 0xffff);
      case INT16 -> g.writeNumber(b.getShort(at));
      case UINT32 -> g.writeNumber(b.getInt(at) & 0xffffffffL);
      case INT32 -> g.writeNumber(b.getInt(at));
      case UINT64 -> g.writeNumber(TensorCodec.unsigned(b.getLong(at)));
      case INT64 -> g.writeNumber(b.getLong(at));
      case FP16 -> writeFloat(g, Fp16Conversions.fp16ToFloat(b.getShort(at)));
      case BF16 -> writeFloat(g, Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16));
      case FP32 -> writeFloat(g, b.getFloat(at));
      case FP64 -> {
        double d = b.getDouble(at);
        if (Double.isFinite(d)) {
          g.writeNumber(d);
        } else {
          g.writeString(Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
        }
      }
      default -> throw new IllegalStateException(type.name());
    }
  }

  private static void writeFloat(JsonGenerator g, float f) throws IOException {
    if (Float.isFinite(f)) {
      g.writeNumber(f);
    } else {
      g.writeString(Float.isNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity");
    }
  }
}
