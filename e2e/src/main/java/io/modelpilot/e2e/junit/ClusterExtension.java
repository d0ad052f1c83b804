package io.modelpilot.e2e.junit;

import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.cluster.ScenarioCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * One cluster per test class (starting one takes a while), and diagnostics under
 * {@code e2e/target/e2e-<Class>-<test>/} for every failing test.
 *
 * @param <C> what the tests get: a {@link LocalCluster} ({@link LocalClusterExtension}) or any
 *     {@link ScenarioCluster} ({@link ScenarioClusterExtension})
 */
public abstract class ClusterExtension<C extends ScenarioCluster>
    implements BeforeAllCallback, AfterAllCallback, TestWatcher {

  private final Function<String, C> starter;
  private C cluster;

  /** @param starter starts the cluster for the test class of the given simple name */
  protected ClusterExtension(Function<String, C> starter) {
    this.starter = starter;
  }

  public C cluster() {
    if (cluster == null) {
      throw new IllegalStateException("the cluster is not started (register the extension on a static field)");
    }
    return cluster;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    cluster = starter.apply(context.getRequiredTestClass().getSimpleName());
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
    return cluster.reportsDir().resolve("e2e-" + test);
  }
}
