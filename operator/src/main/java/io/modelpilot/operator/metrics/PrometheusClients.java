package io.modelpilot.operator.metrics;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One client per Prometheus URL (the operator's, or a ModelDeployment's own). */
public final class PrometheusClients {

  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final Map<URI, PrometheusClient> clients = new ConcurrentHashMap<>();

  public PrometheusClient forUrl(URI url) {
    return clients.computeIfAbsent(url, u -> new HttpPrometheusClient(u, TIMEOUT));
  }
}
