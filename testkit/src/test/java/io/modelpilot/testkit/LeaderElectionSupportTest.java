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
    Lease renewed = client.resource(withVersion(lease("replica-a"), first)).patch(PatchContext.of(PatchType.JSON_MERGE));
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
