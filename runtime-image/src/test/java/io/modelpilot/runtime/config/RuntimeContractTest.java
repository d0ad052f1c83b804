package io.modelpilot.runtime.config;

import io.modelpilot.contract.RuntimeContract;
import io.smallrye.config.WithName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The variables the operator sets on a runtime container are settings this server reads, spelled the same. */
class RuntimeContractTest {

  @Test
  void everyVariableTheOperatorSetsIsASettingOfTheServer() throws IllegalAccessException {
    Set<String> properties = new TreeSet<>();
    for (Method m : RuntimeSettings.class.getMethods()) {
      WithName name = m.getAnnotation(WithName.class);
      properties.add("modelpilot." + (name != null ? name.value() : m.getName()));
    }
    for (var field : RuntimeContract.Env.class.getFields()) {
      String variable = (String) field.get(null);
      if (!variable.startsWith(RuntimeContract.Env.PREFIX) || variable.equals(RuntimeContract.Env.PREFIX)) {
        continue; // QUARKUS_HTTP_PORT is Quarkus' own
      }
      assertThat(properties).as(variable).contains(RuntimeContract.Env.property(variable));
    }
  }

  @Test
  void environmentNamesMapToPropertiesAsSmallRyeConfigReadsThem() {
    assertThat(RuntimeContract.Env.property(RuntimeContract.Env.MODEL_URI)).isEqualTo("modelpilot.model-uri");
    assertThat(RuntimeContract.Env.property(RuntimeContract.Env.MAX_QUEUE_DELAY))
        .isEqualTo("modelpilot.max-queue-delay");
    assertThat(Arrays.stream(RuntimeSettings.class.getMethods()).map(Method::getName)).contains("maxQueueDelay");
  }

  /** The operator sizes a pod's terminationGracePeriodSeconds from the contract's figure: it must be the server's. */
  @Test
  void shutdownTimeoutIsTheContractsFigure() throws IOException {
    Properties properties = new Properties();
    try (InputStream in = RuntimeSettings.class.getResourceAsStream("/application.properties")) {
      properties.load(in);
    }
    assertThat(properties.getProperty("quarkus.shutdown.timeout"))
        .isEqualTo(RuntimeContract.Http.SHUTDOWN_TIMEOUT_SECONDS + "s");
  }
}
