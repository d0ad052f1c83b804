package io.modelpilot.operator.tuning;

import io.fabric8.kubernetes.api.model.Pod;
import io.modelpilot.operator.api.v1alpha1.EarlyStoppingSpec;
import io.modelpilot.operator.api.v1alpha1.IntermediateValue;
import io.modelpilot.operator.api.v1alpha1.TuningJobStatus;
import io.modelpilot.operator.search.Asha;
import io.modelpilot.operator.search.EarlyStopping;
import io.modelpilot.operator.search.MedianStopping;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Early stopping's channel and rule. A trial reports intermediate values as lines
 * {@code MODELPILOT_INTERMEDIATE {"step": 3, "value": 0.81}} on its standard output; the operator reads them from the
 * pod's log (the API server's pods/log) and asks the pure rule whether the trial should go on.
 */
final class EarlyStops {

  static final String PREFIX = "MODELPILOT_INTERMEDIATE";
  private static final Pattern LINE = Pattern.compile(
      "^" + PREFIX + "\\s+\\{\\s*\"step\"\\s*:\\s*([0-9]+)\\s*,\\s*\"value\"\\s*:\\s*(-?[0-9.eE+-]+)\\s*}\\s*$");

  private EarlyStops() {
  }

  static EarlyStopping rule(EarlyStoppingSpec spec) {
    if (spec == null || spec.getType() == null) {
      return EarlyStopping.never();
    }
    long minSteps = spec.getMinSteps() == null ? 1 : spec.getMinSteps();
    return switch (spec.getType()) {
      case MEDIAN -> new MedianStopping(spec.getMinTrials() == null ? 3 : spec.getMinTrials(), minSteps);
      case ASHA -> new Asha(Math.max(1, minSteps), spec.getReductionFactor() == null ? 3 : spec.getReductionFactor());
    };
  }

  /** The values in a log, in order; lines that do not match are someone else's output. At most the first MAX_INTERMEDIATE. */
  static List<IntermediateValue> parse(String log) {
    List<IntermediateValue> values = new ArrayList<>();
    if (log == null) {
      return values;
    }
    for (String line : log.split("\n")) {
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      try {
        double value = Double.parseDouble(m.group(2));
        if (Double.isFinite(value) && values.size() < TuningJobStatus.MAX_INTERMEDIATE) {
          values.add(new IntermediateValue(Long.parseLong(m.group(1)), value));
        }
      } catch (NumberFormatException e) {
        // a malformed number is a line like any other
      }
    }
    return values;
  }

  static String podName(List<Pod> pods) {
    return pods.isEmpty() ? null : pods.get(0).getMetadata().getName();
  }
}
