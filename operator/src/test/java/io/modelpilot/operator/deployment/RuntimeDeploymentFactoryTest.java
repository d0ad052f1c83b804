package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.operator.api.v1alpha1.BatchingSpec;
import io.modelpilot.operator.api.v1alpha1.GpuSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentSpec;
import io.modelpilot.operator.api.v1alpha1.ModelSource;
import io.modelpilot.operator.api.v1alpha1.OptimizationLevel;
import io.modelpilot.operator.api.v1alpha1.RuntimeSpec;
import io.modelpilot.operator.api.v1alpha1.S3Source;
import io.modelpilot.operator.api.v1alpha1.SecretReference;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.contract.RuntimeContract;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class RuntimeDeploymentFactoryTest {

  private static final String DEFAULT_IMAGE = "ghcr.io/modelpilot/runtime:test";
  private final RuntimeDeploymentFactory factory = new RuntimeDeploymentFactory(DEFAULT_IMAGE);

  static ModelDeployment cpuModel() {
    ModelDeployment md = new ModelDeployment();
    md.setMetadata(new ObjectMetaBuilder().withName("fraud-detector").withNamespace("ml").withUid("uid-1")
        .withGeneration(1L).build());
    ModelDeploymentSpec spec = new ModelDeploymentSpec();
    ModelSource model = new ModelSource();
    model.setUri("file:///models/mlp.onnx");
    model.setVersion("v7");
    spec.setModel(model);
    RuntimeSpec runtime = new RuntimeSpec();
    runtime.setIntraOpThreads(4);
    runtime.setInterOpThreads(1);
    runtime.setOptimizationLevel(OptimizationLevel.EXTENDED);
    BatchingSpec batching = new BatchingSpec();
    batching.setMaxBatchSize(32);
    batching.setMaxQueueDelay("2ms");
    runtime.setBatching(batching);
    spec.setRuntime(runtime);
    spec.setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("2"))
        .addToRequests("memory", new Quantity("2Gi")).build());
    spec.setReplicas(2);
    md.setSpec(spec);
    return md;
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom() == null ? e.getValue()
        : "fieldRef:" + e.getValueFrom().getFieldRef().getFieldPath()));
  }

  private static Container container(Deployment d) {
    return d.getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  @Test
  void cpuModelGetsTheRuntimeContainerWithEverySettingAsEnvironment() {
    Deployment d = factory.deployment(cpuModel());

    assertThat(d.getMetadata().getName()).isEqualTo("fraud-detector");
    assertThat(d.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(d.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getUid()).isEqualTo("uid-1");
      assertThat(ref.getController()).isTrue();
    });
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    Container c = container(d);
    assertThat(c.getName()).isEqualTo("runtime");
    assertThat(c.getImage()).isEqualTo(DEFAULT_IMAGE);
    assertThat(env(c)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("MODELPILOT_MODEL_URI", "file:///models/mlp.onnx"),
        Map.entry("MODELPILOT_MODEL_NAME", "fraud-detector"),
        Map.entry("MODELPILOT_MODEL_VERSION", "v7"),
        Map.entry("MODELPILOT_INTRA_OP_THREADS", "4"),
        Map.entry("MODELPILOT_INTER_OP_THREADS", "1"),
        Map.entry("MODELPILOT_OPTIMIZATION_LEVEL", "extended"),
        Map.entry("MODELPILOT_MAX_BATCH_SIZE", "32"),
        Map.entry("MODELPILOT_MAX_QUEUE_DELAY", "2ms"),
        Map.entry("MODELPILOT_EXECUTION_PROVIDER", "cpu"),
        Map.entry("MODELPILOT_REVISION", "fieldRef:metadata.labels['modelpilot.io/revision']"),
        Map.entry("MODELPILOT_FEEDBACK_KEY_FILE", "/var/run/secrets/modelpilot/feedback-key/key"),
        Map.entry("QUARKUS_HTTP_PORT", "8080"),
        Map.entry("JDK_JAVA_OPTIONS", "-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError")));
    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("2Gi"));
    assertThat(c.getResources().getLimits()).isNullOrEmpty();
    assertThat(d.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(d.getSpec().getTemplate().getSpec().getTolerations()).isNullOrEmpty();
  }

  @Test
  void probesUseTheOpenInferenceProtocolHealthEndpointsAndTolerateSlowModelLoads() {
    Container c = container(factory.deployment(cpuModel()));

    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
    // startup waits for the model (readiness), so liveness never runs against a pod still loading it
    assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
    assertThat(c.getStartupProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    int startupBudgetSeconds = c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold();
    assertThat(startupBudgetSeconds).isGreaterThanOrEqualTo(600);
    // readiness and liveness as they were
    assertThat(c.getReadinessProbe().getPeriodSeconds()).isEqualTo(5);
    assertThat(c.getReadinessProbe().getFailureThreshold()).isEqualTo(3);
    assertThat(c.getLivenessProbe().getPeriodSeconds()).isEqualTo(10);
    assertThat(c.getLivenessProbe().getFailureThreshold()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- the operator's pod defaults

  private static RuntimeDeploymentFactory withDefaults(PodDefaults defaults) {
    return new RuntimeDeploymentFactory(DEFAULT_IMAGE, DEFAULT_IMAGE, defaults);
  }

  private static PodDefaults resourceDefaults(String cpuRequest, String memoryRequest, String cpuLimit,
      String memoryLimit) {
    return PodDefaults.of(settings(cpuRequest, memoryRequest, cpuLimit, memoryLimit, 50, Duration.ofMinutes(10),
        Duration.ofSeconds(5)));
  }

  static OperatorSettings.RuntimePod settings(String cpuRequest, String memoryRequest, String cpuLimit,
      String memoryLimit, int heapPercent, Duration startup, Duration drain) {
    return new OperatorSettings.RuntimePod() {
      @Override
      public Optional<String> cpuRequest() {
        return Optional.ofNullable(cpuRequest);
      }

      @Override
      public Optional<String> memoryRequest() {
        return Optional.ofNullable(memoryRequest);
      }

      @Override
      public Optional<String> cpuLimit() {
        return Optional.ofNullable(cpuLimit);
      }

      @Override
      public Optional<String> memoryLimit() {
        return Optional.ofNullable(memoryLimit);
      }

      @Override
      public int jvmMaxRamPercentage() {
        return heapPercent;
      }

      @Override
      public Duration startupTimeout() {
        return startup;
      }

      @Override
      public Duration drainDelay() {
        return drain;
      }
    };
  }

  @Test
  void defaultResourcesFillOnlyTheFieldsTheSpecLeavesOut() {
    RuntimeDeploymentFactory defaulted = withDefaults(resourceDefaults("1", "1Gi", "2", "2Gi"));

    // cpuModel asks for requests cpu 2, memory 2Gi and no limits
    Container c = container(defaulted.deployment(cpuModel()));
    assertThat(c.getResources().getRequests()).containsOnly(entry("cpu", new Quantity("2")),
        entry("memory", new Quantity("2Gi")));
    assertThat(c.getResources().getLimits()).containsOnly(entry("cpu", new Quantity("2")),
        entry("memory", new Quantity("2Gi")));

    ModelDeployment bare = cpuModel();
    bare.getSpec().setResources(null);
    Container b = container(defaulted.deployment(bare));
    assertThat(b.getResources().getRequests()).containsOnly(entry("cpu", new Quantity("1")),
        entry("memory", new Quantity("1Gi")));
    assertThat(b.getResources().getLimits()).containsOnly(entry("cpu", new Quantity("2")),
        entry("memory", new Quantity("2Gi")));

    ModelDeployment ownLimit = cpuModel();
    ownLimit.getSpec().setResources(new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("4Gi"))
        .addToRequests("ephemeral-storage", new Quantity("1Gi")).build());
    Container o = container(defaulted.deployment(ownLimit));
    assertThat(o.getResources().getLimits()).containsOnly(entry("cpu", new Quantity("2")),
        entry("memory", new Quantity("4Gi")));
    assertThat(o.getResources().getRequests()).containsOnly(entry("cpu", new Quantity("1")),
        entry("memory", new Quantity("1Gi")), entry("ephemeral-storage", new Quantity("1Gi")));
  }

  @Test
  void aDefaultNeverPutsARequestAboveALimit() {
    RuntimeDeploymentFactory defaulted = withDefaults(resourceDefaults("1", "1Gi", "2", "2Gi"));

    ModelDeployment small = cpuModel();
    small.getSpec().setResources(new ResourceRequirementsBuilder().addToLimits("cpu", new Quantity("500m"))
        .addToLimits("memory", new Quantity("512Mi")).build());
    Container s = container(defaulted.deployment(small));
    assertThat(s.getResources().getRequests()).containsOnly(entry("cpu", new Quantity("500m")),
        entry("memory", new Quantity("512Mi")));

    ModelDeployment big = cpuModel();
    big.getSpec().setResources(new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("4"))
        .addToRequests("memory", new Quantity("8Gi")).build());
    Container g = container(defaulted.deployment(big));
    assertThat(g.getResources().getLimits()).containsOnly(entry("cpu", new Quantity("4")),
        entry("memory", new Quantity("8Gi")));
  }

  @Test
  void gpuLimitsStayBesideTheDefaults() {
    ModelDeployment md = cpuModel();
    md.getSpec().setResources(null);
    GpuSpec gpu = new GpuSpec();
    gpu.setCount(2);
    md.getSpec().setGpu(gpu);

    Container c = container(withDefaults(resourceDefaults(null, "1Gi", null, "2Gi")).deployment(md));
    assertThat(c.getResources().getRequests()).containsOnly(entry("memory", new Quantity("1Gi")));
    assertThat(c.getResources().getLimits()).containsOnly(entry("memory", new Quantity("2Gi")),
        entry("nvidia.com/gpu", new Quantity("2")));
  }

  @Test
  void aBadDefaultNamesItsVariable() {
    assertThatThrownBy(() -> resourceDefaults("lots", null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_RUNTIME_POD_CPU_REQUEST").hasMessageContaining("'lots'");
    assertThatThrownBy(() -> resourceDefaults(null, null, null, "0"))
        .hasMessageContaining("MODELPILOT_RUNTIME_POD_MEMORY_LIMIT");
    assertThatThrownBy(() -> PodDefaults.of(settings(null, null, null, null, 150, Duration.ofMinutes(10),
        Duration.ZERO))).hasMessageContaining("MODELPILOT_RUNTIME_POD_JVM_MAX_RAM_PERCENTAGE");
    assertThat(resourceDefaults("", " ", null, null).requests()).isEmpty();
  }

  @Test
  void theJvmHeapIsAShareOfTheMemoryLimitUnlessThePodSaysOtherwise() {
    Container c = container(withDefaults(PodDefaults.of(settings(null, null, null, "2Gi", 60,
        Duration.ofMinutes(10), Duration.ofSeconds(5)))).deployment(cpuModel()));
    // JDK_JAVA_OPTIONS, which only the java launcher reads: the image's JAVA_TOOL_OPTIONS (its tmpdir) stay
    assertThat(env(c)).containsEntry("JDK_JAVA_OPTIONS", "-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError")
        .doesNotContainKey("JAVA_TOOL_OPTIONS");

    List<EnvVar> own = new java.util.ArrayList<>(List.of(new EnvVar("JDK_JAVA_OPTIONS", "-Xmx3g", null)));
    assertThat(factory.withJvmOptions(own)).singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo("-Xmx3g"));

    Container off = container(withDefaults(PodDefaults.of(settings(null, null, null, null, 0,
        Duration.ofMinutes(10), Duration.ofSeconds(5)))).deployment(cpuModel()));
    assertThat(env(off)).doesNotContainKey("JDK_JAVA_OPTIONS");
  }

  @Test
  void theStartupProbeAllowsTheStartupTimeoutAndTheDeploymentWaitsLongerStill() {
    Deployment d = withDefaults(PodDefaults.of(settings(null, null, null, null, 50, Duration.ofMinutes(30),
        Duration.ofSeconds(5)))).deployment(cpuModel());
    Container c = container(d);

    assertThat(c.getStartupProbe().getPeriodSeconds() * c.getStartupProbe().getFailureThreshold())
        .isGreaterThanOrEqualTo(1800).isLessThan(1800 + c.getStartupProbe().getPeriodSeconds());
    // a Deployment whose pods may still be loading their model is not reported stalled
    assertThat(d.getSpec().getProgressDeadlineSeconds()).isGreaterThan(1800);
  }

  @Test
  void aTerminatingPodDrainsBeforeTheServerStopsAndTheGracePeriodCoversBoth() {
    PodSpec pod = withDefaults(PodDefaults.of(settings(null, null, null, null, 50, Duration.ofMinutes(10),
        Duration.ofSeconds(7)))).deployment(cpuModel()).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(c.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "7");
    // the drain, then the server's own graceful shutdown (10 s), then a margin before SIGKILL
    assertThat(pod.getTerminationGracePeriodSeconds())
        .isGreaterThanOrEqualTo(7L + RuntimeContract.Http.SHUTDOWN_TIMEOUT_SECONDS);

    PodSpec noDrain = withDefaults(PodDefaults.of(settings(null, null, null, null, 50, Duration.ofMinutes(10),
        Duration.ZERO))).deployment(cpuModel()).getSpec().getTemplate().getSpec();
    assertThat(noDrain.getContainers().get(0).getLifecycle()).isNull();
    assertThat(noDrain.getTerminationGracePeriodSeconds())
        .isGreaterThanOrEqualTo((long) RuntimeContract.Http.SHUTDOWN_TIMEOUT_SECONDS);
  }

  @Test
  void podMeetsTheRestrictedPodSecurityStandard() {
    PodSpec pod = factory.deployment(cpuModel()).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("tmp");
      assertThat(v.getEmptyDir()).isNotNull();
    });
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void labelsIdentifyTheModelTheTrackAndTheRevision() {
    Deployment d = factory.deployment(cpuModel());
    Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();

    assertThat(podLabels).containsEntry("app.kubernetes.io/name", "modelpilot-runtime")
        .containsEntry("app.kubernetes.io/instance", "fraud-detector")
        .containsEntry("app.kubernetes.io/component", "model-server")
        .containsEntry("app.kubernetes.io/managed-by", "modelpilot-operator")
        .containsEntry("modelpilot.io/deployment", "fraud-detector")
        .containsEntry("modelpilot.io/track", "stable")
        .containsKey("modelpilot.io/revision");
    assertThat(podLabels.get("modelpilot.io/revision")).matches("[0-9a-f]{10}");
    assertThat(d.getMetadata().getLabels()).containsEntry("modelpilot.io/revision", podLabels.get("modelpilot.io/revision"));
    // the selector is immutable on a real cluster: it must not contain the revision
    assertThat(d.getSpec().getSelector().getMatchLabels()).containsOnlyKeys("modelpilot.io/deployment", "modelpilot.io/track");
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/q/metrics");
  }

  @Test
  void revisionIsStableAndChangesOnlyWithThePodShape() {
    String first = factory.deployment(cpuModel()).getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision");
    String again = factory.deployment(cpuModel()).getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision");
    ModelDeployment scaled = cpuModel();
    scaled.getSpec().setReplicas(7);
    ModelDeployment retuned = cpuModel();
    retuned.getSpec().getRuntime().setIntraOpThreads(8);
    ModelDeployment newModel = cpuModel();
    newModel.getSpec().getModel().setVersion("v8");

    assertThat(again).isEqualTo(first);
    assertThat(revision(scaled)).isEqualTo(first);
    assertThat(revision(retuned)).isNotEqualTo(first);
    assertThat(revision(newModel)).isNotEqualTo(first).isNotEqualTo(revision(retuned));
  }

  private String revision(ModelDeployment md) {
    return factory.deployment(md).getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision");
  }

  @Test
  void aGpuModelWithoutAnImageGetsTheCudaImageAndOneThatNamesAnImageKeepsIt() {
    RuntimeDeploymentFactory withCuda = new RuntimeDeploymentFactory(DEFAULT_IMAGE, "ghcr.io/modelpilot/runtime-cuda:t");
    ModelDeployment md = cpuModel();
    assertThat(container(withCuda.deployment(md)).getImage()).isEqualTo(DEFAULT_IMAGE);
    GpuSpec gpu = new GpuSpec();
    gpu.setCount(1);
    md.getSpec().setGpu(gpu);
    assertThat(container(withCuda.deployment(md)).getImage()).isEqualTo("ghcr.io/modelpilot/runtime-cuda:t");
    md.getSpec().getRuntime().setImage("registry.example.com/own-runtime:1");
    assertThat(container(withCuda.deployment(md)).getImage()).isEqualTo("registry.example.com/own-runtime:1");
  }

  @Test
  void serviceMonitorLabelsComeFromTheSettingAndNeverReplaceOurs() {
    assertThat(ServiceMonitorDependent.labels("release=kube-prom, team=ml")).containsExactly(
        Map.entry("release", "kube-prom"), Map.entry("team", "ml"));
    assertThat(ServiceMonitorDependent.labels("")).isEmpty();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceMonitorDependent.labels("release"))
        .hasMessageContaining("MODELPILOT_SERVICE_MONITOR_LABELS").hasMessageContaining("'release'");
    var monitor = ServiceMonitorDependent.serviceMonitor(cpuModel(),
        Map.of("release", "kube-prom", "app.kubernetes.io/managed-by", "helm"), java.time.Duration.ofSeconds(30));
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prom")
        .containsEntry("app.kubernetes.io/managed-by", "modelpilot-operator");
    // it asks for the scrape interval the operator's metrics windows assume
    assertThat(monitor.getSpec().getEndpoints()).singleElement()
        .satisfies(e -> assertThat(e.getInterval()).isEqualTo("30s"));
  }

  @Test
  void gpuModelRequestsGpusSelectsTheProductToleratesTheTaintAndUsesCuda() {
    ModelDeployment md = cpuModel();
    GpuSpec gpu = new GpuSpec();
    gpu.setCount(2);
    gpu.setProduct("NVIDIA-A100-SXM4-80GB");
    md.getSpec().setGpu(gpu);

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(c.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
    assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("2"));
    assertThat(pod.getNodeSelector()).containsExactlyEntriesOf(Map.of("nvidia.com/gpu.product", "NVIDIA-A100-SXM4-80GB"));
    assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
      assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
      assertThat(t.getOperator()).isEqualTo("Exists");
      assertThat(t.getEffect()).isEqualTo("NoSchedule");
    });
    assertThat(env(c)).containsEntry("MODELPILOT_EXECUTION_PROVIDER", "cuda");
  }

  @Test
  void gpuWithAnotherResourceNameAndNoProductSelectsNoProduct() {
    ModelDeployment md = cpuModel();
    GpuSpec gpu = new GpuSpec();
    gpu.setCount(1);
    gpu.setResourceName("nvidia.com/mig-1g.10gb");
    md.getSpec().setGpu(gpu);

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();

    assertThat(pod.getContainers().get(0).getResources().getLimits())
        .containsExactlyEntriesOf(Map.of("nvidia.com/mig-1g.10gb", new Quantity("1")));
    assertThat(pod.getNodeSelector()).isNullOrEmpty();
  }

  @Test
  void usersNodeSelectorAndTolerationsAreMergedAndWinOnConflict() {
    ModelDeployment md = cpuModel();
    GpuSpec gpu = new GpuSpec();
    gpu.setCount(1);
    gpu.setProduct("NVIDIA-A100-SXM4-80GB");
    md.getSpec().setGpu(gpu);
    md.getSpec().setNodeSelector(Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", "pool", "inference"));
    Toleration own = new TolerationBuilder().withKey("nvidia.com/gpu").withOperator("Equal").withValue("present")
        .withEffect("NoSchedule").build();
    Toleration spot = new TolerationBuilder().withKey("spot").withOperator("Exists").withEffect("NoExecute").build();
    md.getSpec().setTolerations(List.of(own, spot));

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();

    assertThat(pod.getNodeSelector()).containsExactlyInAnyOrderEntriesOf(
        Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", "pool", "inference"));
    assertThat(pod.getTolerations()).containsExactlyInAnyOrder(own, spot);
  }

  @Test
  void pvcModelMountsTheClaimReadOnlyAndHandsTheRuntimeAFilePath() {
    ModelDeployment md = cpuModel();
    md.getSpec().getModel().setUri("pvc://model-store/churn/v12/model.onnx");

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("model");
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("model-store");
      assertThat(v.getPersistentVolumeClaim().getReadOnly()).isTrue();
    });
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("model");
      assertThat(m.getMountPath()).isEqualTo("/mnt/models");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(env(c)).containsEntry("MODELPILOT_MODEL_URI", "file:///mnt/models/churn/v12/model.onnx");
  }

  @Test
  void credentialsSecretIsMountedReadOnlyAndItsDirectoryHandedToTheRuntime() {
    ModelDeployment md = cpuModel();
    md.getSpec().getModel().setUri("https://models.example.com/m.onnx");
    md.getSpec().getModel().setCredentialsSecretRef(new SecretReference("registry-token"));

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("model-credentials")).singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("registry-token"));
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/modelpilot/model-credentials");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(env(c)).containsEntry("MODELPILOT_MODEL_CREDENTIALS_DIR", "/var/run/secrets/modelpilot/model-credentials")
        .containsEntry("MODELPILOT_MODEL_URI", "https://models.example.com/m.onnx");
  }

  @Test
  void anS3SourceGetsItsSettingsAsEnvironmentAndItsKeysOnlyAsAMountedSecret() {
    ModelDeployment md = cpuModel();
    md.getSpec().getModel().setUri("s3://models/fraud/v7/model.onnx");
    md.getSpec().getModel().setCredentialsSecretRef(new SecretReference("minio-keys"));
    S3Source s3 = new S3Source();
    s3.setEndpoint("http://minio.storage:9000");
    s3.setRegion("eu-west-1");
    s3.setPathStyle(true);
    md.getSpec().getModel().setS3(s3);
    md.getSpec().getModel().setAllowPlainHttp(true);
    md.getSpec().getModel().setSha256("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08");
    md.getSpec().getModel().setMaxSize("2Gi");

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(env(c)).containsEntry("MODELPILOT_MODEL_URI", "s3://models/fraud/v7/model.onnx")
        .containsEntry("MODELPILOT_MODEL_S3_ENDPOINT", "http://minio.storage:9000")
        .containsEntry("MODELPILOT_MODEL_S3_REGION", "eu-west-1")
        .containsEntry("MODELPILOT_MODEL_S3_PATH_STYLE", "true")
        .containsEntry("MODELPILOT_MODEL_ALLOW_PLAIN_HTTP", "true")
        .containsEntry("MODELPILOT_MODEL_SHA256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
        .containsEntry("MODELPILOT_MODEL_MAX_BYTES", String.valueOf(2L << 30))
        .containsEntry("MODELPILOT_MODEL_CREDENTIALS_DIR", "/var/run/secrets/modelpilot/model-credentials");
    assertThat(c.getEnv()).allSatisfy(e -> assertThat(e.getValueFrom() == null ? null
        : e.getValueFrom().getSecretKeyRef()).as(e.getName()).isNull());
    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("model-credentials")).singleElement()
        .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("minio-keys"));
  }

  @Test
  void everyPodMountsItsDeploymentsFeedbackKeyOptionallyAndKnowsItsRevision() {
    ModelDeployment md = cpuModel();

    Deployment canary = factory.canaryDeployment(md);
    PodSpec pod = canary.getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("feedback-key")).singleElement().satisfies(v -> {
      assertThat(v.getSecret().getSecretName()).isEqualTo(md.getMetadata().getName() + "-feedback-key");
      assertThat(v.getSecret().getOptional()).as("a pod starts without it").isTrue();
    });
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("feedback-key");
      assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/modelpilot/feedback-key");
      assertThat(m.getReadOnly()).isTrue();
    });
    assertThat(env(c)).containsEntry("MODELPILOT_FEEDBACK_KEY_FILE", "/var/run/secrets/modelpilot/feedback-key/key")
        .containsEntry("MODELPILOT_REVISION", "fieldRef:metadata.labels['modelpilot.io/revision']");
    // the label the downward API reads is the revision of this very template
    assertThat(canary.getSpec().getTemplate().getMetadata().getLabels().get("modelpilot.io/revision"))
        .isEqualTo(RuntimeDeploymentFactory.revisionOf(factory.podTemplate(md)));
  }

  @Test
  void downloadsGoToACacheVolumeThatOutlivesContainerRestartsAndIsCappedByMaxSize() {
    ModelDeployment md = cpuModel();
    md.getSpec().getModel().setUri("https://models.example.com/m.onnx");
    md.getSpec().getModel().setMaxSize("512Mi");

    PodSpec pod = factory.deployment(md).getSpec().getTemplate().getSpec();
    Container c = pod.getContainers().get(0);

    assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("model-cache")).singleElement()
        .satisfies(v -> assertThat(v.getEmptyDir().getSizeLimit()).isEqualTo(new Quantity("512Mi")));
    assertThat(c.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo("model-cache");
      assertThat(m.getMountPath()).isEqualTo("/var/cache/modelpilot/models");
    });
    assertThat(env(c)).containsEntry("MODELPILOT_MODEL_CACHE_DIR", "/var/cache/modelpilot/models")
        .containsEntry("MODELPILOT_MODEL_MAX_BYTES", String.valueOf(512L << 20));
  }

  @Test
  void aModelInTheImageNeedsNoCache() {
    PodSpec pod = factory.deployment(cpuModel()).getSpec().getTemplate().getSpec();

    assertThat(pod.getVolumes()).noneMatch(v -> v.getName().equals("model-cache"));
    assertThat(env(pod.getContainers().get(0))).doesNotContainKeys("MODELPILOT_MODEL_CACHE_DIR",
        "MODELPILOT_MODEL_MAX_BYTES", "MODELPILOT_MODEL_S3_ENDPOINT", "MODELPILOT_MODEL_ALLOW_PLAIN_HTTP");
  }

  @Test
  void aClaimPathThatEscapesTheClaimIsRefusedEvenWithoutTheSchema() {
    for (String uri : List.of("pvc://store/../etc/passwd", "pvc://store/%2e%2e/etc/passwd",
        "pvc://store/a/..%2F..%2Fetc", "file:///models/%2E%2E/secret")) {
      ModelDeployment md = cpuModel();
      md.getSpec().getModel().setUri(uri);

      assertThatThrownBy(() -> factory.deployment(md)).as(uri).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'..'");
    }
  }

  @Test
  void imageFromTheSpecWinsOverTheDefault() {
    ModelDeployment md = cpuModel();
    md.getSpec().getRuntime().setImage("registry.local/runtime:custom");

    assertThat(container(factory.deployment(md)).getImage()).isEqualTo("registry.local/runtime:custom");
  }

  @Test
  void unsetRuntimeSettingsAreLeftToTheRuntimesDefaults() {
    ModelDeployment md = cpuModel();
    md.getSpec().setRuntime(null);
    md.getSpec().setReplicas(null);

    Deployment d = factory.deployment(md);

    assertThat(env(container(d))).doesNotContainKeys("MODELPILOT_INTRA_OP_THREADS", "MODELPILOT_MAX_BATCH_SIZE",
        "MODELPILOT_OPTIMIZATION_LEVEL");
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
  }

  @Test
  void serviceSelectsEveryTrackOfTheModelOnTheHttpPort() {
    Service s = RuntimeDeploymentFactory.service(cpuModel());

    assertThat(s.getMetadata().getName()).isEqualTo("fraud-detector");
    assertThat(s.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("modelpilot.io/deployment", "fraud-detector"));
    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });
  }
}
