package io.modelpilot.runtime.server;

import ai.onnxruntime.OrtException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.runtime.bench.Bench;
import io.modelpilot.contract.Durations;
import io.modelpilot.contract.RuntimeContract.ModelLoad;
import io.modelpilot.runtime.config.RuntimeSettings;
import io.modelpilot.runtime.metrics.ServerMetrics;
import io.modelpilot.runtime.model.LoadedModel;
import io.modelpilot.runtime.model.ModelFetchException;
import io.modelpilot.runtime.model.ModelFetcher;
import io.modelpilot.runtime.model.ModelRegistry;
import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.TensorCodec;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks the settings before anything else (a bad one stops the start with a message naming it),
 * then loads the model in the background so that /v2/health/live answers during a long download;
 * /v2/health/ready turns true after one warm-up inference.
 */
@ApplicationScoped
public class ModelStartup {

  private static final Logger LOG = Logger.getLogger(ModelStartup.class);

  /** 1 while a warm-up stage was skipped, with the reason; 0 with reason "none" when it ran. */
  public static final String WARMUP_SKIPPED = "modelpilot.warmup.skipped";

  /** Warm-up stages: one inference in process, then requests over loopback HTTP. */
  public enum Stage { INFERENCE, HTTP }

  /** Why a warm-up stage was skipped (NONE: it ran); a closed set, so the metric's label stays bounded. */
  public enum Skip {
    NONE, DISABLED, INPUT_NOT_SYNTHESISABLE, INFERENCE_FAILED, REQUEST_REJECTED, REQUEST_FAILED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What each warm-up stage did. */
  public record WarmUp(Skip inference, Skip http) {
  }

  private final ModelRegistry registry;
  private final ServerMetrics metrics;
  private final MeterRegistry meters;
  private final Map<Stage, Gauge> warmUpGauges = new EnumMap<>(Stage.class);

  public ModelStartup(ModelRegistry registry, ServerMetrics metrics, MeterRegistry meters) {
    this.registry = registry;
    this.metrics = metrics;
    this.meters = meters;
  }

