package io.modelpilot.runtime.server;

import io.modelpilot.runtime.batching.Batcher;
import io.modelpilot.runtime.config.RuntimeSettings;
import io.modelpilot.contract.Durations;
import io.modelpilot.runtime.feedback.FeedbackKey;
import io.modelpilot.runtime.feedback.FeedbackWindow;
import io.modelpilot.runtime.feedback.JudgedTokens;
import io.modelpilot.runtime.feedback.PredictionTokens;
import io.modelpilot.runtime.metrics.Predictions;
import io.modelpilot.runtime.metrics.ServerMetrics;
import io.modelpilot.runtime.model.LoadedModel;
import io.modelpilot.runtime.model.ModelRegistry;
import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.InferenceException;
import io.modelpilot.runtime.tensor.TensorCodec;
import io.modelpilot.runtime.v2.Protocol.InferenceRequest;
import io.modelpilot.runtime.v2.Protocol.InferenceResponse;
import io.modelpilot.runtime.v2.Protocol.RequestInput;
import io.modelpilot.runtime.v2.Protocol.RequestOutput;
import io.modelpilot.runtime.v2.Protocol.ResponseOutput;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/** Validates a V2 request against the model, runs it (batched when it can be) and builds the response. */
@ApplicationScoped
public class InferenceService {

  private static final Logger LOG = Logger.getLogger(InferenceService.class);

  private final ModelRegistry registry;
  private final RuntimeSettings settings;
  private final ServerMetrics metrics;
  private final FeedbackWindow feedback;
  private final PredictionTokens tokens;
  private final JudgedTokens judged;
  private final Semaphore admission;
  private final long requestTimeoutNanos;
  private volatile Batcher batcher;
  private volatile LoadedModel batcherModel;

  public InferenceService(ModelRegistry registry, RuntimeSettings settings, ServerMetrics metrics) {
    this.registry = registry;
    this.settings = settings;
    this.metrics = metrics;
    this.feedback = new FeedbackWindow(settings.feedbackWindow(), settings.feedbackWindowBytes());
    FeedbackKey key = FeedbackKey.read(settings.feedbackKeyFile());
    if (!key.shared()) {
      LOG.warnf("feedback: %s; prediction tokens use a random key of this process, so feedback with them is "
          + "accepted only by this pod", key.reason());
    }
    this.tokens = new PredictionTokens(key.bytes(), settings.revision().orElse(""), Durations.parse(
        "MODELPILOT_FEEDBACK_TOKEN_TTL", settings.feedbackTokenTtl()), Clock.systemUTC());
    this.judged = new JudgedTokens(settings.feedbackJudgedTokens());
    this.admission = new Semaphore(settings.maxQueueLength());
    this.requestTimeoutNanos = io.modelpilot.contract.Durations.parse("MODELPILOT_REQUEST_TIMEOUT",
        settings.requestTimeout()).toNanos();
  }

  public FeedbackWindow feedback() {
    return feedback;
  }

  public PredictionTokens tokens() {
    return tokens;
  }

  public JudgedTokens judged() {
    return judged;
  }

  /** The longest model run that may keep an idle server's event loop busy (see {@link #runsInline}). */
  static final long INLINE_MAX_NANOS = 5_000_000;
  /**
   * A model whose runs take at most this long runs on the event loop whatever the load: the event loop is kept from
   * its other connections no longer than by parsing a body, and a hand-off to an inference thread and back would cost
   * more than the run (a small MLP: microseconds). As {@link Batcher#MIN_SAVING_NANOS}: a model that short does not
   * queue for batches either.
   */
  static final long INLINE_ALWAYS_NANOS = Batcher.MIN_SAVING_NANOS;
  /** The largest body parsed on an event loop (parsing takes about a microsecond per 100 bytes). */
  static final int INLINE_MAX_BODY_BYTES = 64 * 1024;
  private volatile long recentRunNanos = Long.MAX_VALUE; // the last run without batching

  /**
   * Takes a place in the queue before the request is parsed, so that at most MODELPILOT_MAX_QUEUE_LENGTH requests
   * are parsed, waiting or running at once (and hold their tensors in memory); release it with {@link #release()}.
   */
  public void admit() {
    if (!admission.tryAcquire()) {
      throw new InferenceException(503, "the server is at its queue limit (MODELPILOT_MAX_QUEUE_LENGTH="
          + settings.maxQueueLength() + "); retry later");
    }
    metrics.inFlight().incrementAndGet();
  }

  public void release() {
    metrics.inFlight().decrementAndGet();
    admission.release();
  }

