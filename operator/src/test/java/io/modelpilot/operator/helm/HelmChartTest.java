package io.modelpilot.operator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Renders and lints the Helm chart in {@code helm/modelpilot} with helm-java (an embedded Helm, no
 * CLI or cluster needed) and checks the RBAC, the operator Deployment and the values schema.
 *
 * <p>The chart directory defaults to {@code ../helm/modelpilot} (relative to the operator module)
 * and can be overridden with the {@code modelpilot.chart} system property.
 */
public class HelmChartTest {

  public static final String RELEASE_NAME = "modelpilot";
  public static final String RELEASE_NAMESPACE = "modelpilot-system";

  /**
   * Kubernetes version rendered against. helm-java's embedded Helm defaults to v1.20.0, which the
   * chart's {@code kubeVersion: ">=1.27.0-0"} rejects.
   */
  public static final String KUBE_VERSION = "v1.33.0";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  /** The chart directory. */
  public static Path chartPath() {
    return Path.of(System.getProperty("modelpilot.chart", "../helm/modelpilot"))
        .toAbsolutePath()
        .normalize();
  }

  /**
   * Runs {@code helm template} on the chart (release {@value #RELEASE_NAME} in namespace
   * {@value #RELEASE_NAMESPACE}, Kubernetes {@value #KUBE_VERSION}) with the given {@code --set}
   * values and returns the raw YAML.
   *
   * <p>helm-java escapes {@code { } [ ] , .} in values, so a value is always a scalar: set lists
   * element by element with indexed keys, e.g. {@code watchNamespaces[0]=team-a}. Numbers and
   * booleans keep their type, as with {@code helm --set}.
   */
  public static String renderYaml(Map<String, String> sets) {
    final TemplateCommand template =
        new Helm(chartPath())
            .template()
            .withName(RELEASE_NAME)
            .withNamespace(RELEASE_NAMESPACE)
            .withKubeVersion(KUBE_VERSION);
    sets.forEach(template::set);
    return template.call();
  }

  /** Renders the chart with the given {@code --set} values and parses every resource. */
  public static List<HasMetadata> render(Map<String, String> sets) {
    final Object parsed =
        SERIALIZATION.unmarshal(
            new ByteArrayInputStream(renderYaml(sets).getBytes(StandardCharsets.UTF_8)));
    final List<HasMetadata> resources = new ArrayList<>();
    if (parsed instanceof List<?> list) {
      list.stream().map(HasMetadata.class::cast).forEach(resources::add);
    } else if (parsed instanceof HasMetadata single) {
      resources.add(single);
    }
    return resources;
  }

  /**
   * The RBAC rules of the cluster-wide render (no {@code watchNamespaces}) with the given extra
   * {@code --set} values, i.e. the rules of the operator's ClusterRole. The per-namespace Roles
   * share the same rules (one named template), so this is what the operator is granted in either
   * mode.
   */
  public static List<PolicyRule> renderedRules(Map<String, String> sets) {
    final List<ClusterRole> clusterRoles = ofKind(render(sets), ClusterRole.class);
    assertThat(clusterRoles).as("ClusterRoles rendered with %s", sets).hasSize(1);
    return clusterRoles.get(0).getRules();
  }

  /** The rules of the leader-election Role in the release namespace (chart defaults). */
  public static List<PolicyRule> renderedLeaseRules() {
    final List<Role> roles = ofKind(render(Map.of()), Role.class).stream()
        .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
        .toList();
    assertThat(roles).singleElement()
        .satisfies(r -> assertThat(r.getMetadata().getNamespace()).isEqualTo(RELEASE_NAMESPACE));
    return roles.get(0).getRules();
  }

  /** {@link #renderedRules(Map)} with the chart's default values. */
  public static List<PolicyRule> renderedRules() {
    return renderedRules(Map.of());
  }

