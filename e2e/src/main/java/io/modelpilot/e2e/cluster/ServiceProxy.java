package io.modelpilot.e2e.cluster;

import static org.awaitility.Awaitility.await;
import org.awaitility.core.ConditionTimeoutException;
import io.modelpilot.e2e.process.DaemonThreads;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * kube-proxy for the local cluster: each Service gets a loopback HTTP reverse proxy that spreads requests
 * at random over the Ready pods its selector matches (equality on labels), reading pods and Services
 * from the API server like kube-proxy reads EndpointSlices. The pod's address is {@code 127.0.0.1} and
 * the port in its {@value PodPublisher#PORT_ANNOTATION} annotation.
 *
 * <p>A refused or dropped connection (a pod that just stopped) is retried once on another pod; with no
 * ready pod the answer is 503 with a JSON error. Every response names the pod that served it in
 * {@value #POD_HEADER}, so a test can tell which pod served it or reach that pod again.
 */
public final class ServiceProxy implements AutoCloseable {

  public static final String POD_HEADER = "X-ModelPilot-Pod";
  private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "expect", "host", "upgrade",
      "keep-alive", "transfer-encoding", "te", "trailer", "proxy-authenticate", "proxy-authorization", "http2-settings",
      "date");

  private final KubernetesClient client;
  private final ExecutorService handlers = Executors.newFixedThreadPool(32, DaemonThreads.named("service-proxy"));
  private final HttpClient upstream = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).executor(Executors.newFixedThreadPool(4, DaemonThreads.named("proxy-io")))
      .build();
  private final Map<String, Proxy> proxies = new ConcurrentHashMap<>();
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<Pod> pods;

  private record Proxy(String namespace, String name, HttpServer server) {
    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
  }

  /** A ready pod behind a Service. */
  record Endpoint(String pod, int port) {
  }

  ServiceProxy(KubernetesClient client) {
    this.client = client;
  }

  ServiceProxy start() {
    pods = client.pods().inAnyNamespace().inform();
    services = client.services().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Service service) {
        open(service);
      }

      @Override
      public void onUpdate(Service oldService, Service newService) {
        open(newService);
      }

      @Override
      public void onDelete(Service service, boolean deletedFinalStateUnknown) {
        Proxy proxy = proxies.remove(key(service.getMetadata().getNamespace(), service.getMetadata().getName()));
        if (proxy != null) {
          proxy.server().stop(0);
          LOG.info("Service {}/{} deleted: proxy on {} closed", proxy.namespace(), proxy.name(), proxy.url());
        }
      }
    }, 0);
    return this;
  }

  /** The proxy's URL for a Service, once the Service exists. */
  Optional<URI> url(String namespace, String name) {
    return Optional.ofNullable(proxies.get(key(namespace, name))).map(Proxy::url);
  }

  /**
   * Waits for the Service to exist. Each poll that finds no proxy also reads the Service from the API server, as
   * kube-proxy's periodic resync would: a watch event the informer missed (a reconnect) or a failed open leaves
   * no proxy behind, and the next poll opens it.
   */
  URI awaitUrl(String namespace, String name, Duration timeout) {
    try {
      return await().atMost(timeout).pollInterval(Duration.ofMillis(100))
          .until(() -> url(namespace, name).or(() -> resync(namespace, name)), Optional::isPresent).orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException("Service " + namespace + "/" + name + " did not appear within " + timeout, e);
    }
  }

  private Optional<URI> resync(String namespace, String name) {
    Service service = client.services().inNamespace(namespace).withName(name).get();
    if (service == null) {
      return Optional.empty();
    }
    LOG.info("Service {}/{} exists but had no proxy: opening it from the API server's copy", namespace, name);
    open(service);
    return url(namespace, name);
  }

  /** The ready pods a Service sends to now, in a stable order. */
  List<Endpoint> endpoints(String namespace, String name) {
    Service service = services.getStore().getByKey(key(namespace, name));
    if (service == null || service.getSpec().getSelector() == null || service.getSpec().getSelector().isEmpty()) {
      return List.of();
    }
    Map<String, String> selector = service.getSpec().getSelector();
    return pods.getStore().list().stream()
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .filter(p -> p.getMetadata().getLabels() != null
            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
        .filter(ServiceProxy::ready)
        .filter(p -> p.getMetadata().getAnnotations() != null
            && p.getMetadata().getAnnotations().containsKey(PodPublisher.PORT_ANNOTATION))
        .map(p -> new Endpoint(p.getMetadata().getName(),
            Integer.parseInt(p.getMetadata().getAnnotations().get(PodPublisher.PORT_ANNOTATION))))
        .sorted(java.util.Comparator.comparing(Endpoint::pod))
        .toList();
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private void open(Service service) {
    String namespace = service.getMetadata().getNamespace();
    String name = service.getMetadata().getName();
    proxies.computeIfAbsent(key(namespace, name), k -> {
      try {
        // port 0: the kernel picks a port that is free now (a port chosen earlier and bound later can be taken
        // in between, e.g. as the local end of some process's outgoing connection)
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        Proxy proxy = new Proxy(namespace, name, server);
        server.createContext("/", exchange -> handle(proxy, exchange));
        server.setExecutor(handlers);
        server.start();
        LOG.info("Service {}/{} proxied at {}", namespace, name, proxy.url());
        return proxy;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("cannot open a proxy for Service " + k, e);
      }
    });
  }

  private void handle(Proxy proxy, HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      List<Endpoint> endpoints = endpoints(proxy.namespace(), proxy.name());
      if (endpoints.isEmpty()) {
        reply(exchange, 503, "no ready pod behind Service " + proxy.namespace() + "/" + proxy.name());
        return;
      }
      // at random, as kube-proxy's iptables and nftables modes pick: a strict round robin sends every second request
      // of a client that alternates two kinds (an inference, then its feedback) to the same pod
      int first = ThreadLocalRandom.current().nextInt(endpoints.size());
      IOException last = null;
      // a second try, on the next pod: a pod that just stopped refuses or drops the connection
      for (int attempt = 0; attempt < 2; attempt++) {
        Endpoint endpoint = endpoints.get((first + attempt) % endpoints.size());
        HttpResponse<byte[]> response;
        try {
          response = send(exchange, endpoint, body);
        } catch (HttpTimeoutException e) {
          reply(exchange, 504, "pod " + endpoint.pod() + " did not answer in time");
          return;
        } catch (IOException e) {
          last = e;
          continue;
        }
        respond(exchange, endpoint, response);
        return;
      }
      reply(exchange, 502, "no pod of Service " + proxy.namespace() + "/" + proxy.name() + " answered: " + last);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.warn("proxy {}/{} failed: {}", proxy.namespace(), proxy.name(), e.toString());
      reply(exchange, 500, "proxy error: " + e);
    }
  }

  private HttpResponse<byte[]> send(HttpExchange exchange, Endpoint endpoint, byte[] body)
      throws IOException, InterruptedException {
    URI incoming = exchange.getRequestURI();
    String target = "http://127.0.0.1:" + endpoint.port() + incoming.getRawPath()
        + (incoming.getRawQuery() == null ? "" : "?" + incoming.getRawQuery());
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(60))
        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    exchange.getRequestHeaders().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        values.forEach(v -> request.header(name, v));
      }
    });
    return upstream.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void respond(HttpExchange exchange, Endpoint endpoint, HttpResponse<byte[]> response)
      throws IOException {
    response.headers().map().forEach((name, values) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
        exchange.getResponseHeaders().put(name, values);
      }
    });
    exchange.getResponseHeaders().set(POD_HEADER, endpoint.pod());
    byte[] out = response.body();
    boolean noBody = out.length == 0 || "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(response.statusCode(), noBody ? -1 : out.length);
    if (!noBody) {
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(out);
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String error) {
    try {
      byte[] body = ("{\"error\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(error) + "}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    proxies.values().forEach(p -> p.server().stop(0));
    proxies.clear();
    if (services != null) {
      services.close();
    }
    if (pods != null) {
      pods.close();
    }
    handlers.shutdownNow();
  }
}
