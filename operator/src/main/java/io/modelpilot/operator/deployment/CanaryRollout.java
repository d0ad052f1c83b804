package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.operator.api.v1alpha1.AnalysisMetric;
import io.modelpilot.operator.api.v1alpha1.AnalysisSpec;
import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.api.v1alpha1.Durations;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.RolloutSpec;
import io.modelpilot.operator.api.v1alpha1.RolloutStep;
import io.modelpilot.operator.metrics.PromQL;
import io.modelpilot.operator.metrics.PrometheusClient;
import io.modelpilot.operator.metrics.QueryResult;
import io.modelpilot.operator.rollout.AnalysisCheck;
import io.modelpilot.operator.rollout.CanaryAnalysis;
import io.modelpilot.operator.rollout.Decision;
import io.modelpilot.operator.rollout.Judgement;
import io.modelpilot.operator.rollout.Measurement;
import io.modelpilot.operator.rollout.Phase;
import io.modelpilot.operator.rollout.RolloutMachine;
import io.modelpilot.operator.rollout.RolloutPolicy;
import io.modelpilot.operator.rollout.RolloutState;
import io.modelpilot.operator.rollout.Signals;
import io.modelpilot.operator.rollout.Step;
import io.modelpilot.operator.rollout.Verdict;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The adapter around {@link RolloutMachine}: reads the rollout's state from status.canary, measures canary and
 * stable in Prometheus when an analysis is due, asks the pure machine, and turns its decision into replica counts
 * for the two tracks, the template the stable track keeps, a new status.canary and Events. It holds no state:
 * a restarted operator resumes from the status.
 */
public class CanaryRollout {

  public static final String ANNOTATION_PROMOTE = "modelpilot.io/promote";
  public static final String ANNOTATION_ABORT = "modelpilot.io/abort";
  public static final String ANNOTATION_PAUSE = "modelpilot.io/pause";
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
  static final Duration DEFAULT_PROGRESS_DEADLINE = Duration.ofMinutes(10);
  static final int DEFAULT_FAILURE_LIMIT = 1;
  static final long DEFAULT_MIN_REQUESTS = 50;
  /** How often a canary is looked at between analyses (readiness, pauses, annotations). */
  static final Duration TICK = Duration.ofSeconds(2);
  static final Duration MIN_WARM_UP = Duration.ofSeconds(15);

  /**
   * What to apply.
   *
   * @param stableReplicas replicas of the stable Deployment
   * @param stableTemplate the pod template the stable track keeps; null: the spec's
   * @param stableRevision the revision the stable track runs after this reconcile
   * @param canaryReplicas replicas of {@code <name>-canary}; 0: none
   * @param status the new status.canary; null: none
   * @param events Events to record, as (warning?, reason, message)
   * @param failure the Degraded message after a rollback of this spec; null otherwise
   * @param recheckIn when to look again; null: no canary to watch
   * @param holdScaleDown the autoscaler may not scale the total down (a canary is being analysed)
   */
  public record Plan(int stableReplicas, PodTemplateSpec stableTemplate, String stableRevision, int canaryReplicas,
      CanaryStatus status, List<Event> events, String failure, Duration recheckIn, boolean holdScaleDown) {
  }

  public record Event(boolean warning, String reason, String message) {
  }

  private final Function<URI, PrometheusClient> prometheus;
  private final URI defaultPrometheus;

  public CanaryRollout(Function<URI, PrometheusClient> prometheus, URI defaultPrometheus) {
    this.prometheus = prometheus;
    this.defaultPrometheus = defaultPrometheus;
  }

