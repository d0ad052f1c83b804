package io.modelpilot.operator.deployment;

import io.modelpilot.operator.api.v1alpha1.AnalysisVerdict;
import io.modelpilot.operator.api.v1alpha1.CanaryPhase;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.modelpilot.operator.monitoring.ServiceMonitor;
import io.modelpilot.operator.api.v1alpha1.AnalysisMetric;
import io.modelpilot.operator.api.v1alpha1.RolloutStep;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.modelpilot.operator.api.v1alpha1.ApplySpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.TrafficMode;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatusBuilder;
import io.modelpilot.operator.api.v1alpha1.TuningAlgorithm;
import io.modelpilot.operator.api.v1alpha1.TuningJob;
import io.modelpilot.operator.api.v1alpha1.AppliedStatus;
import io.modelpilot.operator.api.v1alpha1.TrialStatus;
import io.modelpilot.operator.api.v1alpha1.TuningJobStatus;
import io.modelpilot.operator.helm.HelmChartTest;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.testkit.MockApiServer;
import io.modelpilot.testkit.MockApiServerResource;
import io.modelpilot.testkit.MockApiServerResource.InjectMockApiServer;
import io.modelpilot.testkit.ServerSideApplyDispatcher.Request;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * The operator in its production configuration (server-side apply on) against the mock API
 * server. Each test works in its own namespace. There is no kube-controller-manager here: tests
 * play its part by writing the Deployment's status.
 */
