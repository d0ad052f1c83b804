package io.modelpilot.operator.rollout.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.modelpilot.operator.rollout.core.Decision.Action;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The rollout on a virtual clock: each analysis is one interval after the previous one. */
class RolloutMachineTest {

  private static final Instant T0 = Instant.parse("2030-01-01T12:00:00Z");
  private static final Duration MINUTE = Duration.ofMinutes(1);
  private static final RolloutPolicy POLICY = new RolloutPolicy(
      List.of(Step.timed(10, Duration.ofMinutes(2)), Step.timed(25, Duration.ofMinutes(2)),
          Step.timed(50, Duration.ofMinutes(2))),
      MINUTE, 1, 100, Duration.ofMinutes(10));

  private static final AnalysisCheck ERRORS = AnalysisCheck.errorRate("errors", 0.01);
  private static final AnalysisCheck LATENCY = AnalysisCheck.latencyP99RatioToStable("latency", 1.5);
  private static final List<Judgement> HEALTHY = List.of(
      CanaryAnalysis.judge(ERRORS, Measurement.of(0.002, 600, 0.002, 5400)),
      CanaryAnalysis.judge(LATENCY, Measurement.of(0.105, 600, 0.1, 5400)));
  private static final List<Judgement> SLOW = List.of(
      CanaryAnalysis.judge(ERRORS, Measurement.of(0.002, 600, 0.002, 5400)),
      CanaryAnalysis.judge(LATENCY, Measurement.of(0.2, 600, 0.11, 5400)));
  private static final List<Judgement> UNREACHABLE = List.of(
      CanaryAnalysis.judge(ERRORS, Measurement.unavailable("Prometheus unreachable: connection refused")),
      CanaryAnalysis.judge(LATENCY, Measurement.unavailable("Prometheus unreachable: connection refused")));
  private static final Signals READY = Signals.ready(2);

  /** One rollout on its own clock, as the reconciler drives it. */
  private static final class Rollout {
    final RolloutPolicy policy;
    Instant now = T0;
    RolloutState state;
    final List<Decision> decisions = new ArrayList<>();

    Rollout(RolloutPolicy policy) {
      this.policy = policy;
      this.state = RolloutMachine.start("rev-2", now);
    }

    Rollout(RolloutPolicy policy, RolloutState resumed, Instant now) {
      this.policy = policy;
      this.state = resumed;
      this.now = now;
    }

    /** One interval later, an analysis with these judgements over 600 canary requests. */
    Decision analyse(List<Judgement> judgements) {
      return analyse(judgements, READY);
    }

    Decision analyse(List<Judgement> judgements, Signals signals) {
      now = now.plus(policy.interval());
      assertThat(RolloutMachine.analysisDue(policy, state, now)).as("analysis due at " + now).isTrue();
      return call(signals.withAnalysis(600, judgements));
    }

    Decision call(Signals signals) {
      Decision d = RolloutMachine.next(policy, state, signals, now);
      state = d.state();
      decisions.add(d);
      return d;
    }
  }

  @Test
  void promotesAHealthyCanaryThroughEveryStep() {
    Rollout r = new Rollout(POLICY);
    List<Integer> weights = new ArrayList<>();
    List<Action> actions = new ArrayList<>();
    while (!r.state.phase().terminal()) {
      Decision d = r.analyse(HEALTHY);
      weights.add(d.canaryWeight());
      actions.add(d.action());
    }

    assertThat(weights).containsExactly(10, 25, 25, 50, 50, 100);
    assertThat(actions).containsExactly(Action.NONE, Action.ADVANCE, Action.NONE, Action.ADVANCE, Action.NONE,
        Action.PROMOTE);
    assertThat(r.state.phase()).isEqualTo(Phase.PROMOTED);
    assertThat(r.now).isEqualTo(T0.plus(Duration.ofMinutes(6)));
    assertThat(r.decisions.get(1).event()).contains("advanced to step 2/3 (25%) after 2 passing analyses in a row at "
        + "step 1/3 (10%)");
    assertThat(r.state.message()).isEqualTo("promoted after 2 passing analyses in a row at step 3/3 "
        + "(50%): every step passed");
  }

