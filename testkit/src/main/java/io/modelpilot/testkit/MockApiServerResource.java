package io.modelpilot.testkit;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Starts a {@link MockApiServer} for a {@code @QuarkusTest} and points the application's
 * Kubernetes client at it; fields annotated {@link InjectMockApiServer} receive the server.
 */
public class MockApiServerResource implements QuarkusTestResourceLifecycleManager {

  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.FIELD)
  public @interface InjectMockApiServer {
  }

  private MockApiServer server;

  @Override
  public Map<String, String> start() {
    server = new MockApiServer().start();
    return Map.of(
        "quarkus.kubernetes-client.api-server-url", server.url(),
        "quarkus.kubernetes-client.trust-certs", "true",
        "quarkus.kubernetes-client.namespace", "default",
        "quarkus.kubernetes-client.devservices.enabled", "false");
  }

  @Override
  public void inject(TestInjector testInjector) {
    testInjector.injectIntoFields(server,
        new TestInjector.AnnotatedAndMatchesType(InjectMockApiServer.class, MockApiServer.class));
  }

  @Override
  public void stop() {
    if (server != null) {
      server.close();
    }
  }
}
