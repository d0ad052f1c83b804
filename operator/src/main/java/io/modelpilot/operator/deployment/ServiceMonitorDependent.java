package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.CRDPresentActivationCondition;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.metrics.MetricsWindows;
import jakarta.inject.Inject;
import io.modelpilot.contract.RuntimeContract.Http;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.monitoring.ServiceMonitor;
import io.modelpilot.operator.monitoring.ServiceMonitorSpec;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A ServiceMonitor per ModelDeployment, so a Prometheus Operator installation scrapes its runtime pods
 * ({@code /q/metrics} on the {@code http} port) with the pod labels the autoscaler and the canary analysis
 * query by ({@code modelpilot_io_deployment}, {@code _track}, {@code _revision}). Only where the
 * {@code monitoring.coreos.com} CRDs are installed ({@link Installed}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ServiceMonitorDependent.SELECTOR))
public class ServiceMonitorDependent extends CRUDKubernetesDependentResource<ServiceMonitor, ModelDeployment> {

  static final String SELECTOR = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR;

  public ServiceMonitorDependent() {
    super(ServiceMonitor.class);
  }

  @Inject
  OperatorSettings settings;

  @Override
  protected ServiceMonitor desired(ModelDeployment md, Context<ModelDeployment> context) {
    return serviceMonitor(md, labels(settings.serviceMonitorLabels().orElse("")),
        settings.prometheusScrapeInterval());
  }

  /** {@code key=value,key=value} → labels; the message names the setting and the entry. */
  static Map<String, String> labels(String setting) {
    Map<String, String> labels = new java.util.LinkedHashMap<>();
    for (String entry : setting.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("MODELPILOT_SERVICE_MONITOR_LABELS: '" + entry.strip()
            + "' is not key=value");
      }
      labels.put(entry.substring(0, eq).strip(), entry.substring(eq + 1).strip());
    }
    return labels;
  }

  /**
   * @param extraLabels labels a Prometheus Operator selects ServiceMonitors by (they never replace ours)
   * @param scrapeInterval the interval the operator's metrics windows assume (the setting), asked for here
   */
  public static ServiceMonitor serviceMonitor(ModelDeployment md, Map<String, String> extraLabels,
      Duration scrapeInterval) {
    Map<String, String> labels = new java.util.LinkedHashMap<>(extraLabels);
    labels.putAll(RuntimeDeploymentFactory.commonLabels(md));
    String name = md.getMetadata().getName();
    ServiceMonitor monitor = new ServiceMonitor();
    monitor.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(md.getMetadata().getNamespace())
        .withLabels(labels)
        .withOwnerReferences(RuntimeDeploymentFactory.ownerReference(md)).build());
    ServiceMonitorSpec spec = new ServiceMonitorSpec();
    // the Service over every track, not the track Services of a route: each pod is scraped once
    spec.setSelector(new LabelSelectorBuilder()
        .withMatchLabels(Map.of(Labels.DEPLOYMENT, name))
        .addNewMatchExpression().withKey(Labels.TRACK).withOperator("DoesNotExist").endMatchExpression().build());
    spec.setEndpoints(List.of(new ServiceMonitorSpec.Endpoint(Http.PORT_NAME, Http.METRICS_PATH,
        MetricsWindows.range(scrapeInterval))));
    spec.setPodTargetLabels(List.of(Labels.DEPLOYMENT, Labels.TRACK, Labels.REVISION));
    monitor.setSpec(spec);
    return monitor;
  }

  /**
   * True while the ServiceMonitor CRD exists. Checked at most once a minute and, unlike the default, without
   * a limit: a Prometheus Operator installed after ModelPilot is picked up within a minute.
   */
  public static class Installed extends CRDPresentActivationCondition<ServiceMonitor, ModelDeployment> {
    public Installed() {
      super(Integer.MAX_VALUE, Duration.ofMinutes(1));
    }
  }
}
