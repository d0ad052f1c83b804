package io.modelpilot.runtime.feedback;

import io.modelpilot.runtime.feedback.JudgedTokens.Outcome;
import io.modelpilot.runtime.metrics.Predictions.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class JudgedTokensTest {

  static final long NOW = PredictionTokensTest.NOW.getEpochSecond();

  private static PredictionTokens.Claims token(Clock clock, int rows) {
    PredictionTokens tokens = new PredictionTokens(PredictionTokensTest.KEY, "r", Duration.ofMinutes(10), clock);
    Row[] predictions = new Row[rows];
    java.util.Arrays.fill(predictions, new Row("1", 1));
    return tokens.verify(tokens.issue("m", "id", List.of(predictions)));
  }

  @Test
  void aTokenRowIsJudgedOnceAndOtherRowsAndTokensStayOpen() {
    JudgedTokens judged = new JudgedTokens(100);
    var a = token(PredictionTokensTest.CLOCK, 2);
    var b = token(PredictionTokensTest.CLOCK, 2);

    assertThat(judged.judge(a, 0, NOW)).isEqualTo(Outcome.FIRST);
    assertThat(judged.judge(a, 0, NOW)).isEqualTo(Outcome.ALREADY_JUDGED);
    assertThat(judged.judge(a, 1, NOW)).isEqualTo(Outcome.FIRST);
    assertThat(judged.judge(b, 0, NOW)).isEqualTo(Outcome.FIRST);
  }

  @Test
  void memoryIsBoundedAndAForgottenRowIsNeverJudgedAgain() {
    JudgedTokens judged = new JudgedTokens(3);
    // tokens issued a second apart: later ones expire later
    List<PredictionTokens.Claims> tokens = java.util.stream.IntStream.range(0, 5)
        .mapToObj(i -> token(Clock.offset(PredictionTokensTest.CLOCK, Duration.ofSeconds(i)), 1)).toList();
    for (var t : tokens) {
      assertThat(judged.judge(t, 0, NOW)).isEqualTo(Outcome.FIRST);
    }

    assertThat(judged.size()).isEqualTo(3);
    // the two oldest were forgotten: refused, never judged twice
    assertThat(judged.judge(tokens.get(0), 0, NOW)).isEqualTo(Outcome.TOO_OLD_TO_CHECK);
    assertThat(judged.judge(tokens.get(1), 0, NOW)).isEqualTo(Outcome.TOO_OLD_TO_CHECK);
    assertThat(judged.judge(tokens.get(4), 0, NOW)).isEqualTo(Outcome.ALREADY_JUDGED);
    // a token issued after the forgotten ones is still judged
    assertThat(judged.judge(token(Clock.offset(PredictionTokensTest.CLOCK, Duration.ofSeconds(9)), 1), 0, NOW))
        .isEqualTo(Outcome.FIRST);
  }

  @Test
  void expiredRowsAreForgottenWithoutRefusingAnything() {
    JudgedTokens judged = new JudgedTokens(2);
    var old = token(PredictionTokensTest.CLOCK, 1);
    judged.judge(old, 0, NOW);
    long afterExpiry = old.expiresAtEpochSecond() + 1;
    var fresh = token(Clock.offset(PredictionTokensTest.CLOCK, Duration.ofMinutes(11)), 3);

    assertThat(judged.judge(fresh, 0, afterExpiry)).isEqualTo(Outcome.FIRST);
    assertThat(judged.horizon()).as("dropping an expired row refuses nothing").isEqualTo(Long.MIN_VALUE);
    assertThat(judged.judge(fresh, 1, afterExpiry)).isEqualTo(Outcome.FIRST);
    assertThat(judged.judge(fresh, 2, afterExpiry)).isEqualTo(Outcome.FIRST);
    assertThat(judged.horizon()).as("only the expired row and the oldest fresh one were dropped")
        .isEqualTo(fresh.expiresAtEpochSecond());
    assertThat(judged.size()).isEqualTo(2);
  }

  @Test
  void aMissingOrShortKeyFileGivesARandomKeyOfThisProcessWithTheReason() throws Exception {
    assertThat(FeedbackKey.read(Optional.empty()).shared()).isFalse();
    FeedbackKey absent = FeedbackKey.read(Optional.of("/no/such/feedback-key"));
    assertThat(absent.shared()).isFalse();
    assertThat(absent.reason()).contains("/no/such/feedback-key").contains("does not exist");
    assertThat(absent.bytes()).hasSize(32);

    Path dir = Files.createTempDirectory("feedback-key");
    try {
      Path shortKey = Files.write(dir.resolve("short"), new byte[8]);
      assertThat(FeedbackKey.read(Optional.of(shortKey.toString())).reason()).contains("8 bytes");
      Path key = Files.write(dir.resolve("key"), PredictionTokensTest.KEY);
      FeedbackKey read = FeedbackKey.read(Optional.of(key.toString()));
      assertThat(read.shared()).isTrue();
      assertThat(read.bytes()).isEqualTo(PredictionTokensTest.KEY);
    } finally {
      try (var files = Files.list(dir)) {
        files.forEach(f -> f.toFile().delete());
      }
      Files.delete(dir);
    }
  }
}
