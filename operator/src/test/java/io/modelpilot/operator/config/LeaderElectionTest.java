package io.modelpilot.operator.config;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatus;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.VersionInfo;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Ignore;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.modelpilot.operator.helm.HelmChartTest;
import io.modelpilot.testkit.ServerSideApplyDispatcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two operator replicas with the leader election the operator configures ({@link LeaderElection}), against one
 * API server: one leads and reconciles, the other reconciles nothing until the leader goes, then takes over. The
 * API server answers JOSDK's lease-access check (a SelfSubjectRulesReview) with the chart's leader-election Role,
 * so a chart lacking a verb fails the start here as it would in a cluster, and every Lease request is compared
 * with that Role.
 */
class LeaderElectionTest {

  private static final String OPERATOR_NAMESPACE = HelmChartTest.RELEASE_NAMESPACE;
  private static final String WATCHED = "team-a";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private final ServerSideApplyDispatcher crud = new ServerSideApplyDispatcher();
  private final List<Replica> replicas = new ArrayList<>();
  private KubernetesMockServer server;

  /** One operator process: its own client, its own identity, a reconciler that records what it saw. */
  private final class Replica {
    final String identity;
    final KubernetesClient client;
    final Operator operator;
    final List<String> reconciled = new CopyOnWriteArrayList<>();
    final List<String> stoppedLeading = new CopyOnWriteArrayList<>();

    Replica(String identity) {
      this.identity = identity;
      Config config = new ConfigBuilder(Config.empty()).withMasterUrl(server.url("/"))
          .withNamespace(OPERATOR_NAMESPACE).withUserAgent("replica-" + identity).build();
      client = new KubernetesClientBuilder().withConfig(config).build();
      var election = LeaderElection.configuration(settings(identity), () -> stoppedLeading.add(identity),
          LeaderElection.Timing.of(settings(identity)));
      operator = new Operator(o -> o.withKubernetesClient(client).withLeaderElectionConfiguration(election)
          .withCloseClientOnStop(true));
      operator.register(new Recorder(reconciled), c -> c.settingNamespaces(Set.of(WATCHED)));
      operator.start();
    }
  }

  /** Registered by hand in each replica; {@code @Ignore} keeps the Quarkus tests' operator from picking it up. */
  @Ignore
  @ControllerConfiguration(name = "recorder")
  static final class Recorder implements Reconciler<ConfigMap> {
    private final List<String> reconciled;

    Recorder(List<String> reconciled) {
      this.reconciled = reconciled;
    }

    @Override
    public UpdateControl<ConfigMap> reconcile(ConfigMap resource,
        io.javaoperatorsdk.operator.api.reconciler.Context<ConfigMap> context) {
      reconciled.add(resource.getMetadata().getName());
      return UpdateControl.noUpdate();
    }
  }

  @Test
  void twoReplicasElectOneLeaderOnlyItReconcilesAndTheOtherTakesOverWhenItGoes() {
    startServer();
    Replica a = new Replica("replica-a");
    replicas.add(a);
    Replica b = new Replica("replica-b");
    replicas.add(b);
    KubernetesClient test = client("test");

    String holder = await().atMost(TIMEOUT).until(() -> leaseHolder(test), h -> h.isPresent()).orElseThrow();
    Replica leader = holder.equals(a.identity) ? a : b;
    Replica follower = leader == a ? b : a;

    test.configMaps().inNamespace(WATCHED).resource(configMap("first")).create();
    await().atMost(TIMEOUT).until(() -> leader.reconciled.contains("first"));
    // the follower's informers see the same events; it must not act on them
    test.configMaps().inNamespace(WATCHED).withName("first").edit(c -> {
      c.getData().put("k", "v2");
      return c;
    });
    await().atMost(TIMEOUT).until(() -> leader.reconciled.stream().filter("first"::equals).count() >= 2);
    assertThat(follower.reconciled).isEmpty();
    assertThat(leaseHolder(test)).contains(leader.identity);

    // the leader goes (a rolling update, a lost node): the follower takes the Lease and reconciles what exists
    leader.operator.stop();
    assertThat(leader.stoppedLeading).containsExactly(leader.identity);
    await().atMost(TIMEOUT).until(() -> leaseHolder(test).filter(follower.identity::equals).isPresent());
    await().atMost(TIMEOUT).until(() -> follower.reconciled.contains("first"));
    test.configMaps().inNamespace(WATCHED).resource(configMap("second")).create();
    await().atMost(TIMEOUT).until(() -> follower.reconciled.contains("second"));
    assertThat(leader.reconciled).doesNotContain("second");

    // what leader election asked of the API server, and the verbs JOSDK's access check demands before it starts
    // (get, create, update: the fabric8 Lease lock itself renews with patch), is exactly what the chart's Role grants
    Set<String> needed = new TreeSet<>(leaseRequests());
    needed.addAll(List.of("coordination.k8s.io/leases:get", "coordination.k8s.io/leases:create",
        "coordination.k8s.io/leases:update"));
    assertThat(leaseRequests()).contains("coordination.k8s.io/leases:patch");
    assertThat(needed).isEqualTo(granted(HelmChartTest.renderedLeaseRules()));
    test.close();
  }

