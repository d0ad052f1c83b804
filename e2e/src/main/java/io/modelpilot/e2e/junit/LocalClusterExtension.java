package io.modelpilot.e2e.junit;

import io.modelpilot.e2e.cluster.LocalCluster;

import java.util.function.UnaryOperator;

/**
 * A {@link LocalCluster} per test class, for tests that need its own parts (the kubelet's processes, the
 * operator's log):
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalClusterExtension CLUSTER = new LocalClusterExtension();
 * }</pre>
 */
public final class LocalClusterExtension extends ClusterExtension<LocalCluster> {

  public LocalClusterExtension() {
    this(UnaryOperator.identity());
  }

  /** @param customizer adjusts the cluster, e.g. {@code b -> b.operatorEnv("MODELPILOT_…", "5s")} */
  public LocalClusterExtension(UnaryOperator<LocalCluster.Builder> customizer) {
    super(name -> customizer.apply(LocalCluster.builder().name(name)).start());
  }
}