  @Test
  void lintsCleanlyInStrictMode() {
    final LintResult result = new Helm(chartPath()).lint().strict().call();

    assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void rendersClusterWideRbacWhenNoNamespacesAreListed() {
    final List<HasMetadata> resources = render(Map.of());

    final List<ClusterRole> clusterRoles = ofKind(resources, ClusterRole.class);
    final List<ClusterRoleBinding> bindings = ofKind(resources, ClusterRoleBinding.class);
    assertThat(clusterRoles).hasSize(1);
    assertThat(bindings).hasSize(1);
    // the only namespaced RBAC: the leader-election Lease in the release namespace
    assertThat(ofKind(resources, Role.class)).extracting(r -> r.getMetadata().getName())
        .containsExactly(RELEASE_NAME + "-leader-election");
    assertThat(ofKind(resources, RoleBinding.class)).extracting(r -> r.getMetadata().getName())
        .containsExactly(RELEASE_NAME + "-leader-election");

    final ClusterRoleBinding binding = bindings.get(0);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
    assertThat(binding.getRoleRef().getName())
        .isEqualTo(clusterRoles.get(0).getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("ServiceAccount");
              assertThat(subject.getName()).isEqualTo(serviceAccountName(resources));
              assertThat(subject.getNamespace()).isEqualTo(RELEASE_NAMESPACE);
            });

    assertThat(env(operatorContainer(resources)))
        .containsEntry("MODELPILOT_WATCH_NAMESPACES", "JOSDK_ALL_NAMESPACES");
  }

  @Test
  void rendersARolePerNamespaceWhenNamespacesAreListed() {
    final List<HasMetadata> resources =
        render(Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));

    // cluster-wide, only the CRD reads (are the ServiceMonitor and HTTPRoute kinds installed?), by resource name
    assertThat(ofKind(resources, ClusterRole.class)).singleElement().satisfies(crdCheck -> {
      assertThat(crdCheck.getRules()).singleElement().satisfies(rule -> {
        assertThat(rule.getApiGroups()).containsExactly("apiextensions.k8s.io");
        assertThat(rule.getResources()).containsExactly("customresourcedefinitions");
        assertThat(rule.getResourceNames()).containsExactly("servicemonitors.monitoring.coreos.com",
            "httproutes.gateway.networking.k8s.io");
        assertThat(rule.getVerbs()).containsExactly("get");
      });
    });
    assertThat(ofKind(resources, ClusterRoleBinding.class)).singleElement()
        .satisfies(b -> assertThat(b.getRoleRef().getName()).endsWith("-crd-check"));

    // the leader-election Role lives in the release namespace whatever the operator watches
    final List<Role> roles = ofKind(resources, Role.class).stream()
        .filter(r -> !r.getMetadata().getName().endsWith("-leader-election")).toList();
    final List<RoleBinding> bindings = ofKind(resources, RoleBinding.class).stream()
        .filter(b -> !b.getMetadata().getName().endsWith("-leader-election")).toList();
    assertThat(roles)
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    assertThat(bindings)
        .extracting(b -> b.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");

    final List<PolicyRule> clusterWideRules = renderedRules();
    for (Role role : roles) {
      assertThat(role.getRules()).as("rules of Role in %s", role.getMetadata().getNamespace())
          .isEqualTo(clusterWideRules.stream().filter(r -> !r.getApiGroups().contains("apiextensions.k8s.io")).toList());
    }
    final String serviceAccount = serviceAccountName(resources);
    for (RoleBinding binding : bindings) {
      final String namespace = binding.getMetadata().getNamespace();
      assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
      assertThat(roles)
          .anyMatch(
              r ->
                  r.getMetadata().getNamespace().equals(namespace)
                      && r.getMetadata().getName().equals(binding.getRoleRef().getName()));
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              subject -> {
                assertThat(subject.getKind()).isEqualTo("ServiceAccount");
                assertThat(subject.getName()).isEqualTo(serviceAccount);
                assertThat(subject.getNamespace()).isEqualTo(RELEASE_NAMESPACE);
              });
    }

