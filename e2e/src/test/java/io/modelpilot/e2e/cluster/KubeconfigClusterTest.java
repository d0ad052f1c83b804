package io.modelpilot.e2e.cluster;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the scenarios find a real cluster from the environment e2e/kind/run.sh sets (no cluster runs here). */
class KubeconfigClusterTest {

  @Test
  void withoutAKubeconfigTheScenariosRunOnTheLocalCluster() {
    assertThat(KubeconfigCluster.Settings.from(Map.of())).isEmpty();
    assertThat(KubeconfigCluster.Settings.from(Map.of(KubeconfigCluster.KUBECONFIG_ENV, " "))).isEmpty();
  }

  @Test
  void servicesAndPrometheusAreReachedThroughKubectlProxy() {
    KubeconfigCluster.Settings s = KubeconfigCluster.Settings.from(
        Map.of(KubeconfigCluster.KUBECONFIG_ENV, "/home/me/.kube/config")).orElseThrow();

    assertThat(s.kubeconfig()).isEqualTo(Path.of("/home/me/.kube/config"));
    assertThat(s.serviceProxy("rising", "scorer", "http")).hasToString(
        "http://127.0.0.1:8001/api/v1/namespaces/rising/services/scorer:http/proxy");
    assertThat(s.prometheusUrl()).hasToString(
        "http://127.0.0.1:8001/api/v1/namespaces/monitoring/services/prometheus:9090/proxy");
    assertThat(s.operatorNamespace()).isEqualTo("modelpilot-system");
  }

  @Test
  void everySettingCanBeGiven() {
    KubeconfigCluster.Settings s = KubeconfigCluster.Settings.from(Map.of(
        KubeconfigCluster.KUBECONFIG_ENV, "kind.yaml",
        KubeconfigCluster.API_PROXY_ENV, "http://localhost:18001/",
        KubeconfigCluster.PROMETHEUS_ENV, "observability/prom-server:80",
        KubeconfigCluster.OPERATOR_NAMESPACE_ENV, "platform")).orElseThrow();

    assertThat(s.prometheusUrl()).hasToString(
        "http://localhost:18001/api/v1/namespaces/observability/services/prom-server:80/proxy");
    assertThat(s.operatorNamespace()).isEqualTo("platform");
  }

  @Test
  void badSettingsNameTheVariableAndTheExpectedForm() {
    assertThatThrownBy(() -> KubeconfigCluster.Settings.from(Map.of(KubeconfigCluster.KUBECONFIG_ENV, "k",
        KubeconfigCluster.API_PROXY_ENV, "https://10.0.0.1:6443")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_E2E_API_PROXY").hasMessageContaining("kubectl proxy");
    assertThatThrownBy(() -> KubeconfigCluster.Settings.from(Map.of(KubeconfigCluster.KUBECONFIG_ENV, "k",
        KubeconfigCluster.PROMETHEUS_ENV, "prometheus")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MODELPILOT_E2E_PROMETHEUS").hasMessageContaining("namespace/deployment:port");
  }
}
