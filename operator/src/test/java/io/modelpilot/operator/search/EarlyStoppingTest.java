package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelpilot.operator.search.EarlyStopping.Decision;
import io.modelpilot.operator.search.Observation.Intermediate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {

  private static final Objective LOSS = Objective.minimize("loss");

  private static List<Intermediate> curve(double... values) {
    List<Intermediate> out = new ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      out.add(new Intermediate(i + 1, values[i]));
    }
    return out;
  }

  private static Observation completed(String id, double... values) {
    return new Observation(id, Map.of("batch", 1), Observation.State.SUCCEEDED, Map.of("loss", values[values.length
        - 1]), curve(values));
  }

  private static Observation running(String id, double... values) {
    return Observation.running(id, Map.of("batch", 2), curve(values));
  }

  /** Running averages by step 2: 0.9, 1.1, 0.8, 1.45, 1.0; their median is 1.0. */
  private static final List<Observation> FIVE_DONE = List.of(completed("c1", 1.0, 0.8, 0.6),
      completed("c2", 1.2, 1.0, 0.8), completed("c3", 0.9, 0.7, 0.5), completed("c4", 1.5, 1.4, 1.3),
      completed("c5", 1.1, 0.9, 0.7));

  // --- median stopping ---

  @Test
  void medianStoppingStopsATrialWhoseBestIsWorseThanTheMedianOfRunningAverages() {
    Observation slow = running("slow", 1.3, 1.2);

    Decision d = MedianStopping.defaults().evaluate(LOSS, slow, with(FIVE_DONE, slow));

    assertThat(d.stop()).isTrue();
    assertThat(d.reason()).isEqualTo("best loss 1.200 by step 2 vs the median 1.000 of 5 completed trials' running "
        + "averages: worse");
  }

  @Test
  void medianStoppingLetsATrialBetterThanTheMedianGoOn() {
    Observation promising = running("promising", 1.1, 0.95);

    Decision d = MedianStopping.defaults().evaluate(LOSS, promising, with(FIVE_DONE, promising));

    assertThat(d.stop()).isFalse();
    assertThat(d.reason()).endsWith(": not worse");
  }

  @Test
  void medianStoppingWorksTheOtherWayForMaximisedObjectives() {
    Objective accuracy = Objective.maximize("loss");
    // as accuracies, the five completed trials' averages by step 2 have the median 1.0; 1.2 is better
    Observation good = running("good", 1.1, 1.2);
    Observation bad = running("bad", 0.5, 0.9);

    assertThat(MedianStopping.defaults().evaluate(accuracy, good, FIVE_DONE).stop()).isFalse();
    assertThat(MedianStopping.defaults().evaluate(accuracy, bad, FIVE_DONE).stop()).isTrue();
  }

  @Test
  void medianStoppingWaitsForEnoughCompletedTrialsAndForTheWarmUp() {
    Observation slow = running("slow", 1.3, 1.2);

    Decision fewTrials = new MedianStopping(6, 0).evaluate(LOSS, slow, FIVE_DONE);
    Decision warmUp = new MedianStopping(5, 3).evaluate(LOSS, slow, FIVE_DONE);
    Decision nothingYet = MedianStopping.defaults().evaluate(LOSS, running("new"), FIVE_DONE);

    assertThat(fewTrials.stop()).isFalse();
    assertThat(fewTrials.reason()).isEqualTo("5 completed trials have reported by step 2, 6 needed to compare");
    assertThat(warmUp.stop()).isFalse();
    assertThat(warmUp.reason()).isEqualTo("step 2 is within the warm-up of 3 steps");
    assertThat(nothingYet.stop()).isFalse();
  }

  // --- ASHA ---

  /** Six other trials that reached step 3 with values 0.5 .. 0.9 there (one still running, one stopped early). */
  private static final List<Observation> AT_RUNG_1 = List.of(completed("a", 0.9, 0.7, 0.5),
      completed("b", 0.9, 0.8, 0.6), running("c", 1.0, 0.9, 0.7, 0.6),
      new Observation("d", Map.of("batch", 4), Observation.State.EARLY_STOPPED, Map.of(), curve(1.0, 0.9, 0.8)),
      completed("e", 1.2, 1.0, 0.9), running("f", 0.8));

  @Test
  void ashaPromotesTheTopThirdAtARungAndStopsTheRest() {
    Asha asha = new Asha(1, 3);
    Observation good = running("good", 0.9, 0.7, 0.55);
    Observation bad = running("bad", 0.9, 0.7, 0.65);

    // rung 1 is step 3: 5 others reached it, plus the trial itself: the top 6/3 = 2 go on
    Decision promoted = asha.evaluate(LOSS, good, AT_RUNG_1);
    Decision stopped = asha.evaluate(LOSS, bad, AT_RUNG_1);

    assertThat(promoted.stop()).isFalse();
    assertThat(promoted.reason()).isEqualTo("loss 0.5500 at rung 1 (step 3) vs the top 2 of 6 trials there "
        + "(cut-off 0.5500): promoted");
    assertThat(stopped.stop()).isTrue();
    assertThat(stopped.reason()).isEqualTo("loss 0.6500 at rung 1 (step 3) vs the top 2 of 6 trials there "
        + "(cut-off 0.6000): not in the top 1/3");
  }

  @Test
  void ashaJudgesAtTheHighestRungReachedWithTheValueReportedThere() {
    Asha asha = new Asha(1, 3);
    // at step 2 the trial is at rung 0 (step 1), where its 0.75 beats every other trial's first value
    Observation early = running("early", 0.75, 2.0);

    Decision d = asha.evaluate(LOSS, early, AT_RUNG_1);

    assertThat(d.stop()).isFalse();
    assertThat(d.reason()).startsWith("loss 0.7500 at rung 0 (step 1) vs the top 2 of 7 trials there");
    assertThat(asha.rung(0)).isEqualTo(1);
    assertThat(asha.rung(2)).isEqualTo(9);
  }

  @Test
  void ashaLeavesTrialsAloneBelowTheFirstRungOrWhileTooFewReachedIt() {
    Observation bad = running("bad", 0.9, 0.7, 0.65);

    Decision belowRung = new Asha(5, 3).evaluate(LOSS, bad, AT_RUNG_1);
    Decision fewTrials = new Asha(1, 3, 10).evaluate(LOSS, bad, AT_RUNG_1);

    assertThat(belowRung.stop()).isFalse();
    assertThat(belowRung.reason()).isEqualTo("step 3 is below the first rung (5)");
    assertThat(fewTrials.stop()).isFalse();
    assertThat(fewTrials.reason()).endsWith(": 6 trials reached the rung, 10 needed to compare");
  }

  @Test
  void neverStopsWhenEarlyStoppingIsOff() {
    assertThat(EarlyStopping.never().evaluate(LOSS, running("bad", 9, 9, 9), AT_RUNG_1).stop()).isFalse();
  }

  private static List<Observation> with(List<Observation> history, Observation trial) {
    List<Observation> all = new ArrayList<>(history);
    all.add(trial);
    return all;
  }
}
