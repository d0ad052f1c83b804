package io.modelpilot.runtime.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.tensor.TensorCodec;
import io.modelpilot.runtime.v2.Protocol.TensorMetadata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** An ONNX Runtime session with the model's V2 metadata. Thread-safe: sessions run concurrently. */
public final class LoadedModel implements AutoCloseable {

  public record Tensor(String name, Datatype datatype, long[] shape, String unsupported) {
    public TensorMetadata metadata() {
      return new TensorMetadata(name, datatype == null ? "UNSUPPORTED" : datatype.name(), shape);
    }
  }

  private final String name;
  private final String version;
  private final OrtEnvironment env;
  private final OrtSession session;
  private final List<Tensor> inputs;
  private final List<Tensor> outputs;
  private final List<Tensor> unservedOutputs;

  public LoadedModel(String name, String version, OrtEnvironment env, OrtSession session) throws OrtException {
    this.name = name;
    this.version = version;
    this.env = env;
    this.session = session;
    this.inputs = describe(session.getInputInfo());
    List<Tensor> all = describe(session.getOutputInfo());
    // a sequence or map output (e.g. the ZipMap of an sklearn classifier) cannot travel in the protocol: the
    // model serves its tensor outputs, and ONNX Runtime does not compute the others
    this.outputs = all.stream().filter(t -> t.unsupported() == null).toList();
    this.unservedOutputs = all.stream().filter(t -> t.unsupported() != null).toList();
  }

  private static List<Tensor> describe(Map<String, NodeInfo> nodes) {
    List<Tensor> tensors = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof TensorInfo info) {
        Optional<Datatype> datatype = Datatype.fromOnnx(info.onnxType);
        tensors.add(new Tensor(node.getName(), datatype.orElse(null), info.getShape(),
            datatype.isEmpty() ? "element type " + info.onnxType + " has no protocol datatype" : null));
      } else {
        tensors.add(new Tensor(node.getName(), null, new long[0],
            "not a tensor (" + node.getInfo().getClass().getSimpleName() + ")"));
      }
    }
    return List.copyOf(tensors);
  }

  public String name() {
    return name;
  }

  public String version() {
    return version;
  }

  public List<Tensor> inputs() {
    return inputs;
  }

  public List<Tensor> outputs() {
    return outputs;
  }

  /** Outputs the protocol cannot carry (not tensors, or of a type without a protocol datatype). */
  public List<Tensor> unservedOutputs() {
    return unservedOutputs;
  }

  public Optional<Tensor> input(String inputName) {
    return inputs.stream().filter(t -> t.name().equals(inputName)).findFirst();
  }

  public Optional<Tensor> output(String outputName) {
    return outputs.stream().filter(t -> t.name().equals(outputName)).findFirst();
  }

  /**
   * Whether requests can be stacked along the first dimension: every input and output is a tensor with a
   * dynamic first dimension, and, once the warm-up has run the model on two rows, its outputs came out row
   * by row ({@link #batchingChecked}).
   */
  public boolean batchable() {
    return !Boolean.FALSE.equals(rowWise) && !inputs.isEmpty()
        && inputs.stream().allMatch(t -> t.datatype() != null && t.shape().length > 0 && t.shape()[0] < 0)
        && outputs.stream().allMatch(t -> t.datatype() != null && t.shape().length > 0 && t.shape()[0] < 0);
  }

  private volatile Boolean rowWise;

  /** What running the model on stacked rows showed: whether each output row depends only on its input row. */
  public void batchingChecked(boolean outputsRowByRow) {
    rowWise = outputsRowByRow;
  }

  /** Runs the model once; inputs must already be validated against {@link #inputs()}. */
  public Map<String, HostTensor> run(List<HostTensor> request, Set<String> wanted) throws OrtException {
    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
    try {
      for (HostTensor t : request) {
        feed.put(t.name(), TensorCodec.toOnnx(env, t));
      }
      Map<String, HostTensor> result = new LinkedHashMap<>();
      try (OrtSession.Result out = session.run(feed, wanted)) {
        for (Map.Entry<String, OnnxValue> e : out) {
          if (!(e.getValue() instanceof OnnxTensor tensor)) {
            throw new InferenceException(500, "output '" + e.getKey() + "' is not a tensor");
          }
          result.put(e.getKey(), TensorCodec.fromOnnx(e.getKey(), tensor));
        }
      }
      return result;
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // closing a session only fails if it is already closed
    }
  }

  @Override
  public String toString() {
    return name + ":" + version + " inputs=" + inputs.stream().map(t -> t.name() + Arrays.toString(t.shape())).toList()
        + (unservedOutputs.isEmpty() ? "" : " (not served: " + unservedOutputs.stream()
            .map(t -> t.name() + ": " + t.unsupported()).toList() + ")");
  }
}
