package io.modelpilot.runtime.tensor;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.TensorInfo.OnnxTensorType;

import java.util.Locale;
import java.util.Optional;

/** Open Inference Protocol v2 datatypes and their ONNX Runtime counterparts. */
public enum Datatype {
  BOOL(1, OnnxJavaType.BOOL, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL),
  UINT8(1, OnnxJavaType.UINT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8),
  // ONNX Runtime's Java API has no way to create unsigned 16/32/64-bit tensors; outputs are fine
  UINT16(2, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16),
  UINT32(4, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32),
  UINT64(8, null, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64),
  INT8(1, OnnxJavaType.INT8, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8),
  INT16(2, OnnxJavaType.INT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16),
  INT32(4, OnnxJavaType.INT32, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32),
  INT64(8, OnnxJavaType.INT64, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64),
  FP16(2, OnnxJavaType.FLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16),
  BF16(2, OnnxJavaType.BFLOAT16, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16),
  FP32(4, OnnxJavaType.FLOAT, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT),
  FP64(8, OnnxJavaType.DOUBLE, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE),
  BYTES(0, OnnxJavaType.STRING, OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING);

  /** Bytes per element; 0 for BYTES. */
  public final int size;
  final OnnxJavaType javaType;
  final OnnxTensorType onnxType;

  Datatype(int size, OnnxJavaType javaType, OnnxTensorType onnxType) {
    this.size = size;
    this.javaType = javaType;
    this.onnxType = onnxType;
  }

  /** Whether requests can carry this type as an input (ONNX Runtime Java can build the tensor). */
  public boolean acceptedAsInput() {
    return javaType != null;
  }

  public boolean isFloat() {
    return this == FP16 || this == BF16 || this == FP32 || this == FP64;
  }

  public boolean isInteger() {
    return !isFloat() && this != BOOL && this != BYTES;
  }

  public static Optional<Datatype> fromV2(String name) {
    if (name == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(name.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public static Optional<Datatype> fromOnnx(OnnxTensorType type) {
    for (Datatype d : values()) {
      if (d.onnxType == type) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }
}