  @AfterEach
  void stop() {
    replicas.forEach(r -> r.operator.stop());
    if (server != null) {
      server.destroy();
    }
  }

  private void startServer() {
    // rendered once, up front: helm template takes seconds, longer than the client waits for an answer
    MockResponse review = rulesReview(HelmChartTest.renderedLeaseRules());
    Dispatcher dispatcher = new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        if (request.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")) {
          return review;
        }
        return crud.dispatch(request);
      }
    };
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(),
        dispatcher, false,
        new VersionInfo.Builder().withMajor("1").withMinor("33").withGitVersion("v1.33.0-mock").build());
    server.init();
  }

  /** The API server's answer to "what may I do in the operator's namespace": the chart's leader-election Role. */
  private static MockResponse rulesReview(List<PolicyRule> granted) {
    SelfSubjectRulesReview review = new SelfSubjectRulesReview();
    List<ResourceRule> rules = granted.stream()
        .map(r -> new ResourceRule(r.getApiGroups(), r.getResourceNames(), r.getResources(), r.getVerbs())).toList();
    review.setStatus(new SubjectRulesReviewStatus("", false, List.of(), rules));
    return new MockResponse().setResponseCode(201).setHeader("Content-Type", "application/json")
        .setBody(Serialization.asJson(review));
  }

  private KubernetesClient client(String agent) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty()).withMasterUrl(server.url("/"))
        .withUserAgent(agent).build()).build();
  }

  private static Optional<String> leaseHolder(KubernetesClient client) {
    Lease lease = client.leases().inNamespace(OPERATOR_NAMESPACE).withName("modelpilot-operator").get();
    return lease == null || lease.getSpec() == null ? Optional.empty()
        : Optional.ofNullable(lease.getSpec().getHolderIdentity());
  }

  private static ConfigMap configMap(String name) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(WATCHED).endMetadata()
        .addToData("k", "v").build();
  }

  private static OperatorSettings.LeaderElection settings(String identity) {
    return new OperatorSettings.LeaderElection() {
      @Override
      public boolean enabled() {
        return true;
      }

      @Override
      public String leaseName() {
        return "modelpilot-operator";
      }

      @Override
      public Optional<String> leaseNamespace() {
        return Optional.of(OPERATOR_NAMESPACE);
      }

      @Override
      public Optional<String> identity() {
        return Optional.of(identity);
      }

      // the production durations (15 s lease) only make the takeover slower
      @Override
      public Duration leaseDuration() {
        return Duration.ofSeconds(3);
      }

      @Override
      public Duration renewDeadline() {
        return Duration.ofSeconds(2);
      }

      @Override
      public Duration retryPeriod() {
        return Duration.ofMillis(300);
      }
    };
  }

  /** The replicas' requests on Leases, as group/resource:verb. */
  private Set<String> leaseRequests() {
    Set<String> used = new TreeSet<>();
    for (ServerSideApplyDispatcher.Request r : crud.requests()) {
      if (r.userAgent() == null || !r.userAgent().startsWith("replica-")
          || !r.pathWithoutQuery().startsWith("/apis/coordination.k8s.io/")) {
        continue;
      }
      assertThat(r.pathWithoutQuery()).as("a Lease outside the operator's namespace")
          .startsWith("/apis/coordination.k8s.io/v1/namespaces/" + OPERATOR_NAMESPACE + "/leases");
      String verb = switch (r.method()) {
        case "GET" -> "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        default -> r.method();
      };
      used.add("coordination.k8s.io/leases:" + verb);
    }
    return used;
  }

  private static Set<String> granted(List<PolicyRule> rules) {
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(group + "/" + resource + ":" + verb);
          }
        }
      }
    }
    return granted;
  }
}
