package io.modelpilot.runtime.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.modelpilot.runtime.config.RuntimeSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The server's Prometheus series. Every series carries the labels model and version (a common
 * tag), so stable and canary pods of one ModelDeployment can be told apart.
 */
@ApplicationScoped
public class ServerMetrics {

  public static final String REQUESTS = "modelpilot.requests";
  public static final String REQUEST_DURATION = "modelpilot.request.duration";
  public static final String INFERENCE_DURATION = "modelpilot.inference.duration";
  public static final String QUEUE_DURATION = "modelpilot.queue.duration";
  public static final String BATCH_SIZE = "modelpilot.batch.size";
  public static final String IN_FLIGHT = "modelpilot.inflight.requests";
  public static final String QUEUE_DEPTH = "modelpilot.queue.depth";
  public static final String MODEL_LOAD = "modelpilot.model.load.duration";
  public static final String PREDICTIONS = "modelpilot.predictions";
  public static final String PREDICTION_SCORE = "modelpilot.prediction.score";
  public static final String FEEDBACK = "modelpilot.feedback";
  public static final String FEEDBACK_ERROR = "modelpilot.feedback.absolute.error";
  public static final String FEEDBACK_REJECTED = "modelpilot.feedback.rejected";
  /** The revision that made the judged prediction (see RuntimeContract.Metrics.SeriesLabels). */
  public static final String PREDICTION_REVISION =
      io.modelpilot.contract.RuntimeContract.Metrics.SeriesLabels.PREDICTION_REVISION;
  /** Distinct prediction revisions with series of their own; more (never from one ModelDeployment) are "other". */
  static final int MAX_PREDICTION_REVISIONS = 32;

  private final MeterRegistry registry;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger queueDepth = new AtomicInteger();
  private final AtomicLong modelLoadMillis = new AtomicLong(-1);
  private final Timer requestTimer;
  private final Timer inferenceTimer;
  private final Timer queueTimer;
  private final DistributionSummary batchSize;
  private final DistributionSummary predictionScore;
  private final java.util.Map<String, DistributionSummary> feedbackErrors =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, Counter> feedbackCounters = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Set<String> predictionRevisions = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static final int MAX_CLASSES = 1000;
  private final boolean enabled;
  private final AtomicReferenceArray<Counter> requestCounters = new AtomicReferenceArray<>(600);
  // bounded by the model's classes; a regression has no labels
  private final java.util.Map<String, Counter> predictionCounters = new java.util.concurrent.ConcurrentHashMap<>();