  /**
   * @param stable the stable Deployment as last seen (null before the first rollout)
   * @param canary the canary Deployment as last seen (null when none)
   * @param total replicas the model should have in all: spec.replicas or the autoscaler's count
   * @param specRevision the revision the spec asks for
   */
  public Plan plan(ModelDeployment md, Deployment stable, Deployment canary, int total, String specRevision,
      Instant now) {
    RolloutSpec rollout = md.getSpec().getRollout();
    CanaryStatus previous = md.getStatus() == null ? null : md.getStatus().getCanary();
    String stableRevision = stable == null ? null : revisionOf(stable);
    List<Event> events = new ArrayList<>();

    if (rollout == null || stable == null || stableRevision == null) {
      // no canary policy, or the first rollout: the spec goes straight to every replica
      return new Plan(total, null, specRevision, 0, rollout == null ? null : previous, events, null, null, false);
    }
    if (specRevision.equals(stableRevision)) {
      CanaryStatus status = previous;
      int canaryReplicas = 0;
      Duration recheck = null;
      if (previous != null && !terminal(previous)) {
        // the spec went back to what stable runs while a canary was on: the canary has nothing left to show
        events.add(new Event(false, "CanarySuperseded", "canary of revision %s dropped: the spec is back to the "
            .formatted(previous.getRevision()) + "stable revision " + stableRevision));
        status = null;
      } else if (previous != null && Phase.PROMOTED.name().equals(phaseName(previous))
          && specRevision.equals(previous.getRevision()) && canary != null && !rolledOut(stable, total)) {
        // promoted: the canary keeps serving until the stable track runs the new revision everywhere
        canaryReplicas = replicas(canary);
        recheck = TICK;
      }
      return new Plan(total, null, specRevision, canaryReplicas, status, events, null, recheck, false);
    }

    PodTemplateSpec kept = stable.getSpec().getTemplate();
    if (previous != null && specRevision.equals(previous.getRevision())
        && (Phase.ROLLED_BACK.name().equals(phaseName(previous)) || Phase.ABORTED.name().equals(phaseName(previous)))) {
      // this spec failed: it stays off until the spec changes
      return new Plan(total, kept, stableRevision, 0, previous, events, failureMessage(previous), null, false);
    }

    RolloutPolicy policy = policy(rollout);
    RolloutState state;
    if (previous != null && specRevision.equals(previous.getRevision()) && !terminal(previous)) {
      state = toState(previous);
    } else {
      if (previous != null && !terminal(previous)) {
        events.add(new Event(false, "CanarySuperseded", "canary of revision %s superseded by revision %s"
            .formatted(previous.getRevision(), specRevision)));
      }
      state = RolloutMachine.start(specRevision, now);
      events.add(new Event(false, "CanaryStarted", "canary of revision %s beside stable %s: %s"
          .formatted(specRevision, stableRevision, describe(policy))));
    }

    int canaryNow = canary == null ? 0 : replicas(canary);
    int canaryReady = canary == null ? 0 : ready(canary);
    boolean canaryCurrent = canary != null && specRevision.equals(revisionOf(canary)) && observed(canary)
        && updated(canary) >= canaryNow;
    Signals signals = new Signals(canaryCurrent ? canaryReady : 0, Math.max(1, canaryNow), 0, null,
        annotated(md, ANNOTATION_PROMOTE), annotated(md, ANNOTATION_ABORT), annotated(md, ANNOTATION_PAUSE));
    boolean allReady = canaryCurrent && canaryNow > 0 && canaryReady >= canaryNow;
    Instant readySince = !allReady ? null
        : previous != null && specRevision.equals(previous.getRevision()) && previous.getReadySince() != null
            ? Instant.parse(previous.getReadySince()) : now;
    boolean warm = readySince != null && !readySince.plus(warmUp(policy)).isAfter(now);
    List<Judgement> judgements = null;
    if (warm && RolloutMachine.analysisDue(policy, state, now)) {
      Analysis analysis = analyse(md, rollout.getAnalysis(), policy, specRevision);
      judgements = analysis.judgements();
      signals = signals.withAnalysis(analysis.canaryRequests(), judgements);
    }
    Decision decision = RolloutMachine.next(policy, state, signals, now);
    decision.event().ifPresent(message -> events.add(new Event(
        decision.action() == Decision.Action.ROLLBACK || decision.action() == Decision.Action.ABORT,
        eventReason(decision), message)));

    CanaryStatus status = toStatus(decision.state(), previous, judgements, decision.canaryWeight());
    status.setReadySince(text(readySince));
    return switch (decision.action()) {
      case ROLLBACK, ABORT -> {
        status.setFailedRevision(specRevision);
        status.setWeight(0);
        yield new Plan(total, kept, stableRevision, 0, status, events, failureMessage(status), null, false);
      }
      case PROMOTE -> {
        status.setWeight(100);
        // the stable track takes the new revision; the canary keeps serving until it is rolled out
        yield new Plan(total, null, specRevision, Math.max(canaryNow, 1), status, events, null, TICK, false);
      }
      default -> {
        int canaryReplicas = RolloutMachine.canaryReplicas(total, Math.max(decision.canaryWeight(), 1));
        int stableReplicas = decision.canaryWeight() >= 100 ? 0 : Math.max(1, total - canaryReplicas);
        yield new Plan(stableReplicas, kept, stableRevision, canaryReplicas, status, events, null,
            recheck(policy), true);
      }
    };
  }

