package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;

import java.util.Map;

/**
 * The Service of one track, {@code <name>-stable} or {@code <name>-canary}, selecting that track's pods: the two
 * backends of the HTTPRoute. They exist while the route splits the traffic ({@link Routed}); the canary's stays
 * (with no endpoints) between canaries, so the route always names two Services that exist.
 */
public abstract class TrackServiceDependent extends CRUDKubernetesDependentResource<Service, ModelDeployment> {

  static final String SELECTOR = RuntimeDeploymentDependent.SELECTOR + "," + Labels.TRACK + "=";

  private final String track;

  TrackServiceDependent(String track) {
    super(Service.class);
    this.track = track;
  }

  @Override
  protected Service desired(ModelDeployment md, Context<ModelDeployment> context) {
    return service(md, track);
  }

  public static String name(ModelDeployment md, String track) {
    return md.getMetadata().getName() + "-" + track;
  }

  /**
   * Labelled with its track: the model's ServiceMonitor selects only the Service without one, so no pod is scraped
   * twice (a second scrape would double every rate the autoscaler and the analysis read).
   */
  public static Service service(ModelDeployment md, String track) {
    Map<String, String> labels = new java.util.LinkedHashMap<>(RuntimeDeploymentFactory.commonLabels(md));
    labels.put(Labels.TRACK, track);
    return RuntimeDeploymentFactory.service(md, name(md, track), labels, RuntimeDeploymentFactory.selector(md, track));
  }

  /** {@code <name>-stable}: the stable track's pods. */
  @KubernetesDependent(informer = @Informer(labelSelector = SELECTOR + Labels.TRACK_STABLE))
  public static class Stable extends TrackServiceDependent {
    public Stable() {
      super(Labels.TRACK_STABLE);
    }
  }

  /** {@code <name>-canary}: the canary track's pods. */
  @KubernetesDependent(informer = @Informer(labelSelector = SELECTOR + Labels.TRACK_CANARY))
  public static class Canary extends TrackServiceDependent {
    public Canary() {
      super(Labels.TRACK_CANARY);
    }
  }

  /** The operator's HTTPRoute splits this ModelDeployment's traffic: the spec asks for it and the cluster serves it. */
  public static class Routed implements Condition<Object, ModelDeployment> {
    @Override
    public boolean isMet(DependentResource<Object, ModelDeployment> dependent, ModelDeployment md,
        Context<ModelDeployment> context) {
      return DesiredTracks.traffic(context).routed();
    }
  }
}
