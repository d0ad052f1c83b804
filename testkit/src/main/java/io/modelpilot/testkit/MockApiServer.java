package io.modelpilot.testkit;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.internal.MockDispatcher;
import io.fabric8.mockwebserver.internal.SimpleRequest;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * A Kubernetes API server for tests and the local cluster: the fabric8 mock in CRUD mode behind
 * {@link ServerSideApplyDispatcher}, over plain HTTP on a loopback port.
 */
public final class MockApiServer implements AutoCloseable {

  private final ServerSideApplyDispatcher crud = new ServerSideApplyDispatcher();
  private final KubernetesMockServer server;

  public MockApiServer() {
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    MockDispatcher expectations = new MockDispatcher(responses);
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        Queue<ServerResponse> queue = responses.get(
            new SimpleRequest(io.fabric8.mockwebserver.dsl.HttpMethod.valueOf(request.getMethod()), request.getPath()));
        return queue != null && !queue.isEmpty() ? expectations.dispatch(request) : crud.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), responses,
        dispatcher, false,
        new VersionInfo.Builder().withMajor("1").withMinor("33").withGitVersion("v1.33.0-modelpilot-mock").build());
  }

  public MockApiServer start() {
    server.init();
    return this;
  }

  public MockApiServer start(int port) {
    server.init(java.net.InetAddress.getLoopbackAddress(), port);
    return this;
  }

  /**
   * Creates the CustomResourceDefinitions in the given YAML files (a file may hold several documents), as
   * {@code kubectl apply -f} would: from then on the server serves their resources, validating every write against
   * their schema and CEL rules. Custom resources of a type no CRD defines are refused with 404, as a real API server
   * does, so a test that writes custom resources registers their CRDs first (Quarkus does when it applies the
   * generated CRDs in test mode).
   */
  public MockApiServer withCrds(java.nio.file.Path... files) {
    try (KubernetesClient client = client()) {
      for (java.nio.file.Path file : files) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
          for (io.fabric8.kubernetes.api.model.HasMetadata item : client.load(in).items()) {
            if (!(item instanceof io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition)) {
              throw new IllegalArgumentException(file + " holds a " + item.getKind() + ", not a CRD");
            }
            client.resource(item).create();
          }
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
      }
    }
    return this;
  }

  public String url() {
    return server.url("/");
  }

  public KubernetesClient client() {
    return server.createClient();
  }

  /** A client whose requests carry {@code userAgent}, so tests can tell them from the operator's. */
  public KubernetesClient client(String userAgent) {
    return server.createClient(builder -> builder.editOrNewConfig().withUserAgent(userAgent).endConfig());
  }

  public ServerSideApplyDispatcher dispatcher() {
    return crud;
  }

  public List<ServerSideApplyDispatcher.Request> requests() {
    return crud.requests();
  }

  public List<ServerSideApplyDispatcher.Request> writes() {
    return crud.writes();
  }

  @Override
  public void close() {
    server.destroy();
  }
}
