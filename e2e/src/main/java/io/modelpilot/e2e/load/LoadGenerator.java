package io.modelpilot.e2e.load;

import static org.awaitility.Awaitility.await;
import org.awaitility.core.ConditionTimeoutException;
import io.modelpilot.e2e.process.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Open-loop load: requests leave at a fixed rate whatever the server does, as users' traffic would, so a
 * slow server builds latency instead of slowing the load down. The rate can change while it runs. When
 * more than {@code maxInFlight} requests are outstanding, new ones are dropped and counted rather than
 * queued, so a stalled server never builds an unbounded backlog here.
 */
public final class LoadGenerator implements AutoCloseable {

  /** One request and what came back; {@code status} is 0 and {@code error} set when no response arrived. */
  public record Exchange(String requestBody, int status, String responseBody, HttpHeaders headers, Duration latency,
      Throwable error) {

    public boolean ok() {
      return error == null && status >= 200 && status < 300;
    }
  }

  /** Counts since the start or the last {@link #resetStats()}; latencies in milliseconds over successful requests. */
  public record Stats(long sent, long ok, long errors, long dropped, Map<Integer, Long> byStatus, double meanMs,
      double p50Ms, double p99Ms) {

    public double errorRate() {
      return ok + errors == 0 ? 0 : (double) errors / (ok + errors);
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);
  private static final Duration TICK = Duration.ofMillis(5);
  private static final int LATENCY_SAMPLES = 100_000;

  private final URI url;
  private final Supplier<String> body;
  private final int maxInFlight;
  private final Duration timeout;
  private final Consumer<Exchange> onResponse;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("load"));
  private final ExecutorService io = Executors.newFixedThreadPool(4, DaemonThreads.named("load-io"));
  private final ThreadPoolExecutor hooks = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(1000), DaemonThreads.named("load-hook"), new ThreadPoolExecutor.DiscardPolicy());
  private final HttpClient http;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Map<Integer, Long> byStatus = new TreeMap<>();
  private final long[] latencies = new long[LATENCY_SAMPLES];
  private long latencyCount;
  private volatile double rate;
  private double credit;
  private long lastTick;
  private volatile boolean running;

  private LoadGenerator(Builder b) {
    this.url = b.url;
    this.body = b.body;
    this.maxInFlight = b.maxInFlight;
    this.timeout = b.timeout;
    this.onResponse = b.onResponse;
    this.rate = b.rate;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2))
        .executor(io).build();
  }

  public static Builder to(URI url) {
    return new Builder(url);
  }

  public static final class Builder {
    private final URI url;
    private Supplier<String> body = () -> "";
    private double rate = 10;
    private int maxInFlight = 256;
    private Duration timeout = Duration.ofSeconds(10);
    private Consumer<Exchange> onResponse;

    private Builder(URI url) {
      this.url = url;
    }

    /** The JSON body of each POST; called once per request. */
    public Builder body(Supplier<String> body) {
      this.body = body;
      return this;
    }

    public Builder rate(double requestsPerSecond) {
      this.rate = requestsPerSecond;
      return this;
    }

    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Called for every response (on a small pool of its own; calls are dropped when it falls far behind). */
    public Builder onResponse(Consumer<Exchange> onResponse) {
      this.onResponse = onResponse;
      return this;
    }

    public LoadGenerator start() {
      return new LoadGenerator(this).begin();
    }
  }

  private LoadGenerator begin() {
    running = true;
    lastTick = System.nanoTime();
    ticker.scheduleAtFixedRate(this::tick, 0, TICK.toNanos(), TimeUnit.NANOSECONDS);
    LOG.info("load: {} req/s to {}", rate, url);
    return this;
  }

  public void setRate(double requestsPerSecond) {
    if (requestsPerSecond < 0) {
      throw new IllegalArgumentException("rate must be >= 0: " + requestsPerSecond);
    }
    LOG.info("load: {} → {} req/s", rate, requestsPerSecond);
    this.rate = requestsPerSecond;
  }

  public double rate() {
    return rate;
  }

  public int inFlight() {
    return inFlight.get();
  }

  public synchronized Stats stats() {
    long n = Math.min(latencyCount, LATENCY_SAMPLES);
    long[] sample = Arrays.copyOf(latencies, (int) n);
    Arrays.sort(sample);
    double mean = n == 0 ? Double.NaN : Arrays.stream(sample).average().orElse(Double.NaN) / 1e6;
    return new Stats(sent.get(), ok.get(), errors.get(), dropped.get(), Map.copyOf(byStatus), mean,
        percentile(sample, 0.50), percentile(sample, 0.99));
  }

  public synchronized void resetStats() {
    sent.set(0);
    ok.set(0);
    errors.set(0);
    dropped.set(0);
    byStatus.clear();
    latencyCount = 0;
  }

  private void tick() {
    if (!running) {
      return;
    }
    long now = System.nanoTime();
    // at most one second of catching up after a stall of this thread
    credit = Math.min(credit + rate * (now - lastTick) / 1e9, Math.max(1, rate));
    lastTick = now;
    while (credit >= 1) {
      credit -= 1;
      if (inFlight.get() >= maxInFlight) {
        dropped.incrementAndGet();
        continue;
      }
      send();
    }
  }

  private void send() {
    String payload = body.get();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(payload)).build();
    inFlight.incrementAndGet();
    sent.incrementAndGet();
    long started = System.nanoTime();
    http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
      inFlight.decrementAndGet();
      long latency = System.nanoTime() - started;
      Exchange exchange = error != null
          ? new Exchange(payload, 0, null, null, Duration.ofNanos(latency), error)
          : new Exchange(payload, response.statusCode(), response.body(), response.headers(), Duration.ofNanos(latency),
              null);
      record(exchange, latency);
      if (onResponse != null && running) {
        hooks.execute(() -> {
          try {
            onResponse.accept(exchange);
          } catch (RuntimeException e) {
            LOG.debug("load: response hook failed: {}", e.toString());
          }
        });
      }
    });
  }

  private synchronized void record(Exchange exchange, long latencyNanos) {
    byStatus.merge(exchange.status(), 1L, Long::sum);
    if (exchange.ok()) {
      ok.incrementAndGet();
      latencies[(int) (latencyCount++ % LATENCY_SAMPLES)] = latencyNanos;
    } else {
      errors.incrementAndGet();
    }
  }

  private static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[index] / 1e6;
  }

  /** Daemon threads: a test that forgets to close the generator must not keep its JVM alive. */
  /** Stops sending and waits up to the request timeout for what is in flight. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    ticker.shutdownNow();
    try {
      await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> inFlight.get() == 0);
    } catch (ConditionTimeoutException e) {
      LOG.warn("load stopped with {} requests still in flight after {}", inFlight.get(), timeout);
    }
    hooks.shutdown();
    io.shutdownNow();
    LOG.info("load stopped: {}", stats());
  }
}