@QuarkusTest
@WithTestResource(MockApiServerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelDeploymentOperatorTest {

  static final String TEST_AGENT = "modelpilot-test";
  static final String SERVICE_MONITOR_CRD = "servicemonitors.monitoring.coreos.com";
  static final String HTTP_ROUTE_CRD = "httproutes.gateway.networking.k8s.io";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @InjectMockApiServer
  MockApiServer server;

  KubernetesClient kube;
  String testName;

  @BeforeEach
  void client(TestInfo info) {
    kube = server.client(TEST_AGENT);
    testName = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void close() {
    kube.close();
  }

  // ---------------------------------------------------------------- dependents, field by field

  @Test
  @Order(1)
  void cpuExampleGetsADeploymentAndAServiceOwnedByIt() {
    installServiceMonitorCrd(); // as the Prometheus Operator would: ModelPilot then creates ServiceMonitors
    ModelDeployment md = create("cpu", example("cpu-model.yaml", ModelDeployment.class));

    Deployment d = awaitDeployment("cpu", "fraud-detector");
    Service s = await().atMost(TIMEOUT).until(() -> kube.services().inNamespace("cpu").withName("fraud-detector").get(),
        x -> x != null);

    for (HasMetadata owned : List.of(d, s)) {
      assertThat(owned.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
        assertThat(ref.getKind()).isEqualTo("ModelDeployment");
        assertThat(ref.getName()).isEqualTo("fraud-detector");
        assertThat(ref.getUid()).isEqualTo(md.getMetadata().getUid());
        assertThat(ref.getController()).isTrue();
      });
    }
    var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(container.getImage()).isEqualTo("ghcr.io/modelpilot/runtime:0.1.0");
    assertThat(container.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).contains(
        "MODELPILOT_MODEL_URI=file:///models/mlp-classifier.onnx", "MODELPILOT_MODEL_NAME=fraud-detector",
        "MODELPILOT_MODEL_VERSION=v7", "MODELPILOT_INTRA_OP_THREADS=2", "MODELPILOT_MAX_BATCH_SIZE=32",
        "MODELPILOT_MAX_QUEUE_DELAY=2ms", "MODELPILOT_EXECUTION_PROVIDER=cpu");
    assertThat(d.getMetadata().getManagedFields()).anySatisfy(f -> assertThat(f.getOperation()).isEqualTo("Apply"));
    assertThat(s.getSpec().getSelector()).containsEntry("modelpilot.io/deployment", "fraud-detector");

    ModelDeployment status = awaitStatus("cpu", "fraud-detector", m -> m.getStatus().getRevision() != null);
    assertThat(status.getStatus().getRevision())
        .isEqualTo(d.getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision"));
    assertThat(status.getStatus().getEndpoint())
        .isEqualTo("http://fraud-detector.cpu.svc.cluster.local:8080/v2/models/fraud-detector");

    ServiceMonitor monitor = await().atMost(TIMEOUT).until(
        () -> kube.resources(ServiceMonitor.class).inNamespace("cpu").withName("fraud-detector").get(), x -> x != null);
    assertThat(monitor.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(md.getMetadata().getUid()));
    assertThat(monitor.getSpec().getSelector().getMatchLabels()).containsExactly(entry("modelpilot.io/deployment",
        "fraud-detector"));
    assertThat(monitor.getSpec().getEndpoints()).singleElement().satisfies(e -> {
      assertThat(e.getPort()).isEqualTo("http");
      assertThat(e.getPath()).isEqualTo("/q/metrics");
    });
    assertThat(monitor.getSpec().getPodTargetLabels())
        .containsExactly("modelpilot.io/deployment", "modelpilot.io/track", "modelpilot.io/revision");
  }

  @Test
  @Order(2)
  void eachModelDeploymentGetsAFeedbackKeySecretItOwnsAndAnExistingOneIsKept() {
    ModelDeployment md = create("feedback-key", example("cpu-model.yaml", ModelDeployment.class));

    Secret key = await().atMost(TIMEOUT).until(
        () -> kube.secrets().inNamespace("feedback-key").withName("fraud-detector-feedback-key").get(), x -> x != null);
    assertThat(java.util.Base64.getDecoder().decode(key.getData().get("key"))).hasSize(32);
    assertThat(key.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(md.getMetadata().getUid()));
    var pod = awaitDeployment("feedback-key", "fraud-detector").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("fraud-detector-feedback-key"));

    // a key that exists already (a restarted operator meets its own): kept, and the Deployment still comes
    Secret existing = new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
        .withName("fraud-detector-feedback-key").endMetadata()
        .withData(Map.of("key", "a2VwdC1rZXkta2VwdC1rZXkta2VwdC1rZXkta2VwdCE=")).build();
    kube.resource(existing).inNamespace("feedback-key-kept").create();
    create("feedback-key-kept", example("cpu-model.yaml", ModelDeployment.class));
    awaitDeployment("feedback-key-kept", "fraud-detector");
    assertThat(kube.secrets().inNamespace("feedback-key-kept").withName("fraud-detector-feedback-key").get()
        .getData()).containsEntry("key", "a2VwdC1rZXkta2VwdC1rZXkta2VwdC1rZXkta2VwdCE=");
    assertThat(server.requests()).filteredOn(r -> !TEST_AGENT.equals(r.userAgent()) && r.method().equals("POST")
        && r.pathWithoutQuery().equals("/api/v1/namespaces/feedback-key-kept/secrets")).hasSize(1);
  }

  private void installServiceMonitorCrd() {
    installCrd(SERVICE_MONITOR_CRD, "ServiceMonitor", false);
  }

  /**
   * A CRD of another project (a name {@code plural.group}) whose objects the stand-in API server keeps as they come,
   * as its controller's schema would let them through; {@code status}: with a status subresource.
   */
  private void installCrd(String name, String kind, boolean status) {
    String plural = name.substring(0, name.indexOf('.'));
    var version = new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersionBuilder()
        .withName("v1").withServed(true).withStorage(true)
        .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true)
        .endOpenAPIV3Schema().endSchema();
    if (status) {
      version.withNewSubresources().withNewStatus().endStatus().endSubresources();
    }
    kube.apiextensions().v1().customResourceDefinitions().resource(new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withGroup(name.substring(name.indexOf('.') + 1)).withScope("Namespaced")
        .withNewNames().withKind(kind).withPlural(plural).withSingular(plural.substring(0, plural.length() - 1))
        .withListKind(kind + "List").endNames()
        .addToVersions(version.build())
        .endSpec().build()).serverSideApply();
  }

  @Test
  @Order(2)
  void gpuExampleRunsOnTheNamedGpuProduct() {
    kube.resource(example("gpu-model.yaml", Secret.class)).inNamespace("gpu").create();
    create("gpu", example("gpu-model.yaml", ModelDeployment.class));

    var pod = awaitDeployment("gpu", "image-embedder").getSpec().getTemplate().getSpec();

    assertThat(pod.getContainers().get(0).getResources().getLimits()).containsKey("nvidia.com/gpu");
    assertThat(pod.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").getAmount()).isEqualTo("1");
    assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB")
        .containsEntry("topology.kubernetes.io/zone", "europe-west4-a");
    assertThat(pod.getTolerations()).anySatisfy(t -> assertThat(t.getKey()).isEqualTo("nvidia.com/gpu"));
    assertThat(pod.getContainers().get(0).getImage()).isEqualTo("ghcr.io/modelpilot/runtime-cuda:0.1.0");
  }

  // ---------------------------------------------------------------- references the schema cannot check

  @Test
  @Order(3)
  void missingClaimIsReportedAndTheDeploymentFollowsOnceItExists() {
    create("pvc", example("pvc-model.yaml", ModelDeployment.class));

    ModelDeployment md = awaitStatus("pvc", "churn-model", m -> ready(m) != null);
    assertThat(ready(md).getStatus()).isEqualTo("False");
    assertThat(ready(md).getReason()).isEqualTo("ModelClaimNotFound");
    assertThat(ready(md).getMessage()).contains("spec.model.uri").contains("model-store");
    assertThat(warnings("pvc", "churn-model")).anySatisfy(e -> {
      assertThat(e.getReason()).isEqualTo("ModelClaimNotFound");
      assertThat(e.getMessage()).contains("spec.model.uri");
    });
    assertThat(kube.apps().deployments().inNamespace("pvc").withName("churn-model").get()).isNull();

    kube.resource(example("pvc-model.yaml", PersistentVolumeClaim.class)).inNamespace("pvc").create();

    var pod = awaitDeployment("pvc", "churn-model").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getPersistentVolumeClaim() != null).singleElement()
        .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("model-store"));
    awaitStatus("pvc", "churn-model", m -> "Deploying".equals(ready(m).getReason()));
  }

  @Test
  @Order(4)
  void missingSecretIsReportedFromThePodWithItsFieldAndAnEventWithoutReadingSecrets() {
    create("secret", example("gpu-model.yaml", ModelDeployment.class));

    // the operator holds no permission on Secrets: it deploys, and the pod's optional Secret volume is empty
    Deployment d = awaitDeployment("secret", "image-embedder");
    assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> "model-credentials".equals(v.getName()))
        .singleElement().satisfies(v -> {
          assertThat(v.getSecret().getSecretName()).isEqualTo("model-registry-token");
          assertThat(v.getSecret().getOptional()).isTrue();
        });
    // what the kubelet reports for a runtime container that found no keys in its credentials directory
    String message = "{\"reason\":\"CredentialsSecretNotFound\",\"message\":\"the credentials Secret "
        + "(spec.model.credentialsSecretRef.name) is missing or empty\"}";
    crashedPod("secret", "image-embedder-5f7-x1", d, message);

    ModelDeployment md = awaitStatus("secret", "image-embedder",
        m -> ready(m) != null && "CredentialsSecretNotFound".equals(ready(m).getReason()));
    assertThat(ready(md).getStatus()).isEqualTo("False");
    assertThat(ready(md).getMessage()).contains("spec.model.credentialsSecretRef.name")
        .contains("Secret \"model-registry-token\"").contains("namespace \"secret\"");
    assertThat(Conditions.isTrue(md.getStatus().getConditions(), "Degraded")).isTrue();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("secret", "image-embedder"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CredentialsSecretNotFound")));
    assertThat(server.requests().stream().filter(r -> !TEST_AGENT.equals(r.userAgent()))
        .filter(r -> r.pathWithoutQuery().contains("/secrets") && !r.method().equals("POST")).toList())
        .as("reads of Secrets (the operator only creates its feedback key)").isEmpty();
  }

  // ---------------------------------------------------------------- rollout and status

  @Test
  @Order(5)
  void statusFollowsTheDeploymentToReadyAndToDegraded() {
    create("status", example("cpu-model.yaml", ModelDeployment.class));
    awaitDeployment("status", "fraud-detector");
    assertThat(ready(awaitStatus("status", "fraud-detector", m -> ready(m) != null)).getReason()).isEqualTo("Deploying");

    rollOut("status", "fraud-detector", 2, List.of());

    ModelDeployment md = awaitStatus("status", "fraud-detector", m -> "True".equals(ready(m).getStatus()));
    assertThat(ready(md).getReason()).isEqualTo("Available");
    assertThat(md.getStatus().getReplicaSummary()).isEqualTo("2/2");
    assertThat(md.getStatus().getObservedGeneration()).isEqualTo(md.getMetadata().getGeneration());
    assertThat(Conditions.find(md.getStatus().getConditions(), "Progressing").orElseThrow().getStatus()).isEqualTo("False");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("status", "fraud-detector"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Available")));

    rollOut("status", "fraud-detector", 0, List.of(new DeploymentConditionBuilder().withType("Progressing")
        .withStatus("False").withReason("ProgressDeadlineExceeded")
        .withMessage("ReplicaSet \"fraud-detector-7d9\" has timed out progressing.").build()));

    md = awaitStatus("status", "fraud-detector", m -> Conditions.isTrue(m.getStatus().getConditions(), "Degraded"));
    assertThat(Conditions.find(md.getStatus().getConditions(), "Degraded").orElseThrow().getReason())
        .isEqualTo("ProgressDeadlineExceeded");
    assertThat(ready(md).getStatus()).isEqualTo("False");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("status", "fraud-detector"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ProgressDeadlineExceeded")));
  }

  @Test
  @Order(5)
  void aPodThatRefusesTheModelsDigestMakesReadyFalseWithTheRuntimesReasonAndAWarning() {
    ModelDeployment wrong = example("cpu-model.yaml", ModelDeployment.class);
    wrong.getSpec().getModel().setSha256("0".repeat(64));
    create("digest", wrong);
    Deployment d = awaitDeployment("digest", "fraud-detector");
    assertThat(ready(awaitStatus("digest", "fraud-detector", m -> ready(m) != null)).getReason())
        .isEqualTo("Deploying");

    // what the kubelet reports for a runtime container that exited after writing its termination message; the
    // Deployment's status does not change, so the operator must look at the pods by itself
    String message = "{\"reason\":\"ModelDigestMismatch\",\"message\":\"the model at file:///models/"
        + "mlp-classifier.onnx has SHA-256 ab12, but spec.model.sha256 (MODELPILOT_MODEL_SHA256) expects 0000\"}";
    crashedPod("digest", "fraud-detector-5f7-x1", d, message);

    ModelDeployment md = awaitStatus("digest", "fraud-detector",
        m -> "ModelDigestMismatch".equals(ready(m).getReason()));
    assertThat(ready(md).getStatus()).isEqualTo("False");
    assertThat(ready(md).getMessage()).contains("fraud-detector-5f7-x1").contains("spec.model.sha256");
    assertThat(Conditions.find(md.getStatus().getConditions(), "Degraded").orElseThrow().getReason())
        .isEqualTo("ModelDigestMismatch");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("digest", "fraud-detector"))
        .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("ModelDigestMismatch")));
  }

  @Test
  @Order(6)
  void specChangeRollsOutANewRevision() {
    create("change", example("cpu-model.yaml", ModelDeployment.class));
    String before = revision(awaitDeployment("change", "fraud-detector"));
    rollOut("change", "fraud-detector", 2, List.of());
    awaitStatus("change", "fraud-detector", m -> "True".equals(ready(m).getStatus()));

    editModel("change", "fraud-detector", m -> {
      m.getSpec().getRuntime().setIntraOpThreads(6);
      return m;
    });

    Deployment d = await().atMost(TIMEOUT).until(
        () -> kube.apps().deployments().inNamespace("change").withName("fraud-detector").get(),
        x -> !before.equals(revision(x)));
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> assertThat(e.getName() + "=" + e.getValue()).isEqualTo("MODELPILOT_INTRA_OP_THREADS=6"));
    assertThat(d.getMetadata().getLabels()).containsEntry("modelpilot.io/revision", revision(d));
    ModelDeployment md = awaitStatus("change", "fraud-detector", m -> revision(d).equals(m.getStatus().getRevision()));
    assertThat(Conditions.isTrue(md.getStatus().getConditions(), "Progressing")).isTrue();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("change", "fraud-detector"))
        .anySatisfy(e -> assertThat(e.getMessage()).contains("rolling out revision " + revision(d))));

    rollOut("change", "fraud-detector", 2, List.of());
    awaitStatus("change", "fraud-detector", m -> !Conditions.isTrue(m.getStatus().getConditions(), "Progressing"));
  }

  @Test
  @Order(7)
  void aReconcileWithNothingToChangeWritesNothing() {
    kube.resource(example("pvc-model.yaml", PersistentVolumeClaim.class)).inNamespace("noop").create();
    ModelDeployment gpu = example("gpu-model.yaml", ModelDeployment.class);
    gpu.getSpec().getModel().setUri("pvc://model-store/image-embedder/v3/model.onnx");
    gpu.getSpec().getModel().setCredentialsSecretRef(null);
    create("noop", gpu);
    awaitDeployment("noop", "image-embedder");
    rollOut("noop", "image-embedder", 1, List.of());
    awaitStatus("noop", "image-embedder", m -> "True".equals(ready(m).getStatus()));
    awaitQuiet("noop");
    // every reconcile of this model reads its PersistentVolumeClaim: that read proves a reconcile ran
    long reconcilesBefore = claimReads("noop");

    // a change the operator does not own: a label someone else adds triggers a reconcile
    editRetryingOnConflict(kube.apps().deployments().inNamespace("noop").withName("image-embedder"), d -> {
      d.getMetadata().getLabels().put("team", "vision");
      return d;
    });
    int writesBefore = writesIn("noop").size();
    await().atMost(TIMEOUT).until(() -> claimReads("noop") > reconcilesBefore);
    awaitQuiet("noop");

    assertThat(writesIn("noop").subList(writesBefore, writesIn("noop").size()))
        .as("writes by the operator after a no-op reconcile").isEmpty();
    assertThat(kube.apps().deployments().inNamespace("noop").withName("image-embedder").get().getMetadata()
        .getLabels()).containsEntry("team", "vision");
  }

  @Test
  @Order(7)
  void aModelOfSeveralPodsGetsADisruptionBudgetOverAllItsPodsWhileItHasMoreThanOne() {
    ModelDeployment md = create("pdb", example("cpu-model.yaml", ModelDeployment.class)); // 2 replicas
    Resource<PodDisruptionBudget> budget = kube.policy().v1().podDisruptionBudget().inNamespace("pdb")
        .withName("fraud-detector");

    PodDisruptionBudget pdb = await().atMost(TIMEOUT).until(budget::get, x -> x != null);
    assertThat(pdb.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getUid()).isEqualTo(md.getMetadata().getUid());
      assertThat(ref.getController()).isTrue();
    });
    // the Service's selector: stable and canary pods alike, never a tuning trial's
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .containsExactly(entry("modelpilot.io/deployment", "fraud-detector"));
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getUnhealthyPodEvictionPolicy()).isEqualTo("AlwaysAllow");
    awaitQuiet("pdb");
    long budgetWrites = writesIn("pdb").stream().filter(r -> r.path().contains("/poddisruptionbudgets")).count();

    editModel("pdb", "fraud-detector", m -> {
      m.getSpec().setReplicas(3);
      return m;
    });
    await().atMost(TIMEOUT).until(() -> awaitDeployment("pdb", "fraud-detector").getSpec().getReplicas() == 3);
    awaitQuiet("pdb");
    assertThat(writesIn("pdb").stream().filter(r -> r.path().contains("/poddisruptionbudgets")).count())
        .as("the budget does not depend on the count").isEqualTo(budgetWrites);

    editModel("pdb", "fraud-detector", m -> {
      m.getSpec().setReplicas(1);
      return m;
    });
    await().atMost(TIMEOUT).until(() -> budget.get() == null);

    editModel("pdb", "fraud-detector", m -> {
      m.getSpec().setReplicas(2);
      return m;
    });
    await().atMost(TIMEOUT).until(budget::get, x -> x != null);
  }

  // ---------------------------------------------------------------- autoscaling

  @Test
  @Order(8)
  void autoscalingFollowsPrometheusAndHoldsWhenItIsUnreachable() throws Exception {
    try (FakePrometheus prometheus = new FakePrometheus()) {
      prometheus.requestsPerSecond(10);
      ModelDeployment md = example("autoscaling-model.yaml", ModelDeployment.class);
      md.getSpec().getAutoscaling().setPrometheusUrl(prometheus.url());
      md.getSpec().getAutoscaling().setInterval("1s");
      create("scale", md);
      awaitDeployment("scale", "fraud-autoscaled");
      rollOut("scale", "fraud-autoscaled", 1, List.of());
      awaitStatus("scale", "fraud-autoscaled", m -> m.getStatus().getAutoscaling() != null
          && m.getStatus().getAutoscaling().getDesiredReplicas() == 1);

      // 75 requests/s against 20 per replica: HPA's policy allows +4 pods per 15 s; the max is 4
      prometheus.requestsPerSecond(75);
      Deployment scaled = await().atMost(TIMEOUT).until(
          () -> kube.apps().deployments().inNamespace("scale").withName("fraud-autoscaled").get(),
          d -> d.getSpec().getReplicas() == 4);
      rollOut("scale", "fraud-autoscaled", 4, List.of());
      ModelDeployment up = awaitStatus("scale", "fraud-autoscaled",
          m -> "True".equals(ready(m).getStatus()) && m.getStatus().getReplicas() == 4);
      assertThat(up.getStatus().getAutoscaling().getLastScaleTime()).isNotNull();
      assertThat(up.getStatus().getAutoscaling().getMetrics()).anySatisfy(mm -> {
        assertThat(mm.getName()).isEqualTo("requests/s per replica");
        assertThat(mm.getTarget()).isEqualTo(20.0);
      });
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("scale", "fraud-autoscaled"))
          .anySatisfy(e -> {
            assertThat(e.getReason()).isEqualTo("Scaled");
            assertThat(e.getMessage()).contains("1→4").contains("requests/s per replica");
          }));
      assertThat(prometheus.queries).anySatisfy(q -> assertThat(q)
          .contains("namespace=\"scale\"").contains("modelpilot_io_deployment=\"fraud-autoscaled\""));

      // Prometheus gone: replicas hold, the condition says why, and nothing scales down
      prometheus.requestsPerSecond(0);
      prometheus.down(true);
      ModelDeployment held = awaitStatus("scale", "fraud-autoscaled",
          m -> Conditions.find(m.getStatus().getConditions(), "ScalingActive")
              .map(c -> "MetricsUnavailable".equals(c.getReason())).orElse(false));
      assertThat(held.getStatus().getAutoscaling().getDesiredReplicas()).isEqualTo(4);
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(
          kube.apps().deployments().inNamespace("scale").withName("fraud-autoscaled").get().getSpec().getReplicas())
          .isEqualTo(4));
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("scale", "fraud-autoscaled"))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("MetricsUnavailable")));

      // back, with load still high: the condition clears, replicas stay
      prometheus.requestsPerSecond(75);
      prometheus.down(false);
      awaitStatus("scale", "fraud-autoscaled", m -> Conditions.isTrue(m.getStatus().getConditions(), "ScalingActive"));
      assertThat(scaled.getSpec().getReplicas()).isEqualTo(4);
    }
  }

  // ---------------------------------------------------------------- canary

  @Test
  @Order(9)
  void canaryIsPromotedWhenHealthyRolledBackWhenFailingAndFollowsTheAnnotations() throws Exception {
    try (FakePrometheus prometheus = new FakePrometheus()) {
      double[] canaryErrors = {0};
      prometheus.answers = q -> q.contains("status_class=~\"4xx|5xx\"")
          ? (q.contains("modelpilot_io_track=\"canary\"") ? canaryErrors[0] : 0.0)
          : 100.0; // requests/s of each track
      ModelDeployment md = example("canary-model.yaml", ModelDeployment.class);
      md.getSpec().setReplicas(2);
      md.getSpec().getRollout().setSteps(List.of(step(50, "1s")));
      md.getSpec().getRollout().getAnalysis().setInterval("1s");
      md.getSpec().getRollout().getAnalysis().setMinRequests(5L);
      md.getSpec().getRollout().getAnalysis().setPrometheusUrl(prometheus.url());
      md.getSpec().getRollout().getAnalysis().setMetrics(List.of(errorRate(0.05)));
      create("canary", md);
      awaitDeployment("canary", "fraud-canary");
      rollOut("canary", "fraud-canary", 2, List.of());
      String v1 = awaitStatus("canary", "fraud-canary", m -> "True".equals(ready(m).getStatus())).getStatus()
          .getRevision();
      assertThat(kube.apps().deployments().inNamespace("canary").withName("fraud-canary-canary").get()).isNull();

      // a new version: a canary Deployment beside stable, which keeps its revision
      setVersion("v2");
      Deployment canary = awaitDeployment("canary", "fraud-canary-canary");
      String v2 = revision(canary);
      assertThat(v2).isNotEqualTo(v1);
      assertThat(canary.getSpec().getReplicas()).isEqualTo(1);
      assertThat(canary.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("modelpilot.io/track", "canary");
      assertThat(canary.getSpec().getSelector().getMatchLabels()).containsEntry("modelpilot.io/track", "canary");
      // the canary Deployment and the stable one's smaller share are two writes: wait for the second
      Deployment stable = await().atMost(TIMEOUT).until(
          () -> kube.apps().deployments().inNamespace("canary").withName("fraud-canary").get(),
          d -> d.getSpec().getReplicas() == 1);
      assertThat(revision(stable)).isEqualTo(v1);
      ModelDeployment during = awaitStatus("canary", "fraud-canary", m -> m.getStatus().getCanary() != null
          && v2.equals(m.getStatus().getCanary().getRevision()));
      assertThat(during.getStatus().getCanary().getWeight()).isEqualTo(50);
      rollOut("canary", "fraud-canary-canary", 1, List.of());

      // healthy: promoted after its step; stable takes v2, then the canary goes
      await().atMost(TIMEOUT).until(() -> revision(kube.apps().deployments().inNamespace("canary")
          .withName("fraud-canary").get()).equals(v2));
      rollOut("canary", "fraud-canary", 2, List.of());
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace("canary")
          .withName("fraud-canary-canary").get() == null);
      ModelDeployment promoted = awaitStatus("canary", "fraud-canary",
          m -> m.getStatus().getCanary().getPhase() == CanaryPhase.PROMOTED && v2.equals(m.getStatus().getRevision()));
      assertThat(promoted.getStatus().getCanary().getLastVerdict()).isEqualTo(AnalysisVerdict.PASS);
      assertThat(prometheus.queries).anySatisfy(q -> assertThat(q).contains("modelpilot_io_track=\"canary\"")
          .contains("modelpilot_io_revision=\"" + v2 + "\"").contains("status_class=~\"4xx|5xx\""));
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("canary", "fraud-canary"))
          .extracting(Event::getReason).contains("CanaryStarted", "CanaryPromoted"));

      // failing: half the canary's requests fail, so it is rolled back and remembered
      canaryErrors[0] = 0.5;
      setVersion("v3");
      awaitDeployment("canary", "fraud-canary-canary");
      rollOut("canary", "fraud-canary-canary", 1, List.of());
      ModelDeployment rolledBack = awaitStatus("canary", "fraud-canary",
          m -> m.getStatus().getCanary().getPhase() == CanaryPhase.ROLLED_BACK);
      String v3 = rolledBack.getStatus().getCanary().getRevision();
      assertThat(rolledBack.getStatus().getCanary().getFailedRevision()).isEqualTo(v3);
      assertThat(rolledBack.getStatus().getRevision()).isEqualTo(v2);
      assertThat(rolledBack.getStatus().getCanary().getLastFailure().getMetric()).isEqualTo("ErrorRate");
      Condition degraded = Conditions.find(rolledBack.getStatus().getConditions(), Conditions.DEGRADED).orElseThrow();
      assertThat(degraded.getStatus()).isEqualTo("True");
      assertThat(degraded.getReason()).isEqualTo("CanaryFailed");
      assertThat(degraded.getMessage()).contains(v3).contains("ErrorRate");
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace("canary")
          .withName("fraud-canary-canary").get() == null);
      assertThat(revision(kube.apps().deployments().inNamespace("canary").withName("fraud-canary").get()))
          .isEqualTo(v2);
      assertThat(kube.apps().deployments().inNamespace("canary").withName("fraud-canary").get().getSpec()
          .getReplicas()).isEqualTo(2);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("canary", "fraud-canary"))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("CanaryRolledBack")));

      // a manual step waits for a person: the promote annotation acts only when it names the canary's revision
      canaryErrors[0] = 0;
      editModel("canary", "fraud-canary", m -> {
        m.getSpec().getModel().setVersion("v4");
        m.getSpec().getRollout().setSteps(List.of(step(50, null)));
        return m;
      });
      String v4 = revision(awaitDeployment("canary", "fraud-canary-canary"));
      rollOut("canary", "fraud-canary-canary", 1, List.of());
      awaitStatus("canary", "fraud-canary", m -> m.getStatus().getCanary().getPhase() == CanaryPhase.AWAITING_PROMOTION);
      annotate("canary", "fraud-canary", "modelpilot.io/promote", "true");
      ModelDeployment ignored = awaitStatus("canary", "fraud-canary",
          m -> m.getStatus().getCanary().getIgnoredAnnotations() != null);
      assertThat(ignored.getStatus().getCanary().getIgnoredAnnotations()).containsExactly("modelpilot.io/promote=true");
      assertThat(ignored.getStatus().getCanary().getPhase()).isEqualTo(CanaryPhase.AWAITING_PROMOTION);
      assertThat(ignored.getStatus().getCanary().getMessage()).contains("modelpilot.io/promote: " + v4);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("canary", "fraud-canary"))
          .filteredOn(e -> "AnnotationIgnored".equals(e.getReason())).singleElement()
          .satisfies(e -> assertThat(e.getMessage()).contains("names no revision").contains(v4)));
      annotate("canary", "fraud-canary", "modelpilot.io/promote", v4);
      awaitStatus("canary", "fraud-canary", m -> m.getStatus().getCanary().getPhase() == CanaryPhase.PROMOTED);
      rollOut("canary", "fraud-canary", 2, List.of());
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace("canary")
          .withName("fraud-canary-canary").get() == null);

      // GitOps keeps the annotation: it stays as written, and the next canary is not promoted by it
      editModel("canary", "fraud-canary", m -> {
        m.getSpec().getModel().setVersion("v5");
        return m;
      });
      String v5 = revision(awaitDeployment("canary", "fraud-canary-canary"));
      rollOut("canary", "fraud-canary-canary", 1, List.of());
      ModelDeployment next = awaitStatus("canary", "fraud-canary", m -> v5.equals(m.getStatus().getCanary().getRevision())
          && m.getStatus().getCanary().getPhase() == CanaryPhase.AWAITING_PROMOTION
          && m.getStatus().getCanary().getIgnoredAnnotations() != null);
      assertThat(next.getStatus().getCanary().getIgnoredAnnotations()).containsExactly("modelpilot.io/promote=" + v4);
      assertThat(next.getMetadata().getAnnotations()).containsEntry("modelpilot.io/promote", v4);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events("canary", "fraud-canary"))
          .filteredOn(e -> "AnnotationIgnored".equals(e.getReason())).hasSize(2)
          .anySatisfy(e -> assertThat(e.getMessage()).contains("names revision " + v4).contains(v5)));
      annotate("canary", "fraud-canary", "modelpilot.io/abort", v5);
      ModelDeployment aborted = awaitStatus("canary", "fraud-canary",
          m -> m.getStatus().getCanary().getPhase() == CanaryPhase.ABORTED);
      assertThat(aborted.getStatus().getCanary().getFailedRevision()).isEqualTo(v5);
      assertThat(aborted.getMetadata().getAnnotations()).containsEntry("modelpilot.io/promote", v4)
          .containsEntry("modelpilot.io/abort", v5);
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace("canary")
          .withName("fraud-canary-canary").get() == null);
      assertThat(revision(kube.apps().deployments().inNamespace("canary").withName("fraud-canary").get()))
          .isEqualTo(v4);
    }
  }

  // ---------------------------------------------------------------- Gateway API traffic

  @Test
  @Order(10)
  void aRouteSplitsTheCanaryByWeightOnceTheClusterServesHttpRoutes() throws Exception {
    String ns = "routed";
    String name = "fraud-routed";
    try (FakePrometheus prometheus = new FakePrometheus()) {
      double[] canaryErrors = {0};
      prometheus.answers = q -> q.contains("status_class=~\"4xx|5xx\"")
          ? (q.contains("modelpilot_io_track=\"canary\"") ? canaryErrors[0] : 0.0)
          : 100.0;
      ModelDeployment md = example("canary-gateway-api.yaml", ModelDeployment.class);
      md.getSpec().getRollout().setSteps(List.of(step(25, "1s"), step(50, null)));
      md.getSpec().getRollout().getAnalysis().setInterval("1s");
      md.getSpec().getRollout().getAnalysis().setMinRequests(5L);
      md.getSpec().getRollout().getAnalysis().setPrometheusUrl(prometheus.url());
      md.getSpec().getRollout().getAnalysis().setMetrics(List.of(errorRate(0.05)));
      md = create(ns, md);
      String uid = md.getMetadata().getUid();

      // no Gateway API in the cluster: no route, no track Service, and a condition and a Warning say why
      ModelDeployment without = awaitStatus(ns, name, m -> trafficRouting(m) != null);
      assertThat(trafficRouting(without).getStatus()).isEqualTo("False");
      assertThat(trafficRouting(without).getReason()).isEqualTo("GatewayAPIUnavailable");
      assertThat(trafficRouting(without).getMessage()).contains("spec.rollout.traffic.gatewayAPI")
          .contains("httproutes.gateway.networking.k8s.io").contains("Service " + name);
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings(ns, name))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("GatewayAPIUnavailable")));
      awaitDeployment(ns, name);
      rollOut(ns, name, 4, List.of());
      awaitStatus(ns, name, m -> "True".equals(ready(m).getStatus()));
      assertThat(kube.services().inNamespace(ns).withName(name + "-stable").get()).isNull();
      assertThat(kube.services().inNamespace(ns).withName(name + "-canary").get()).isNull();

      // Gateway API installed: the track Services and the route appear, every request to stable
      installHttpRouteCrd();
      HTTPRoute route = awaitRoute(ns, name, r -> true);
      assertThat(route.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid));
      assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> {
        assertThat(p.getName()).isEqualTo("public");
        assertThat(p.getNamespace()).isEqualTo("gateways");
        assertThat(p.getSectionName()).isEqualTo("https");
        assertThat(p.getKind()).isEqualTo("Gateway");
      });
      assertThat(route.getSpec().getHostnames()).containsExactly("fraud.models.example.com");
      assertThat(weights(route)).containsExactly(entry(name + "-stable", 100), entry(name + "-canary", 0));
      for (String track : List.of("stable", "canary")) {
        Service service = kube.services().inNamespace(ns).withName(name + "-" + track).get();
        assertThat(service.getSpec().getSelector()).containsOnly(entry("modelpilot.io/deployment", name),
            entry("modelpilot.io/track", track));
        assertThat(service.getMetadata().getLabels()).containsEntry("modelpilot.io/track", track);
        assertThat(service.getMetadata().getOwnerReferences()).singleElement()
            .satisfies(ref -> assertThat(ref.getUid()).isEqualTo(uid));
      }
      ModelDeployment routed = awaitStatus(ns, name, m -> "True".equals(trafficRouting(m).getStatus()));
      assertThat(trafficRouting(routed).getReason()).isEqualTo("HTTPRouteManaged");
      assertThat(trafficRouting(routed).getMessage()).contains("100% of the requests to Service " + name + "-stable");

      // a Gateway controller that does not admit the route: the condition and a Warning say so, in its words
      gatewaySays(ns, name, "False", "NotAllowedByListeners", "namespace routed is not allowed");
      ModelDeployment refused = awaitStatus(ns, name,
          m -> "HTTPRouteNotAccepted".equals(trafficRouting(m).getReason()));
      assertThat(trafficRouting(refused).getStatus()).isEqualTo("False");
      assertThat(trafficRouting(refused).getMessage()).contains(
          "gateways/public (https): Accepted=False NotAllowedByListeners: namespace routed is not allowed");
      await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings(ns, name))
          .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("HTTPRouteNotAccepted")));
      gatewaySays(ns, name, "True", "Accepted", "accepted");
      awaitStatus(ns, name, m -> "HTTPRouteManaged".equals(trafficRouting(m).getReason()));

      // a new version: the canary runs its 25% of the replicas beside a stable track at full size, and gets its
      // weight in the route once its pod is ready
      setVersion(ns, name, "v2");
      Deployment canary = awaitDeployment(ns, name + "-canary");
      String v2 = revision(canary);
      assertThat(canary.getSpec().getReplicas()).isEqualTo(1);
      assertThat(kube.apps().deployments().inNamespace(ns).withName(name).get().getSpec().getReplicas())
          .as("stable keeps every replica").isEqualTo(4);
      assertThat(weights(kube.resources(HTTPRoute.class).inNamespace(ns).withName(name).get()))
          .as("no canary pod ready yet").containsEntry(name + "-canary", 0);
      rollOut(ns, name + "-canary", 1, List.of());
      awaitRoute(ns, name, r -> weights(r).equals(Map.of(name + "-stable", 75, name + "-canary", 25)));
      ModelDeployment first = awaitStatus(ns, name, m -> m.getStatus().getCanary() != null
          && v2.equals(m.getStatus().getCanary().getRevision())
          && Integer.valueOf(25).equals(m.getStatus().getCanary().getEffectiveWeight()));
      assertThat(first.getStatus().getCanary().getTraffic()).isEqualTo(TrafficMode.HTTP_ROUTE);

      // the next step (50%, by hand): two canary pods; the route follows once both are ready
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace(ns).withName(name + "-canary").get()
          .getSpec().getReplicas() == 2);
      rollOut(ns, name + "-canary", 2, List.of());
      awaitRoute(ns, name, r -> weights(r).equals(Map.of(name + "-stable", 50, name + "-canary", 50)));
      awaitStatus(ns, name, m -> m.getStatus().getCanary().getPhase() == CanaryPhase.AWAITING_PROMOTION
          && Integer.valueOf(50).equals(m.getStatus().getCanary().getEffectiveWeight()));

      // promoted: every request to stable, which takes the new revision; the canary Service stays, at weight 0
      annotate(ns, name, "modelpilot.io/promote", v2);
      awaitRoute(ns, name, r -> weights(r).equals(Map.of(name + "-stable", 100, name + "-canary", 0)));
      awaitStatus(ns, name, m -> m.getStatus().getCanary().getPhase() == CanaryPhase.PROMOTED);
      rollOut(ns, name, 4, List.of());
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace(ns).withName(name + "-canary")
          .get() == null);
      assertThat(kube.services().inNamespace(ns).withName(name + "-canary").get()).isNotNull();

      // a failing canary: its weight while it is judged, then rolled back to 100/0
      canaryErrors[0] = 0.5;
      setVersion(ns, name, "v3");
      awaitDeployment(ns, name + "-canary");
      rollOut(ns, name + "-canary", 1, List.of());
      awaitRoute(ns, name, r -> weights(r).get(name + "-canary") == 25);
      awaitStatus(ns, name, m -> m.getStatus().getCanary().getPhase() == CanaryPhase.ROLLED_BACK);
      awaitRoute(ns, name, r -> weights(r).equals(Map.of(name + "-stable", 100, name + "-canary", 0)));
      await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace(ns).withName(name + "-canary")
          .get() == null);

      // the spec no longer asks for a route: the route and the track Services go, and so does the condition
      editModel(ns, name, m -> {
        m.getSpec().getRollout().setTraffic(null);
        return m;
      });
      await().atMost(TIMEOUT).until(() -> kube.resources(HTTPRoute.class).inNamespace(ns).withName(name).get() == null
          && kube.services().inNamespace(ns).withName(name + "-stable").get() == null
          && kube.services().inNamespace(ns).withName(name + "-canary").get() == null);
      awaitStatus(ns, name, m -> trafficRouting(m) == null);
      assertThat(kube.services().inNamespace(ns).withName(name).get()).as("the Service over every track stays")
          .isNotNull();
    }
  }

  private void installHttpRouteCrd() {
    installCrd(HTTP_ROUTE_CRD, "HTTPRoute", true);
  }

  /** What a Gateway controller writes into the route's status about the Gateway it names. */
  private void gatewaySays(String namespace, String name, String accepted, String reason, String message) {
    kube.resources(HTTPRoute.class).inNamespace(namespace).withName(name).editStatus(r -> {
      r.setStatus(new HTTPRouteStatusBuilder().addNewParent().withControllerName("gateway.example.com/controller")
          .withNewParentRef().withGroup("gateway.networking.k8s.io").withKind("Gateway").withName("public")
          .withNamespace("gateways").withSectionName("https").endParentRef()
          .addToConditions(new io.fabric8.kubernetes.api.model.ConditionBuilder().withType("Accepted")
              .withStatus(accepted).withReason(reason).withMessage(message)
              .withObservedGeneration(r.getMetadata().getGeneration())
              .withLastTransitionTime("2026-12-01T10:00:00Z").build())
          .endParent().build());
      return r;
    });
  }

  private HTTPRoute awaitRoute(String namespace, String name, java.util.function.Predicate<HTTPRoute> p) {
    return await().atMost(TIMEOUT).until(() -> kube.resources(HTTPRoute.class).inNamespace(namespace)
        .withName(name).get(), r -> r != null && p.test(r));
  }

  /** The route's backends, Service name → weight. */
  private static Map<String, Integer> weights(HTTPRoute route) {
    Map<String, Integer> weights = new java.util.LinkedHashMap<>();
    assertThat(route.getSpec().getRules()).hasSize(1);
    route.getSpec().getRules().get(0).getBackendRefs().forEach(b -> weights.put(b.getName(), b.getWeight()));
    return weights;
  }

  private static Condition trafficRouting(ModelDeployment md) {
    return Conditions.find(md.getStatus().getConditions(), Conditions.TRAFFIC_ROUTING).orElse(null);
  }

  private void annotate(String namespace, String name, String annotation, String value) {
    editModel(namespace, name, m -> {
      if (m.getMetadata().getAnnotations() == null) {
        m.getMetadata().setAnnotations(new java.util.HashMap<>());
      }
      m.getMetadata().getAnnotations().put(annotation, value);
      return m;
    });
  }

  /**
   * A read-modify-write, retried on 409 Conflict as any client of a real API server must retry it: the operator's
   * status writes move the object's resourceVersion on between the read and the write.
   */
  private static <T extends HasMetadata> void editRetryingOnConflict(Resource<T> resource, UnaryOperator<T> change) {
    await().atMost(TIMEOUT)
        .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(() -> resource.edit(change) != null);
  }

  private void editModel(String namespace, String name, UnaryOperator<ModelDeployment> change) {
    editRetryingOnConflict(kube.resources(ModelDeployment.class).inNamespace(namespace).withName(name), change);
  }

  private void setVersion(String version) {
    setVersion("canary", "fraud-canary", version);
  }

  private void setVersion(String namespace, String name, String version) {
    editModel(namespace, name, m -> {
      m.getSpec().getModel().setVersion(version);
      return m;
    });
  }

  private static RolloutStep step(int weight, String pause) {
    RolloutStep step = new RolloutStep();
    step.setWeight(weight);
    step.setPause(pause);
    return step;
  }

  private static AnalysisMetric errorRate(double max) {
    AnalysisMetric metric = new AnalysisMetric();
    metric.setType(AnalysisMetric.Type.ERROR_RATE);
    metric.setMax(max);
    return metric;
  }

  // ---------------------------------------------------------------- TuningJob

  @Test
  @Order(50)
  void tuningJobRunsTrialsAsJobsAndShipsTheBestPointIntoItsTarget() {
    create("tune", example("cpu-model.yaml", ModelDeployment.class));
    awaitDeployment("tune", "fraud-detector");
    rollOut("tune", "fraud-detector", 2, List.of());
    awaitStatus("tune", "fraud-detector", m -> "True".equals(ready(m).getStatus()));
    TuningJob tj = tuningJob("threads", "fraud-detector", 4, 2, 1, TuningAlgorithm.Name.GRID, ApplySpec.Policy.CANARY);
    kube.resource(tj).create();

    // play the kubelet: each trial reports a throughput that peaks at 3 threads
    Set<String> done = new TreeSet<>();
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
      List<Job> jobs = trialJobs("tune", "threads");
      long unfinished = jobs.stream().filter(j -> !done.contains(j.getMetadata().getName())).count();
      assertThat(unfinished).as("never more than parallelTrials at once").isLessThanOrEqualTo(2);
      for (Job job : jobs) {
        if (done.add(job.getMetadata().getName())) {
          int threads = Integer.parseInt(env(job, "MODELPILOT_INTRA_OP_THREADS"));
          finishTrial("tune", job, "{\"throughput\": " + (500 - 40 * (threads - 3) * (threads - 3))
              + ", \"latencyP99Ms\": 12.5, \"model\": \"fraud-detector\"}", true);
        }
      }
      return done.size() == 4;
    });

    Job first = trialJobs("tune", "threads").get(0);
    assertThat(first.getSpec().getBackoffLimit()).isZero();
    assertThat(first.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("TuningJob"));
    var pod = first.getSpec().getTemplate();
    assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
    assertThat(pod.getMetadata().getLabels()).as("the target's Service must never select a trial")
        .doesNotContainKey("modelpilot.io/deployment");
    assertThat(pod.getSpec().getContainers().get(0).getArgs()).startsWith("bench");
    assertThat(pod.getSpec().getContainers().get(0).getImage()).isEqualTo("ghcr.io/modelpilot/runtime:0.1.0");

    ModelDeployment target = await().atMost(TIMEOUT).until(
        () -> kube.resources(ModelDeployment.class).inNamespace("tune").withName("fraud-detector").get(),
        m -> Integer.valueOf(3).equals(m.getSpec().getRuntime().getIntraOpThreads()));
    assertThat(target.getSpec().getRuntime().getBatching().getMaxBatchSize()).as("the rest of the spec is kept")
        .isEqualTo(32);
    TuningJob applying = awaitTuning("tune", "threads", t -> t.getStatus().getApplied() != null);
    assertThat(applying.getStatus().getPhase()).isEqualTo(TuningJobStatus.Phase.APPLYING);
    assertThat(applying.getStatus().getBestTrial().getParameters()).containsEntry("threads", "3");
    assertThat(applying.getStatus().getBestTrial().getSummary()).isEqualTo("throughput=500");
    assertThat(applying.getStatus().getRecommendation().getPatch())
        .isEqualTo("{\"spec\":{\"runtime\":{\"intraOpThreads\":3}}}");
    assertThat(applying.getStatus().getTrials()).hasSize(4).allSatisfy(t -> {
      assertThat(t.getPhase()).isEqualTo(TrialStatus.Phase.SUCCEEDED);
      assertThat(t.getFeasible()).isTrue();
    });
    assertThat(applying.getStatus().getTrialSummary()).isEqualTo("4/4");

    Deployment rolled = await().atMost(TIMEOUT).until(
        () -> kube.apps().deployments().inNamespace("tune").withName("fraud-detector").get(),
        d -> applying.getStatus().getApplied().getRevision().equals(revision(d)));
    rollOut("tune", "fraud-detector", 2, List.of());
    TuningJob promoted = awaitTuning("tune", "threads", t -> t.getStatus().getPhase().terminal());
    assertThat(promoted.getStatus().getPhase()).isEqualTo(TuningJobStatus.Phase.SUCCEEDED);
    assertThat(promoted.getStatus().getApplied().getOutcome())
        .isEqualTo(AppliedStatus.Outcome.PROMOTED);
    assertThat(revision(rolled)).isEqualTo(promoted.getStatus().getApplied().getRevision());
    assertThat(events("tune", "threads")).extracting(Event::getReason)
        .contains("TrialStarted", "TrialSucceeded", "Applying", "Promoted");
  }

  @Test
  @Order(51)
  void aMissingTargetAndTrialsThatWriteGarbageAreReportedWithoutStoppingTheOperator() {
    TuningJob tj = tuningJob("broken", "not-yet", 5, 1, 2, TuningAlgorithm.Name.RANDOM, ApplySpec.Policy.MANUAL);
    kube.resource(tj).create();
    TuningJob waiting = awaitTuning("bad", "broken", t -> t.getStatus().getConditions() != null
        && t.getStatus().getConditions().stream().anyMatch(c -> "TargetNotFound".equals(c.getReason())));
    assertThat(Conditions.isTrue(waiting.getStatus().getConditions(), Conditions.READY)).isFalse();
    assertThat(waiting.getStatus().getTrials()).isEmpty();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(warnings("bad", "broken"))
        .anySatisfy(e -> assertThat(e.getMessage()).contains("not-yet", "not found")));

    ModelDeployment md = example("cpu-model.yaml", ModelDeployment.class);
    md.getMetadata().setName("not-yet");
    create("bad", md);
    // a TuningJob whose target is missing looks again 30 s later (TuningJobReconciler.TARGET_RECHECK); nothing about
    // the new target wakes it earlier, so the first trial can take that long after the target appears
    Job deleted = await().atMost(TIMEOUT.plusSeconds(30)).until(() -> trialJobs("bad", "broken"), j -> j.size() == 1)
        .get(0);
    kube.resource(deleted).delete();
    Job garbage = await().atMost(TIMEOUT).until(() -> trialJobs("bad", "broken"), j -> j.size() == 1
        && !j.get(0).getMetadata().getName().equals(deleted.getMetadata().getName())).get(0);
    finishTrial("bad", garbage, "Segmentation fault (core dumped) <<not json>>", true);
    Job crashed = await().atMost(TIMEOUT).until(() -> trialJobs("bad", "broken"), j -> j.size() == 2).get(1);
    finishTrial("bad", crashed, "cannot load model", false);

    TuningJob failed = awaitTuning("bad", "broken", t -> t.getStatus().getPhase().terminal());
    assertThat(failed.getStatus().getPhase()).isEqualTo(TuningJobStatus.Phase.FAILED);
    assertThat(failed.getStatus().getTrials()).extracting(TrialStatus::getReason)
        .containsExactly("JobDeleted", "BadResult", "TrialFailed");
    assertThat(failed.getStatus().getTrials().get(1).getMessage()).contains("not JSON", "Segmentation fault");
    assertThat(failed.getStatus().getTrials().get(2).getMessage()).contains("exit code 1", "cannot load model");
    Condition readyCondition = Conditions.find(failed.getStatus().getConditions(), Conditions.READY).orElseThrow();
    assertThat(readyCondition.getReason()).isEqualTo("TooManyFailedTrials");
    assertThat(readyCondition.getMessage()).contains("3 trials failed", "maxFailedTrials 2");
    assertThat(trialJobs("bad", "broken")).as("no trial starts after the TuningJob failed").hasSize(2);
  }

  @Test
  @Order(52)
  void aTrialWhoseIntermediateValuesTrailTheMedianIsStoppedEarly() {
    Map<String, String> logs = new java.util.concurrent.ConcurrentHashMap<>();
    server.dispatcher().podLogs((namespace, pod) -> logs.get(pod));
    create("early", example("cpu-model.yaml", ModelDeployment.class));
    kube.resource(kube.getKubernetesSerialization().unmarshal("""
        apiVersion: modelpilot.io/v1alpha1
        kind: TuningJob
        metadata: {name: curves, namespace: early}
        spec:
          targetRef: {name: fraud-detector}
          objective: {metric: loss, direction: Minimize}
          parameters: [{name: lr, type: double, min: 0.001, max: 0.1, logScale: true}]
          algorithm: {name: random, seed: 11}
          maxTrials: 3
          earlyStopping: {type: Median, minTrials: 2, minSteps: 1}
          trial:
            template:
              spec:
                containers: [{name: trial, image: trainer:1, args: ["--lr=${params.lr}"]}]
        """, TuningJob.class)).create();

    for (int i = 1; i <= 2; i++) {
      String name = "curves-" + i;
      Job job = await().atMost(TIMEOUT).until(
          () -> kube.batch().v1().jobs().inNamespace("early").withName(name).get(), java.util.Objects::nonNull);
      double offset = i * 0.1;
      logs.put(name + "-x1", "epoch 1\n"
          + "MODELPILOT_INTERMEDIATE {\"step\": 1, \"value\": " + (1.0 + offset) + "}\n"
          + "MODELPILOT_INTERMEDIATE {\"step\": 2, \"value\": " + (0.8 + offset) + "}\n");
      finishTrial("early", job, "{\"loss\": " + (0.8 + offset) + "}", true);
    }
    Job slow = await().atMost(TIMEOUT).until(
        () -> kube.batch().v1().jobs().inNamespace("early").withName("curves-3").get(), java.util.Objects::nonNull);
    kube.pods().inNamespace("early").resource(new PodBuilder().withNewMetadata().withName("curves-3-x1")
        .withLabels(slow.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(slow.getSpec().getTemplate().getSpec()).withNewStatus().withPhase("Running").endStatus().build())
        .create();
    logs.put("curves-3-x1", "MODELPILOT_INTERMEDIATE {\"step\": 1, \"value\": 5.0}\n"
        + "MODELPILOT_INTERMEDIATE {\"step\": 2, \"value\": 4.5}\n");

    TuningJob over = awaitTuning("early", "curves", t -> t.getStatus().getPhase().terminal());
    var stopped = over.getStatus().getTrials().get(2);
    assertThat(stopped.getPhase()).isEqualTo(TrialStatus.Phase.EARLY_STOPPED);
    assertThat(stopped.getIntermediate()).hasSize(2);
    assertThat(stopped.getMessage()).isNotBlank();
    assertThat(kube.batch().v1().jobs().inNamespace("early").withName("curves-3").get()).as("its Job is deleted")
        .satisfiesAnyOf(j -> assertThat(j).isNull(),
            j -> assertThat(j.getMetadata().getDeletionTimestamp()).isNotNull());
    assertThat(over.getStatus().getPhase()).isEqualTo(TuningJobStatus.Phase.SUCCEEDED);
    assertThat(over.getStatus().getBestTrial().getName()).isEqualTo("curves-1");
    assertThat(over.getStatus().getTrials().get(0).getIntermediate()).extracting(v -> v.getStep())
        .containsExactly(1L, 2L);
    assertThat(events("early", "curves")).extracting(Event::getReason).contains("TrialEarlyStopped", "Recommended");
  }

  private TuningJob tuningJob(String name, String target, int maxTrials, int parallel, int maxFailed,
      TuningAlgorithm.Name algorithm, ApplySpec.Policy policy) {
    TuningJob tj = kube.getKubernetesSerialization().unmarshal("""
        apiVersion: modelpilot.io/v1alpha1
        kind: TuningJob
        metadata: {name: %s, namespace: %s}
        spec:
          targetRef: {name: %s}
          objective: {metric: throughput, direction: Maximize}
          constraints: [{metric: latencyP99Ms, max: 50}]
          parameters:
            - {name: threads, type: int, min: 1, max: 4, path: spec.runtime.intraOpThreads}
          trial: {benchmark: {concurrency: 2, duration: 2s}}
        """.formatted(name, name.equals("threads") ? "tune" : "bad", target), TuningJob.class);
    tj.getSpec().setMaxTrials(maxTrials);
    tj.getSpec().setParallelTrials(parallel);
    tj.getSpec().setMaxFailedTrials(maxFailed);
    TuningAlgorithm a = new TuningAlgorithm();
    a.setName(algorithm);
    a.setSeed(5L);
    tj.getSpec().setAlgorithm(a);
    ApplySpec apply = new ApplySpec();
    apply.setPolicy(policy);
    tj.getSpec().setApply(apply);
    return tj;
  }

  private List<Job> trialJobs(String namespace, String tuningJob) {
    return kube.batch().v1().jobs().inNamespace(namespace).withLabel("modelpilot.io/tuning-job", tuningJob).list()
        .getItems().stream().sorted(java.util.Comparator.comparingInt(
            j -> Integer.parseInt(j.getMetadata().getName().substring(tuningJob.length() + 1)))).toList();
  }

  private static String env(Job job, String name) {
    return job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> name.equals(e.getName())).findFirst().orElseThrow().getValue();
  }

  /** What a kubelet and the Job controller report once the trial's container exited. */
  private void finishTrial(String namespace, Job job, String terminationMessage, boolean succeeded) {
    var labels = job.getSpec().getTemplate().getMetadata().getLabels();
    kube.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(job.getMetadata().getName() + "-x1").withLabels(labels).endMetadata()
        .withSpec(job.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase(succeeded ? "Succeeded" : "Failed").addNewContainerStatus().withName("trial")
        .withNewState().withNewTerminated().withExitCode(succeeded ? 0 : 1).withMessage(terminationMessage)
        .endTerminated().endState().endContainerStatus().endStatus().build()).create();
    kube.batch().v1().jobs().inNamespace(namespace).withName(job.getMetadata().getName()).editStatus(j -> {
      j.setStatus(new JobStatusBuilder().withSucceeded(succeeded ? 1 : 0).withFailed(succeeded ? 0 : 1)
          .addNewCondition().withType(succeeded ? "Complete" : "Failed").withStatus("True")
          .withReason(succeeded ? null : "BackoffLimitExceeded").endCondition().build());
      return j;
    });
  }

  private TuningJob awaitTuning(String namespace, String name, java.util.function.Predicate<TuningJob> p) {
    return await().atMost(TIMEOUT).until(
        () -> kube.resources(TuningJob.class).inNamespace(namespace).withName(name).get(),
        t -> t != null && t.getStatus() != null && t.getStatus().getPhase() != null && p.test(t));
  }

  // ---------------------------------------------------------------- RBAC

  @Test
  @Order(100)
  void helmChartGrantsExactlyWhatTheOperatorUses() {
    Set<String> used = operatorPermissions();
    Set<String> granted = new TreeSet<>();
    for (PolicyRule rule : HelmChartTest.renderedRules()) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            if (rule.getResourceNames() == null || rule.getResourceNames().isEmpty()) {
              granted.add(group + "/" + resource + ":" + verb);
            } else {
              rule.getResourceNames().forEach(n -> granted.add(group + "/" + resource + ":" + verb + "[" + n + "]"));
            }
          }
        }
      }
    }
    System.out.println("operator used: " + used);
    System.out.println("chart grants:  " + granted);
    assertThat(granted).as("the chart's RBAC must cover what the operator does").containsAll(used);
    assertThat(used).as("least privilege: the chart grants nothing the operator does not use").containsAll(granted);
  }

  // ---------------------------------------------------------------- helpers

  /** Requests the operator (not this test) made, as group/resource:verb. */
  Set<String> operatorPermissions() {
    Set<String> used = new TreeSet<>();
    for (Request r : server.requests()) {
      if (TEST_AGENT.equals(r.userAgent())) {
        continue;
      }
      String[] parts = r.pathWithoutQuery().split("/");
      // /api/v1/namespaces/ns/res[/name[/sub]] or /apis/group/version/namespaces/ns/res[/name[/sub]]
      int i = parts[1].equals("api") ? 3 : 4;
      if (parts.length <= i) {
        continue; // discovery: /api, /apis, /version
      }
      String group = parts[1].equals("api") ? "" : parts[2];
      if (group.equals("apiextensions.k8s.io")) {
        for (String crd : List.of(SERVICE_MONITOR_CRD, HTTP_ROUTE_CRD)) {
          if (r.method().equals("GET") && r.pathWithoutQuery().endsWith("/" + crd)) {
            used.add(group + "/customresourcedefinitions:get[" + crd + "]");
          }
        }
        continue; // otherwise test mode installs the CRDs itself; in a cluster Helm does
      }
      if (parts[i].equals("namespaces") && parts.length > i + 2) {
        i += 2;
      }
      String resource = parts[i];
      boolean named = parts.length > i + 1;
      if (parts.length > i + 2) {
        resource += "/" + parts[i + 2];
      }
      String verb = switch (r.method()) {
        case "GET" -> !named ? (r.path().contains("watch=true") ? "watch" : "list") : "get";
        case "POST" -> "create";
        case "PUT" -> "update";
        case "PATCH" -> "patch";
        case "DELETE" -> named ? "delete" : "deletecollection";
        default -> r.method();
      };
      used.add(group + "/" + resource + ":" + verb);
      if (r.contentType() != null && r.contentType().startsWith("application/apply-patch") && !resource.contains("/")) {
        used.add(group + "/" + resource + ":create"); // an apply may create, which the API server authorizes as create
      }
    }
    return used;
  }

  private List<Request> writesIn(String namespace) {
    return server.writes().stream().filter(r -> !TEST_AGENT.equals(r.userAgent()))
        .filter(r -> r.path().contains("/namespaces/" + namespace + "/")).toList();
  }

  private void awaitQuiet(String namespace) {
    int[] last = {-1};
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(1500)).until(() -> {
      int now = writesIn(namespace).size();
      boolean quiet = now == last[0];
      last[0] = now;
      return quiet;
    });
  }

  /** A pod of the Deployment whose runtime container exited after writing {@code terminationMessage}. */
  private void crashedPod(String namespace, String name, Deployment d, String terminationMessage) {
    kube.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).withLabels(d.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec())
        .withNewStatus().withPhase("Running").addNewContainerStatus().withName("runtime").withRestartCount(1)
        .withReady(false).withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState()
        .withNewLastState().withNewTerminated().withExitCode(1).withMessage(terminationMessage).endTerminated()
        .endLastState().endContainerStatus().endStatus().build()).create();
  }

  private long claimReads(String namespace) {
    return server.requests().stream().filter(r -> !TEST_AGENT.equals(r.userAgent()))
        .filter(r -> r.method().equals("GET")
            && r.pathWithoutQuery().startsWith("/api/v1/namespaces/" + namespace + "/persistentvolumeclaims/"))
        .count();
  }

  private <T> T example(String file, Class<T> type) {
    try {
      for (Object doc : YAML.readerFor(Map.class).readValues(Files.readString(Path.of("..", "examples", file))).readAll()) {
        Map<?, ?> map = (Map<?, ?>) doc;
        if (type.getSimpleName().equals(map.get("kind"))) {
          return kube.getKubernetesSerialization().convertValue(map, type);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalArgumentException("no " + type.getSimpleName() + " in examples/" + file);
  }

  private ModelDeployment create(String namespace, ModelDeployment md) {
    md.getMetadata().setNamespace(namespace);
    return kube.resource(md).create();
  }

  private Deployment awaitDeployment(String namespace, String name) {
    return await().atMost(TIMEOUT).until(() -> kube.apps().deployments().inNamespace(namespace).withName(name).get(),
        d -> d != null);
  }

  private ModelDeployment awaitStatus(String namespace, String name, java.util.function.Predicate<ModelDeployment> p) {
    return await().atMost(TIMEOUT).until(
        () -> kube.resources(ModelDeployment.class).inNamespace(namespace).withName(name).get(),
        m -> m != null && m.getStatus() != null && p.test(m));
  }

  /** What the Deployment controller would report once the pods run. */
  private void rollOut(String namespace, String name, int ready, List<DeploymentCondition> conditions) {
    kube.apps().deployments().inNamespace(namespace).withName(name).editStatus(d -> {
      int replicas = d.getSpec().getReplicas();
      d.setStatus(new DeploymentStatusBuilder().withReplicas(replicas).withUpdatedReplicas(replicas)
          .withReadyReplicas(ready).withAvailableReplicas(ready)
          .withObservedGeneration(d.getMetadata().getGeneration()).withConditions(new ArrayList<>(conditions)).build());
      return d;
    });
  }

  private static String revision(Deployment d) {
    return d.getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision");
  }

  private static Condition ready(ModelDeployment md) {
    return Conditions.find(md.getStatus().getConditions(), Conditions.READY).orElse(null);
  }

  private List<Event> events(String namespace, String name) {
    return kube.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
  }

  private List<Event> warnings(String namespace, String name) {
    return events(namespace, name).stream().filter(e -> "Warning".equals(e.getType())).toList();
  }
}