  /**
   * How long a canary whose pods all became ready serves before its first analysis: one interval, at least
   * {@link #MIN_WARM_UP}. Measured in the local cluster: a fresh model-server JVM answers with about 3× the
   * stable pods' p99 for its first 5-10 s (JIT, caches); judged then, a healthy canary fails a latency ratio.
   */
  static Duration warmUp(RolloutPolicy policy) {
    return policy.interval().compareTo(MIN_WARM_UP) < 0 ? MIN_WARM_UP : policy.interval();
  }

  // ---------------------------------------------------------------------------------------------- analysis

  private record Analysis(long canaryRequests, List<Judgement> judgements) {
  }

  private Analysis analyse(ModelDeployment md, AnalysisSpec spec, RolloutPolicy policy, String revision) {
    String ns = md.getMetadata().getNamespace();
    String name = md.getMetadata().getName();
    PromQL.Target canary = PromQL.Target.allTracks(ns, name).withTrack(RuntimeDeploymentFactory.TRACK_CANARY)
        .withRevision(revision);
    PromQL.Target stable = PromQL.Target.allTracks(ns, name).withTrack(RuntimeDeploymentFactory.TRACK_STABLE);
    String window = policy.interval().toSeconds() + "s";
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
      AnalysisCheck check = check(m);
      Measurement measurement = switch (m.getType()) {
        case ERROR_RATE -> measure(client, PromQL.errorRate(canary, window), canaryRequests,
            PromQL.errorRate(stable, window), stableRequests);
        case LATENCY_P99 -> measure(client, PromQL.latencyQuantile(canary, window, 0.99), canaryRequests,
            PromQL.latencyQuantile(stable, window, 0.99), stableRequests);
        case ACCURACY -> {
          QueryResult canaryFeedback = client.query(PromQL.feedbackPerSecond(canary, window));
          QueryResult stableFeedback = client.query(PromQL.feedbackPerSecond(stable, window));
          yield measure(client, PromQL.accuracy(canary, window), Math.round(value(canaryFeedback, 0) * seconds),
              PromQL.accuracy(stable, window), Math.round(value(stableFeedback, 0) * seconds));
        }
        case PROMQL -> measure(client, PromQL.substitute(m.getQuery(), PromQL.placeholders(canary)), canaryRequests,
            PromQL.substitute(m.getQuery(), PromQL.placeholders(stable)), stableRequests);
      };
      judgements.add(CanaryAnalysis.judge(check, measurement));
    }
    return new Analysis(canaryRequests, judgements);
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

  private URI prometheusUrl(ModelDeployment md) {
    AnalysisSpec analysis = md.getSpec().getRollout().getAnalysis();
    if (analysis != null && analysis.getPrometheusUrl() != null) {
      return URI.create(analysis.getPrometheusUrl());
    }
    var autoscaling = md.getSpec().getAutoscaling();
    return autoscaling != null && autoscaling.getPrometheusUrl() != null ? URI.create(autoscaling.getPrometheusUrl())
        : defaultPrometheus;
  }

