package io.modelpilot.e2e.junit;

import io.modelpilot.e2e.cluster.KubeconfigCluster;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.cluster.ScenarioCluster;

/**
 * The cluster a scenario runs on: a real one when {@value KubeconfigCluster#KUBECONFIG_ENV} names a kubeconfig
 * (e2e/kind/run.sh sets it), else a {@link LocalCluster} started for the test class.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final ScenarioClusterExtension CLUSTER = new ScenarioClusterExtension();
 * }</pre>
 */
public final class ScenarioClusterExtension extends ClusterExtension<ScenarioCluster> {

  public ScenarioClusterExtension() {
    super(name -> KubeconfigCluster.fromEnvironment().<ScenarioCluster>map(c -> c)
        .orElseGet(() -> LocalCluster.builder().name(name).start()));
  }
}