  @Test
  void rollsBackWhenFailuresExceedTheFailureLimitNamingMetricValueAndThreshold() {
    Rollout r = new Rollout(POLICY);

    Decision first = r.analyse(SLOW);
    assertThat(first.action()).isEqualTo(Action.NONE);
    assertThat(first.canaryWeight()).isEqualTo(10);
    assertThat(first.state().failures()).isEqualTo(1);
    assertThat(first.event()).hasValueSatisfying(e -> assertThat(e).contains("last analysis failed (1 of "
        + "failureLimit 1 tolerated): latency: p99 latency ratio to stable 1.82 (0.2s vs 0.11s) > 1.5"));

    Decision second = r.analyse(SLOW);
    assertThat(second.action()).isEqualTo(Action.ROLLBACK);
    assertThat(second.canaryWeight()).isZero();
    assertThat(second.state().phase()).isEqualTo(Phase.ROLLED_BACK);
    assertThat(second.state().message()).isEqualTo("rolled back at step 1/3 (10%): 2 failed analyses > "
        + "failureLimit 1; latency: p99 latency ratio to stable 1.82 (0.2s vs 0.11s) > 1.5");
    assertThat(second.state().lastFailure().threshold()).isEqualTo("maxRatioToStable 1.5");
    assertThat(second.event()).contains(second.state().message());
  }

  @Test
  void failuresAddUpAcrossSteps() {
    Rollout r = new Rollout(POLICY);
    r.analyse(SLOW);
    r.analyse(HEALTHY);
    Decision advanced = r.analyse(HEALTHY);
    assertThat(advanced.action()).isEqualTo(Action.ADVANCE);
    assertThat(advanced.state().failures()).isEqualTo(1);

    assertThat(r.analyse(SLOW).action()).isEqualTo(Action.ROLLBACK);
  }

  @Test
  void aFailedAnalysisHoldsTheStepUntilTwoPassInARow() {
    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY);
    Decision failed = r.analyse(SLOW);

