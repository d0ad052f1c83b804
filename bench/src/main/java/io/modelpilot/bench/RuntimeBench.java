package io.modelpilot.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.net.URI;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model server's overheads, measured side by side in one run:
 * <ul>
 *   <li>p50/p99 ratio: V2 HTTP latency on loopback at concurrency 1 ÷ in-process session.run latency,
 *       same compute-bound model, same input, same ONNX Runtime settings; alongside, the floor: the round trip of
 *       the server's most trivial route (GET /v2/health/live, answered by the event loop), so the notes can say how
 *       much of the gap is HTTP on loopback itself;
 *   <li>batching gain: throughput at concurrency 8 with dynamic batching ÷ without, on a model whose weights are
 *       larger than the caches (batching can pay on a CPU);
 *   <li>batching cost on a small model (where it cannot pay): throughput with batching ÷ without, concurrency 8;
 *   <li>metrics cost: throughput with per-request metrics on ÷ off (small model, where it shows most).
 * </ul>
 * Rounds alternate the two sides of each ratio; figures are medians over rounds.
 */
final class RuntimeBench {

  static final int ROUNDS = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "5"));
  static final Duration LOAD = Duration.ofSeconds(6);

  public static void main(String[] args) throws Exception {
    // bench/run runtime [latency] [batching] [small] [metrics]: only those parts (all by default)
    java.util.Set<String> parts = new java.util.HashSet<>(List.of(args).subList(Math.min(1, args.length), args.length));
    java.util.function.Predicate<String> runs = part -> parts.isEmpty() || parts.contains(part);
    Path work = Files.createDirectories(Path.of("bench", "target", "runtime"));
    // a few ms per inference on one thread, for the latency ratios
    Path slow = generate(work.resolve("heavy-400.onnx"), 400, 256, "shared");
    // 8 layers of 1024x1024 distinct weights (32 MB): one row streams them all, a batch reuses them
    Path wide = generate(work.resolve("wide-8x1024.onnx"), 8, 1024, "distinct");
    Path small = Path.of("examples", "models", "mlp-classifier.onnx");
    String one = body(1);

    // 1. latency: in-process session.run vs the V2 endpoint vs the trivial route, one thread each, alternating
    Map<String, String> oneThread = Map.of("MODELPILOT_INTRA_OP_THREADS", "1", "MODELPILOT_INTER_OP_THREADS", "1");
    List<Double> p50s = new ArrayList<>();
    List<Double> p99s = new ArrayList<>();
    List<Double> overheads = new ArrayList<>();
    List<Double> floors = new ArrayList<>();
    List<Double> floors99 = new ArrayList<>();
    List<Double> floorRatios50 = new ArrayList<>(); // the floor of p50_ratio: (session.run + trivial route) / session.run
    List<Double> floorRatios99 = new ArrayList<>();
    double runP50 = 0;
    double serverRunMean = Double.NaN;
    if (runs.test("latency")) {
      try (RuntimeServer server = new RuntimeServer(slow, "heavy", oneThread, work.resolve("latency.log"));
           OrtEnvironment env = OrtEnvironment.getEnvironment();
           OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        try (OrtSession session = env.createSession(slow.toString(), options);
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(row()), new long[] {1, 8});
             LoopbackHttp http = new LoopbackHttp(server.uri("/v2/models/heavy/infer"), one);
             LoopbackHttp live = new LoopbackHttp(server.uri("/v2/health/live"), null)) {
          for (int i = 0; i < 300; i++) { // warm both paths (JIT)
            session.run(Map.of("input", input)).close();
            http.send();
            live.send();
          }
          double[] inServerBefore = inferenceSeconds(server);
          for (int round = 0; round < ROUNDS; round++) {
            long[] direct = new long[200];
            long[] viaHttp = new long[200];
            long[] trivial = new long[200];
            for (int i = 0; i < direct.length; i++) {
              long t = System.nanoTime();
              session.run(Map.of("input", input)).close();
              direct[i] = System.nanoTime() - t;
              t = System.nanoTime();
              int status = http.send();
              viaHttp[i] = System.nanoTime() - t;
              t = System.nanoTime();
              int liveStatus = live.send();
              trivial[i] = System.nanoTime() - t;
              if (status != 200 || liveStatus != 200) {
                throw new IllegalStateException("HTTP " + status + " / " + liveStatus);
              }
            }
            double dp50 = Stats.percentile(direct, 0.5);
            double dp99 = Stats.percentile(direct, 0.99);
            double hp50 = Stats.percentile(viaHttp, 0.5);
            double hp99 = Stats.percentile(viaHttp, 0.99);
            double fp50 = Stats.percentile(trivial, 0.5);
            double fp99 = Stats.percentile(trivial, 0.99);
            runP50 = dp50;
            overheads.add(hp50 - dp50);
            floors.add(fp50);
            floors99.add(fp99);
            p50s.add(hp50 / dp50);
            p99s.add(hp99 / dp99);
            // the floor of each ratio: every in-process run plus the trivial round trip measured beside it, the
            // least an HTTP request can take here (a server that added nothing to the protocol and the model)
            long[] floor = new long[direct.length];
            for (int i = 0; i < floor.length; i++) {
              floor[i] = direct[i] + trivial[i];
            }
            floorRatios50.add(Stats.percentile(floor, 0.5) / dp50);
            floorRatios99.add(Stats.percentile(floor, 0.99) / dp99);
            System.out.printf("latency round %d: session.run p50 %.3f ms p99 %.3f ms | HTTP p50 %.3f ms p99 %.3f ms"
                + " | trivial route p50 %.3f ms p99 %.3f ms%n", round + 1, dp50, dp99, hp50, hp99, fp50, fp99);
          }
          double[] inServerAfter = inferenceSeconds(server);
          serverRunMean = (inServerAfter[0] - inServerBefore[0]) / (inServerAfter[1] - inServerBefore[1]) * 1000;
        }
      }

    }

    // 2. batching gain: concurrency 8, the wide model, batching on vs off. With batching the server runs as it
    // ships (intra-op threads and batch workers sized to the cores: one batch at a time on every core); without, as
    // it serves one-row requests fastest here (one intra-op thread per request, one request per core; measured above
    // the shipped threading by 10-20%), so the gain is over the best the server does without batching.
    // BENCH_BATCH_WORKERS, BENCH_BATCH_INTRA_OP, BENCH_BASE_INTRA_OP: try other threading on either side
    Map<String, String> batched = new java.util.HashMap<>(Map.of("MODELPILOT_MAX_BATCH_SIZE", "8",
        "MODELPILOT_MAX_QUEUE_DELAY", "2ms"));
    optional(batched, "BENCH_BATCH_WORKERS", "MODELPILOT_BATCH_WORKERS");
    optional(batched, "BENCH_BATCH_INTRA_OP", "MODELPILOT_INTRA_OP_THREADS");
    Map<String, String> unbatched = Map.of("MODELPILOT_INTRA_OP_THREADS",
        System.getenv().getOrDefault("BENCH_BASE_INTRA_OP", "1"), "MODELPILOT_INTER_OP_THREADS", "1");
    if (runs.test("batching")) {
      rowCosts(wide, 1);
      rowCosts(wide, Runtime.getRuntime().availableProcessors());
    }
    List<Double> gains = !runs.test("batching") ? List.of(Double.NaN)
        : compare("batching", wide, "wide", batched, unbatched, "with batching", "without", one, work);

    // 3. batching cost where it cannot pay: the small model, as shipped with batching on vs off (only batching
    // differs)
    Map<String, String> shipped = new java.util.HashMap<>(batched);
    shipped.put("MODELPILOT_MAX_BATCH_SIZE", "1");
    List<Double> smallCosts = !runs.test("small") ? List.of(Double.NaN)
        : compare("batching-small", small, "small", batched, shipped, "with batching", "without", one, work);

    // 4. metrics cost: small model, concurrency 8, per-request metrics on vs off
    Map<String, String> noMetrics = Map.of("MODELPILOT_METRICS_ENABLED", "false",
        "MODELPILOT_INTRA_OP_THREADS", "1", "MODELPILOT_INTER_OP_THREADS", "1");
    List<Double> costs = !runs.test("metrics") ? List.of(Double.NaN)
        : compare("metrics", small, "small", oneThread, noMetrics, "with metrics", "without", one, work);

    if (p50s.isEmpty()) {
      p50s.add(Double.NaN);
      p99s.add(Double.NaN);
      overheads.add(Double.NaN);
      floors.add(Double.NaN);
      floors99.add(Double.NaN);
      floorRatios50.add(Double.NaN);
      floorRatios99.add(Double.NaN);
    }
    double floor = Stats.median(floors);
    System.out.printf("session.run p50 of the latency model: %.3f ms; HTTP adds %.3f ms at p50; the trivial route's "
        + "round trip (the floor of HTTP on loopback here) is %.3f ms p50, %.3f ms p99%n", runP50,
        Stats.median(overheads), floor, Stats.median(floors99));
    System.out.printf("inside the server, session.run took %.3f ms on average over the same requests (its own timer); "
        + "the rest of the HTTP latency is the protocol, the hand-offs between threads and two processes sharing the "
        + "cores%n", serverRunMean);
    System.out.println("RESULT runtime p50_ratio=" + Stats.f(Stats.median(p50s)) + " p99_ratio="
        + Stats.f(Stats.median(p99s)) + " batching_gain=" + Stats.f(Stats.median(gains)) + " batching_cost_small="
        + Stats.f(Stats.median(smallCosts)) + " metrics_cost=" + Stats.f(Stats.median(costs)) + " http_floor_ms="
        + Stats.f(floor) + " overhead_over_floor=" + Stats.f(Stats.median(overheads) / floor) + " p50_floor="
        + Stats.f(Stats.median(floorRatios50)) + " p99_floor=" + Stats.f(Stats.median(floorRatios99))
        + " p50_over_floor=" + Stats.f(Stats.median(p50s) / Stats.median(floorRatios50)) + " p99_over_floor="
        + Stats.f(Stats.median(p99s) / Stats.median(floorRatios99)));
  }

  /** Throughput of two servers of one model at concurrency 8, alternating rounds: ratios first ÷ second. */
  static List<Double> compare(String what, Path model, String name, Map<String, String> first,
      Map<String, String> second, String firstLabel, String secondLabel, String body, Path work) throws Exception {
    List<Double> ratios = new ArrayList<>();
    try (RuntimeServer a = new RuntimeServer(model, name, first, work.resolve(what + "-a.log"));
         RuntimeServer b = new RuntimeServer(model, name, second, work.resolve(what + "-b.log"))) {
      URI ua = a.uri("/v2/models/" + name + "/infer");
      URI ub = b.uri("/v2/models/" + name + "/infer");
      throughput(ua, body, 8); // JIT warm-up, not counted
      throughput(ub, body, 8);
      double[] batchesBefore = sumCount(a, "modelpilot_batch_size");
      double[] runsBefore = sumCount(a, "modelpilot_inference_duration_seconds");
      double[] queuedBefore = sumCount(a, "modelpilot_queue_duration_seconds");
      Cpu cpuA = new Cpu(a);
      Cpu cpuB = new Cpu(b);
      for (int round = 0; round < ROUNDS; round++) {
        double x;
        double y;
        if (round % 2 == 0) { // the order alternates, so neither side always runs on a warmer machine
          x = cpuA.measure(() -> throughput(ua, body, 8));
          y = cpuB.measure(() -> throughput(ub, body, 8));
        } else {
          y = cpuB.measure(() -> throughput(ub, body, 8));
          x = cpuA.measure(() -> throughput(ua, body, 8));
        }
        ratios.add(x / y);
        System.out.printf("%s round %d: %.0f req/s %s, %.0f %s%n", what, round + 1, x, firstLabel, y, secondLabel);
      }
      System.out.printf("%s: cores busy while each side ran (server | load generator): %s %s, %s %s%n", what,
          cpuA, firstLabel, cpuB, secondLabel);
      double[] batches = minus(sumCount(a, "modelpilot_batch_size"), batchesBefore);
      double[] runs = minus(sumCount(a, "modelpilot_inference_duration_seconds"), runsBefore);
      double[] queued = minus(sumCount(a, "modelpilot_queue_duration_seconds"), queuedBefore);
      if (batches[1] > 0) {
        System.out.printf("%s: %s server ran %.0f batches of %.2f rows on average, %.3f ms per batch; a request "
            + "waited %.3f ms for its batch on average%n", what, firstLabel, batches[1], batches[0] / batches[1],
            runs[0] / runs[1] * 1000, queued[0] / queued[1] * 1000);
      }
    }
    return ratios;
  }

  /**
   * What batching can gain at most on this model and machine: in-process session.run per row at batch 1, 2, 4, 8
   * with the given intra-op threads (idle pool threads sleep, as in the server), best of 3 rounds of 200 ms each.
   */
  static void rowCosts(Path model, int threads) throws Exception {
    try (OrtEnvironment env = OrtEnvironment.getEnvironment();
         OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.addConfigEntry("session.intra_op.allow_spinning", "0"); // as the server runs
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      try (OrtSession session = env.createSession(model.toString(), options)) {
        StringBuilder line = new StringBuilder("in-process session.run per row (" + threads + " intra-op threads):");
        double single = Double.NaN;
        for (int rows : new int[] {1, 2, 4, 8}) {
          float[] data = new float[rows * 8];
          for (int r = 0; r < rows; r++) {
            System.arraycopy(row(), 0, data, r * 8, 8);
          }
          double best = Double.MAX_VALUE;
          try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {rows, 8})) {
            for (int round = 0; round < 4; round++) {
              long start = System.nanoTime();
              long end = start + TimeUnit.MILLISECONDS.toNanos(200);
              int runs = 0;
              while (System.nanoTime() < end || runs == 0) {
                session.run(Map.of("input", input)).close();
                runs++;
              }
              double perRow = (System.nanoTime() - start) / 1e6 / runs / rows;
              if (round > 0) { // the first round warms up
                best = Math.min(best, perRow);
              }
            }
          }
          if (rows == 1) {
            single = best;
          }
          line.append(String.format(" batch %d %.3f ms (%.2fx)", rows, best, single / best));
        }
        System.out.println(line);
      }
    }
  }

  /** Sets {@code variable} from the bench's environment variable {@code knob}, where that is set. */
  static void optional(Map<String, String> env, String knob, String variable) {
    String value = System.getenv(knob);
    if (value != null && !value.isBlank()) {
      env.put(variable, value);
    }
  }

  static double[] minus(double[] a, double[] b) {
    return new double[] {a[0] - b[0], a[1] - b[1]};
  }

  /** CPU time of one server and of this process (the load generator) over the rounds it measures, per wall second. */
  static final class Cpu {
    private final RuntimeServer server;
    private long wallNanos;
    private long serverNanos;
    private long clientNanos;

    Cpu(RuntimeServer server) {
      this.server = server;
    }

    double measure(java.util.concurrent.Callable<Double> rounds) throws Exception {
      com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
          java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long wall = System.nanoTime();
      long srv = server.cpuNanos();
      long cli = os.getProcessCpuTime();
      double result = rounds.call();
      wallNanos += System.nanoTime() - wall;
      serverNanos += server.cpuNanos() - srv;
      clientNanos += os.getProcessCpuTime() - cli;
      return result;
    }

    @Override
    public String toString() {
      return String.format("%.2f | %.2f", serverNanos / (double) wallNanos, clientNanos / (double) wallNanos);
    }
  }

  /** The server's own inference timer: {seconds, count} summed over its series. */
  static double[] inferenceSeconds(RuntimeServer server) throws Exception {
    return sumCount(server, "modelpilot_inference_duration_seconds");
  }

  /** A summary's or histogram's {sum, count} on the server's /q/metrics, summed over its series. */
  static double[] sumCount(RuntimeServer server, String metric) throws Exception {
    java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(server.uri("/q/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    double[] sumCount = new double[2];
    metrics.body().lines().forEach(l -> {
      if (l.startsWith(metric + "_sum")) {
        sumCount[0] += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      } else if (l.startsWith(metric + "_count")) {
        sumCount[1] += Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
      }
    });
    return sumCount;
  }

  static Path generate(Path file, int layers, int width, String weights) throws Exception {
    Process gen = new ProcessBuilder("/usr/bin/python3", "bench/src/main/python/heavy_model.py", file.toString(),
        Integer.toString(layers), Integer.toString(width), weights).inheritIO().start();
    if (gen.waitFor() != 0) {
      throw new IllegalStateException("could not generate the benchmark model (needs python3-onnx)");
    }
    return file;
  }

  static float[] row() {
    return new float[] {0.5f, -1.2f, 0.3f, 2.0f, -0.7f, 0.1f, 1.1f, -0.4f};
  }

  static String body(int rows) {
    StringBuilder data = new StringBuilder();
    for (int r = 0; r < rows; r++) {
      for (float v : row()) {
        data.append(data.length() == 0 ? "" : ",").append(v);
      }
    }
    return "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[" + rows + ",8],\"data\":[" + data + "]}]}";
  }

  /** Closed-loop requests/s at the given concurrency over LOAD, after a short warm-up. */
  static double throughput(URI uri, String body, int concurrency) throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    long end = warm + LOAD.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      Thread t = new Thread(() -> {
        try (LoopbackHttp http = new LoopbackHttp(uri, body)) {
          while (System.nanoTime() < end) {
            int status = http.send();
            long now = System.nanoTime();
            if (now > warm && now <= end) {
              (status == 200 ? done : failed).incrementAndGet();
            }
          }
        } catch (Exception e) {
          failed.incrementAndGet();
        }
      });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (failed.get() > 0) {
      throw new IllegalStateException(failed.get() + " requests failed against " + uri);
    }
    return done.get() / (LOAD.toNanos() / 1e9);
  }
}
