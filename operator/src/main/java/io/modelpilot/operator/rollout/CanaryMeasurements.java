package io.modelpilot.operator.rollout;

import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.AnalysisMetric;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.metrics.MetricsWindows;
import io.modelpilot.operator.metrics.NamespaceGuard;
import io.modelpilot.operator.metrics.PromQL;
import io.modelpilot.operator.metrics.PrometheusClient;
import io.modelpilot.operator.metrics.QueryResult;
import io.modelpilot.operator.rollout.core.AnalysisCheck;
import io.modelpilot.operator.rollout.core.CanaryAnalysis;
import io.modelpilot.operator.rollout.core.Judgement;
import io.modelpilot.operator.rollout.core.Measurement;
import io.modelpilot.operator.rollout.core.RolloutPolicy;
import io.modelpilot.operator.rollout.core.Verdict;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Measures canary and stable in Prometheus over the same window, metric by metric, and has the pure
 * {@link CanaryAnalysis} judge each. Knows PromQL and the analysis spec; knows nothing of the rollout's state.
 */
class CanaryMeasurements {

  /** One analysis: the canary's requests in the window (for the minimum) and a judgement per metric. */
  record Analysis(long canaryRequests, List<Judgement> judgements) {
  }

  private final Function<URI, PrometheusClient> prometheus;
  private final URI defaultPrometheus;
  private final boolean queriesMayReadOtherNamespaces;

  CanaryMeasurements(Function<URI, PrometheusClient> prometheus, URI defaultPrometheus,
      boolean queriesMayReadOtherNamespaces) {
    this.prometheus = prometheus;
    this.defaultPrometheus = defaultPrometheus;
    this.queriesMayReadOtherNamespaces = queriesMayReadOtherNamespaces;
  }

  /**
   * @param revision the canary's revision
   * @param stableRevision the stable track's revision: its accuracy is that of the feedback on its predictions
   */
  Analysis analyse(ModelDeployment md, RolloutPolicy policy, String revision, String stableRevision) {
    AnalysisSpec spec = md.getSpec().getRollout().getAnalysis();
    String ns = md.getMetadata().getNamespace();
    String name = md.getMetadata().getName();
    PromQL.Target canary = PromQL.Target.allTracks(ns, name).withTrack(Labels.TRACK_CANARY).withRevision(revision);
    PromQL.Target stable = PromQL.Target.allTracks(ns, name).withTrack(Labels.TRACK_STABLE);
    String window = MetricsWindows.range(policy.interval());
    double seconds = policy.interval().toSeconds();
    PrometheusClient client = prometheus.apply(prometheusUrl(md));

    QueryResult canaryRate = client.query(PromQL.requestsPerSecond(canary, window));
    QueryResult stableRate = client.query(PromQL.requestsPerSecond(stable, window));
    long canaryRequests = Math.round(value(canaryRate, 0) * seconds);
    long stableRequests = Math.round(value(stableRate, 0) * seconds);
    List<Judgement> judgements = new ArrayList<>();
    if (canaryRate instanceof QueryResult.Unreachable u) {
      judgements.add(new Judgement("prometheus", Verdict.INCONCLUSIVE, null, "reachable",
          "Prometheus unreachable: " + u.reason()));
      return new Analysis(0, judgements);
    }
    List<AnalysisMetric> metrics = spec == null || spec.getMetrics() == null ? List.of() : spec.getMetrics();
    for (AnalysisMetric m : metrics) {
      Measurement measurement = switch (m.getType()) {
        case ERROR_RATE -> measure(client, PromQL.errorRate(canary, window), canaryRequests,
            PromQL.errorRate(stable, window), stableRequests);
        case LATENCY_P99 -> measure(client, PromQL.latencyQuantile(canary, window, 0.99), canaryRequests,
            PromQL.latencyQuantile(stable, window, 0.99), stableRequests);
        case ACCURACY -> {
          // by the revision that predicted, whichever pod the feedback reached
          PromQL.Target stablePredictions = stable.withRevision(stableRevision);
          QueryResult canaryFeedback = client.query(PromQL.feedbackPerSecond(canary, window));
          QueryResult stableFeedback = client.query(PromQL.feedbackPerSecond(stablePredictions, window));
          yield measure(client, PromQL.accuracy(canary, window), Math.round(value(canaryFeedback, 0) * seconds),
              PromQL.accuracy(stablePredictions, window), Math.round(value(stableFeedback, 0) * seconds));
        }
        case PROMQL -> measure(NamespaceGuard.guard(client, ns, queriesMayReadOtherNamespaces),
            PromQL.substitute(m.getQuery(), PromQL.placeholders(canary)), canaryRequests,
            PromQL.substitute(m.getQuery(), PromQL.placeholders(stable)), stableRequests);
      };
      judgements.add(CanaryAnalysis.judge(check(m), measurement));
    }
    return new Analysis(canaryRequests, judgements);
  }

  static AnalysisCheck check(AnalysisMetric m) {
    return switch (m.getType()) {
      case ERROR_RATE -> AnalysisCheck.errorRate("ErrorRate", m.getMax());
      case LATENCY_P99 -> m.getMaxRatioToStable() != null
          ? AnalysisCheck.latencyP99RatioToStable("LatencyP99", m.getMaxRatioToStable())
          : AnalysisCheck.latencyP99Max("LatencyP99", m.getMax());
      case ACCURACY -> m.getMaxDropFromStable() != null
          ? AnalysisCheck.accuracyDropFromStable("Accuracy", m.getMaxDropFromStable())
          : AnalysisCheck.accuracyMin("Accuracy", m.getMin());
      case PROMQL -> AnalysisCheck.promql("PromQL", m.getMin(), m.getMax());
    };
  }

  private static Measurement measure(PrometheusClient client, String canaryQuery, long canarySamples,
      String stableQuery, long stableSamples) {
    QueryResult canary = client.query(canaryQuery);
    QueryResult stable = client.query(stableQuery);
    for (QueryResult r : List.of(canary, stable)) {
      if (r instanceof QueryResult.Unreachable u) {
        return Measurement.unavailable("Prometheus unreachable: " + u.reason());
      }
      if (r instanceof QueryResult.BadQuery b) {
        return Measurement.unavailable("bad query: " + b.error());
      }
    }
    return Measurement.of(valueOrNull(canary), canarySamples, valueOrNull(stable), stableSamples);
  }

  private static Double valueOrNull(QueryResult r) {
    return r instanceof QueryResult.Value v && !Double.isNaN(v.value()) ? v.value() : null;
  }

  private static double value(QueryResult r, double otherwise) {
    Double v = valueOrNull(r);
    return v == null ? otherwise : v;
  }

  private URI prometheusUrl(ModelDeployment md) {
    AnalysisSpec analysis = md.getSpec().getRollout().getAnalysis();
    if (analysis != null && analysis.getPrometheusUrl() != null) {
      return URI.create(analysis.getPrometheusUrl());
    }
    var autoscaling = md.getSpec().getAutoscaling();
    return autoscaling != null && autoscaling.getPrometheusUrl() != null ? URI.create(autoscaling.getPrometheusUrl())
        : defaultPrometheus;
  }
}
