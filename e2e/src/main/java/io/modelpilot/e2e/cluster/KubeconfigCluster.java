package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.modelpilot.e2e.process.Prometheus;
import io.modelpilot.e2e.process.PrometheusControl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * A real cluster (Kind, or any other) that the scenarios reach through a kubeconfig, as e2e/kind/run.sh sets it
 * up: the chart installed, Prometheus from e2e/kind/prometheus.yaml, and {@code kubectl proxy} running so that
 * this process reaches Services and Prometheus over plain HTTP through the API server's service proxy, which
 * spreads requests over a Service's ready endpoints as kube-proxy does.
 *
 * <p>Chosen by the environment ({@link #fromEnvironment}):
 * <ul>
 *   <li>{@value #KUBECONFIG_ENV}: the kubeconfig file; unset means the local cluster;
 *   <li>{@value #API_PROXY_ENV}: the {@code kubectl proxy} URL (default {@value #DEFAULT_API_PROXY});
 *   <li>{@value #PROMETHEUS_ENV}: the Prometheus Deployment and port as {@code namespace/name:port} (default
 *       {@value #DEFAULT_PROMETHEUS});
 *   <li>{@value #OPERATOR_NAMESPACE_ENV}: where the chart runs the operator, for its logs (default
 *       {@value #DEFAULT_OPERATOR_NAMESPACE}).
 * </ul>
 * Namespaces that {@link #apply} creates are deleted on {@link #close()}.
 */
public final class KubeconfigCluster implements ScenarioCluster {

  public static final String KUBECONFIG_ENV = "MODELPILOT_E2E_KUBECONFIG";
  public static final String API_PROXY_ENV = "MODELPILOT_E2E_API_PROXY";
  public static final String PROMETHEUS_ENV = "MODELPILOT_E2E_PROMETHEUS";
  public static final String OPERATOR_NAMESPACE_ENV = "MODELPILOT_E2E_OPERATOR_NAMESPACE";
  public static final String DEFAULT_API_PROXY = "http://127.0.0.1:8001";
  public static final String DEFAULT_PROMETHEUS = "monitoring/prometheus:9090";
  public static final String DEFAULT_OPERATOR_NAMESPACE = "modelpilot-system";
  /** The runtime Service's port name (RuntimeDeploymentFactory.PORT_NAME). */
  static final String SERVICE_PORT_NAME = "http";
  static final String GROUP = "modelpilot.io";
  private static final Pattern PROMETHEUS = Pattern.compile("([a-z0-9-]+)/([a-z0-9-]+):([0-9]+)");
  private static final Duration WAIT = Duration.ofSeconds(180);
  private static final Logger LOG = LoggerFactory.getLogger(KubeconfigCluster.class);

  /** What the environment says, checked before anything connects. */
  record Settings(Path kubeconfig, URI apiProxy, String prometheusNamespace, String prometheusName,
      int prometheusPort, String operatorNamespace) {

    static Optional<Settings> from(Map<String, String> env) {
      String kubeconfig = env.get(KUBECONFIG_ENV);
      if (kubeconfig == null || kubeconfig.isBlank()) {
        return Optional.empty();
      }
      String proxy = env.getOrDefault(API_PROXY_ENV, DEFAULT_API_PROXY).replaceAll("/+$", "");
      URI apiProxy = URI.create(proxy);
      if (!"http".equals(apiProxy.getScheme()) || apiProxy.getHost() == null) {
        throw new IllegalArgumentException(API_PROXY_ENV + " must be the plain-HTTP URL of kubectl proxy, "
            + "e.g. " + DEFAULT_API_PROXY + "; got '" + proxy + "'");
      }
      String prometheus = env.getOrDefault(PROMETHEUS_ENV, DEFAULT_PROMETHEUS);
      var m = PROMETHEUS.matcher(prometheus);
      if (!m.matches()) {
        throw new IllegalArgumentException(PROMETHEUS_ENV + " must be namespace/deployment:port, e.g. "
            + DEFAULT_PROMETHEUS + "; got '" + prometheus + "'");
      }
      return Optional.of(new Settings(Path.of(kubeconfig), apiProxy, m.group(1), m.group(2),
          Integer.parseInt(m.group(3)), env.getOrDefault(OPERATOR_NAMESPACE_ENV, DEFAULT_OPERATOR_NAMESPACE)));
    }

    /** Where {@code kubectl proxy} forwards to the Service's port, spread over its ready endpoints. */
    URI serviceProxy(String namespace, String service, String port) {
      return URI.create(apiProxy + "/api/v1/namespaces/" + namespace + "/services/" + service + ":" + port + "/proxy");
    }

    URI prometheusUrl() {
      return serviceProxy(prometheusNamespace, prometheusName, String.valueOf(prometheusPort));
    }
  }

  private final Settings settings;
  private final KubernetesClient client;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Set<String> createdNamespaces = new LinkedHashSet<>();
  private final KubePrometheus prometheus;

  private KubeconfigCluster(Settings settings) {
    this.settings = settings;
    String kubeconfig;
    try {
      kubeconfig = Files.readString(settings.kubeconfig());
    } catch (IOException e) {
      throw new UncheckedIOException(KUBECONFIG_ENV + ": cannot read " + settings.kubeconfig(), e);
    }
    this.client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
    this.prometheus = new KubePrometheus();
  }

  /** The cluster the environment names, connected and checked; empty when {@value #KUBECONFIG_ENV} is unset. */
  public static Optional<KubeconfigCluster> fromEnvironment() {
    return Settings.from(System.getenv()).map(KubeconfigCluster::connect);
  }

  static KubeconfigCluster connect(Settings settings) {
    KubeconfigCluster cluster = new KubeconfigCluster(settings);
    try {
      if (cluster.modelDeploymentCrd().isEmpty()) {
        throw new IllegalStateException("the cluster of " + settings.kubeconfig() + " has no ModelDeployment CRD: "
            + "install the chart first (e2e/kind/run.sh does)");
      }
      cluster.prometheus.awaitReady(Duration.ofSeconds(10));
      LOG.info("scenarios run against {} through {}", cluster.client.getMasterUrl(), settings.apiProxy());
      return cluster;
    } catch (RuntimeException e) {
      cluster.client.close();
      throw e;
    }
  }

  @Override
  public KubernetesClient client() {
    return client;
  }

  @Override
  public List<HasMetadata> apply(String yaml, String namespace) {
    if (Manifests.ensureNamespace(client, namespace)) {
      createdNamespaces.add(namespace);
    }
    return Manifests.apply(client, new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), namespace);
  }

  @Override
  public MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>>
      customResources(String kind) {
    return client.genericKubernetesResources(kinds().stream().filter(k -> k.getKind().equals(kind)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + GROUP + " CRD of kind " + kind + " in the cluster")));
  }

  private List<ResourceDefinitionContext> kinds() {
    return client.apiextensions().v1().customResourceDefinitions().list().getItems().stream()
        .filter(crd -> GROUP.equals(crd.getSpec().getGroup()))
        .map(crd -> (ResourceDefinitionContext) CustomResourceDefinitionContext.fromCrd(crd)).toList();
  }

  private Optional<CustomResourceDefinition> modelDeploymentCrd() {
    return Optional.ofNullable(client.apiextensions().v1().customResourceDefinitions()
        .withName("modeldeployments." + GROUP).get());
  }

  /** Through the API server's service proxy: waits up to 3 minutes for the Service. */
  @Override
  public URI serviceUrl(String namespace, String name) {
    client.services().inNamespace(namespace).withName(name)
        .waitUntilCondition(Objects::nonNull, WAIT.toSeconds(), TimeUnit.SECONDS);
    return settings.serviceProxy(namespace, name, SERVICE_PORT_NAME);
  }

  @Override
  public PrometheusControl prometheus() {
    return prometheus;
  }

  /**
   * The pods of the Deployment: owned by one of its ReplicaSets ({@code <deployment>-<pod-template-hash>}, which
   * also tells them from {@code <deployment>-canary}'s), or by the Deployment itself, as the local cluster's
   * kubelet, which has no ReplicaSets, owns them.
   */
  @Override
  public List<ScenarioPod> pods(String namespace, String deployment) {
    Pattern replicaSet = Pattern.compile(Pattern.quote(deployment) + "-[a-z0-9]+");
    return client.pods().inNamespace(namespace).list().getItems().stream()
        .filter(p -> p.getMetadata().getOwnerReferences().stream().anyMatch(o -> ownedBy(o, deployment, replicaSet)))
        .map(KubeconfigCluster::view).toList();
  }

  private static boolean ownedBy(OwnerReference owner, String deployment, Pattern replicaSet) {
    return switch (owner.getKind()) {
      case "ReplicaSet" -> replicaSet.matcher(owner.getName()).matches();
      case "Deployment" -> owner.getName().equals(deployment);
      default -> false;
    };
  }

  private static ScenarioPod view(Pod p) {
    boolean ready = p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    return new ScenarioPod(p.getMetadata().getNamespace(), p.getMetadata().getName(), ready,
        p.getMetadata().getDeletionTimestamp() != null, null);
  }

  /** The Pod object goes once its containers have stopped. */
  @Override
  public boolean stillRunning(ScenarioPod pod) {
    return client.pods().inNamespace(pod.namespace()).withName(pod.name()).get() != null;
  }

  @Override
  public void dumpDiagnostics(Path dir) {
    List<String> namespaces = new ArrayList<>(createdNamespaces);
    namespaces.add(settings.operatorNamespace());
    namespaces.add(settings.prometheusNamespace());
    Diagnostics.dump(client, kinds(), namespaces, dir);
  }

  @Override
  public void close() {
    if (System.getenv("KEEP_NAMESPACES") == null) {
      for (String ns : createdNamespaces) {
        try {
          client.namespaces().withName(ns).delete();
        } catch (RuntimeException e) {
          LOG.warn("cannot delete namespace {}: {}", ns, e.toString());
        }
      }
    }
    client.close();
  }

  /** The Prometheus Deployment: stopped by scaling it to zero, started by scaling it back to one. */
  private final class KubePrometheus implements PrometheusControl {

    @Override
    public OptionalDouble queryValue(String promql) {
      return Prometheus.firstValue(Prometheus.query(http, settings.prometheusUrl(), promql));
    }

    @Override
    public void stop() {
      scale(0);
      await("Prometheus' pods gone after its scale to 0").atMost(WAIT).pollInterval(Duration.ofSeconds(1))
          .until(() -> pods(settings.prometheusNamespace(), settings.prometheusName()).isEmpty());
    }

    @Override
    public PrometheusControl start() {
      scale(1);
      awaitReady(WAIT);
      return this;
    }

    private void scale(int replicas) {
      client.apps().deployments().inNamespace(settings.prometheusNamespace()).withName(settings.prometheusName())
          .scale(replicas);
    }

    void awaitReady(Duration timeout) {
      await("Prometheus at " + settings.prometheusUrl() + " ready (is kubectl proxy running at "
          + settings.apiProxy() + "?)").atMost(timeout).pollInterval(Duration.ofSeconds(1))
          .until(() -> Prometheus.answersReady(http, settings.prometheusUrl()));
    }
  }
}
