package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.modelpilot.operator.config.OperatorSettings;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator's settings add to every runtime pod: default container resources, the JVM's heap share of the
 * memory limit, how long a first start may take and how long a terminating pod drains.
 *
 * @param requests default requests by resource name (cpu, memory)
 * @param limits default limits by resource name
 * @param jvmMaxRamPercentage heap share of the memory limit; 0: the image's own JVM options only
 * @param startupTimeout the longest first start (model download, load, warm-up) before the kubelet restarts the pod
 * @param drainDelay the preStop sleep; zero: no hook
 */
public record PodDefaults(Map<String, Quantity> requests, Map<String, Quantity> limits, int jvmMaxRamPercentage,
    Duration startupTimeout, Duration drainDelay) {

  /** The settings' own defaults: no default resources, heap 50% of the limit, 10 minutes to start, 5 s of drain. */
  public static final PodDefaults BUILT_IN = new PodDefaults(Map.of(), Map.of(), 50, Duration.ofMinutes(10),
      Duration.ofSeconds(5));

  public PodDefaults {
    requests = Map.copyOf(requests);
    limits = Map.copyOf(limits);
    if (jvmMaxRamPercentage < 0 || jvmMaxRamPercentage > 100) {
      throw new IllegalArgumentException("MODELPILOT_RUNTIME_POD_JVM_MAX_RAM_PERCENTAGE: " + jvmMaxRamPercentage
          + " is not a percentage (0-100)");
    }
    if (startupTimeout.isNegative() || startupTimeout.isZero()) {
      throw new IllegalArgumentException("MODELPILOT_RUNTIME_POD_STARTUP_TIMEOUT: " + startupTimeout
          + " must be positive");
    }
    if (drainDelay.isNegative()) {
      throw new IllegalArgumentException("MODELPILOT_RUNTIME_POD_DRAIN_DELAY: " + drainDelay + " is negative");
    }
  }

  /** The settings, each quantity checked; a bad one names its variable. */
  public static PodDefaults of(OperatorSettings.RuntimePod settings) {
    Map<String, Quantity> requests = new LinkedHashMap<>();
    Map<String, Quantity> limits = new LinkedHashMap<>();
    put(requests, "cpu", settings.cpuRequest(), "MODELPILOT_RUNTIME_POD_CPU_REQUEST");
    put(requests, "memory", settings.memoryRequest(), "MODELPILOT_RUNTIME_POD_MEMORY_REQUEST");
    put(limits, "cpu", settings.cpuLimit(), "MODELPILOT_RUNTIME_POD_CPU_LIMIT");
    put(limits, "memory", settings.memoryLimit(), "MODELPILOT_RUNTIME_POD_MEMORY_LIMIT");
    return new PodDefaults(requests, limits, settings.jvmMaxRamPercentage(), settings.startupTimeout(),
        settings.drainDelay());
  }

  private static void put(Map<String, Quantity> into, String resource, Optional<String> value, String variable) {
    if (value.isEmpty() || value.get().isBlank()) {
      return;
    }
    try {
      Quantity q = new Quantity(value.get().strip());
      if (Quantity.getAmountInBytes(q).signum() <= 0) {
        throw new IllegalArgumentException("not positive");
      }
      into.put(resource, q);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(variable + ": '" + value.get() + "' is not a positive Kubernetes quantity "
          + "(e.g. 500m, 2, 1Gi)", e);
    }
  }

  /**
   * The spec's resources with a default for every cpu/memory request and limit it leaves out. A default never makes
   * a request exceed a limit the API server would then refuse: a default request above the spec's limit becomes
   * that limit, a default limit below the spec's request becomes that request. Other resources (GPUs, ephemeral
   * storage) are the spec's alone.
   */
  public ResourceRequirements resources(ResourceRequirements spec) {
    Map<String, Quantity> specRequests = spec == null || spec.getRequests() == null ? Map.of() : spec.getRequests();
    Map<String, Quantity> specLimits = spec == null || spec.getLimits() == null ? Map.of() : spec.getLimits();
    Map<String, Quantity> outRequests = new LinkedHashMap<>(specRequests);
    Map<String, Quantity> outLimits = new LinkedHashMap<>(specLimits);
    requests.forEach((resource, q) -> {
      if (!specRequests.containsKey(resource)) {
        Quantity limit = specLimits.get(resource);
        outRequests.put(resource, limit != null && amount(q).compareTo(amount(limit)) > 0 ? limit : q);
      }
    });
    limits.forEach((resource, q) -> {
      if (!specLimits.containsKey(resource)) {
        Quantity request = outRequests.get(resource);
        outLimits.put(resource, request != null && amount(request).compareTo(amount(q)) > 0 ? request : q);
      }
    });
    ResourceRequirementsBuilder out = spec == null ? new ResourceRequirementsBuilder()
        : new ResourceRequirementsBuilder(spec);
    return out.withRequests(outRequests.isEmpty() ? null : outRequests)
        .withLimits(outLimits.isEmpty() ? null : outLimits).build();
  }

  private static BigDecimal amount(Quantity q) {
    return Quantity.getAmountInBytes(q);
  }

  /** {@code JDK_JAVA_OPTIONS} for the runtime's JVM, or null when there are none. */
  public String jvmOptions() {
    if (jvmMaxRamPercentage == 0) {
      return null;
    }
    // a heap share of the limit, not of the node, and a JVM whose heap ran out exits (and restarts) instead of
    // limping on with threads that died of OutOfMemoryError
    return "-XX:MaxRAMPercentage=" + jvmMaxRamPercentage + " -XX:+ExitOnOutOfMemoryError";
  }
}
