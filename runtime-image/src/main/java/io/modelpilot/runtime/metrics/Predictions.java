package io.modelpilot.runtime.metrics;

import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.TensorCodec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a model predicted, row by row: a class for classifiers (an integer label output, or the
 * arg-max of a score matrix) with its score, or a value for regressions.
 */
public final class Predictions {

  public record Row(String label, double value) {
  }

  private Predictions() {
  }

  /** Never throws: an output layout this does not understand gives no predictions. */
  public static List<Row> of(Map<String, HostTensor> outputs) {
    try {
      return extract(outputs);
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static List<Row> extract(Map<String, HostTensor> outputs) {
    HostTensor labels = null;
    HostTensor scores = null;
    for (HostTensor t : outputs.values()) {
      if (t.datatype() == Datatype.BYTES || t.shape().length == 0) {
        continue;
      }
      long perRow = t.shape()[0] == 0 ? 0 : t.elements() / t.shape()[0];
      if (labels == null && t.datatype().isInteger() && perRow == 1) {
        labels = t;
      } else if (scores == null && t.datatype().isFloat()) {
        scores = t;
      }
    }
    if (labels != null && scores != null && labels.shape()[0] != scores.shape()[0]) {
      labels = null; // not one label per row of scores: these are not a classifier's outputs
    }
    List<Row> rows = new ArrayList<>();
    if (scores != null) {
      int n = (int) scores.shape()[0];
      int width = n == 0 ? 0 : (int) (scores.elements() / n);
      for (int r = 0; r < n; r++) {
        if (width == 1) {
          double value = TensorCodec.elementAsDouble(scores, r);
          String label = labels != null ? Long.toString((long) TensorCodec.elementAsDouble(labels, r)) : null;
          rows.add(new Row(label, value));
        } else {
          int best = 0;
          double bestScore = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < width; c++) {
            double s = TensorCodec.elementAsDouble(scores, r * width + c);
            if (s > bestScore) {
              bestScore = s;
              best = c;
            }
          }
          String label = labels != null ? Long.toString((long) TensorCodec.elementAsDouble(labels, r))
              : Integer.toString(best);
          rows.add(new Row(label, bestScore));
        }
      }
    } else if (labels != null) {
      for (int r = 0; r < labels.shape()[0]; r++) {
        rows.add(new Row(Long.toString((long) TensorCodec.elementAsDouble(labels, r)), Double.NaN));
      }
    }
    return rows;
  }
}