  void onStart(@Observes StartupEvent event, RuntimeSettings settings) throws OrtException {
    validate(settings);
    registry.sessionOptions().close(); // execution provider, threads and level are checked here, before loading
    Thread loader = new Thread(() -> load(settings), "model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  static void validate(RuntimeSettings s) {
    String uri = s.modelUri();
    if (!(uri.startsWith("file:") || uri.startsWith("http://") || uri.startsWith("https://")
        || uri.startsWith("s3://"))) {
      throw new IllegalArgumentException("MODELPILOT_MODEL_URI must be file://, http://, https:// or s3://, got: "
          + uri);
    }
    ModelFetcher.Options.from(s); // the download's durations and endpoint parse
    if (s.maxBatchSize() < 1) {
      throw new IllegalArgumentException("MODELPILOT_MAX_BATCH_SIZE must be at least 1, got " + s.maxBatchSize());
    }
    Durations.parse("MODELPILOT_MAX_QUEUE_DELAY", s.maxQueueDelay());
    if (s.maxQueueLength() < 1) {
      throw new IllegalArgumentException("MODELPILOT_MAX_QUEUE_LENGTH must be at least 1, got " + s.maxQueueLength());
    }
    if (s.feedbackWindow() < 0) {
      throw new IllegalArgumentException("MODELPILOT_FEEDBACK_WINDOW must be 0 or more, got " + s.feedbackWindow());
    }
    if (s.feedbackWindowBytes() < 0) {
      throw new IllegalArgumentException("MODELPILOT_FEEDBACK_WINDOW_BYTES must be 0 or more, got "
          + s.feedbackWindowBytes());
    }
    if (s.feedbackJudgedTokens() < 0) {
      throw new IllegalArgumentException("MODELPILOT_FEEDBACK_JUDGED_TOKENS must be 0 or more, got "
          + s.feedbackJudgedTokens());
    }
    if (Durations.parse("MODELPILOT_FEEDBACK_TOKEN_TTL", s.feedbackTokenTtl()).toSeconds() < 1) {
      throw new IllegalArgumentException("MODELPILOT_FEEDBACK_TOKEN_TTL must be at least 1s, got "
          + s.feedbackTokenTtl());
    }
    if (s.batchWorkers() < 0) {
      throw new IllegalArgumentException("MODELPILOT_BATCH_WORKERS must be 0 (sized to the cores) or more, got "
          + s.batchWorkers());
    }
    if (Durations.parse("MODELPILOT_REQUEST_TIMEOUT", s.requestTimeout()).isZero()) {
      throw new IllegalArgumentException("MODELPILOT_REQUEST_TIMEOUT must be more than 0, got " + s.requestTimeout());
    }
    if (s.maxBufferedBytes() < s.maxRequestBytes()) {
      throw new IllegalArgumentException("MODELPILOT_MAX_BUFFERED_BYTES (" + s.maxBufferedBytes() + ") must be at "
          + "least MODELPILOT_MAX_REQUEST_BYTES (" + s.maxRequestBytes() + ")");
    }
    s.modelSha256().ifPresent(sha -> {
      if (!sha.trim().matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("MODELPILOT_MODEL_SHA256 must be 64 hex digits, got: " + sha);
      }
    });
  }

  private void load(RuntimeSettings settings) {
    long started = System.nanoTime();
    try {
      Path file = new ModelFetcher(ModelFetcher.Options.from(settings))
          .fetch(settings.modelUri(), settings.modelSha256());
      start(file, settings.modelName(), settings.modelVersion(), settings.warmupRequests(), started);
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      registry.failed(message);
      LOG.errorf("cannot serve the model: %s", message);
      TerminationMessage.write(e instanceof ModelFetchException f ? f.reason() : ModelLoad.LOAD_FAILED, message);
      Quarkus.asyncExit(1);
    }
  }

  /**
   * Loads a model file, warms it up and marks it ready. Only a model ONNX Runtime cannot load fails here: a
   * warm-up that cannot be synthesised or fails is logged, counted in {@value #WARMUP_SKIPPED}, and the model
   * serves anyway (the first real requests then pay for the warm-up).
   */
  public WarmUp start(Path file, String name, String version, int httpWarmUpRequests) throws OrtException {
    return start(file, name, version, httpWarmUpRequests, System.nanoTime());
  }

  // one start at a time: a model swapped in while another warms up would take the other's warm-up requests
  private synchronized WarmUp start(Path file, String name, String version, int httpWarmUpRequests, long started)
      throws OrtException {
    LoadedModel model = registry.load(file, name, version);
    Synthesis inference = warmUp(model);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    metrics.modelLoaded(took);
    registry.ready();
    Skip http = inference.skip() != Skip.NONE ? inference.skip()
        : httpWarmUpRequests <= 0 ? Skip.DISABLED : warmUpHttp(model, inference.inputs(), httpWarmUpRequests);
    record(Stage.INFERENCE, inference.skip());
    record(Stage.HTTP, http);
    registry.warm();
    LOG.infof("model %s version %s ready in %d ms (%d ms with the HTTP warm-up)%s", model.name(), model.version(),
        took.toMillis(), (System.nanoTime() - started) / 1_000_000,
        inference.skip() == Skip.NONE && http == Skip.NONE ? ""
            : "; warm-up skipped: inference " + inference.skip().label() + ", http " + http.label());
    return new WarmUp(inference.skip(), http);
  }

  private synchronized void record(Stage stage, Skip skip) {
    Gauge previous = warmUpGauges.remove(stage);
    if (previous != null) {
      meters.remove(previous);
    }
    double value = skip == Skip.NONE ? 0 : 1;
    warmUpGauges.put(stage, Gauge.builder(WARMUP_SKIPPED, () -> value)
        .description("1 when this warm-up stage was skipped (the reason label says why), 0 when it ran")
        .tag("stage", stage.name().toLowerCase(Locale.ROOT)).tag("reason", skip.label()).register(meters));
  }

  /**
   * Up to {@code requests} inference requests to this server over loopback HTTP, for at most 10 s, marked with
   * {@link V2Resource#WARMUP_HEADER}: the request path is JIT-compiled and its caches filled before readiness.
   * They carry the inputs the in-process warm-up ran with. Failures only end the warm-up early.
   */
  static Skip warmUpHttp(LoadedModel model, List<HostTensor> inputs, int requests) {
    try {
      int port = ConfigProvider.getConfig().getValue(
          LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port", Integer.class);
      byte[] body = new ObjectMapper().writeValueAsBytes(Bench.request(inputs));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v2/models/" + model.name() + "/infer"))
          .header("Content-Type", "application/json").header(V2Resource.WARMUP_HEADER, WarmUpToken.value())
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int sent = 0;
      while (sent < requests && System.nanoTime() < deadline) {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
          LOG.warnf("HTTP warm-up stopped: request %d answered %d: %s", sent + 1, response.statusCode(),
              abbreviate(response.body()));
          return Skip.REQUEST_REJECTED;
        }
        sent++;
      }
      LOG.debugf("HTTP warm-up: %d requests", sent);
      return Skip.NONE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Skip.REQUEST_FAILED;
    } catch (Exception e) {
      LOG.warnf("HTTP warm-up stopped: %s", e.toString());
      return Skip.REQUEST_FAILED;
    }
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  /** Inputs the model ran with (skip NONE), or why there are none. */
  record Synthesis(List<HostTensor> inputs, Skip skip) {
  }

  /**
   * Element values and size of dynamic non-batch dimensions, tried in turn until one inference succeeds. Integers
   * are never 0: ONNX Runtime divides integers natively, and a zero divisor (Div, Mod) kills the whole process
   * with SIGFPE instead of failing the call. 1 and -1 are valid indices into any table (-1 counts from the end).
   */
  record Attempt(int fill, int integerFill, long dims) {
    int fillFor(Datatype datatype) {
      return datatype.isInteger() ? integerFill : fill;
    }
  }

  // zeros fit most float inputs; ones where a zero is refused (a Range step, a divisor); larger dynamic dimensions
  // where 1 is too small (a convolution over named height and width)
  private static final List<Attempt> ATTEMPTS = List.of(new Attempt(0, 1, 1), new Attempt(1, -1, 1),
      new Attempt(0, 1, 64), new Attempt(1, -1, 64));
  private static final long MAX_SYNTHETIC_ELEMENTS = 1 << 24;

  /**
   * One inference on synthetic data. A model may refuse some data (a zero step, a kernel larger than a dynamic
   * dimension synthesised as 1), so a few kinds are tried in turn; when none runs, the model serves without it.
   */
  static Synthesis warmUp(LoadedModel model) {
    for (LoadedModel.Tensor t : model.inputs()) {
      if (t.datatype() == null || !t.datatype().acceptedAsInput()) {
        LOG.warnf("no warm-up: input %s cannot be synthesised (%s)", t.name(),
            t.unsupported() != null ? t.unsupported() : t.datatype() + " tensors cannot be created in Java");
        model.batchingChecked(false); // never run here: nothing shows that its outputs come row by row
        return new Synthesis(List.of(), Skip.INPUT_NOT_SYNTHESISABLE);
      }
    }
    Set<String> outputs = model.outputs().stream().map(LoadedModel.Tensor::name).collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    String failure = null;
    boolean ran = false;
    for (Attempt attempt : ATTEMPTS) {
      if (!model.inputs().stream().allMatch(t -> fits(shape(t, 2, attempt.dims())))) {
        continue; // a fixed huge input, or many dynamic dimensions at 64
      }
      ran = true;
      try {
        List<HostTensor> inputs = new ArrayList<>();
        for (LoadedModel.Tensor t : model.inputs()) {
          inputs.add(synthetic(t, 1, attempt.dims(), attempt.fillFor(t.datatype())));
        }
        model.run(inputs, outputs);
        probeBatching(model, attempt);
        return new Synthesis(inputs, Skip.NONE);
      } catch (Exception | OutOfMemoryError e) {
        // a model may refuse this data (e.g. a zero Range step), or need more memory than is left for it now;
        // the load itself succeeded
        failure = e.toString();
        LOG.debugf("warm-up inference on synthetic data %s failed: %s", attempt, failure);
      }
    }
    model.batchingChecked(false);
    if (!ran) {
      LOG.warnf("warm-up skipped: synthetic inputs would hold more than %d elements", MAX_SYNTHETIC_ELEMENTS);
      return new Synthesis(List.of(), Skip.INPUT_NOT_SYNTHESISABLE);
    }
    LOG.warnf("warm-up skipped: no synthetic data the model accepts (last error: %s)", abbreviate(failure));
    return new Synthesis(List.of(), Skip.INFERENCE_FAILED);
  }

  private static boolean fits(long[] shape) {
    try {
      return HostTensor.elements(shape) <= MAX_SYNTHETIC_ELEMENTS;
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static long[] shape(LoadedModel.Tensor t, long rows, long dims) {
    long[] shape = t.shape().clone();
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) {
        shape[d] = d == 0 ? rows : dims;
      }
    }
    return shape;
  }

  /**
   * Whether requests may be stacked along the first dimension, checked on the model itself: two different
   * synthetic rows run together must give each row's outputs as run alone, every output with the rows as its
   * first dimension. Metadata alone cannot tell a transpose or a reduction over the batch from a per-row model.
   */
  static void probeBatching(LoadedModel model, Attempt attempt) {
    if (!model.batchable()) {
      return;
    }
    boolean rowWise;
    try {
      Random random = new Random(11);
      List<HostTensor> both = new ArrayList<>();
      for (LoadedModel.Tensor t : model.inputs()) {
        HostTensor s = synthetic(t, 2, attempt.dims(), attempt.fillFor(t.datatype()));
        if (t.datatype().isFloat()) {
          for (int i = 0; i < s.elements(); i++) {
            // small distinct values, exactly representable in every float type
            putFloat(s, i, (random.nextInt(16) - 8) / 8.0f);
          }
        }
        both.add(s);
      }
      Set<String> wanted = model.outputs().stream().map(LoadedModel.Tensor::name)
          .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
      Map<String, HostTensor> together = model.run(both, wanted);
      rowWise = true;
      for (int row = 0; row < 2 && rowWise; row++) {
        Map<String, HostTensor> alone = model.run(row(both, row), wanted);
        for (HostTensor out : together.values()) {
          HostTensor single = alone.get(out.name());
          rowWise &= out.shape().length > 0 && out.shape()[0] == 2 && single != null && single.shape().length > 0
              && single.shape()[0] == 1 && sameRow(out, row, single);
        }
      }
    } catch (Exception | OutOfMemoryError e) {
      LOG.debugf("batching probe failed: %s", e.toString());
      rowWise = false;
    }
    if (!rowWise) {
      LOG.infof("requests to this model are not batched: its outputs are not computed row by row");
    }
    model.batchingChecked(rowWise);
  }

  private static void putFloat(HostTensor t, int i, float v) {
    switch (t.datatype()) {
      case FP16 -> t.data().putShort(i * 2, ai.onnxruntime.platform.Fp16Conversions.floatToFp16(v));
      case BF16 -> t.data().putShort(i * 2, ai.onnxruntime.platform.Fp16Conversions.floatToBf16(v));
      case FP32 -> t.data().putFloat(i * 4, v);
      case FP64 -> t.data().putDouble(i * 8, v);
      default -> throw new IllegalStateException(t.datatype().name());
    }
  }

  private static List<HostTensor> row(List<HostTensor> inputs, int row) {
    List<HostTensor> out = new ArrayList<>();
    for (HostTensor t : inputs) {
      long[] shape = t.shape().clone();
      shape[0] = 1;
      int per = (int) (t.elements() / t.shape()[0]);
      if (t.datatype() == Datatype.BYTES) {
        out.add(HostTensor.bytes(t.name(), shape, java.util.Arrays.copyOfRange(t.strings(), row * per,
            (row + 1) * per)));
      } else {
        java.nio.ByteBuffer part = HostTensor.allocate(per, t.datatype());
        java.nio.ByteBuffer source = t.data().duplicate();
        source.position(row * per * t.datatype().size).limit((row + 1) * per * t.datatype().size);
        part.put(source).flip();
        out.add(HostTensor.numeric(t.name(), t.datatype(), shape, part));
      }
    }
    return out;
  }

  private static boolean sameRow(HostTensor together, int row, HostTensor alone) {
    int per = (int) alone.elements();
    if (together.elements() != 2L * per) {
      return false;
    }
    if (together.datatype() == Datatype.BYTES) {
      return java.util.Arrays.equals(together.strings(), row * per, (row + 1) * per, alone.strings(), 0, per);
    }
    for (int i = 0; i < per; i++) {
      double a = TensorCodec.elementAsDouble(together, row * per + i);
      double b = TensorCodec.elementAsDouble(alone, i);
      boolean same = Double.isNaN(a) ? Double.isNaN(b) : a == b || Math.abs(a - b) <= 1e-3 * (1 + Math.abs(b));
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /**
   * Synthetic data: every element {@code fill} (strings empty for 0, else "1"); a dynamic first dimension as
   * {@code rows}, others as {@code dims}.
   */
  public static HostTensor synthetic(LoadedModel.Tensor t, long rows, long dims, int fill) {
    long[] shape = shape(t, rows, dims);
    int n = (int) Math.min(HostTensor.elements(shape), Integer.MAX_VALUE);
    if (t.datatype() == Datatype.BYTES) {
      String[] strings = new String[n];
      java.util.Arrays.fill(strings, fill == 0 ? "" : "1");
      return HostTensor.bytes(t.name(), shape, strings);
    }
    java.nio.ByteBuffer data = HostTensor.allocate(n, t.datatype());
    if (fill != 0) {
      for (int i = 0; i < n; i++) {
        switch (t.datatype()) {
          case BOOL, UINT8, INT8 -> data.put(i, (byte) fill);
          case INT16 -> data.putShort(i * 2, (short) fill);
          case INT32 -> data.putInt(i * 4, fill);
          case INT64 -> data.putLong(i * 8, fill);
          case FP16 -> data.putShort(i * 2, ai.onnxruntime.platform.Fp16Conversions.floatToFp16(fill));
          case BF16 -> data.putShort(i * 2, ai.onnxruntime.platform.Fp16Conversions.floatToBf16(fill));
          case FP32 -> data.putFloat(i * 4, fill);
          case FP64 -> data.putDouble(i * 8, fill);
          default -> throw new IllegalStateException(t.datatype() + " cannot be synthesised");
        }
      }
    }
    return HostTensor.numeric(t.name(), t.datatype(), shape, data);
  }
}
