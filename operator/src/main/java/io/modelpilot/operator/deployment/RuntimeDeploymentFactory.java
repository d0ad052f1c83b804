package io.modelpilot.operator.deployment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HTTPGetActionBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.modelpilot.contract.RuntimeContract;
import io.modelpilot.contract.RuntimeContract.Env;
import io.modelpilot.contract.RuntimeContract.Http;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.BatchingSpec;
import io.modelpilot.operator.api.v1alpha1.GpuSpec;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.ModelDeploymentSpec;
import io.modelpilot.operator.api.v1alpha1.ModelSource;
import io.modelpilot.operator.api.v1alpha1.RuntimeSpec;
import io.modelpilot.operator.api.v1alpha1.S3Source;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the runtime Deployment and Service of a ModelDeployment: pure code over the spec, so
 * every field can be tested without an API server.
 */
public final class RuntimeDeploymentFactory {

  public static final String CONTAINER = "runtime";
  public static final String CANARY_SUFFIX = "-canary";

  public static final String GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";
  public static final String GPU_TAINT_KEY = "nvidia.com/gpu";

  public static final String MODEL_MOUNT = "/mnt/models";
  public static final String CREDENTIALS_MOUNT = "/var/run/secrets/modelpilot/model-credentials";
  public static final String TMP_MOUNT = "/tmp";
  /** The ModelDeployment's feedback-key Secret (FeedbackKeys), mounted optionally. */
  public static final String FEEDBACK_KEY_MOUNT = "/var/run/secrets/modelpilot/feedback-key";
  /** Downloads, kept under their digest or URI: a restarted container reuses the verified file. */
  public static final String MODEL_CACHE_MOUNT = "/var/cache/modelpilot/models";

  static final int STARTUP_PERIOD_SECONDS = 5;
  static final int PROGRESS_DEADLINE_SECONDS = 900;
  /** The JVM options variable only the {@code java} launcher reads: the image's JAVA_TOOL_OPTIONS stay as they are. */
  static final String JVM_OPTIONS_VARIABLE = "JDK_JAVA_OPTIONS";

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .build();

  private final String defaultImage;
  private final String cudaImage;
  private final PodDefaults defaults;

  public RuntimeDeploymentFactory(String defaultImage) {
    this(defaultImage, defaultImage);
  }

  /** @param cudaImage the image for ModelDeployments with spec.gpu that name none */
  public RuntimeDeploymentFactory(String defaultImage, String cudaImage) {
    this(defaultImage, cudaImage, PodDefaults.BUILT_IN);
  }

  public RuntimeDeploymentFactory(String defaultImage, String cudaImage, PodDefaults defaults) {
    this.defaultImage = defaultImage;
    this.cudaImage = cudaImage;
    this.defaults = defaults;
  }

  public static RuntimeDeploymentFactory of(io.modelpilot.operator.config.OperatorSettings settings) {
    return new RuntimeDeploymentFactory(settings.runtimeImage(),
        settings.runtimeCudaImage().orElse(settings.runtimeImage()), PodDefaults.of(settings.runtimePod()));
  }

  /** The stable track's Deployment {@code <name>} for the spec as it is. */
  public Deployment deployment(ModelDeployment md) {
    PodTemplateSpec template = podTemplate(md);
    template.getMetadata().getLabels().put(Labels.REVISION, revisionOf(template));
    return deployment(md, Labels.TRACK_STABLE, template);
  }

  /** The canary track's Deployment {@code <name>-canary}: the spec's pods, labelled {@code track: canary}. */
  public Deployment canaryDeployment(ModelDeployment md) {
    PodTemplateSpec template = podTemplate(md);
    String revision = revisionOf(template); // the same revision as on the stable track: the track is no part of it
    template.getMetadata().getLabels().put(Labels.REVISION, revision);
    template.getMetadata().getLabels().put(Labels.TRACK, Labels.TRACK_CANARY);
    return deployment(md, Labels.TRACK_CANARY, template);
  }

