package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.modelpilot.testkit.MockApiServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Whether the cluster serves gateway.networking.k8s.io/v1 HTTPRoutes, asked of a stand-in API server. */
class GatewayApiTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final Duration RECHECK = Duration.ofMinutes(1);

  private final MockApiServer server = new MockApiServer().start();
  private final KubernetesClient client = server.client();

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void anAbsentCrdIsAskedAgainOnlyAfterTheRecheckInterval() {
    TestingClock clock = new TestingClock(T0);
    GatewayApi api = new GatewayApi(client, RECHECK, clock);
    assertThat(api.check().served()).isFalse();
    assertThat(api.check().detail()).contains("httproutes.gateway.networking.k8s.io not found");

    client.resource(httpRouteCrd("v1")).create();
    clock.now = T0.plus(RECHECK).minusSeconds(1);
    assertThat(api.check().served()).as("the cached answer, within the interval").isFalse();
    assertThat(crdReads()).isEqualTo(1);
    clock.now = T0.plus(RECHECK);
    assertThat(api.check().served()).as("asked again once the interval passed").isTrue();
  }

  @Test
  void aCrdServingOnlyV1beta1IsNotEnough() {
    client.resource(httpRouteCrd("v1beta1")).create();
    GatewayApi.Check check = new GatewayApi(client, RECHECK, Clock.fixed(T0, ZoneOffset.UTC)).check();
    assertThat(check.served()).isFalse();
    assertThat(check.detail()).contains("does not serve v1");
  }

  @Test
  void aServedCrdIsNotAskedForAgain() {
    client.resource(httpRouteCrd("v1")).create();
    TestingClock clock = new TestingClock(T0);
    GatewayApi api = new GatewayApi(client, RECHECK, clock);
    assertThat(api.check().served()).isTrue();
    clock.now = T0.plus(RECHECK.multipliedBy(10));
    assertThat(api.check().served()).isTrue();
    assertThat(crdReads()).isEqualTo(1);
  }

  private long crdReads() {
    return server.requests().stream()
        .filter(r -> r.pathWithoutQuery().endsWith("/customresourcedefinitions/" + GatewayApi.CRD)).count();
  }

  private static CustomResourceDefinition httpRouteCrd(String version) {
    return new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(GatewayApi.CRD).endMetadata()
        .withNewSpec().withGroup("gateway.networking.k8s.io").withScope("Namespaced")
        .withNewNames().withKind("HTTPRoute").withPlural("httproutes").withSingular("httproute")
        .withListKind("HTTPRouteList").endNames()
        .addNewVersion().withName(version).withServed(true).withStorage(true)
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema().endVersion()
        .endSpec().build();
  }

  /** A clock the test sets. */
  private static final class TestingClock extends Clock {
    Instant now;

    TestingClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
