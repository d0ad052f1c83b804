package io.modelpilot.operator.search;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import org.junit.jupiter.api.Test;

class BayesianSearchTest {

  private static final Study BRANIN = new Study(SearchSpace.of(Parameter.real("x1", -5, 10),
      Parameter.real("x2", 0, 15)), Objective.minimize("value"));

  static double branin(Point p) {
    double x1 = (Double) p.get("x1");
    double x2 = (Double) p.get("x2");
    double u = x2 - 5.1 / (4 * Math.PI * Math.PI) * x1 * x1 + 5 / Math.PI * x1 - 6;
    return u * u + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  }

  /** {@code trials} trials one at a time, each with its result fed back; returns the history. */
  static List<Observation> run(Suggester suggester, Study study, ToDoubleFunction<Point> f, int trials, long seed) {
    List<Observation> history = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      Point p = suggester.suggest(study, history, 1, seed).points().get(0);
      history.add(Observation.succeeded("t" + i, p.values(), Map.of(study.objective().metric(), f.applyAsDouble(p))));
    }
    return history;
  }

  private static double best(List<Observation> history) {
    return history.stream().mapToDouble(o -> o.metrics().get("value")).min().orElseThrow();
  }

  @Test
  void sameSeedAndHistoryGiveTheSamePointsAndAnotherSeedOthers() {
    List<Observation> history = run(new RandomSearch(), BRANIN, BayesianSearchTest::branin, 8, 3);

    Suggestions a = new BayesianSearch().suggest(BRANIN, history, 2, 11);
    Suggestions b = new BayesianSearch().suggest(BRANIN, history, 2, 11);
    Suggestions c = new BayesianSearch().suggest(BRANIN, history, 2, 12);

    assertThat(a.reason()).startsWith("bayesian: highest expected improvement; GP on 8 results");
    assertThat(b).isEqualTo(a);
    assertThat(c.points()).isNotEqualTo(a.points());
    assertThat(new BayesianSearch().suggest(BRANIN, List.of(), 3, 11))
        .isEqualTo(new BayesianSearch().suggest(BRANIN, List.of(), 3, 11))
        .isNotEqualTo(new BayesianSearch().suggest(BRANIN, List.of(), 3, 12));
  }

  @Test
  void anOperatorRestartResumesTheSameSearch() {
    // one operator asks for two points while a trial runs, then restarts and rebuilds the history from the
    // cluster: trials named and ordered alike, parameters as the text a status stores
    List<Observation> history = new ArrayList<>(run(new BayesianSearch(), BRANIN, BayesianSearchTest::branin, 7, 9));
    history.add(Observation.running("t7", Map.of("x1", 2.5, "x2", 7.25), List.of()));
    Suggestions before = new BayesianSearch().suggest(BRANIN, history, 2, 9);

    List<Observation> rebuilt = history.stream().map(o -> new Observation(o.id(),
        BRANIN.space().point(o.parameters()).asStrings(), Observation.State.fromPhase(o.state() == Observation.State
        .RUNNING ? "Running" : "Succeeded"), o.metrics(), o.intermediate())).toList();

    assertThat(new BayesianSearch().suggest(BRANIN, rebuilt, 2, 9)).isEqualTo(before);
  }

  @Test
  void aMaximisedObjectiveIsSearchedAsItsNegation() {
    Study maximise = new Study(BRANIN.space(), Objective.maximize("value"));
    List<Observation> history = run(new RandomSearch(), BRANIN, BayesianSearchTest::branin, 8, 3);
    List<Observation> negated = history.stream().map(o -> Observation.succeeded(o.id(), o.parameters(),
        Map.of("value", -o.metrics().get("value")))).toList();

    assertThat(new BayesianSearch().suggest(maximise, negated, 2, 5).points())
        .isEqualTo(new BayesianSearch().suggest(BRANIN, history, 2, 5).points());
  }

  @Test
  void parallelSuggestionsAreDistinctAndAvoidInFlightTrials() {
    List<Observation> history = new ArrayList<>(run(new RandomSearch(), BRANIN, BayesianSearchTest::branin, 10, 4));
    Point running = new BayesianSearch().suggest(BRANIN, history, 1, 4).points().get(0);
    history.add(Observation.running("in-flight", running.values(), List.of()));

    List<Point> batch = new BayesianSearch().suggest(BRANIN, history, 4, 4).points();

    assertThat(batch).hasSize(4).doesNotContain(running);
    List<Point> all = new ArrayList<>(batch);
    all.add(running);
    for (int i = 0; i < all.size(); i++) {
      for (int j = 0; j < i; j++) {
        double dx = ((Double) all.get(i).get("x1") - (Double) all.get(j).get("x1")) / 15;
        double dy = ((Double) all.get(i).get("x2") - (Double) all.get(j).get("x2")) / 15;
        assertThat(Math.hypot(dx, dy)).as("%s vs %s", all.get(i), all.get(j)).isGreaterThan(1e-3);
      }
    }
  }

  @Test
  void aFailedPointIsNeverProposedAgainAndTheSearchRunsTheSpaceDry() {
    Study study = new Study(SearchSpace.of(Parameter.integer("threads", 0, 10),
        Parameter.categorical("precision", "fp32", "fp16")), Objective.minimize("value"));
    Map<String, Object> optimum = Map.of("threads", 5L, "precision", "fp16");
    List<Observation> history = new ArrayList<>();
    history.add(Observation.failed("crashed", optimum));
    List<Point> proposed = new ArrayList<>();
    Suggestions s;
    do {
      s = new BayesianSearch().suggest(study, history, 3, 8);
      for (Point p : s.points()) {
        proposed.add(p);
        long threads = (Long) p.get("threads");
        double value = (threads - 5) * (threads - 5) + ("fp16".equals(p.get("precision")) ? 0 : 3);
        history.add(threads == 8 ? Observation.failed("t" + history.size(), p.values())
            : Observation.succeeded("t" + history.size(), p.values(), Map.of("value", value)));
      }
    } while (!s.points().isEmpty());

    assertThat(proposed).hasSize(21).doesNotHaveDuplicates().doesNotContain(new Point(optimum));
    assertThat(new HashSet<>(proposed)).hasSize(21);
    assertThat(s.reason()).isEqualTo("bayesian: all 22 points of the space have been proposed");
  }

  @Test
  void findsTheOptimumOfAMixedSpaceOnItsValidPoints() {
    Study study = new Study(SearchSpace.of(Parameter.integer("threads", 1, 32),
        Parameter.categorical("precision", "fp32", "fp16", "int8"), Parameter.logReal("lr", 1e-4, 1)),
        Objective.maximize("score"));
    ToDoubleFunction<Point> score = p -> {
      long t = (Long) p.get("threads");
      double lr = Math.log10((Double) p.get("lr"));
      return -Math.pow((t - 12) / 4.0, 2) - Math.pow(lr + 2, 2) + ("int8".equals(p.get("precision")) ? 1 : 0);
    };

    List<Observation> history = run(new BayesianSearch(), study, score, 30, 2);

    Observation best = Best.of(study, history).orElseThrow();
    Point p = study.space().point(best.parameters());
    assertThat(p.get("precision")).isEqualTo("int8");
    assertThat((Long) p.get("threads")).isBetween(10L, 14L);
    assertThat((Double) p.get("lr")).isBetween(3e-3, 3e-2);
  }

  @Test
  void beatsRandomSearchOnBraninInAShortBudget() {
    double bayes = 0;
    double random = 0;
    for (long seed = 1; seed <= 3; seed++) {
      bayes += best(run(new BayesianSearch(), BRANIN, BayesianSearchTest::branin, 30, seed));
      random += best(run(new RandomSearch(), BRANIN, BayesianSearchTest::branin, 30, seed));
    }

    // the minimum is 0.397887; random search's best of 30 is typically 0.5 to 5
    assertThat(bayes / 3).isLessThan(0.45);
    assertThat(random / 3).isGreaterThan(bayes / 3 + 0.3);
  }

  @Test
  void keepsToTheFeasibleSideOfAConstraint() {
    // minimise x, but the p99 (1 − x, in seconds) must stay at or below 0.4: the answer is x = 0.6
    Study study = new Study(SearchSpace.of(Parameter.real("x", 0, 1)), Objective.minimize("cost"),
        List.of(Constraint.atMost("p99", 0.4)));
    List<Observation> history = new ArrayList<>();
    for (double x : new double[] {0.05, 0.3, 0.5, 0.8, 0.95}) {
      history.add(Observation.succeeded("t" + history.size(), Map.of("x", x), Map.of("cost", x, "p99", 1 - x)));
    }

    for (int i = 0; i < 6; i++) {
      Point p = new BayesianSearch().suggest(study, history, 1, 3).points().get(0);
      double x = (Double) p.get("x");
      history.add(Observation.succeeded("t" + history.size(), p.values(), Map.of("cost", x, "p99", 1 - x)));
    }

    assertThat(history.subList(5, history.size())).allSatisfy(o -> assertThat((Double) o.parameters().get("x"))
        .isGreaterThan(0.5));
    assertThat((Double) Best.of(study, history).orElseThrow().parameters().get("x")).isBetween(0.6, 0.62);
  }
}
