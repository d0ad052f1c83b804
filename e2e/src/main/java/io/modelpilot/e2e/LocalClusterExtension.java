package io.modelpilot.e2e;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Path;
import java.util.function.UnaryOperator;

/**
 * One {@link LocalCluster} per test class (starting one takes a while), and diagnostics under
 * {@code e2e/target/e2e-<Class>-<test>/} for every failing test:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalClusterExtension CLUSTER = new LocalClusterExtension();
 * }</pre>
 */
public final class LocalClusterExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {

  private final UnaryOperator<LocalCluster.Builder> customizer;
  private LocalCluster cluster;

  public LocalClusterExtension() {
    this(UnaryOperator.identity());
  }

  /** @param customizer adjusts the cluster, e.g. {@code b -> b.operatorEnv("MODELPILOT_…", "5s")} */
  public LocalClusterExtension(UnaryOperator<LocalCluster.Builder> customizer) {
    this.customizer = customizer;
  }

  public LocalCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the local cluster is not started (register the extension on a static field)");
    }
    return cluster;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = customizer.apply(LocalCluster.builder().name(context.getRequiredTestClass().getSimpleName())).start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    if (cluster != null) {
      cluster.dumpDiagnostics(diagnosticsDir(context));
    }
  }

  /** {@code e2e/target/e2e-<Class>-<method>}. */
  public Path diagnosticsDir(ExtensionContext context) {
    String test = context.getRequiredTestClass().getSimpleName()
        + context.getTestMethod().map(m -> "-" + m.getName()).orElse("");
    return cluster.repo().root().resolve("e2e/target").resolve("e2e-" + test);
  }
}
