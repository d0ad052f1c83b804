package io.modelpilot.runtime.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelpilot.contract.Durations;
import io.modelpilot.runtime.config.RuntimeSettings;
import io.modelpilot.runtime.model.LoadedModel;
import io.modelpilot.runtime.model.ModelRegistry;
import io.modelpilot.runtime.tensor.Datatype;
import io.modelpilot.runtime.tensor.HostTensor;
import io.modelpilot.runtime.tensor.TensorCodec;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The built-in tuning trial: closed-loop load against this process's own V2 endpoint on loopback,
 * then one JSON result on stdout and in the termination message.
 */
@ApplicationScoped
public class Bench {

  public record Options(int concurrency, Duration duration, Duration warmup, int batch, Path output) {

    static Options parse(String... args) {
      Map<String, String> values = new LinkedHashMap<>(Map.of("concurrency", "4", "duration", "30s",
          "warmup", "3s", "batch", "1", "output", System.getenv().getOrDefault("MODELPILOT_TERMINATION_MESSAGE_PATH",
              "/dev/termination-log")));
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        if (!arg.startsWith("--") || !values.containsKey(arg.substring(2)) || i + 1 >= args.length) {
          throw new IllegalArgumentException("bench: unknown or incomplete option '" + arg + "'; options: "
              + "--concurrency N --duration 30s --warmup 3s --batch N --output PATH");
        }
        values.put(arg.substring(2), args[++i]);
      }
      int concurrency = positive("--concurrency", values.get("concurrency"));
      int batch = positive("--batch", values.get("batch"));
      return new Options(concurrency, Durations.parse("--duration", values.get("duration")),
          Durations.parse("--warmup", values.get("warmup")), batch, Path.of(values.get("output")));
    }

    private static int positive(String name, String value) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException("bench: " + name + " must be a positive integer, got " + value);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ModelRegistry registry;
  private final RuntimeSettings settings;

  public Bench(ModelRegistry registry, RuntimeSettings settings) {
    this.registry = registry;
    this.settings = settings;
  }