  /**
   * The Deployment of {@code track} running {@code template} (which carries its revision label): during a
   * canary the stable track keeps the template it runs, taken from its Deployment.
   */
  public Deployment deployment(ModelDeployment md, String track, PodTemplateSpec template) {
    String revision = template.getMetadata().getLabels().get(Labels.REVISION);
    Map<String, String> labels = new LinkedHashMap<>(commonLabels(md));
    labels.put(Labels.TRACK, track);
    labels.put(Labels.REVISION, revision);
    return new DeploymentBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(deploymentName(md, track))
            .withNamespace(md.getMetadata().getNamespace()).withLabels(labels)
            .withOwnerReferences(ownerReference(md)).build())
        .withNewSpec()
        .withReplicas(md.getSpec().replicasOrDefault())
        .withNewSelector().withMatchLabels(selector(md, track)).endSelector()
        .withTemplate(template)
        .withProgressDeadlineSeconds(progressDeadlineSeconds())
        .withRevisionHistoryLimit(3)
        // a model server that is not ready serves nothing: never go below the desired count
        .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0)).withMaxSurge(new IntOrString("25%")).endRollingUpdate().endStrategy()
        .endSpec()
        .build();
  }

  public static Service service(ModelDeployment md) {
    return service(md, md.getMetadata().getName(), commonLabels(md),
        Map.of(Labels.DEPLOYMENT, md.getMetadata().getName()));
  }

  /** A ClusterIP Service of the model server's HTTP port over the selected pods, owned by the ModelDeployment. */
  static Service service(ModelDeployment md, String name, Map<String, String> labels, Map<String, String> selector) {
    return new ServiceBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(name)
            .withNamespace(md.getMetadata().getNamespace()).withLabels(labels)
            .withOwnerReferences(ownerReference(md)).build())
        .withNewSpec()
        .withType("ClusterIP")
        .withSelector(selector)
        .addNewPort().withName(Http.PORT_NAME).withPort(Http.PORT).withTargetPort(new IntOrString(Http.PORT_NAME))
        .withProtocol("TCP").withAppProtocol("http").endPort()
        .endSpec()
        .build();
  }

  /** The pod's shape; its hash is the revision. */
  public PodTemplateSpec podTemplate(ModelDeployment md) {
    ModelDeploymentSpec spec = md.getSpec();
    ModelUri uri = ModelUri.parse(spec.getModel().getUri());
    GpuSpec gpu = spec.getGpu();

    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath(TMP_MOUNT).build());
    String runtimeUri = uri.uri();
    if (uri.onClaim()) {
      volumes.add(new VolumeBuilder().withName("model").withNewPersistentVolumeClaim()
          .withClaimName(uri.claim()).withReadOnly(true).endPersistentVolumeClaim().build());
      mounts.add(new VolumeMountBuilder().withName("model").withMountPath(MODEL_MOUNT).withReadOnly(true).build());
      runtimeUri = "file://" + MODEL_MOUNT + "/" + uri.pathInClaim();
    }
    if (uri.downloaded()) {
      String maxSize = spec.getModel().getMaxSize();
      volumes.add(new VolumeBuilder().withName("model-cache").withNewEmptyDir()
          .withSizeLimit(maxSize == null ? null : new Quantity(maxSize)).endEmptyDir().build());
      mounts.add(new VolumeMountBuilder().withName("model-cache").withMountPath(MODEL_CACHE_MOUNT).build());
    }
    if (spec.getModel().getCredentialsSecretRef() != null) {
      // optional: a missing Secret does not hold the pod in ContainerCreating; the runtime finds no keys and says
      // CredentialsSecretNotFound in its termination message, so the operator needs no access to Secrets
      volumes.add(new VolumeBuilder().withName("model-credentials").withNewSecret()
          .withSecretName(spec.getModel().getCredentialsSecretRef().getName()).withDefaultMode(0440)
          .withOptional(true).endSecret().build());
      mounts.add(new VolumeMountBuilder().withName("model-credentials").withMountPath(CREDENTIALS_MOUNT)
          .withReadOnly(true).build());
    }

    // optional: a pod starts without it (the operator could not create it) and signs with a key of its own
    volumes.add(new VolumeBuilder().withName("feedback-key").withNewSecret().withSecretName(FeedbackKeys.secretName(md))
        .withOptional(true).withDefaultMode(0440).endSecret().build());
    mounts.add(new VolumeMountBuilder().withName("feedback-key").withMountPath(FEEDBACK_KEY_MOUNT).withReadOnly(true)
        .build());

    Map<String, String> labels = new LinkedHashMap<>(commonLabels(md));
    labels.put(Labels.TRACK, Labels.TRACK_STABLE);
    Map<String, String> annotations = new TreeMap<>(Map.of(
        RuntimeContract.Annotations.SCRAPE, "true",
        RuntimeContract.Annotations.PORT, String.valueOf(Http.PORT),
        RuntimeContract.Annotations.PATH, Http.METRICS_PATH));

    return new PodTemplateSpecBuilder()
        .withMetadata(new ObjectMetaBuilder().withLabels(labels).withAnnotations(annotations).build())
        .withNewSpec()
        .withNewSecurityContext().withRunAsNonRoot(true).withNewSeccompProfile().withType("RuntimeDefault")
        .endSeccompProfile().endSecurityContext()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withNodeSelector(nodeSelector(spec))
        .withTolerations(tolerations(spec))
        .withVolumes(volumes)
        .withTerminationGracePeriodSeconds(terminationGracePeriodSeconds())
        .addToContainers(new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(image(spec))
            .withEnv(withJvmOptions(environment(md, uri, runtimeUri)))
            .addNewPort().withName(Http.PORT_NAME).withContainerPort(Http.PORT).withProtocol("TCP").endPort()
            .withResources(resources(spec))
            .withVolumeMounts(mounts)
            .withLifecycle(drain())
            .withStartupProbe(startupProbe())
            .withReadinessProbe(probe(Http.READY_PATH, 5, 3))
            .withLivenessProbe(probe(Http.LIVE_PATH, 10, 3))
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withAllowPrivilegeEscalation(false)
            .withReadOnlyRootFilesystem(true)
            .withCapabilities(new Capabilities(null, List.of("ALL")))
            .endSecurityContext()
            .build())
        .endSpec()
        .build();
  }

  /** Controller reference: garbage collection deletes what a ModelDeployment owns, kubectl shows "Controlled By". */
  public static OwnerReference ownerReference(ModelDeployment md) {
    return new OwnerReferenceBuilder().withApiVersion(md.getApiVersion()).withKind(md.getKind())
        .withName(md.getMetadata().getName()).withUid(md.getMetadata().getUid()).withController(true).build();
  }

  public static Map<String, String> commonLabels(ModelDeployment md) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.APP_NAME);
    labels.put(Labels.INSTANCE, md.getMetadata().getName());
    labels.put(Labels.COMPONENT, Labels.COMPONENT_MODEL_SERVER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_OPERATOR);
    labels.put(Labels.DEPLOYMENT, md.getMetadata().getName());
    return labels;
  }

  /** {@code <name>} for the stable track, {@code <name>-canary} for the canary. */
  public static String deploymentName(ModelDeployment md, String track) {
    return Labels.TRACK_CANARY.equals(track) ? md.getMetadata().getName() + CANARY_SUFFIX : md.getMetadata().getName();
  }

  public static Map<String, String> selector(ModelDeployment md, String track) {
    return Map.of(Labels.DEPLOYMENT, md.getMetadata().getName(), Labels.TRACK, track);
  }

  /** A stable hash of the pod template: the same spec gives the same revision on any operator replica. */
  public static String revisionOf(PodTemplateSpec template) {
    try {
      byte[] canonical = CANONICAL.writeValueAsBytes(CANONICAL.valueToTree(template));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
      return HexFormat.of().formatHex(digest, 0, 5);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot hash the pod template", e);
    }
  }

  private String image(ModelDeploymentSpec spec) {
    RuntimeSpec runtime = spec.getRuntime();
    if (runtime != null && runtime.getImage() != null) {
      return runtime.getImage();
    }
    return spec.getGpu() != null ? cudaImage : defaultImage;
  }

  private static List<EnvVar> environment(ModelDeployment md, ModelUri uri, String runtimeUri) {
    ModelDeploymentSpec spec = md.getSpec();
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar(Env.MODEL_URI, runtimeUri, null));
    env.add(new EnvVar(Env.MODEL_NAME, md.getMetadata().getName(), null));
    if (spec.getModel().getVersion() != null) {
      env.add(new EnvVar(Env.MODEL_VERSION, spec.getModel().getVersion(), null));
    }
    modelSourceEnvironment(spec.getModel(), uri, env);
    RuntimeSpec runtime = spec.getRuntime();
    if (runtime != null) {
      addIfSet(env, Env.INTRA_OP_THREADS, runtime.getIntraOpThreads());
      addIfSet(env, Env.INTER_OP_THREADS, runtime.getInterOpThreads());
      addIfSet(env, Env.OPTIMIZATION_LEVEL,
          runtime.getOptimizationLevel() == null ? null : runtime.getOptimizationLevel().value());
      BatchingSpec batching = runtime.getBatching();
      if (batching != null) {
        addIfSet(env, Env.MAX_BATCH_SIZE, batching.getMaxBatchSize());
        addIfSet(env, Env.MAX_QUEUE_DELAY, batching.getMaxQueueDelay());
      }
    }
    env.add(new EnvVar(Env.EXECUTION_PROVIDER, spec.getGpu() != null ? "cuda" : "cpu", null));
    // the revision label is set after the template is hashed, so it reaches the container through the downward API
    env.add(new EnvVarBuilder().withName(Env.REVISION).withNewValueFrom().withNewFieldRef()
        .withFieldPath("metadata.labels['" + Labels.REVISION + "']").endFieldRef().endValueFrom().build());
    env.add(new EnvVar(Env.FEEDBACK_KEY_FILE, FEEDBACK_KEY_MOUNT + "/" + FeedbackKeys.KEY, null));
    env.add(new EnvVar(Env.HTTP_PORT, String.valueOf(Http.PORT), null));
    return env;
  }

  /** Where and how the runtime fetches the model; credentials stay in the mounted Secret, never in here. */
  private static void modelSourceEnvironment(ModelSource model, ModelUri uri, List<EnvVar> env) {
    if (model.getCredentialsSecretRef() != null) {
      env.add(new EnvVar(Env.MODEL_CREDENTIALS_DIR, CREDENTIALS_MOUNT, null));
    }
    addIfSet(env, Env.MODEL_SHA256, model.getSha256() == null ? null : model.getSha256().toLowerCase(Locale.ROOT));
    if (uri.downloaded()) {
      env.add(new EnvVar(Env.MODEL_CACHE_DIR, MODEL_CACHE_MOUNT, null));
      if (model.getMaxSize() != null) {
        env.add(new EnvVar(Env.MODEL_MAX_BYTES,
            Quantity.getAmountInBytes(new Quantity(model.getMaxSize())).toBigInteger().toString(), null));
      }
    }
    if (Boolean.TRUE.equals(model.getAllowPlainHttp())) {
      env.add(new EnvVar(Env.MODEL_ALLOW_PLAIN_HTTP, "true", null));
    }
    S3Source s3 = model.getS3();
    if (uri.onS3() && s3 != null) {
      addIfSet(env, Env.MODEL_S3_ENDPOINT, s3.getEndpoint());
      addIfSet(env, Env.MODEL_S3_REGION, s3.getRegion());
      addIfSet(env, Env.MODEL_S3_PATH_STYLE, s3.getPathStyle());
    }
  }

  private static void addIfSet(List<EnvVar> env, String name, Object value) {
    if (value != null) {
      env.add(new EnvVar(name, value.toString(), null));
    }
  }

  /** The spec's resources, the operator's defaults where it has none (field by field), and the GPUs. */
  private ResourceRequirements resources(ModelDeploymentSpec spec) {
    ResourceRequirementsBuilder resources = new ResourceRequirementsBuilder(defaults.resources(spec.getResources()));
    if (spec.getGpu() != null) {
      resources.addToLimits(spec.getGpu().resourceNameOrDefault(), new Quantity(spec.getGpu().getCount().toString()));
    }
    ResourceRequirements built = resources.build();
    return built;
  }

  private static Map<String, String> nodeSelector(ModelDeploymentSpec spec) {
    Map<String, String> selector = new TreeMap<>();
    if (spec.getGpu() != null && spec.getGpu().getProduct() != null) {
      selector.put(GPU_PRODUCT_LABEL, spec.getGpu().getProduct());
    }
    if (spec.getNodeSelector() != null) {
      selector.putAll(spec.getNodeSelector());
    }
    return selector.isEmpty() ? null : selector;
  }

  private static List<Toleration> tolerations(ModelDeploymentSpec spec) {
    List<Toleration> tolerations = new ArrayList<>();
    if (spec.getGpu() != null) {
      tolerations.add(new TolerationBuilder().withKey(GPU_TAINT_KEY).withOperator("Exists").withEffect("NoSchedule")
          .build());
    }
    if (spec.getTolerations() != null) {
      for (Toleration own : spec.getTolerations()) {
        // the user's toleration for the same key and effect replaces ours
        tolerations.removeIf(t -> t.getKey() != null && t.getKey().equals(own.getKey())
            && java.util.Objects.equals(t.getEffect(), own.getEffect()));
        tolerations.add(own);
      }
    }
    return tolerations.isEmpty() ? null : tolerations;
  }

  /** The JVM's heap sized to the memory limit, unless the environment already says how (a variable of that name). */
  List<EnvVar> withJvmOptions(List<EnvVar> env) {
    String options = defaults.jvmOptions();
    if (options != null && env.stream().noneMatch(e -> JVM_OPTIONS_VARIABLE.equals(e.getName()))) {
      env.add(new EnvVar(JVM_OPTIONS_VARIABLE, options, null));
    }
    return env;
  }

  /**
   * On the readiness path: a first start (download, load, warm-up) may take the whole startup timeout, and liveness,
   * which starts only once this passed, never restarts a pod that is still loading its model.
   */
  private Probe startupProbe() {
    long seconds = defaults.startupTimeout().toSeconds();
    int failures = (int) Math.max(1, (seconds + STARTUP_PERIOD_SECONDS - 1) / STARTUP_PERIOD_SECONDS);
    return probe(Http.READY_PATH, STARTUP_PERIOD_SECONDS, failures);
  }

  /**
   * A terminating pod keeps serving for the drain delay while endpoints and proxies stop sending it requests; only
   * then does SIGTERM reach the server, which lets requests in flight finish. An exec {@code sleep} works on every
   * Kubernetes the chart supports (the sleep action needs 1.30); an image without {@code sleep} only loses the
   * delay (the kubelet records FailedPreStopHook and goes on).
   */
  private Lifecycle drain() {
    long seconds = defaults.drainDelay().toSeconds();
    if (seconds == 0) {
      return null;
    }
    return new LifecycleBuilder().withNewPreStop().withNewExec()
        .withCommand("sleep", String.valueOf(seconds)).endExec().endPreStop().build();
  }

  /** The drain, the server's own graceful shutdown and a margin: the kubelet's SIGKILL never cuts a request short. */
  private long terminationGracePeriodSeconds() {
    return defaults.drainDelay().toSeconds() + Http.SHUTDOWN_TIMEOUT_SECONDS + 5;
  }

  /** Longer than the startup timeout: a Deployment whose pods are still loading is not "stalled". */
  private int progressDeadlineSeconds() {
    return (int) Math.max(PROGRESS_DEADLINE_SECONDS, defaults.startupTimeout().toSeconds() + 300);
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withHttpGet(new HTTPGetActionBuilder().withPath(path).withPort(new IntOrString(Http.PORT_NAME)).build())
        .withPeriodSeconds(periodSeconds).withFailureThreshold(failureThreshold).withTimeoutSeconds(2)
        .build();
  }
}