  // ---------------------------------------------------------------------------------------------- policy & state

  static RolloutPolicy policy(RolloutSpec spec) {
    List<Step> steps = new ArrayList<>();
    for (RolloutStep s : spec.getSteps()) {
      steps.add(s.getPause() == null ? Step.manual(s.getWeight()) : Step.timed(s.getWeight(),
          Durations.parse(s.getPause())));
    }
    AnalysisSpec a = spec.getAnalysis();
    Duration interval = a == null || a.getInterval() == null ? DEFAULT_INTERVAL : Durations.parse(a.getInterval());
    if (interval.toSeconds() < 1) {
      interval = Duration.ofSeconds(1);
    }
    int failureLimit = a == null || a.getFailureLimit() == null ? DEFAULT_FAILURE_LIMIT : a.getFailureLimit();
    long minRequests = a == null || a.getMinRequests() == null ? DEFAULT_MIN_REQUESTS : a.getMinRequests();
    Duration deadline = spec.getProgressDeadline() == null ? DEFAULT_PROGRESS_DEADLINE
        : Durations.parse(spec.getProgressDeadline());
    return new RolloutPolicy(steps, interval, failureLimit, minRequests, deadline);
  }

  private static String describe(RolloutPolicy policy) {
    List<String> steps = new ArrayList<>();
    for (Step s : policy.steps()) {
      steps.add(s.weight() + "%" + (s.manual() ? " until promoted" : " for " + s.pause().toSeconds() + "s"));
    }
    return "steps " + String.join(", ", steps) + "; analysis every " + policy.interval().toSeconds() + "s";
  }

  private static Duration recheck(RolloutPolicy policy) {
    return policy.interval().compareTo(TICK) < 0 ? policy.interval() : TICK;
  }

  private static String eventReason(Decision d) {
    return switch (d.action()) {
      case ROLLBACK -> "CanaryRolledBack";
      case ABORT -> "CanaryAborted";
      case PROMOTE -> "CanaryPromoted";
      case ADVANCE -> "CanaryStep";
      case NONE -> d.state().phase() == Phase.PAUSED ? "CanaryPaused" : "CanaryAnalysis";
    };
  }

  /** Whether status.canary describes a rollout still under way: a known phase that is not terminal. */
  static boolean underWay(CanaryStatus status) {
    return status != null && !terminal(status);
  }

  private static boolean terminal(CanaryStatus status) {
    String phase = phaseName(status);
    return phase == null || Phase.valueOf(phase).terminal();
  }

  /** status.canary.phase in the enum's spelling (the status shows CamelCase). */
  private static String phaseName(CanaryStatus status) {
    if (status.getPhase() == null) {
      return null;
    }
    for (Phase p : Phase.values()) {
      if (camel(p).equals(status.getPhase())) {
        return p.name();
      }
    }
    return null;
  }

