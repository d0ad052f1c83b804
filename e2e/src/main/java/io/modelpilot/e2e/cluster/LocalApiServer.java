package io.modelpilot.e2e.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.modelpilot.e2e.process.Ports;
import io.modelpilot.testkit.MockApiServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The local cluster's API server: the fabric8 mock API server (taught server-side apply by the testkit) with the
 * project's CRDs registered, a client of it, and a kubeconfig for the processes that connect to it as to a real
 * one (the operator).
 */
final class LocalApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalApiServer.class);
  /** The mock web server logs every request through java.util.logging; kept here so the setting sticks. */
  private static final java.util.logging.Logger MOCK_WEB_SERVER_LOG =
      java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  static {
    MOCK_WEB_SERVER_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private final MockApiServer server;
  private final KubernetesClient client;
  private final Map<String, ResourceDefinitionContext> customKinds = new LinkedHashMap<>();
  private final Path kubeconfig;

  /** Starts the server, registers the CRDs of {@code crdFiles} and writes {@code runDir/kubeconfig}. */
  LocalApiServer(List<Path> crdFiles, Path runDir) {
    server = new MockApiServer().start(Ports.free());
    String url = server.url().replaceAll("/$", "");
    client = new KubernetesClientBuilder().withConfig(clientConfig(url)).build();
    try {
      applyCrds(crdFiles);
      kubeconfig = writeKubeconfig(runDir.resolve("kubeconfig"), url);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    LOG.info("API server (mock) at {}, kubeconfig {}", url, kubeconfig);
  }

  KubernetesClient client() {
    return client;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  /** Serves {@code GET pods/{name}/log} from {@code logs}: (namespace, pod) → text, or null for no such pod. */
  void servePodLogs(BiFunction<String, String, String> logs) {
    server.dispatcher().podLogs(logs);
  }

  /** The kinds of the registered CRDs, by kind name. */
  Map<String, ResourceDefinitionContext> customKinds() {
    return Collections.unmodifiableMap(customKinds);
  }

  private static Config clientConfig(String url) {
    return new ConfigBuilder(Config.empty()).withMasterUrl(url).withNamespace("default").withTrustCerts(true)
        .withRequestTimeout(30_000).withConnectionTimeout(5_000).withWatchReconnectInterval(500).build();
  }

  /** POSTs every CRD: the mock then serves discovery for the kinds and honours their status subresource. */
  private void applyCrds(List<Path> crdFiles) {
    for (Path file : crdFiles) {
      try (InputStream in = Files.newInputStream(file)) {
        for (HasMetadata item : client.load(in).items()) {
          if (item instanceof CustomResourceDefinition crd) {
            client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
            customKinds.put(crd.getSpec().getNames().getKind(), CustomResourceDefinitionContext.fromCrd(crd));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    LOG.info("CRDs registered: {}", customKinds.keySet());
  }

  private static Path writeKubeconfig(Path file, String url) {
    try {
      Files.writeString(file, """
          apiVersion: v1
          kind: Config
          clusters:
            - name: local
              cluster:
                server: %s
          users:
            - name: local
              user: {}
          contexts:
            - name: local
              context:
                cluster: local
                user: local
                namespace: default
          current-context: local
          """.formatted(url));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The client first, so that its watches end before the server goes. */
  @Override
  public void close() {
    client.close();
    server.close();
  }
}