  /**
   * Whether an admitted request may run on the thread that received it (an event loop), sparing the two thread
   * hand-offs to an inference thread and back: never for a request that queues for a batch (a batch may wait for
   * others, which must not wait on a blocked event loop); always for a model whose last run took at most
   * {@link #INLINE_ALWAYS_NANOS}; and for a model whose last run took at most {@link #INLINE_MAX_NANOS} (the longest
   * the event loop may then be kept from other connections) while it is the only request in the server.
   */
  public boolean runsInline(LoadedModel model, int bodyBytes) {
    if (bodyBytes > INLINE_MAX_BODY_BYTES || queues(model)) {
      return false;
    }
    long recent = recentRunNanos;
    return recent <= INLINE_ALWAYS_NANOS || (metrics.inFlight().get() <= 1 && recent <= INLINE_MAX_NANOS);
  }

  /** Announces a request about to be parsed, so that a forming batch may wait for it; null when it will not queue. */
  public Batcher.Arrival expect(LoadedModel model) {
    Batcher b = batcherFor(model);
    return b == null || !b.stacking() || !b.pays() ? null : b.expect();
  }

  /** Runs an admitted request (see {@link #admit()}). */
  public InferenceResponse infer(LoadedModel model, InferenceRequest request) {
    return infer(model, request, null);
  }

  public InferenceResponse infer(LoadedModel model, InferenceRequest request, Batcher.Arrival arrival) {
    Map<String, HostTensor> outputs;
    try {
      List<HostTensor> inputs = decodeInputs(model, request.inputs());
      Set<String> wanted = wantedOutputs(model, request.outputs());
      outputs = run(model, inputs, wanted, arrival);
    } finally {
      if (arrival != null) {
        arrival.withdraw(); // a no-op once it submitted
      }
    }
    return respond(model, request, outputs);
  }

  /**
   * Queues an admitted request for a batch without a thread that waits for it, when it is one the batcher takes:
   * the future completes on the batcher's thread that ran it. Null when the request is not batched (run it with
   * {@link #infer}). A request the model refuses fails here, before it is queued.
   */
  public java.util.concurrent.CompletableFuture<Map<String, HostTensor>> submit(LoadedModel model,
      InferenceRequest request) {
    Batcher b = batcherFor(model);
    if (b == null) {
      return null;
    }
    List<HostTensor> inputs = decodeInputs(model, request.inputs());
    Set<String> wanted = wantedOutputs(model, request.outputs());
    if (!batched(inputs)) {
      return null;
    }
    metrics.queueDepth().incrementAndGet();
    return b.enqueueAsync(inputs, wanted, requestTimeoutNanos)
        .whenComplete((out, e) -> metrics.queueDepth().decrementAndGet());
  }

  /** Whether this model's requests queue for batches now (see {@link #submit}). */
  public boolean queues(LoadedModel model) {
    Batcher b = batcherFor(model);
    return b != null && b.stacking() && b.pays();
  }

  /** Whether requests with these inputs may be stacked with others. */
  private boolean batched(List<HostTensor> inputs) {
    long rows = inputs.isEmpty() ? 1 : inputs.get(0).rows();
    boolean sameRows = true;
    for (HostTensor t : inputs) {
      sameRows &= t.shape().length > 0 && t.rows() == rows;
    }
    return sameRows && rows > 0 && rows < settings.maxBatchSize();
  }

  /** The response to a request, from its outputs. */
  public InferenceResponse respond(LoadedModel model, InferenceRequest request, Map<String, HostTensor> outputs) {
    String id = request.id() != null ? request.id() : newId();
    List<Predictions.Row> predictions = Predictions.of(outputs);
    feedback.remember(id, predictions);
    metrics.predictions(predictions);
    List<ResponseOutput> response = new ArrayList<>(outputs.size());
    for (HostTensor t : outputs.values()) {
      response.add(new ResponseOutput(t.name(), t.shape(), t.datatype().name(), null, t));
    }
    return new InferenceResponse(model.name(), model.version(), id, request.parameters(), response,
        tokens.issue(model.name(), id, predictions));
  }

