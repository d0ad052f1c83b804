package io.modelpilot.testkit;

import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What leader election asks of the API server: the self-subject reviews JOSDK sends before it elects (answered as
 * for cluster-admin), and a Lease that behaves as a lock (create once, every write conditional on the
 * resourceVersion read).
 */
class LeaderElectionSupportTest {

  private MockApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = new MockApiServer().start();
    client = server.client();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void aSelfSubjectRulesReviewGrantsEverythingInTheNamespaceAsForClusterAdmin() {
    // what JOSDK's LeaderElectionManager sends before it starts electing
    SelfSubjectRulesReview review = client.resource(new SelfSubjectRulesReviewBuilder().withNewSpec()
        .withNamespace("modelpilot-system").endSpec().build()).create();

    assertThat(review.getSpec().getNamespace()).isEqualTo("modelpilot-system");
    assertThat(review.getStatus().getIncomplete()).isFalse();
    assertThat(review.getStatus().getResourceRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getVerbs()).containsExactly("*");
      assertThat(rule.getApiGroups()).containsExactly("*");
      assertThat(rule.getResources()).containsExactly("*");
      assertThat(rule.getResourceNames()).isEmpty();
    });
    assertThat(review.getStatus().getNonResourceRules()).extracting(NonResourceRule::getNonResourceURLs)
        .containsExactly(java.util.List.of("*"));
  }

  @Test
  void aSelfSubjectRulesReviewWithoutNamespaceIsABadRequest() {
    assertThatThrownBy(() -> client.resource(new SelfSubjectRulesReviewBuilder().withNewSpec().endSpec().build())
        .create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(400);
          assertThat(e.getStatus().getMessage()).isEqualTo("no namespace on request");
        });
  }

  @Test
  void aSelfSubjectAccessReviewIsAllowedAndNotStored() throws Exception {
    SelfSubjectAccessReview review = client.resource(new SelfSubjectAccessReviewBuilder().withNewSpec()
        .withNewResourceAttributes().withGroup("coordination.k8s.io").withResource("leases").withVerb("update")
        .withNamespace("modelpilot-system").endResourceAttributes().endSpec().build()).create();

    assertThat(review.getStatus().getAllowed()).isTrue();
    assertThat(review.getSpec().getResourceAttributes().getVerb()).isEqualTo("update");
    // a review is answered, never kept: there is nothing to read back
    HttpResponse<String> read = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(server.url() + "apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).isEqualTo(405);
    assertThat(read.body()).contains("MethodNotAllowed");
  }

  @Test
  void reviewsSentAsProtobufAreAnsweredLikeKubectlAuthCanIExpects() throws Exception {
    // kubectl's typed clients send built-in types as protobuf: the k8s envelope around a runtime.Unknown
    byte[] attributes = concat(field(1, "modelpilot-system"), field(2, "update"), field(3, "coordination.k8s.io"),
        field(5, "leases"));
    byte[] access = protobufReview("SelfSubjectAccessReview", field(1, attributes));
    HttpResponse<String> allowed = postProtobuf("selfsubjectaccessreviews", access);
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(201);
    SelfSubjectAccessReview review = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(allowed.body(),
        SelfSubjectAccessReview.class);
    assertThat(review.getStatus().getAllowed()).isTrue();
    assertThat(review.getSpec().getResourceAttributes().getResource()).isEqualTo("leases");
    assertThat(review.getSpec().getResourceAttributes().getGroup()).isEqualTo("coordination.k8s.io");
    assertThat(review.getSpec().getResourceAttributes().getNamespace()).isEqualTo("modelpilot-system");

    HttpResponse<String> rules = postProtobuf("selfsubjectrulesreviews",
        protobufReview("SelfSubjectRulesReview", field(1, "team-a")));
    assertThat(rules.statusCode()).as(rules.body()).isEqualTo(201);
    assertThat(io.fabric8.kubernetes.client.utils.Serialization.unmarshal(rules.body(), SelfSubjectRulesReview.class)
        .getSpec().getNamespace()).isEqualTo("team-a");

    assertThat(postProtobuf("selfsubjectaccessreviews", "not protobuf".getBytes(StandardCharsets.UTF_8))
        .statusCode()).isEqualTo(400);
  }

  @Test
  void aSelfSubjectAccessReviewNeedsExactlyOneKindOfAttributes() {
    assertThatThrownBy(() -> client.resource(new SelfSubjectAccessReviewBuilder().withNewSpec().endSpec().build())
        .create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).singleElement()
              .satisfies(c -> assertThat(c.getField()).isEqualTo("spec.resourceAttributes"));
        });
  }

  @Test
  void aLeaseIsCreatedOnceAndEveryWriteWithAStaleResourceVersionConflicts() {
    Lease created = client.leases().inNamespace("modelpilot-system").resource(lease("replica-a")).create();
    String first = created.getMetadata().getResourceVersion();

    // the other replica also finds no Lease and creates one: it loses
    assertThatThrownBy(() -> client.leases().inNamespace("modelpilot-system").resource(lease("replica-b")).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    // replica-a renews as fabric8's LeaseLock does: a JSON merge patch that carries the resourceVersion it read
    Lease renewed = client.resource(withVersion(lease("replica-a"), first))
        .patch(PatchContext.of(PatchType.JSON_MERGE));
    assertThat(renewed.getMetadata().getResourceVersion()).isNotEqualTo(first);
    assertThat(renewed.getSpec().getHolderIdentity()).isEqualTo("replica-a");

    // replica-b read the Lease before that renewal: its takeover, by merge patch or by update, conflicts
    assertThatThrownBy(() -> client.resource(withVersion(lease("replica-b"), first))
        .patch(PatchContext.of(PatchType.JSON_MERGE)))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThatThrownBy(() -> client.resource(withVersion(lease("replica-b"), first)).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
    assertThat(client.leases().inNamespace("modelpilot-system").withName("modelpilot").get().getSpec()
        .getHolderIdentity()).isEqualTo("replica-a");

    // with the current resourceVersion the takeover goes through
    Lease taken = client.resource(withVersion(lease("replica-b"), renewed.getMetadata().getResourceVersion()))
        .update();
    assertThat(taken.getSpec().getHolderIdentity()).isEqualTo("replica-b");
    assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
  }

  /** {@code k8s\0} + runtime.Unknown{typeMeta, raw = review{spec}}, as client-go's protobuf serializer writes it. */
  private static byte[] protobufReview(String kind, byte[] spec) {
    byte[] typeMeta = concat(field(1, "authorization.k8s.io/v1"), field(2, kind));
    byte[] review = concat(field(1, new byte[0]), field(2, spec));
    return concat(new byte[] {'k', '8', 's', 0}, field(1, typeMeta), field(2, review), field(3, ""),
        field(4, ""));
  }

  private static byte[] field(int number, String value) {
    return field(number, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A length-delimited protobuf field (wire type 2); lengths and tags here stay below 128, one byte each. */
  private static byte[] field(int number, byte[] value) {
    assertThat(value.length).isLessThan(128);
    return concat(new byte[] {(byte) (number << 3 | 2), (byte) value.length}, value);
  }

  private static byte[] concat(byte[]... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private HttpResponse<String> postProtobuf(String resource, byte[] body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(server.url() + "apis/authorization.k8s.io/v1/" + resource))
        .header("Content-Type", "application/vnd.kubernetes.protobuf")
        .header("Accept", "application/vnd.kubernetes.protobuf, application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Lease lease(String holder) {
    return new LeaseBuilder().withNewMetadata().withName("modelpilot").withNamespace("modelpilot-system")
        .endMetadata().withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(15)
        .withAcquireTime(java.time.ZonedDateTime.now()).withRenewTime(java.time.ZonedDateTime.now())
        .withLeaseTransitions(holder.equals("replica-a") ? 0 : 1).endSpec().build();
  }

  private static Lease withVersion(Lease lease, String resourceVersion) {
    lease.getMetadata().setResourceVersion(resourceVersion);
    return lease;
  }
}
