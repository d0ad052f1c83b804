package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The median stopping rule (Golovin et al., "Google Vizier", 2017): stop a trial at step s when its best value so far
 * is worse than the median of the completed trials' running averages up to s. It needs no configuration beyond how
 * many completed trials make the median meaningful and how many steps every trial is granted.
 *
 * @param minCompletedTrials completed trials that must have reported by step s before anything is stopped
 * @param warmupSteps no trial is stopped before this step
 */
public record MedianStopping(int minCompletedTrials, long warmupSteps) implements EarlyStopping {

  public MedianStopping {
    if (minCompletedTrials < 1) {
      throw new IllegalArgumentException("median stopping needs minCompletedTrials >= 1, got " + minCompletedTrials);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("median stopping needs warmupSteps >= 0, got " + warmupSteps);
    }
  }

  public static MedianStopping defaults() {
    return new MedianStopping(5, 0);
  }

  @Override
  public Decision evaluate(Objective objective, Observation trial, List<Observation> history) {
    List<Observation.Intermediate> own = trial.intermediate();
    if (own.isEmpty()) {
      return Decision.keepGoing("no intermediate results yet");
    }
    long step = own.get(own.size() - 1).step();
    if (step < warmupSteps) {
      return Decision.keepGoing("step " + step + " is within the warm-up of " + warmupSteps + " steps");
    }
    double best = objective.loss(own.get(0).value());
    for (Observation.Intermediate i : own) {
      best = Math.min(best, objective.loss(i.value()));
    }
    List<Double> averages = new ArrayList<>();
    for (Observation other : history) {
      if (other.state() != Observation.State.SUCCEEDED || other.id().equals(trial.id())) {
        continue;
      }
      double sum = 0;
      int n = 0;
      for (Observation.Intermediate i : other.intermediate()) {
        if (i.step() <= step) {
          sum += objective.loss(i.value());
          n++;
        }
      }
      if (n > 0) {
        averages.add(sum / n);
      }
    }
    if (averages.size() < minCompletedTrials) {
      return Decision.keepGoing(averages.size() + " completed trials have reported by step " + step + ", "
          + minCompletedTrials + " needed to compare");
    }
    double median = median(averages);
    String text = String.format(Locale.ROOT, "best %s %s by step %d vs the median %s of %d completed trials' "
        + "running averages", objective.metric(), number(objective.loss(best)), step, number(objective.loss(median)),
        averages.size());
    return best > median ? Decision.stop(text + ": worse") : Decision.keepGoing(text + ": not worse");
  }

  static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String number(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }
}