  static String camel(Phase phase) {
    StringBuilder out = new StringBuilder();
    for (String part : phase.name().split("_")) {
      out.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return out.toString();
  }

  private static String verdictName(Verdict v) {
    return v == null ? null : v.name().charAt(0) + v.name().substring(1).toLowerCase(Locale.ROOT);
  }

  private static Verdict verdict(String name) {
    return name == null ? null : Verdict.valueOf(name.toUpperCase(Locale.ROOT));
  }

  static RolloutState toState(CanaryStatus s) {
    Instant started = instant(s.getStartedAt());
    return new RolloutState(s.getRevision(), Phase.valueOf(phaseName(s)), nz(s.getStep()), started,
        instantOr(s.getStepStartedAt(), started), instant(s.getLastAnalysisAt()), verdict(s.getLastVerdict()),
        s.getLastAnalysis(), nz(s.getFailures()), nz(s.getPassesInARow()), instant(s.getNotReadySince()),
        s.getLastFailure() == null ? null : new Judgement(s.getLastFailure().getMetric(),
            verdict(s.getLastFailure().getVerdict()), s.getLastFailure().getValue(), s.getLastFailure().getThreshold(),
            s.getLastFailure().getMessage()),
        s.getMessage() == null ? "" : s.getMessage());
  }

  static CanaryStatus toStatus(RolloutState state, CanaryStatus previous, List<Judgement> judgements, int weight) {
    CanaryStatus s = new CanaryStatus();
    s.setRevision(state.revision());
    s.setPhase(camel(state.phase()));
    s.setStep(state.stepIndex());
    s.setWeight(weight);
    s.setFailures(state.failures());
    s.setPassesInARow(state.passesInARow());
    s.setMessage(state.message());
    s.setStartedAt(text(state.startedAt()));
    s.setStepStartedAt(text(state.stepStartedAt()));
    s.setLastAnalysisAt(text(state.lastAnalysisAt()));
    s.setLastVerdict(verdictName(state.lastVerdict()));
    s.setLastAnalysis(state.lastAnalysis());
    s.setNotReadySince(text(state.notReadySince()));
    s.setLastFailure(state.lastFailure() == null ? null : judgement(state.lastFailure()));
    if (judgements != null) {
      s.setAnalysis(judgements.stream().map(CanaryRollout::judgement).toList());
    } else if (previous != null && state.revision().equals(previous.getRevision())) {
      s.setAnalysis(previous.getAnalysis());
    }
    if (previous != null && previous.getFailedRevision() != null) {
      s.setFailedRevision(previous.getFailedRevision());
    }
    return s;
  }

  private static CanaryStatus.Judgement judgement(Judgement j) {
    Double value = j.value() == null || j.value().isNaN() ? null : Math.round(j.value() * 10000) / 10000.0;
    return new CanaryStatus.Judgement(j.metric(), verdictName(j.verdict()), value, j.threshold(), j.message());
  }

  private static String failureMessage(CanaryStatus s) {
    String what = s.getLastFailure() != null ? s.getLastFailure().getMetric() + ": " + s.getLastFailure().getMessage()
        : s.getMessage();
    return "canary of revision %s %s: %s".formatted(s.getRevision(),
        Phase.ABORTED.name().equals(phaseName(s)) ? "aborted" : "rolled back", what);
  }

  private static String text(Instant t) {
    return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static Instant instant(String t) {
    return t == null ? null : Instant.parse(t);
  }

  private static Instant instantOr(String t, Instant otherwise) {
    return t == null ? otherwise : Instant.parse(t);
  }

  private static int nz(Integer i) {
    return i == null ? 0 : i;
  }

  // ---------------------------------------------------------------------------------------------- deployments

  static String revisionOf(Deployment d) {
    Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
    return labels == null ? null : labels.get(RuntimeDeploymentFactory.LABEL_REVISION);
  }

  private static boolean annotated(ModelDeployment md, String annotation) {
    Map<String, String> annotations = md.getMetadata().getAnnotations();
    return annotations != null && annotations.containsKey(annotation)
        && !"false".equalsIgnoreCase(annotations.get(annotation));
  }

  private static int replicas(Deployment d) {
    return d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
  }

  private static int ready(Deployment d) {
    return d.getStatus() == null || d.getStatus().getReadyReplicas() == null ? 0 : d.getStatus().getReadyReplicas();
  }

  private static int updated(Deployment d) {
    return d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null ? 0
        : d.getStatus().getUpdatedReplicas();
  }

  private static boolean observed(Deployment d) {
    Long generation = d.getMetadata().getGeneration();
    Long seen = d.getStatus() == null ? null : d.getStatus().getObservedGeneration();
    return generation == null || seen != null && seen >= generation;
  }

  /** The stable track runs its template's revision on {@code total} ready, updated pods. */
  private static boolean rolledOut(Deployment stable, int total) {
    return observed(stable) && updated(stable) >= total && ready(stable) >= total;
  }
}