  /** A random request id (not SecureRandom: an id is a handle, not a secret, and must not cost a syscall). */
  static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private Map<String, HostTensor> run(LoadedModel model, List<HostTensor> inputs, Set<String> wanted,
      Batcher.Arrival arrival) {
    Batcher b = batcherFor(model);
    long rows = inputs.isEmpty() ? 1 : inputs.get(0).rows();
    try {
      if (b != null && b.stacking() && b.pays() && batched(inputs)) {
        metrics.queueDepth().incrementAndGet();
        try {
          return arrival != null ? arrival.run(inputs, wanted, requestTimeoutNanos)
              : b.run(inputs, wanted, requestTimeoutNanos);
        } finally {
          metrics.queueDepth().decrementAndGet();
        }
      }
      if (arrival != null) {
        arrival.withdraw();
      }
      long started = System.nanoTime();
      Map<String, HostTensor> out = model.run(inputs, wanted);
      long ran = System.nanoTime() - started;
      recentRunNanos = ran;
      metrics.inference(ran);
      if (b != null) { // without batching, every batch would be one request that waited 0 s: nothing to record
        metrics.batch((int) Math.max(rows, 1), 0L);
        b.ranAlone(rows, ran);
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InferenceException(503, "interrupted");
    } catch (OutOfMemoryError e) {
      throw new InferenceException(503, "out of memory for this batch; retry later");
    } catch (Exception e) {
      throw translate(e);
    }
  }

  /**
   * ONNX Runtime's INVALID_ARGUMENT is about the request (a shape or an index its operators refuse): 400. Any other
   * failure inside ONNX Runtime is the server's: 500, so that it counts as an error, not as a client's mistake.
   */
  static RuntimeException translate(Throwable e) {
    if (e instanceof InferenceException ie) {
      return ie;
    }
    if (e instanceof ai.onnxruntime.OrtException ort) {
      return new InferenceException(ort.getCode() == ai.onnxruntime.OrtException.OrtErrorCode.ORT_INVALID_ARGUMENT
          ? 400 : 500, "inference failed: " + ort.getMessage());
    }
    return new InferenceException(500, "inference failed: " + e);
  }

  private synchronized Batcher batcherFor(LoadedModel model) {
    if (settings.maxBatchSize() <= 1 || !model.batchable()) {
      return null;
    }
    if (batcherModel != model) {
      if (batcher != null) {
        batcher.close();
      }
      batcher = new Batcher(settings.maxBatchSize(), io.modelpilot.contract.Durations.parse(
          "MODELPILOT_MAX_QUEUE_DELAY", settings.maxQueueDelay()), batchWorkers(settings),
          (in, wanted) -> {
            long started = System.nanoTime();
            Map<String, HostTensor> out = model.run(in, wanted);
            metrics.inference(System.nanoTime() - started);
            return out;
          },
          (rows, requests, queued) -> metrics.batch(rows, queued));
      batcherModel = model;
    }
    return batcher;
  }

  /** Workers sized to the cores: each batch runs on one worker with the intra-op threads (0: ONNX Runtime's, all). */
  static int batchWorkers(RuntimeSettings settings) {
    if (settings.batchWorkers() > 0) {
      return settings.batchWorkers();
    }
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, cores / ModelRegistry.intraOpThreads(settings));
  }

  /** Every input present once, with the model's datatype and a shape the model accepts. */
  static List<HostTensor> decodeInputs(LoadedModel model, List<RequestInput> inputs) {
    for (RequestInput in : inputs) {
      if (model.input(in.name()).isEmpty()) {
        throw new InferenceException(400, "unknown input '" + in.name() + "'; the model's inputs are "
            + model.inputs().stream().map(LoadedModel.Tensor::name).toList());
      }
    }
    List<HostTensor> decoded = new ArrayList<>();
    for (LoadedModel.Tensor expected : model.inputs()) {
      RequestInput in = inputs.stream().filter(i -> i.name().equals(expected.name())).findFirst()
          .orElseThrow(() -> new InferenceException(400, "missing input '" + expected.name() + "'"));
      if (expected.unsupported() != null) {
        throw new InferenceException(400, "input '" + expected.name() + "': " + expected.unsupported());
      }
      Datatype datatype = Datatype.fromV2(in.datatype()).orElseThrow(() -> new InferenceException(400,
          "input '" + in.name() + "': unknown datatype '" + in.datatype() + "'"));
      if (datatype != expected.datatype()) {
        throw new InferenceException(400, "input '" + in.name() + "': datatype " + datatype + " does not match the "
            + "model's " + expected.datatype());
      }
      long[] want = expected.shape();
      // ONNX Runtime's Java API reports an input without a declared shape as [], like a scalar; ONNX Runtime itself
      // checks what it is given, so such an input takes any shape
      boolean fits = want.length == 0 || want.length == in.shape().length;
      for (int d = 0; fits && d < want.length; d++) {
        fits = want[d] < 0 || want[d] == in.shape()[d];
      }
      if (!fits) {
        throw new InferenceException(400, "input '" + in.name() + "': shape " + Arrays.toString(in.shape())
            + " does not match the model's " + Arrays.toString(want).replace("-1", "-1 (any)"));
      }
      decoded.add(TensorCodec.decode(in.name(), datatype, in.shape(), in.data()));
    }
    return decoded;
  }

  static Set<String> wantedOutputs(LoadedModel model, List<RequestOutput> outputs) {
    Set<String> wanted = new LinkedHashSet<>();
    if (outputs == null || outputs.isEmpty()) {
      model.outputs().forEach(o -> wanted.add(o.name()));
      return wanted;
    }
    for (RequestOutput o : outputs) {
      if (model.output(o.name()).isEmpty()) {
        throw new InferenceException(400, "unknown output '" + o.name() + "'; the model's outputs are "
            + model.outputs().stream().map(LoadedModel.Tensor::name).toList());
      }
      wanted.add(o.name());
    }
    return wanted;
  }

  @PreDestroy
  void close() {
    if (batcher != null) {
      batcher.close();
    }
  }
}
