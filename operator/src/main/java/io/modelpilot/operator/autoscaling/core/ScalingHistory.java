package io.modelpilot.operator.autoscaling.core;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the stabilization windows and rate policies need from earlier rounds, as plain values so that it can
 * be kept in memory now and written to the status later. Each decision returns it updated and pruned.
 *
 * <p>Size stays bounded: recommendations older than the longest window and scale events older than the
 * longest policy period are dropped, and of several recommendations with the same replica count only the
 * newest is kept (an older equal one can never be the minimum or maximum of a window the newer one is not
 * in), so there are at most maxReplicas - minReplicas + 1 of them, and no more than rounds per window.
 */
public record ScalingHistory(List<Recommendation> recommendations, List<ScaleEvent> scaleEvents,
    List<ReadySample> readySamples) {

  /** The replica count the metrics asked for at a round, before stabilization and rate limits. */
  public record Recommendation(Instant at, int replicas) {
    public Recommendation {
      Objects.requireNonNull(at, "at");
    }
  }

  /** A change of the replica count the autoscaler made: positive up, negative down. */
  public record ScaleEvent(Instant at, int change) {
    public ScaleEvent {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * The ready pods at a round. An absolute reading (a p99 over a window) tells how the pods that served during
   * its window did: the fewest ready during the window are the ones it can be scaled from.
   */
  public record ReadySample(Instant at, int ready) {
    public ReadySample {
      Objects.requireNonNull(at, "at");
    }
  }

  public ScalingHistory {
    recommendations = List.copyOf(recommendations);
    scaleEvents = List.copyOf(scaleEvents);
    readySamples = List.copyOf(readySamples);
  }

  public ScalingHistory(List<Recommendation> recommendations, List<ScaleEvent> scaleEvents) {
    this(recommendations, scaleEvents, List.of());
  }

  public static ScalingHistory empty() {
    return new ScalingHistory(List.of(), List.of(), List.of());
  }

  /**
   * Drops what no window or period of {@code behavior} can reach any more. Entries stamped after
   * {@code now} are dropped too: they come from a clock that has since gone back, and would otherwise hold
   * a window for as long as the clock was off.
   */
  public ScalingHistory pruned(Behavior behavior, Instant now, Duration readingWindow) {
    Instant windowCutoff = now.minus(behavior.longestWindow());
    Instant readyCutoff = now.minus(readingWindow);
    Instant periodCutoff = now.minus(behavior.longestPeriod());
    List<Recommendation> keptRecommendations = recommendations.stream()
        .filter(r -> r.at().isAfter(windowCutoff) && !r.at().isAfter(now))
        .toList();
    List<ScaleEvent> keptEvents = scaleEvents.stream()
        .filter(e -> e.at().isAfter(periodCutoff) && !e.at().isAfter(now))
        .toList();
    List<ReadySample> keptReady = readySamples.stream()
        .filter(r -> r.at().isAfter(readyCutoff) && !r.at().isAfter(now))
        .toList();
    return new ScalingHistory(keptRecommendations, keptEvents, keptReady);
  }

  ScalingHistory withRecommendation(Instant at, int replicas) {
    List<Recommendation> next = new ArrayList<>(recommendations.size() + 1);
    for (Recommendation r : recommendations) {
      if (r.replicas() != replicas) {
        next.add(r);
      }
    }
    next.add(new Recommendation(at, replicas));
    return new ScalingHistory(next, scaleEvents, readySamples);
  }

  ScalingHistory withScaleEvent(Instant at, int change) {
    List<ScaleEvent> next = new ArrayList<>(scaleEvents);
    next.add(new ScaleEvent(at, change));
    return new ScalingHistory(recommendations, next, readySamples);
  }

  /**
   * Adds this round's ready count. An older sample with at least as many ready pods can never be the fewest of a
   * window that holds this one, so it goes: the samples kept rise with time and number at most maxReplicas + 1.
   */
  ScalingHistory withReady(Instant at, int ready) {
    List<ReadySample> next = new ArrayList<>(readySamples.size() + 1);
    for (ReadySample r : readySamples) {
      if (r.ready() < ready) {
        next.add(r);
      }
    }
    next.add(new ReadySample(at, ready));
    return new ScalingHistory(recommendations, scaleEvents, next);
  }

  /** The fewest ready pods of the samples strictly after {@code cutoff}, if any. */
  OptionalInt fewestReadyAfter(Instant cutoff) {
    return readySamples.stream().filter(r -> r.at().isAfter(cutoff)).mapToInt(ReadySample::ready).min();
  }

  /** Lowest recommendation strictly after {@code cutoff} (HPA's window excludes its first instant). */
  OptionalInt lowestAfter(Instant cutoff) {
    return recommendations.stream().filter(r -> r.at().isAfter(cutoff)).mapToInt(Recommendation::replicas).min();
  }

  OptionalInt highestAfter(Instant cutoff) {
    return recommendations.stream().filter(r -> r.at().isAfter(cutoff)).mapToInt(Recommendation::replicas).max();
  }

  /** Net replicas the autoscaler added (negative: removed) strictly after {@code cutoff}. */
  int netChangeAfter(Instant cutoff) {
    return scaleEvents.stream().filter(e -> e.at().isAfter(cutoff)).mapToInt(ScaleEvent::change).sum();
  }
}
