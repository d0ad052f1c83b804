package io.modelpilot.runtime.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.metrics.Predictions.Row;
import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.TensorCodec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class PredictionsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static HostTensor tensor(String name, Datatype t, long[] shape, String data) throws Exception {
    return TensorCodec.decode(name, t, shape, JSON.readTree(data));
  }

  private static Map<String, HostTensor> outputs(HostTensor... tensors) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (HostTensor t : tensors) {
      out.put(t.name(), t);
    }
    return out;
  }

  @Test
  void aClassifierGivesItsLabelsAndTheirMaxProbabilities() throws Exception {
    // scikit-learn's converter (zipmap off): label INT64 [N], probabilities FP32 [N, C]
    HostTensor label = tensor("label", Datatype.INT64, new long[] {3}, "[2, 0, 1]");
    HostTensor probabilities = tensor("probabilities", Datatype.FP32, new long[] {3, 3},
        "[[0.125, 0.25, 0.625], [0.75, 0.125, 0.125], [0.25, 0.5, 0.25]]");

    List<Row> rows = Predictions.of(outputs(label, probabilities));

    assertThat(rows).containsExactly(new Row("2", 0.625), new Row("0", 0.75), new Row("1", 0.5));
  }

  @Test
  void theLabelOutputWinsWhateverTheOutputOrder() throws Exception {
    HostTensor probabilities = tensor("probabilities", Datatype.FP64, new long[] {2, 2}, "[[0.25, 0.75], [0.5, 0.5]]");
    // labels that are not the arg-max positions (classes 10 and 20)
    HostTensor label = tensor("label", Datatype.INT32, new long[] {2, 1}, "[[20], [10]]");

    List<Row> rows = Predictions.of(outputs(probabilities, label));

    assertThat(rows).containsExactly(new Row("20", 0.75), new Row("10", 0.5));
  }

  @Test
  void onlyAScoreMatrixGivesTheArgMax() throws Exception {
    HostTensor scores = tensor("logits", Datatype.FP32, new long[] {3, 4},
        "[[0.5, -1, 3, 2], [-5, -4, -3, -2], [7, 7, 1, 0]]");

    List<Row> rows = Predictions.of(outputs(scores));

    // ties go to the first class
    assertThat(rows).containsExactly(new Row("2", 3.0), new Row("3", -2.0), new Row("0", 7.0));
  }

  @Test
  void aRegressionColumnGivesValuesWithoutLabels() throws Exception {
    HostTensor variable = tensor("variable", Datatype.FP32, new long[] {3, 1}, "[[1.5], [-2.25], [0]]");

    List<Row> rows = Predictions.of(outputs(variable));

    assertThat(rows).containsExactly(new Row(null, 1.5), new Row(null, -2.25), new Row(null, 0.0));
  }

  @Test
  void aOneDimensionalRegressionOutputGivesValues() throws Exception {
    HostTensor y = tensor("y", Datatype.FP64, new long[] {2}, "[3.5, 4.5]");

    assertThat(Predictions.of(outputs(y))).containsExactly(new Row(null, 3.5), new Row(null, 4.5));
  }

  @Test
  void onlyLabelsGiveLabelsWithoutScores() throws Exception {
    HostTensor label = tensor("label", Datatype.INT64, new long[] {2}, "[1, 0]");

    List<Row> rows = Predictions.of(outputs(label));

    assertThat(rows).extracting(Row::label).containsExactly("1", "0");
    assertThat(rows).extracting(Row::value).allSatisfy(v -> assertThat(v).isNaN());
  }

  @Test
  void stringOutputsAndScalarsAreIgnored() throws Exception {
    HostTensor names = HostTensor.bytes("names", new long[] {2}, new String[] {"cat", "dog"});
    HostTensor scalar = tensor("loss", Datatype.FP32, new long[0], "0.5");
    HostTensor scores = tensor("scores", Datatype.FP32, new long[] {2, 2}, "[[0.1, 0.9], [0.8, 0.2]]");

    List<Row> rows = Predictions.of(outputs(names, scalar, scores));

    assertThat(rows).extracting(Row::label).containsExactly("1", "0");
    assertThat(rows.get(0).value()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void nothingPredictableGivesNoRows() throws Exception {
    assertThat(Predictions.of(Map.of())).isEmpty();
    assertThat(Predictions.of(outputs(HostTensor.bytes("s", new long[] {1}, new String[] {"x"})))).isEmpty();
    assertThat(Predictions.of(outputs(tensor("e", Datatype.FP32, new long[] {0, 3}, "[]")))).isEmpty();
  }
}
