package io.modelpilot.runtime.server;

import ai.onnxruntime.OrtException;
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
import java.util.List;
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

  void onStart(@Observes StartupEvent event, RuntimeSettings settings, ModelRegistry registry, ServerMetrics metrics)
      throws OrtException {
    validate(settings);
    registry.sessionOptions().close(); // execution provider, threads and level are checked here, before loading
    Thread loader = new Thread(() -> load(settings, registry, metrics), "model-loader");
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
    if (s.batchWorkers() < 1) {
      throw new IllegalArgumentException("MODELPILOT_BATCH_WORKERS must be at least 1, got " + s.batchWorkers());
    }
    s.modelSha256().ifPresent(sha -> {
      if (!sha.trim().matches("[0-9a-fA-F]{64}")) {
        throw new IllegalArgumentException("MODELPILOT_MODEL_SHA256 must be 64 hex digits, got: " + sha);
      }
    });
  }

  private static void load(RuntimeSettings settings, ModelRegistry registry, ServerMetrics metrics) {
    long started = System.nanoTime();
    try {
      Path file = new ModelFetcher(ModelFetcher.Options.from(settings))
          .fetch(settings.modelUri(), settings.modelSha256());
      LoadedModel model = registry.load(file, settings.modelName(), settings.modelVersion());
      warmUp(model);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      metrics.modelLoaded(took);
      registry.ready();
      warmUpHttp(model, settings.warmupRequests());
      registry.warm();
      LOG.infof("model %s version %s ready in %d ms (%d ms with the HTTP warm-up)", model.name(), model.version(),
          took.toMillis(), (System.nanoTime() - started) / 1_000_000);
    } catch (Exception e) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      registry.failed(message);
      LOG.errorf("cannot serve the model: %s", message);
      TerminationMessage.write(e instanceof ModelFetchException f ? f.reason() : ModelLoad.LOAD_FAILED, message);
      Quarkus.asyncExit(1);
    }
  }

  /**
   * Up to {@code requests} inference requests to this server over loopback HTTP, for at most 10 s, marked with
   * {@link V2Resource#WARMUP_HEADER}: the request path is JIT-compiled and its caches filled before readiness.
   * Failures only end the warm-up early.
   */
  static void warmUpHttp(LoadedModel model, int requests) {
    if (requests <= 0) {
      return;
    }
    try {
      int port = ConfigProvider.getConfig().getValue(
          LaunchMode.current() == LaunchMode.TEST ? "quarkus.http.test-port" : "quarkus.http.port", Integer.class);
      byte[] body = new ObjectMapper().writeValueAsBytes(Bench.request(model, 1, new Random(7)));
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2)).build();
      HttpRequest request = HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/v2/models/" + model.name() + "/infer"))
          .header("Content-Type", "application/json").header(V2Resource.WARMUP_HEADER, WarmUpToken.value())
          .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int sent = 0;
      while (sent < requests && System.nanoTime() < deadline) {
        HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200) {
          LOG.warnf("HTTP warm-up stopped: request %d answered %d", sent + 1, response.statusCode());
          return;
        }
        sent++;
      }
      LOG.debugf("HTTP warm-up: %d requests", sent);
    } catch (Exception e) {
      LOG.warnf("HTTP warm-up stopped: %s", e.toString());
    }
  }

  /** One inference on synthetic data (zeros, empty strings; dynamic dimensions as 1). */
  static void warmUp(LoadedModel model) {
    try {
      List<HostTensor> inputs = new ArrayList<>();
      for (LoadedModel.Tensor t : model.inputs()) {
        if (t.datatype() == null || !t.datatype().acceptedAsInput()) {
          LOG.warnf("no warm-up: input %s cannot be synthesised (%s)", t.name(), t.unsupported());
          return;
        }
        inputs.add(synthetic(t, 1));
      }
      Set<String> outputs = model.outputs().stream().map(LoadedModel.Tensor::name).collect(Collectors.toSet());
      model.run(inputs, outputs);
    } catch (Exception e) {
      // a model may refuse zeros (e.g. a divisor input); the load itself succeeded
      LOG.warnf("warm-up inference on synthetic zeros failed: %s", e.getMessage());
    }
  }

  public static HostTensor synthetic(LoadedModel.Tensor t, long rows) {
    long[] shape = t.shape().clone();
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) {
        shape[d] = d == 0 ? rows : 1;
      }
    }
    long n = HostTensor.elements(shape);
    if (t.datatype() == Datatype.BYTES) {
      String[] strings = new String[(int) n];
      java.util.Arrays.fill(strings, "");
      return HostTensor.bytes(t.name(), shape, strings);
    }
    return HostTensor.numeric(t.name(), t.datatype(), shape, HostTensor.allocate(n, t.datatype()));
  }
}
