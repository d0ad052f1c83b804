package io.modelpilot.operator.autoscaling.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleFunction;

import org.junit.jupiter.api.Test;

/**
 * Replays metric traces sampled every 15 s through the autoscaler and a simulated Deployment, feeding each
 * decision back as the next round's replica count, as the reconciler does.
 */
class AutoscalerTraceTest {

  private static final Instant T0 = Instant.parse("2025-03-01T00:00:00Z");
  private static final Duration INTERVAL = Duration.ofSeconds(15);
  private static final double TARGET_RPS = 50;

  /** One round of a replay: the offered load, the pods, and what the autoscaler made of them. */
  record Round(long second, double rps, int replicas, int ready, ScalingDecision decision) {
  }

  @Test
  void flashCrowdScalesUpWithinPolicyLimitsAndStaysUpForTheScaleDownWindow() {
    // t(s)   rps   replicas after the round (+4 pods or doubling per 15 s, whichever is more)
    String trace = """
          0      20     1
         15      20     1
         30      20     1
         45    1000     5
         60    1000    10
         75    1000    20
         90    1000    20
        300    1000    20
        315      40    20
        585      40    20
        600      40     1
        900      40     1
        """;
    List<Round> rounds = replay(trace, 1, Duration.ZERO, 1, 20, Behavior.defaults());

    assertFollows(trace, rounds);
    assertThat(at(rounds, 45).decision().reason())
        .isEqualTo("scaled 1→5: requests/s per replica 1000 > 50, wants 20; limited by scaleUp policy");
    assertThat(at(rounds, 315).decision().reason())
        .isEqualTo("held at 20: requests/s per replica 2 < 50, wants 1; limited by scaleDown stabilization");
    assertThat(at(rounds, 600).decision().reason()).isEqualTo("scaled 20→1: requests/s per replica 2 < 50");
  }

  @Test
  void gradualRiseFollowsTheLoadAndTheFallStepsDownAFullWindowLater() {
    // t(s)   rps   replicas after the round. At 400 requests/s, 8 replicas are on target, so every round up to
    // t=285 recommends 8; the fall from t=300 shows only once that recommendation leaves the 300 s window
    // (t=585), and then the count follows the fall's steps, 285 s late.
    String trace = """
          0      20     1
         15      40     1
         30      80     2
         45     120     3
         60     160     3
         75     200     4
         90     240     5
        105     280     6
        120     320     6
        135     360     8
        150     400     8
        285     400     8
        300     320     8
        315     240     8
        330     160     8
        345      80     8
        360      40     8
        570      40     8
        585      40     7
        600      40     5
        615      40     4
        630      40     2
        645      40     1
        900      40     1
        """;
    List<Round> rounds = replay(trace, 1, Duration.ZERO, 1, 20, Behavior.defaults());

    assertFollows(trace, rounds);
    assertThat(at(rounds, 60).decision().reason())
        .isEqualTo("held at 3: within tolerance (requests/s per replica 53 ≈ 50)");
  }

  @Test
  void aSettleWindowTakesTheFallInOneStepOnceItHasSettled() {
    // The fall of the test above: HPA's rule steps 8→7→5→4→2→1 from t=585 to t=645, one change per fall of the
    // window's highest recommendation. With settleWindow 30s the count holds until the highest has not fallen
    // for 30 s, which is 30 s after HPA's last step, and then goes the whole way.
    Behavior behavior = Behavior.defaults()
        .withScaleDown(Behavior.Rules.defaultScaleDown().withSettleWindow(Duration.ofSeconds(30)));
    String trace = """
          0     400     8
        285     400     8
        300     320     8
        315     240     8
        330     160     8
        345      80     8
        360      40     8
        660      40     8
        675      40     1
        900      40     1
        """;
    List<Round> rounds = replay(trace, 8, Duration.ZERO, 1, 20, behavior);

    assertFollows(trace, rounds);
    assertThat(at(rounds, 600).decision().reason()).isEqualTo("held at 8: requests/s per replica 5 < 50, "
        + "wants 1; limited by scaleDown stabilization, scaleDown settling (load still falling)");
    assertThat(at(rounds, 675).decision().reason()).isEqualTo("scaled 8→1: requests/s per replica 5 < 50");
    // the settle window's extra 30 s of recommendations, and still no more than one per round
    assertThat(at(rounds, 675).decision().history().recommendations()).hasSizeLessThanOrEqualTo(23);
  }

  @Test
  void podsStillLoadingTheModelDoNotMakeItOvershoot() {
    // The same flash crowd, but a new pod serves only 45 s after it starts. Counting the loading pods as idle
    // keeps the proposal at the load's need (1000 / 50 = 20); averaging over the ready pods alone would ask for
    // 100 at t=60, when 1 of 5 pods serves 1000 requests/s.
    String trace = """
          0      20     1
         15      20     1
         30      20     1
         45    1000     5
         60    1000    10
         75    1000    20
         90    1000    20
        300    1000    20
        """;
    List<Round> rounds = replay(trace, 1, Duration.ofSeconds(45), 1, 50, Behavior.defaults());

    assertFollows(trace, rounds);
    assertThat(at(rounds, 60).ready()).isEqualTo(1);
    assertThat(at(rounds, 60).decision().metrics().get(0).summary())
        .isEqualTo("requests/s per replica 1000 > 50 (4 of 5 pods not ready, counted idle)");
  }

