package io.modelpilot.operator.autoscaling.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelpilot.operator.autoscaling.core.ScalingHistory.Recommendation;
import io.modelpilot.operator.autoscaling.core.ScalingHistory.ScaleEvent;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScalingHistoryTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void pruneDropsWhatNoWindowOrPeriodReaches() {
    ScalingHistory history = new ScalingHistory(
        List.of(new Recommendation(NOW.minusSeconds(300), 7), new Recommendation(NOW.minusSeconds(299), 6)),
        List.of(new ScaleEvent(NOW.minusSeconds(15), 2), new ScaleEvent(NOW.minusSeconds(14), -1)));

    ScalingHistory pruned = history.pruned(Behavior.defaults(), NOW, Duration.ZERO);

    assertThat(pruned.recommendations()).containsExactly(new Recommendation(NOW.minusSeconds(299), 6));
    assertThat(pruned.scaleEvents()).containsExactly(new ScaleEvent(NOW.minusSeconds(14), -1));
  }

  @Test
  void pruneDropsEntriesFromAClockThatHasGoneBack() {
    ScalingHistory history = new ScalingHistory(List.of(new Recommendation(NOW.plusSeconds(3600), 9)),
        List.of(new ScaleEvent(NOW.plusSeconds(3600), 4)));

    assertThat(history.pruned(Behavior.defaults(), NOW, Duration.ZERO)).isEqualTo(ScalingHistory.empty());
  }

  @Test
  void aNewerRecommendationOfTheSameCountReplacesTheOlder() {
    ScalingHistory history = ScalingHistory.empty()
        .withRecommendation(NOW.minusSeconds(30), 4)
        .withRecommendation(NOW.minusSeconds(15), 5)
        .withRecommendation(NOW, 4);

    assertThat(history.recommendations())
        .containsExactly(new Recommendation(NOW.minusSeconds(15), 5), new Recommendation(NOW, 4));
  }

  @Test
  void windowsAndPeriodsExcludeTheirFirstInstantAsHpaDoes() {
    ScalingHistory history = new ScalingHistory(
        List.of(new Recommendation(NOW.minusSeconds(60), 3), new Recommendation(NOW.minusSeconds(30), 5)),
        List.of(new ScaleEvent(NOW.minusSeconds(15), 2), new ScaleEvent(NOW.minusSeconds(5), 3)));

    assertThat(history.highestAfter(NOW.minusSeconds(60)).getAsInt()).isEqualTo(5);
    assertThat(history.lowestAfter(NOW.minusSeconds(61)).getAsInt()).isEqualTo(3);
    assertThat(history.netChangeAfter(NOW.minusSeconds(15))).isEqualTo(3);
  }
}