    assertThat(env(operatorContainer(resources)))
        .containsEntry("MODELPILOT_WATCH_NAMESPACES", "team-a,team-b");
  }

  @Test
  void grantsExactlyTheOperatorsRulesWithoutWildcards() {
    final List<PolicyRule> rules = renderedRules();

    assertThat(rules)
        .allSatisfy(
            rule -> {
              assertThat(Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs())
                      .flatMap(List::stream))
                  .doesNotContain("*");
              assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
            });
    assertThat(rules)
        .extracting(r -> r.getApiGroups() + " " + r.getResources() + " " + r.getVerbs()
            + (r.getResourceNames() == null || r.getResourceNames().isEmpty() ? "" : " " + r.getResourceNames()))
        .containsExactly(
            "[modelpilot.io] [modeldeployments] [get, list, watch, patch]",
            "[modelpilot.io] [modeldeployments/status] [patch]",
            "[modelpilot.io] [tuningjobs] [list, watch]",
            "[modelpilot.io] [tuningjobs/status] [patch]",
            "[batch] [jobs] [get, list, watch, create, delete]",
            "[] [pods] [list]",
            "[] [pods/log] [get]",
            "[apps] [deployments] [list, watch, create, patch, delete]",
            "[] [services] [list, watch, create, patch, delete]",
            "[policy] [poddisruptionbudgets] [list, watch, create, patch, delete]",
            "[] [persistentvolumeclaims] [get]",
            "[] [secrets] [create]",
            "[] [events] [create]",
            "[monitoring.coreos.com] [servicemonitors] [list, watch, create, patch]",
            "[gateway.networking.k8s.io] [httproutes] [list, watch, create, patch, delete]",
            "[apiextensions.k8s.io] [customresourcedefinitions] [get] [servicemonitors.monitoring.coreos.com, "
                + "httproutes.gateway.networking.k8s.io]");
  }

  @Test
  void operatorPodMeetsTheRestrictedPodSecurityStandard() {
    final PodSpec pod = operatorDeployment(render(Map.of())).getSpec().getTemplate().getSpec();

    // Host namespaces, host ports and hostPath volumes are forbidden (baseline).
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());

    final PodSecurityContext podSecurity = pod.getSecurityContext();
    assertThat(podSecurity).isNotNull();
    assertThat(podSecurity.getRunAsNonRoot()).isTrue();
    assertThat(podSecurity.getSeccompProfile()).isNotNull();
    assertThat(podSecurity.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(podSecurity.getRunAsUser()).as("pod runAsUser").satisfiesAnyOf(
        uid -> assertThat(uid).isNull(), uid -> assertThat(uid).isPositive());

    final List<Container> containers =
        Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    assertThat(containers).isNotEmpty();
    for (Container container : containers) {
      final SecurityContext security = container.getSecurityContext();
      assertThat(security).as("securityContext of %s", container.getName()).isNotNull();
      assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
      assertThat(security.getAllowPrivilegeEscalation()).isFalse();
      assertThat(security.getCapabilities()).isNotNull();
      assertThat(security.getCapabilities().getDrop()).contains("ALL");
      assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
      assertThat(security.getReadOnlyRootFilesystem()).isTrue();
      assertThat(security.getRunAsNonRoot()).isTrue();
      assertThat(security.getRunAsUser()).as("runAsUser of %s", container.getName()).satisfiesAnyOf(
          uid -> assertThat(uid).isNull(), uid -> assertThat(uid).isPositive());
      assertThat(container.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
    }

    // With a read-only root filesystem the JVM still needs a writable /tmp.
    final Container operator = operatorContainer(pod);
    final String tmpVolume =
        operator.getVolumeMounts().stream()
            .filter(m -> m.getMountPath().equals("/tmp"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no volume mounted at /tmp"))
            .getName();
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals(tmpVolume))
        .singleElement()
        .extracting(Volume::getEmptyDir)
        .isNotNull();
  }

  @Test
  void rendersTheOperatorDeploymentFromDefaults() {
    final List<HasMetadata> resources = render(Map.of());
    final Deployment deployment = operatorDeployment(resources);
    final Container operator = operatorContainer(resources);

    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(RELEASE_NAMESPACE);
    // two replicas under leader election, rolled one at a time with none unavailable
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
    assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(env(operator))
        .containsEntry("MODELPILOT_LEADER_ELECTION_ENABLED", "true")
        .containsEntry("MODELPILOT_LEADER_ELECTION_LEASE_NAME", RELEASE_NAME);
    assertThat(operator.getEnv()).filteredOn(e -> e.getName().equals("MODELPILOT_LEADER_ELECTION_LEASE_NAMESPACE"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace"));
    assertThat(ofKind(resources, RoleBinding.class))
        .filteredOn(b -> b.getMetadata().getName().endsWith("-leader-election"))
        .singleElement()
        .satisfies(b -> {
          assertThat(b.getMetadata().getNamespace()).isEqualTo(RELEASE_NAMESPACE);
          assertThat(b.getSubjects()).singleElement()
              .satisfies(s -> assertThat(s.getName()).isEqualTo(serviceAccountName(resources)));
        });
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(serviceAccountName(resources));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/q/metrics");

    assertThat(operator.getImage()).isEqualTo("ghcr.io/modelpilot/operator:0.1.0");
    assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(env(operator))
        .containsEntry("MODELPILOT_RUNTIME_IMAGE", "ghcr.io/modelpilot/runtime:0.1.0")
        .containsEntry("MODELPILOT_RUNTIME_CUDA_IMAGE", "ghcr.io/modelpilot/runtime-cuda:0.1.0")
        .doesNotContainKey("MODELPILOT_SERVICE_MONITOR_LABELS")
        .containsEntry(
            "MODELPILOT_PROMETHEUS_URL", "http://prometheus-operated.monitoring.svc:9090")
        .containsEntry("MODELPILOT_PROMETHEUS_SCRAPE_INTERVAL", "30s")
        .containsEntry("MODELPILOT_PROMQL_ALLOW_OTHER_NAMESPACES", "false")
        .containsEntry("MODELPILOT_CLUSTER_DOMAIN", "cluster.local");
    assertThat(operator.getPorts())
        .singleElement()
        .satisfies(
            port -> {
              assertThat(port.getName()).isEqualTo("http");
              assertThat(port.getContainerPort()).isEqualTo(8080);
            });
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
    Stream.of(operator.getLivenessProbe(), operator.getReadinessProbe(), operator.getStartupProbe())
        .forEach(probe -> assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http"));
    assertThat(operator.getResources().getRequests())
        .hasEntrySatisfying("cpu", q -> assertThat(q.toString()).isEqualTo("100m"))
        .hasEntrySatisfying("memory", q -> assertThat(q.toString()).isEqualTo("256Mi"));
    assertThat(operator.getResources().getLimits())
        .hasEntrySatisfying("memory", q -> assertThat(q.toString()).isEqualTo("512Mi"));
  }

  @Test
  void appliesOverriddenValuesToTheOperatorDeployment() {
    final List<HasMetadata> resources =
        render(
            values(
                "replicaCount", "0",
                "leaderElection.enabled", "false",
                "image.tag", "1.2.3",
                "runtime.image.repository", "registry.example.com:5000/ml/runtime",
                "runtime.image.tag", "4.5.6",
                "runtime.cudaImage.tag", "4.5.6-cuda12",
                "serviceMonitor.labels.release", "kube-prometheus-stack",
                "prometheus.url", "https://prometheus.example.com",
                "prometheus.scrapeInterval", "1m",
                "prometheus.allowOtherNamespaces", "true",
                "clusterDomain", "corp.internal",
                "extraEnv[0].name", "QUARKUS_LOG_LEVEL",
                "extraEnv[0].value", "DEBUG",
                "metrics.podAnnotations", "false",
                "serviceAccount.name", "pilot"));
    final Deployment deployment = operatorDeployment(resources);
    final Container operator = operatorContainer(resources);

    assertThat(deployment.getSpec().getReplicas()).isZero();
    assertThat(operator.getImage()).isEqualTo("ghcr.io/modelpilot/operator:1.2.3");
    assertThat(operator.getEnv())
        .extracting(EnvVar::getName)
        .containsExactly(
            "MODELPILOT_RUNTIME_IMAGE",
            "MODELPILOT_RUNTIME_CUDA_IMAGE",
            "MODELPILOT_RUNTIME_POD_CPU_REQUEST",
            "MODELPILOT_RUNTIME_POD_MEMORY_REQUEST",
            "MODELPILOT_RUNTIME_POD_CPU_LIMIT",
            "MODELPILOT_RUNTIME_POD_MEMORY_LIMIT",
            "MODELPILOT_RUNTIME_POD_JVM_MAX_RAM_PERCENTAGE",
            "MODELPILOT_RUNTIME_POD_STARTUP_TIMEOUT",
            "MODELPILOT_RUNTIME_POD_DRAIN_DELAY",
            "MODELPILOT_POD_DISRUPTION_BUDGET_ENABLED",
            "MODELPILOT_POD_DISRUPTION_BUDGET_MAX_UNAVAILABLE",
            "MODELPILOT_SERVICE_MONITOR_LABELS",
            "MODELPILOT_WATCH_NAMESPACES",
            "MODELPILOT_PROMETHEUS_URL",
            "MODELPILOT_PROMETHEUS_SCRAPE_INTERVAL",
            "MODELPILOT_PROMQL_ALLOW_OTHER_NAMESPACES",
            "MODELPILOT_CLUSTER_DOMAIN",
            "MODELPILOT_LEADER_ELECTION_ENABLED",
            "QUARKUS_LOG_LEVEL");
    // no leader election: no Lease Role, and an old and a new pod never overlap
    assertThat(ofKind(resources, Role.class)).isEmpty();
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(env(operator))
        .containsEntry("MODELPILOT_RUNTIME_IMAGE", "registry.example.com:5000/ml/runtime:4.5.6")
        .containsEntry("MODELPILOT_RUNTIME_CUDA_IMAGE", "ghcr.io/modelpilot/runtime-cuda:4.5.6-cuda12")
        .containsEntry("MODELPILOT_SERVICE_MONITOR_LABELS", "release=kube-prometheus-stack")
        .containsEntry("MODELPILOT_PROMETHEUS_URL", "https://prometheus.example.com")
        .containsEntry("MODELPILOT_PROMETHEUS_SCRAPE_INTERVAL", "1m")
        .containsEntry("MODELPILOT_PROMQL_ALLOW_OTHER_NAMESPACES", "true")
        .containsEntry("MODELPILOT_CLUSTER_DOMAIN", "corp.internal")
        .containsEntry("QUARKUS_LOG_LEVEL", "DEBUG");
    assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
        .doesNotContainKeys("prometheus.io/scrape", "prometheus.io/port", "prometheus.io/path");
    assertThat(ofKind(resources, ServiceAccount.class))
        .singleElement()
        .extracting(sa -> sa.getMetadata().getName())
        .isEqualTo("pilot");
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("pilot");
  }

  @Test
  void handsTheRuntimePodDefaultsAndTheDisruptionBudgetToTheOperator() {
    assertThat(env(operatorContainer(render(Map.of()))))
        .containsEntry("MODELPILOT_RUNTIME_POD_CPU_REQUEST", "1")
        .containsEntry("MODELPILOT_RUNTIME_POD_MEMORY_REQUEST", "1Gi")
        .containsEntry("MODELPILOT_RUNTIME_POD_CPU_LIMIT", "2")
        .containsEntry("MODELPILOT_RUNTIME_POD_MEMORY_LIMIT", "2Gi")
        .containsEntry("MODELPILOT_RUNTIME_POD_JVM_MAX_RAM_PERCENTAGE", "50")
        .containsEntry("MODELPILOT_RUNTIME_POD_STARTUP_TIMEOUT", "10m")
        .containsEntry("MODELPILOT_RUNTIME_POD_DRAIN_DELAY", "5s")
        .containsEntry("MODELPILOT_POD_DISRUPTION_BUDGET_ENABLED", "true")
        .containsEntry("MODELPILOT_POD_DISRUPTION_BUDGET_MAX_UNAVAILABLE", "1");

    Map<String, String> changed = env(operatorContainer(render(values(
        "runtime.pod.resources.requests.cpu", "250m",
        "runtime.pod.resources.limits.cpu", "",
        "runtime.pod.resources.limits.memory", "null",
        "runtime.pod.jvmMaxRamPercentage", "70",
        "runtime.pod.startupTimeout", "30m",
        "runtime.pod.drainDelay", "0s",
        "podDisruptionBudget.enabled", "false",
        "podDisruptionBudget.maxUnavailable", "25%"))));
    assertThat(changed)
        .containsEntry("MODELPILOT_RUNTIME_POD_CPU_REQUEST", "250m")
        .containsEntry("MODELPILOT_RUNTIME_POD_MEMORY_REQUEST", "1Gi")
        .doesNotContainKeys("MODELPILOT_RUNTIME_POD_CPU_LIMIT", "MODELPILOT_RUNTIME_POD_MEMORY_LIMIT")
        .containsEntry("MODELPILOT_RUNTIME_POD_JVM_MAX_RAM_PERCENTAGE", "70")
        .containsEntry("MODELPILOT_RUNTIME_POD_STARTUP_TIMEOUT", "30m")
        .containsEntry("MODELPILOT_RUNTIME_POD_DRAIN_DELAY", "0s")
        .containsEntry("MODELPILOT_POD_DISRUPTION_BUDGET_ENABLED", "false")
        .containsEntry("MODELPILOT_POD_DISRUPTION_BUDGET_MAX_UNAVAILABLE", "25%");
  }

  @Test
  void rejectsBadRuntimePodDefaultsThroughTheSchema() {
    assertThatThrownBy(() -> renderYaml(Map.of("runtime.pod.resources.requests.memory", "lots")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("memory");
    assertThatThrownBy(() -> renderYaml(Map.of("runtime.pod.resources.requests.gpu", "1")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("gpu");
    assertThatThrownBy(() -> renderYaml(Map.of("runtime.pod.jvmMaxRamPercentage", "95")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("jvmMaxRamPercentage");
    assertThatThrownBy(() -> renderYaml(Map.of("runtime.pod.startupTimeout", "0s")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("startupTimeout");
    assertThatThrownBy(() -> renderYaml(Map.of("runtime.pod.drainDelay", "5")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("drainDelay");
    assertThatThrownBy(() -> renderYaml(Map.of("podDisruptionBudget.maxUnavailable", "0")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxUnavailable");
    assertThatThrownBy(() -> renderYaml(Map.of("podDisruptionBudget.maxUnavailable", "150%")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("maxUnavailable");
  }

  @Test
  void usesAnExistingServiceAccountWhenNotCreatingOne() {
    final List<HasMetadata> resources =
        render(Map.of("serviceAccount.create", "false", "serviceAccount.name", "existing"));

    assertThat(ofKind(resources, ServiceAccount.class)).isEmpty();
    assertThat(serviceAccountName(resources)).isEqualTo("existing");
    assertThat(ofKind(resources, ClusterRoleBinding.class).get(0).getSubjects().get(0).getName())
        .isEqualTo("existing");
  }

  @Test
  void rejectsUnknownValuesThroughTheSchema() {
    assertThatThrownBy(() -> renderYaml(Map.of("replicaCount", "two")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> renderYaml(Map.of("replicas", "2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("replicas");
    assertThatThrownBy(() -> renderYaml(Map.of("image.tagg", "1.0.0")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tagg");
    assertThatThrownBy(() -> renderYaml(Map.of("image.pullPolicy", "Sometimes")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pullPolicy");
    assertThatThrownBy(() -> renderYaml(Map.of("watchNamespaces[0]", "Team_A")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("watchNamespaces");
    // the operator reads it as a Quarkus duration: one number and one unit
    assertThatThrownBy(() -> renderYaml(Map.of("leaderElection.enabled", "false", "replicaCount", "2")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("replicaCount");
    assertThatThrownBy(() -> renderYaml(Map.of("prometheus.scrapeInterval", "1m30s")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scrapeInterval");
  }

  @Test
  void chartLivesWhereTheTestExpectsIt() {
    assertThat(chartPath().resolve("Chart.yaml")).exists();
    assertThat(Files.isRegularFile(chartPath().resolve("values.schema.json"))).isTrue();
  }

  // --- helpers -----------------------------------------------------------------------------

  public static <T extends HasMetadata> List<T> ofKind(List<HasMetadata> resources, Class<T> kind) {
    return resources.stream().filter(kind::isInstance).map(kind::cast).collect(Collectors.toList());
  }

  private static Deployment operatorDeployment(List<HasMetadata> resources) {
    final List<Deployment> deployments = ofKind(resources, Deployment.class);
    assertThat(deployments).hasSize(1);
    return deployments.get(0);
  }

  private static Container operatorContainer(List<HasMetadata> resources) {
    return operatorContainer(operatorDeployment(resources).getSpec().getTemplate().getSpec());
  }

  private static Container operatorContainer(PodSpec pod) {
    assertThat(pod.getContainers()).hasSize(1);
    return pod.getContainers().get(0);
  }

  private static String serviceAccountName(List<HasMetadata> resources) {
    return operatorDeployment(resources).getSpec().getTemplate().getSpec().getServiceAccountName();
  }

  private static Map<String, String> env(Container container) {
    return container.getEnv().stream()
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue, (a, b) -> b));
  }

  private static Map<String, String> values(String... keysAndValues) {
    Map<String, String> values = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      values.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return values;
  }
}