    assertThat(failed.action()).isEqualTo(Action.NONE);
    assertThat(failed.state().message())
        .startsWith("step 1/3 (10%): pause elapsed, waiting for 2 passing analyses in a row");
    assertThat(r.analyse(HEALTHY).action()).isEqualTo(Action.NONE);
    assertThat(r.analyse(HEALTHY).action()).isEqualTo(Action.ADVANCE);
  }

  @Test
  void inconclusiveAnalysisPausesWithoutFailingThenResumes() {
    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY);

    Decision unsure = r.analyse(UNREACHABLE);
    assertThat(unsure.action()).isEqualTo(Action.NONE);
    assertThat(unsure.state().phase()).isEqualTo(Phase.PAUSED);
    assertThat(unsure.state().failures()).isZero();
    assertThat(unsure.state().message()).isEqualTo("paused at step 1/3 (10%): analysis inconclusive: errors: "
        + "no measurement: Prometheus unreachable: connection refused");
    assertThat(unsure.event()).contains(unsure.state().message());
    for (int i = 0; i < 5; i++) {
      assertThat(r.analyse(UNREACHABLE).state().phase()).isEqualTo(Phase.PAUSED);
    }

    assertThat(r.analyse(HEALTHY).state().phase()).isEqualTo(Phase.PROGRESSING);
    Decision resumed = r.analyse(HEALTHY);
    assertThat(resumed.action()).isEqualTo(Action.ADVANCE);
    assertThat(resumed.canaryWeight()).isEqualTo(25);
    assertThat(resumed.state().phase()).isEqualTo(Phase.PROGRESSING);
  }

  @Test
  void aCanaryThatPassesOnlyNowAndThenBetweenInconclusiveAnalysesDoesNotAdvance() {
    Rollout r = new Rollout(POLICY);
    for (int i = 0; i < 10; i++) {
      assertThat(r.analyse(UNREACHABLE).action()).isEqualTo(Action.NONE);
      assertThat(r.analyse(HEALTHY).action()).isEqualTo(Action.NONE);
    }
    assertThat(r.state.stepIndex()).isZero();
  }

  @Test
  void neverPromotesWhileEveryAnalysisIsInconclusive() {
    Rollout r = new Rollout(POLICY);
    for (int i = 0; i < 30; i++) {
      assertThat(r.analyse(UNREACHABLE).action()).isEqualTo(Action.NONE);
    }
    assertThat(r.state.phase()).isEqualTo(Phase.PAUSED);
    assertThat(r.state.stepIndex()).isZero();
  }

  @Test
  void fewerCanaryRequestsThanMinRequestsIsInconclusive() {
    Rollout r = new Rollout(POLICY);
    r.now = r.now.plus(MINUTE);

    Decision d = r.call(READY.withAnalysis(40, HEALTHY));

    assertThat(d.state().phase()).isEqualTo(Phase.PAUSED);
    assertThat(d.state().passesInARow()).isZero();
    assertThat(d.state().message()).isEqualTo("paused at step 1/3 (10%): analysis inconclusive: the canary "
        + "served 40 requests in the window, fewer than minRequests 100");
  }

  @Test
  void stepWithoutPauseWaitsForThePromoteAnnotation() {
    RolloutPolicy manual = new RolloutPolicy(List.of(Step.timed(10, MINUTE), Step.manual(50)), MINUTE, 1, 100,
        Duration.ofMinutes(10));
    Rollout r = new Rollout(manual);
    r.analyse(HEALTHY);
    assertThat(r.analyse(HEALTHY).action()).isEqualTo(Action.ADVANCE);

    for (int i = 0; i < 10; i++) {
      Decision waiting = r.analyse(HEALTHY);
      assertThat(waiting.action()).isEqualTo(Action.NONE);
      assertThat(waiting.canaryWeight()).isEqualTo(50);
      assertThat(waiting.state().phase()).isEqualTo(Phase.AWAITING_PROMOTION);
    }
    assertThat(r.state.message()).startsWith("step 2/2 (50%) waits for annotation modelpilot.io/promote");

    Decision promoted = r.call(READY.withPromote());
    assertThat(promoted.action()).isEqualTo(Action.PROMOTE);
    assertThat(promoted.canaryWeight()).isEqualTo(100);
    assertThat(promoted.state().message()).isEqualTo("promoted by annotation modelpilot.io/promote at step 2/2 (50%)");
  }

  @Test
  void aManualStepStillRollsBackOnFailedAnalyses() {
    RolloutPolicy manual = new RolloutPolicy(List.of(Step.manual(20)), MINUTE, 0, 100, Duration.ofMinutes(10));
    Rollout r = new Rollout(manual);

    assertThat(r.analyse(SLOW).action()).isEqualTo(Action.ROLLBACK);
  }

  @Test
  void promoteAnnotationPromotesAtOnceFromAnyStep() {
    Rollout r = new Rollout(POLICY);

    Decision d = r.call(READY.withPromote());

    assertThat(d.action()).isEqualTo(Action.PROMOTE);
    assertThat(d.canaryWeight()).isEqualTo(100);
    assertThat(d.state().phase()).isEqualTo(Phase.PROMOTED);
  }

  @Test
  void abortAnnotationRollsBackAndOutranksPromote() {
    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY);
    r.analyse(HEALTHY);

    Decision d = r.call(READY.withPromote().withAbort());

    assertThat(d.action()).isEqualTo(Action.ABORT);
    assertThat(d.canaryWeight()).isZero();
    assertThat(d.state().phase()).isEqualTo(Phase.ABORTED);
    assertThat(d.event()).contains("aborted by annotation modelpilot.io/abort at step 2/3 (25%)");
  }

  @Test
  void pauseAnnotationHoldsTheStepButAnalysisAndRollbackGoOn() {
    Rollout r = new Rollout(POLICY);
    Signals paused = READY.withPause();
    for (int i = 0; i < 4; i++) {
      Decision d = r.analyse(HEALTHY, paused);
      assertThat(d.action()).isEqualTo(Action.NONE);
      assertThat(d.canaryWeight()).isEqualTo(10);
      assertThat(d.state().phase()).isEqualTo(Phase.PAUSED);
    }
    assertThat(r.state.message()).isEqualTo("paused by annotation modelpilot.io/pause at step 1/3 (10%); "
        + "last analysis passed (2 metrics)");

    // Removing the annotation lets the step advance at once: its pause and analyses are done.
    assertThat(r.call(READY).action()).isEqualTo(Action.ADVANCE);

    r.analyse(SLOW, paused);
    assertThat(r.analyse(SLOW, paused).action()).isEqualTo(Action.ROLLBACK);
  }

  @Test
  void canaryNotReadyWithinProgressDeadlineRollsBack() {
    Rollout r = new Rollout(POLICY);
    Signals notReady = READY.withReadiness(1, 2);
    r.now = T0.plus(Duration.ofMinutes(9));
    Decision waiting = r.call(notReady);
    assertThat(waiting.state().phase()).isEqualTo(Phase.PROGRESSING);
    assertThat(waiting.state().message()).isEqualTo("step 1/3 (10%): waiting for the canary to become ready "
        + "(1/2 replicas ready, progressDeadline 10m)");

    r.now = T0.plus(Duration.ofMinutes(10));
    Decision d = r.call(notReady);

    assertThat(d.action()).isEqualTo(Action.ROLLBACK);
    assertThat(d.canaryWeight()).isZero();
    assertThat(d.state().message()).isEqualTo("rolled back at step 1/3 (10%): canary not ready within "
        + "progressDeadline 10m (1/2 replicas ready)");
  }

  @Test
  void progressDeadlineCountsFromWhenTheCanaryWasLastSeenNotReady() {
    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY);
    r.analyse(HEALTHY);
    // Step 2 needs more pods: not ready from 12:03 on.
    Signals scaling = READY.withReadiness(2, 3);
    r.now = T0.plus(Duration.ofMinutes(3));
    r.call(scaling);
    r.now = T0.plus(Duration.ofMinutes(12));
    assertThat(r.call(scaling).action()).isEqualTo(Action.NONE);
    r.now = T0.plus(Duration.ofMinutes(13));
    assertThat(r.call(scaling).action()).isEqualTo(Action.ROLLBACK);
  }

  @Test
  void notReadyCanaryDoesNotAdvance() {
    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY);
    Decision d = r.analyse(HEALTHY, READY.withReadiness(1, 2));

    assertThat(d.action()).isEqualTo(Action.NONE);
    assertThat(r.call(READY).action()).isEqualTo(Action.ADVANCE);
  }

  @Test
  void aRestartedOperatorResumesFromThePersistedStateAlone() throws Exception {
    Rollout original = new Rollout(POLICY);
    original.analyse(HEALTHY);
    original.analyse(SLOW);
    original.analyse(HEALTHY);

    JsonMapper json = JsonMapper.builder().addModule(new JavaTimeModule()).build();
    String persisted = json.writeValueAsString(original.state);
    RolloutState restored = json.readValue(persisted, RolloutState.class);
    assertThat(restored).isEqualTo(original.state);

    Rollout resumed = new Rollout(POLICY, restored, original.now);
    List<List<Judgement>> rest = List.of(UNREACHABLE, HEALTHY, HEALTHY, HEALTHY, HEALTHY, HEALTHY, HEALTHY);
    for (List<Judgement> judgements : rest) {
      assertThat(resumed.analyse(judgements)).isEqualTo(original.analyse(judgements));
    }
    assertThat(resumed.state.phase()).isEqualTo(Phase.PROMOTED);
  }

  @Test
  void terminalPhasesStayPut() {
    for (Phase terminal : List.of(Phase.PROMOTED, Phase.ROLLED_BACK, Phase.ABORTED)) {
      RolloutState ended = RolloutMachine.start("rev-2", T0).in(terminal, "done");
      Signals everything = READY.withReadiness(0, 2).withAnalysis(0, SLOW).withPromote().withAbort().withPause();
      Instant later = T0.plus(Duration.ofHours(5));

      Decision d = RolloutMachine.next(POLICY, ended, everything, later);

      assertThat(d.state()).isEqualTo(ended);
      assertThat(d.action()).isEqualTo(Action.NONE);
      assertThat(d.event()).isEmpty();
      assertThat(d.canaryWeight()).isEqualTo(terminal == Phase.PROMOTED ? 100 : 0);
      assertThat(RolloutMachine.analysisDue(POLICY, ended, later)).isFalse();
    }
  }

  @Test
  void analysisIsDueOneIntervalAfterTheLatestAndIntoTheStep() {
    RolloutState started = RolloutMachine.start("rev-2", T0);
    assertThat(RolloutMachine.analysisDue(POLICY, started, T0.plusSeconds(59))).isFalse();
    assertThat(RolloutMachine.analysisDue(POLICY, started, T0.plusSeconds(60))).isTrue();

    Rollout r = new Rollout(POLICY);
    r.analyse(HEALTHY, READY.withPause());
    r.analyse(HEALTHY, READY.withPause());
    r.now = r.now.plusSeconds(15);
    r.call(READY);
    assertThat(r.state.stepIndex()).isEqualTo(1);
    assertThat(RolloutMachine.analysisDue(POLICY, r.state, r.now.plusSeconds(59))).isFalse();
    assertThat(RolloutMachine.analysisDue(POLICY, r.state, r.now.plusSeconds(60))).isTrue();
  }

  @Test
  void eventsOnlyWhenSomethingHappened() {
    Rollout r = new Rollout(POLICY);
    assertThat(r.analyse(HEALTHY).event()).isEmpty();
    assertThat(r.analyse(UNREACHABLE).event()).isPresent();
    assertThat(r.analyse(UNREACHABLE).event()).isEmpty();
  }

  @Test
  void canaryReplicasRoundUpAndStayWithinTheTotal() {
    assertThat(RolloutMachine.canaryReplicas(10, 25)).isEqualTo(3);
    assertThat(RolloutMachine.canaryReplicas(4, 10)).isEqualTo(1);
    assertThat(RolloutMachine.canaryReplicas(4, 50)).isEqualTo(2);
    assertThat(RolloutMachine.canaryReplicas(3, 100)).isEqualTo(3);
    assertThat(RolloutMachine.canaryReplicas(3, 1)).isEqualTo(1);
    assertThat(RolloutMachine.canaryReplicas(3, 0)).isZero();
    assertThat(RolloutMachine.canaryReplicas(0, 50)).isZero();
    assertThat(RolloutMachine.canaryReplicas(Integer.MAX_VALUE, 100)).isEqualTo(Integer.MAX_VALUE);
    assertThat(RolloutMachine.canaryReplicas(Integer.MAX_VALUE, 99)).isLessThan(Integer.MAX_VALUE);
  }

  @Test
  void aShortenedSpecFinishesAtItsLastStep() {
    Rollout r = new Rollout(POLICY);
    for (int i = 0; i < 5; i++) {
      r.analyse(HEALTHY);
    }
    assertThat(r.state.stepIndex()).isEqualTo(2);
    RolloutPolicy shortened = new RolloutPolicy(List.of(Step.timed(10, MINUTE)), MINUTE, 1, 100,
        Duration.ofMinutes(10));

    Decision d = RolloutMachine.next(shortened, r.state, READY.withAnalysis(600, HEALTHY), r.now.plus(MINUTE));

    assertThat(d.action()).isEqualTo(Action.PROMOTE);
  }
}
