package io.modelpilot.e2e.cluster;

import io.modelpilot.e2e.process.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The kubelet's readiness probes: an HTTP GET on the container's probe path every second, at most one in flight
 * per pod; Ready after one success, not Ready after {@code failureThreshold} failures in a row. A running
 * container without an HTTP readiness probe is Ready as soon as it runs.
 */
final class Prober {

  private static final Logger LOG = LoggerFactory.getLogger(Prober.class);
  private static final Duration PERIOD = Duration.ofSeconds(1);

  private final PodRunner runner;
  private final Executor loop;
  private final Runnable wake;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .executor(Executors.newFixedThreadPool(2, DaemonThreads.named("kubelet-probe"))).build();

  /**
   * @param loop where results are applied: the kubelet's loop thread, which alone changes a pod
   * @param wake asks the kubelet for a sync, so a change of readiness reaches the Pod object at once
   */
  Prober(PodRunner runner, Executor loop, Runnable wake) {
    this.runner = runner;
    this.loop = loop;
    this.wake = wake;
  }

  /** Sends the probes that are due; their results arrive later, on the loop. */
  void probe() {
    long nanos = System.nanoTime();
    for (PodProcess p : runner.pods()) {
      if (p.terminating || p.finishedAt != null) {
        continue;
      }
      if (!p.running()) {
        p.ready = false;
        continue;
      }
      if (p.readinessPath == null) {
        p.ready = true;
        continue;
      }
      if (p.probeInFlight || nanos - p.lastProbeNanos < PERIOD.toNanos()) {
        continue;
      }
      p.probeInFlight = true;
      p.lastProbeNanos = nanos;
      int timeout = Optional.ofNullable(p.container.getReadinessProbe().getTimeoutSeconds()).orElse(1);
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port + p.readinessPath))
          .timeout(Duration.ofSeconds(Math.max(1, timeout))).build();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        boolean ok = error == null && response.statusCode() >= 200 && response.statusCode() < 400;
        loop.execute(() -> probed(p, ok));
      });
    }
  }

  private void probed(PodProcess p, boolean ok) {
    p.probeInFlight = false;
    if (p.terminating || !p.running()) {
      return;
    }
    boolean before = p.ready;
    if (ok) {
      p.probeFailures = 0;
      p.ready = true;
    } else {
      p.probeFailures++;
      int threshold = Optional.ofNullable(p.container.getReadinessProbe().getFailureThreshold()).orElse(3);
      if (p.probeFailures >= threshold) {
        p.ready = false;
      }
    }
    if (before != p.ready) {
      LOG.info("pod {} {}", p.key(), p.ready ? "ready (" + Duration.between(p.startedAt, Instant.now()).toMillis()
          + " ms after start)" : "not ready");
      wake.run();
    }
  }
}
