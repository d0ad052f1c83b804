package io.modelpilot.operator.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter Tuning", 2020) as a
 * stopping rule. Rungs sit at {@code minResource × η^k} steps; a trial that has reached rung k goes on only while its
 * value there is among the best {@code ⌊n/η⌋} (at least 1) of the n trials that reached rung k, itself included.
 * Trials are judged at the highest rung they reached, against every trial that got there, stopped ones included.
 *
 * @param minResource the first rung, in steps
 * @param reductionFactor η: one in η trials goes on at each rung
 * @param minTrialsPerRung trials that must have reached a rung before it stops anything (1 is plain ASHA, which can
 *     stop the second trial to arrive; more waits for a fairer comparison)
 */
public record Asha(long minResource, int reductionFactor, int minTrialsPerRung) implements EarlyStopping {

  public Asha {
    if (minResource < 1) {
      throw new IllegalArgumentException("ASHA needs minResource >= 1, got " + minResource);
    }
    if (reductionFactor < 2) {
      throw new IllegalArgumentException("ASHA needs reductionFactor >= 2, got " + reductionFactor);
    }
    if (minTrialsPerRung < 1) {
      throw new IllegalArgumentException("ASHA needs minTrialsPerRung >= 1, got " + minTrialsPerRung);
    }
  }

  public Asha(long minResource, int reductionFactor) {
    this(minResource, reductionFactor, 1);
  }

  /** The step of rung k. */
  public long rung(int k) {
    long r = minResource;
    for (int i = 0; i < k; i++) {
      r = Math.multiplyExact(r, reductionFactor);
    }
    return r;
  }

  @Override
  public Decision evaluate(Objective objective, Observation trial, List<Observation> history) {
    List<Observation.Intermediate> own = trial.intermediate();
    long last = own.isEmpty() ? 0 : own.get(own.size() - 1).step();
    if (last < minResource) {
      return Decision.keepGoing("step " + last + " is below the first rung (" + minResource + ")");
    }
    int k = 0;
    while (last / reductionFactor >= rung(k)) {
      k++;
    }
    long rungStep = rung(k);
    double value = objective.loss(valueAt(own, rungStep));
    List<Double> competitors = new ArrayList<>();
    competitors.add(value);
    for (Observation other : history) {
      if (other.id().equals(trial.id()) || other.intermediate().isEmpty()) {
        continue;
      }
      List<Observation.Intermediate> values = other.intermediate();
      if (values.get(values.size() - 1).step() >= rungStep) {
        competitors.add(objective.loss(valueAt(values, rungStep)));
      }
    }
    int n = competitors.size();
    String where = String.format(Locale.ROOT, "%s %s at rung %d (step %d)", objective.metric(),
        MedianStopping.number(objective.loss(value)), k, rungStep);
    if (n < minTrialsPerRung) {
      return Decision.keepGoing(where + ": " + n + " trials reached the rung, " + minTrialsPerRung
          + " needed to compare");
    }
    int kept = Math.max(1, n / reductionFactor);
    List<Double> sorted = competitors.stream().sorted().toList();
    double cutoff = sorted.get(kept - 1);
    String text = String.format(Locale.ROOT, "%s vs the top %d of %d trials there (cut-off %s)", where, kept, n,
        MedianStopping.number(objective.loss(cutoff)));
    return value <= cutoff ? Decision.keepGoing(text + ": promoted") : Decision.stop(text + ": not in the top 1/"
        + reductionFactor);
  }

  /** The value reported at the last step at or before {@code step}, else the first one reported. */
  private static double valueAt(List<Observation.Intermediate> values, long step) {
    double v = values.get(0).value();
    for (Observation.Intermediate i : values) {
      if (i.step() > step) {
        break;
      }
      v = i.value();
    }
    return v;
  }
}