  @Test
  void scaleUpStabilizationWindowDampsASpikeButFollowsSustainedLoad() {
    Behavior behavior = Behavior.defaults()
        .withScaleUp(Behavior.Rules.defaultScaleUp().withStabilizationWindow(Duration.ofSeconds(60)));
    // t(s)   rps   replicas: a one-sample spike at t=150 changes nothing; load that lasts the whole
    // 60 s window (four samples, as the window excludes its first instant) does.
    String trace = """
          0     100     2
        135     100     2
        150    1000     2
        165     100     2
        285     100     2
        300     300     2
        330     300     2
        345     300     6
        400     300     6
        """;
    List<Round> rounds = replay(trace, 2, Duration.ZERO, 1, 20, behavior);

    assertFollows(trace, rounds);
    assertThat(at(rounds, 150).decision().limitedBy()).contains(ScalingDecision.Limit.SCALE_UP_STABILIZATION);
  }

  @Test
  void aDayOfNoisyDiurnalLoadKeepsTheHistoryBoundedAndNeverFlaps() {
    Random random = new Random(42);
    Behavior behavior = Behavior.defaults();
    TestingDeployment deployment = new TestingDeployment(1, Duration.ofSeconds(30), T0);
    ScalingHistory history = ScalingHistory.empty();
    Instant lastScaleUp = null;
    int ups = 0;
    int downs = 0;
    for (long s = 0; s <= Duration.ofHours(24).toSeconds(); s += INTERVAL.toSeconds()) {
      Instant now = T0.plusSeconds(s);
      double diurnal = 250 - 200 * Math.cos(2 * Math.PI * s / 86_400.0);
      double spike = random.nextDouble() < 0.002 ? 600 : 0;
      double rps = Math.max(0, diurnal + random.nextGaussian() * 25 + spike);
      ScalingDecision d = Autoscaler.decide(input(deployment, now, rps, 1, 20, behavior), history);

      assertThat(d.desiredReplicas()).isBetween(1, 20);
      if (d.desiredReplicas() > d.currentReplicas()) {
        ups++;
        lastScaleUp = now;
      } else if (d.desiredReplicas() < d.currentReplicas()) {
        downs++;
        assertThat(lastScaleUp).isNotNull();
        assertThat(Duration.between(lastScaleUp, now)).as("scale-down at t=%ds", s)
            .isGreaterThanOrEqualTo(Duration.ofSeconds(300));
      }
      history = d.history();
      // 300 s window / 15 s rounds: the 20 rounds after the window's first instant, plus this one.
      assertThat(history.recommendations()).hasSizeLessThanOrEqualTo(21);
      assertThat(history.scaleEvents()).hasSizeLessThanOrEqualTo(1);
      deployment.scaleTo(d.desiredReplicas(), now);
    }
    assertThat(ups).isGreaterThan(5);
    assertThat(downs).isGreaterThan(5);
  }

  /** Replays a trace of "second rps expected-replicas" lines, holding each line's rps until the next line. */
  private static List<Round> replay(String trace, int initialReplicas, Duration loadTime, int min, int max,
      Behavior behavior) {
    List<long[]> points = new ArrayList<>();
    for (String line : trace.strip().split("\n")) {
      String[] f = line.trim().split("\\s+");
      points.add(new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])});
    }
    DoubleFunction<Double> rpsAt = t -> {
      double rps = points.get(0)[1];
      for (long[] p : points) {
        if (p[0] <= t) {
          rps = p[1];
        }
      }
      return rps;
    };
    long end = points.get(points.size() - 1)[0];
    TestingDeployment deployment = new TestingDeployment(initialReplicas, loadTime, T0);
    ScalingHistory history = ScalingHistory.empty();
    List<Round> rounds = new ArrayList<>();
    for (long s = 0; s <= end; s += INTERVAL.toSeconds()) {
      Instant now = T0.plusSeconds(s);
      double rps = rpsAt.apply(s);
      int ready = deployment.ready(now);
      ScalingDecision d = Autoscaler.decide(input(deployment, now, rps, min, max, behavior), history);
      rounds.add(new Round(s, rps, deployment.replicas(), ready, d));
      history = d.history();
      deployment.scaleTo(d.desiredReplicas(), now);
    }
    return rounds;
  }

  private static ScalingInput input(TestingDeployment deployment, Instant now, double rps, int min, int max,
      Behavior behavior) {
    // The ready pods serve all the load offered; with none ready, nothing is served.
    int ready = deployment.ready(now);
    double served = ready == 0 ? 0 : rps;
    return new ScalingInput(deployment.replicas(), ready, min, max,
        List.of(MetricReading.perReplica("requests/s per replica", served, TARGET_RPS)), behavior, now);
  }

  /** Compares every round with the trace's replicas column (the last line at or before the round). */
  private static void assertFollows(String trace, List<Round> rounds) {
    List<String> expected = new ArrayList<>();
    List<String> actual = new ArrayList<>();
    for (Round r : rounds) {
      int replicas = -1;
      for (String line : trace.strip().split("\n")) {
        String[] f = line.trim().split("\\s+");
        if (Long.parseLong(f[0]) <= r.second()) {
          replicas = Integer.parseInt(f[2]);
        }
      }
      expected.add("t=" + r.second() + " " + replicas);
      actual.add("t=" + r.second() + " " + r.decision().desiredReplicas());
    }
    assertThat(actual).as(() -> rounds.stream().map(r -> "t=" + r.second() + " " + r.decision().reason())
        .reduce("", (a, b) -> a + "\n" + b)).isEqualTo(expected);
  }

  private static Round at(List<Round> rounds, long second) {
    return rounds.stream().filter(r -> r.second() == second).findFirst().orElseThrow();
  }
}