  public int run(String... args) throws Exception {
    Options options = Options.parse(args);
    long waitUntil = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    // ready and warm: the server's own HTTP warm-up must not run inside the measured window
    while ((registry.state() == ModelRegistry.State.LOADING
        || registry.state() == ModelRegistry.State.READY && !registry.isWarm()) && System.nanoTime() < waitUntil) {
      Thread.sleep(50);
    }
    if (registry.state() != ModelRegistry.State.READY) {
      System.err.println("bench: the model did not load: " + registry.failure());
      return 2;
    }
    LoadedModel model = registry.current().orElseThrow();
    int port = ConfigProvider.getConfig().getValue(
        io.quarkus.runtime.LaunchMode.current() == io.quarkus.runtime.LaunchMode.TEST ? "quarkus.http.test-port"
            : "quarkus.http.port", Integer.class);
    URI uri = URI.create("http://127.0.0.1:" + port + "/v2/models/" + model.name() + "/infer");
    byte[] body = JSON.writeValueAsBytes(request(model, options.batch(), new Random(7)));

    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    long warmupEnd = System.nanoTime() + options.warmup().toNanos();
    long end = warmupEnd + options.duration().toNanos();
    List<long[]> latencies = new ArrayList<>();
    AtomicLong errors = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < options.concurrency(); i++) {
      long[] mine = new long[1 << 20];
      int[] count = {0};
      latencies.add(mine);
      Thread t = new Thread(() -> {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        while (System.nanoTime() < end) {
          long started = System.nanoTime();
          boolean ok;
          try {
            ok = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (IOException e) {
            ok = false;
          } catch (InterruptedException e) {
            return;
          }
          long finished = System.nanoTime();
          if (started >= warmupEnd && finished <= end) {
            if (!ok) {
              errors.incrementAndGet();
            } else if (count[0] < mine.length) {
              mine[count[0]++] = finished - started;
            }
          }
        }
        mine[mine.length - 1] = count[0]; // the last slot carries the count
      }, "bench-" + i);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    long[] all = latencies.stream().flatMapToLong(l -> Arrays.stream(l, 0, (int) l[l.length - 1])).sorted().toArray();
    double seconds = options.duration().toNanos() / 1e9;
    ObjectNode result = JSON.createObjectNode();
    result.put("model", model.name());
    result.put("version", model.version());
    result.put("throughput", all.length / seconds);
    result.put("rowsPerSecond", all.length * (double) options.batch() / seconds);
    result.put("latencyP50Ms", percentile(all, 0.50));
    result.put("latencyP99Ms", percentile(all, 0.99));
    result.put("requests", all.length);
    result.put("errors", errors.get());
    ObjectNode used = result.putObject("settings");
    used.put("concurrency", options.concurrency());
    used.put("durationSeconds", seconds);
    used.put("batch", options.batch());
    used.put("intraOpThreads", settings.intraOpThreads());
    used.put("interOpThreads", settings.interOpThreads());
    used.put("optimizationLevel", settings.optimizationLevel());
    used.put("executionProvider", settings.executionProvider());
    used.put("maxBatchSize", settings.maxBatchSize());
    used.put("maxQueueDelay", settings.maxQueueDelay());
    String line = JSON.writeValueAsString(result);
    System.out.println(line);
    try {
      Files.writeString(options.output(), line);
    } catch (IOException e) {
      System.err.println("bench: could not write the result to " + options.output() + ": " + e.getMessage());
    }
    return all.length == 0 ? 1 : 0;
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return Math.round(sorted[Math.max(index, 0)] / 1e4) / 100.0;
  }

  /**
   * A request with random data shaped like the model's inputs (dynamic dimensions: batch, then 1): floats and
   * booleans at random, integers 1 (never 0: an integer division by zero kills ONNX Runtime's process), strings
   * short words.
   */
  public static ObjectNode request(LoadedModel model, int batch, Random random) {
    ObjectNode request = JSON.createObjectNode();
    ArrayNode inputs = request.putArray("inputs");
    for (LoadedModel.Tensor t : model.inputs()) {
      Datatype d = t.datatype();
      if (d == null || !d.acceptedAsInput()) {
        throw new IllegalArgumentException("input '" + t.name() + "' cannot be synthesised: "
            + (t.unsupported() != null ? t.unsupported() : d + " tensors cannot be created in Java"));
      }
      long[] shape = t.shape().clone();
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] < 0) {
          shape[i] = i == 0 ? batch : 1;
        }
      }
      ArrayNode data = header(inputs.addObject(), t.name(), d, shape);
      long n = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
      for (long i = 0; i < n; i++) {
        if (d == Datatype.BYTES) {
          data.add("x" + random.nextInt(100));
        } else if (d == Datatype.BOOL) {
          data.add(random.nextBoolean());
        } else if (d.isFloat()) {
          data.add(random.nextGaussian());
        } else {
          data.add(1);
        }
      }
    }
    return request;
  }

  /** A request carrying exactly these tensors. */
  public static ObjectNode request(List<HostTensor> tensors) {
    ObjectNode request = JSON.createObjectNode();
    ArrayNode inputs = request.putArray("inputs");
    for (HostTensor t : tensors) {
      ArrayNode data = header(inputs.addObject(), t.name(), t.datatype(), t.shape());
      for (int i = 0; i < t.elements(); i++) {
        if (t.datatype() == Datatype.BYTES) {
          data.add(t.strings()[i]);
        } else if (t.datatype() == Datatype.BOOL) {
          data.add(TensorCodec.elementAsDouble(t, i) != 0);
        } else if (t.datatype().isFloat()) {
          data.add(TensorCodec.elementAsDouble(t, i));
        } else if (t.datatype() == Datatype.INT64) {
          data.add(t.data().getLong(i * 8));
        } else {
          data.add((long) TensorCodec.elementAsDouble(t, i));
        }
      }
    }
    return request;
  }

  private static ArrayNode header(ObjectNode in, String name, Datatype datatype, long[] shape) {
    in.put("name", name);
    in.put("datatype", datatype.name());
    ArrayNode s = in.putArray("shape");
    Arrays.stream(shape).forEach(s::add);
    return in.putArray("data");
  }
}