  public ServerMetrics(MeterRegistry registry, RuntimeSettings settings) {
    this.registry = registry;
    this.enabled = settings.metricsEnabled();
    requestTimer = Timer.builder(REQUEST_DURATION).description("Inference request latency, end to end")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    inferenceTimer = Timer.builder(INFERENCE_DURATION).description("Time inside ONNX Runtime per batch")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    queueTimer = Timer.builder(QUEUE_DURATION).description("Time a request waited for its batch")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
    batchSize = DistributionSummary.builder(BATCH_SIZE).description("Rows per executed batch")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
    predictionScore = DistributionSummary.builder(PREDICTION_SCORE)
        .description("Score of the predicted class, or the predicted value of a regression")
        .serviceLevelObjectives(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1).register(registry);
    Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get).description("Inference requests being served")
        .register(registry);
    Gauge.builder(QUEUE_DEPTH, queueDepth, AtomicInteger::get).description("Requests waiting for a batch")
        .register(registry);
    Gauge.builder(MODEL_LOAD, modelLoadMillis, v -> v.get() < 0 ? Double.NaN : v.get() / 1000.0)
        .description("Seconds the model took to load, warm-up included").baseUnit("seconds").register(registry);
  }

  /** model and version on every series, including the JVM's. */
  @Produces
  @Singleton
  MeterFilter commonTags(RuntimeSettings settings) {
    return MeterFilter.commonTags(List.of(io.micrometer.core.instrument.Tag.of("model", settings.modelName()),
        io.micrometer.core.instrument.Tag.of("version", settings.modelVersion())));
  }

  /**
   * One request's outcome and latency. The hot path allocates nothing: counters are resolved once per status code
   * and kept in an array, timers record nanoseconds directly.
   */
  public void request(int status, long nanos) {
    if (!enabled) {
      return;
    }
    int code = status >= 100 && status < 600 ? status : 500;
    Counter counter = requestCounters.get(code);
    if (counter == null) {
      counter = Counter.builder(REQUESTS).description("Inference requests by outcome")
          .tag("code", Integer.toString(code)).tag("status_class", code / 100 + "xx").register(registry);
      requestCounters.set(code, counter);
    }
    counter.increment();
    requestTimer.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void inference(long nanos) {
    if (!enabled) {
      return;
    }
    inferenceTimer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** A batch of {@code rows} whose requests waited {@code queueNanos} each. */
  public void batch(int rows, long[] queueNanos) {
    if (!enabled) {
      return;
    }
    batchSize.record(rows);
    for (long n : queueNanos) {
      queueTimer.record(n, TimeUnit.NANOSECONDS);
    }
  }

  /** A request that ran alone, without waiting. */
  public void batch(int rows, long queueNanos) {
    if (!enabled) {
      return;
    }
    batchSize.record(rows);
    queueTimer.record(queueNanos, TimeUnit.NANOSECONDS);
  }

  public AtomicInteger inFlight() {
    return inFlight;
  }

  public AtomicInteger queueDepth() {
    return queueDepth;
  }

  public void modelLoaded(Duration took) {
    modelLoadMillis.set(took.toMillis());
  }

  public void predictions(List<Predictions.Row> rows) {
    if (!enabled) {
      return;
    }
    for (Predictions.Row row : rows) {
      if (row.label() != null) {
        // an integer output that is not really a class must not explode the series count
        Counter counter = predictionCounters.get(row.label()); // the hot path: a lookup, no allocation
        if (counter == null) {
          String label = predictionCounters.size() >= MAX_CLASSES ? "other" : row.label();
          counter = predictionCounters.computeIfAbsent(label, l -> Counter.builder(PREDICTIONS)
              .description("Predictions by predicted class").tag("class", l).register(registry));
        }
        counter.increment();
      }
      // a NaN or an infinity would turn the summary's sum (what dashboards average) into NaN for good
      if (Double.isFinite(row.value())) {
        predictionScore.record(row.value());
      }
    }
  }

  /** Ground truth on a classification made by {@code predictionRevision} (empty when unknown). */
  public void feedback(boolean correct, String predictionRevision) {
    String revision = revisionLabel(predictionRevision);
    String result = correct ? "correct" : "incorrect";
    feedbackCounters.computeIfAbsent(result + "/" + revision, k -> Counter.builder(FEEDBACK)
        .description("Ground-truth feedback on classifications, by the revision that made the prediction")
        .tag("result", result).tag(PREDICTION_REVISION, revision).register(registry)).increment();
  }

  public void feedbackError(double absoluteError, String predictionRevision) {
    String revision = revisionLabel(predictionRevision);
    feedbackErrors.computeIfAbsent(revision, r -> DistributionSummary.builder(FEEDBACK_ERROR)
        .description("Absolute error of regression predictions against ground truth, by the revision that made "
            + "the prediction").tag(PREDICTION_REVISION, r).register(registry)).record(absoluteError);
  }

  /** Feedback refused: a malformed, forged, expired or replayed token, or an unknown id. */
  public void feedbackRejected(String reason) {
    Counter.builder(FEEDBACK_REJECTED).description("Feedback refused, by reason").tag("reason", reason)
        .register(registry).increment();
  }

  /** Tokens are signed, so revisions are the deployment's own; still, never more than a bounded number of series. */
  private String revisionLabel(String revision) {
    String r = revision == null ? "" : revision;
    if (predictionRevisions.contains(r)) {
      return r;
    }
    synchronized (predictionRevisions) {
      if (predictionRevisions.size() < MAX_PREDICTION_REVISIONS) {
        predictionRevisions.add(r);
        return r;
      }
    }
    return "other";
  }
}
