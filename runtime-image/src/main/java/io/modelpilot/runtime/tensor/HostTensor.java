package io.modelpilot.runtime.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor in host memory: numeric data in a direct, native-order buffer that ONNX Runtime reads
 * without copying, or the strings of a BYTES tensor.
 */
public record HostTensor(String name, Datatype datatype, long[] shape, ByteBuffer data, String[] strings) {

  public static HostTensor numeric(String name, Datatype datatype, long[] shape, ByteBuffer data) {
    return new HostTensor(name, datatype, shape, data, null);
  }

  public static HostTensor bytes(String name, long[] shape, String[] strings) {
    return new HostTensor(name, Datatype.BYTES, shape, null, strings);
  }

  public static ByteBuffer allocate(long elements, Datatype datatype) {
    long bytes = elements * datatype.size;
    if (bytes > Integer.MAX_VALUE) {
      throw new InferenceException(400, "tensor too large: " + bytes + " bytes");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  public static long elements(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public long elements() {
    return elements(shape);
  }

  /** Rows along the first dimension. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public HostTensor renamed(String newName) {
    return new HostTensor(newName, datatype, shape, data, strings);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
