package io.modelpilot.operator.rollout.core;

import java.time.Instant;
import java.util.Objects;

/**
 * Everything a rollout needs to go on, kept in the ModelDeployment's status so that a restarted operator resumes
 * where it stood: the machine holds nothing else.
 *
 * @param revision the canary's revision (the spec hash it runs)
 * @param stepIndex index into the policy's steps, from 0
 * @param stepStartedAt when the current step began; its pause counts from here
 * @param lastAnalysisAt when the latest analysis ran; null before the first
 * @param lastVerdict the latest analysis' verdict; null before the first
 * @param lastAnalysis one line about the latest analysis, e.g. "inconclusive: accuracy: …"; null before the first
 * @param failures failed analyses since the rollout started
 * @param passesInARow passing analyses in a row in the current step (an inconclusive or failed one resets it)
 * @param notReadySince since when the canary has been seen not ready; null while it is ready
 * @param lastFailure the judgement that failed the latest failed analysis; null if none failed
 * @param message what the rollout is doing and why, for the status
 */
public record RolloutState(String revision, Phase phase, int stepIndex, Instant startedAt, Instant stepStartedAt,
    Instant lastAnalysisAt, Verdict lastVerdict, String lastAnalysis, int failures, int passesInARow,
    Instant notReadySince, Judgement lastFailure, String message) {

  public RolloutState {
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(stepStartedAt, "stepStartedAt");
    Objects.requireNonNull(message, "message");
    if (stepIndex < 0 || failures < 0 || passesInARow < 0) {
      throw new IllegalArgumentException("stepIndex, failures and passesInARow must be >= 0, got " + stepIndex
          + ", " + failures + ", " + passesInARow);
    }
  }

  RolloutState in(Phase newPhase, String newMessage) {
    return new RolloutState(revision, newPhase, stepIndex, startedAt, stepStartedAt, lastAnalysisAt, lastVerdict,
        lastAnalysis, failures, passesInARow, notReadySince, lastFailure, newMessage);
  }

  RolloutState notReadySince(Instant since) {
    return new RolloutState(revision, phase, stepIndex, startedAt, stepStartedAt, lastAnalysisAt, lastVerdict,
        lastAnalysis, failures, passesInARow, since, lastFailure, message);
  }

  RolloutState analysed(Instant at, Verdict verdict, String summary, int newFailures, int newPassed,
      Judgement failure) {
    return new RolloutState(revision, phase, stepIndex, startedAt, stepStartedAt, at, verdict, summary,
        newFailures, newPassed, notReadySince, failure, message);
  }

  RolloutState atStep(int index, Instant at) {
    return new RolloutState(revision, phase, index, startedAt, at, lastAnalysisAt, lastVerdict, lastAnalysis,
        failures, 0, notReadySince, lastFailure, message);
  }
}
