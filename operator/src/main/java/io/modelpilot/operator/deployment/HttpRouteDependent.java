package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.modelpilot.contract.RuntimeContract.Http;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.GatewayApiTraffic;
import io.modelpilot.operator.api.v1alpha1.GatewayParentRef;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.rollout.Traffic;

import java.util.List;

/**
 * The HTTPRoute {@code <name>} (gateway.networking.k8s.io/v1) that splits a ModelDeployment's requests between its
 * track Services by weight: stable 100-w, canary w, where w follows the canary's steps and is 0 outside a canary.
 * Only where the cluster serves HTTPRoutes ({@link Served}) and the spec asks for it
 * ({@link TrackServiceDependent.Routed}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeDeploymentDependent.SELECTOR))
public class HttpRouteDependent extends CRUDKubernetesDependentResource<HTTPRoute, ModelDeployment> {

  static final String GATEWAY_GROUP = "gateway.networking.k8s.io";

  public HttpRouteDependent() {
    super(HTTPRoute.class);
  }

  @Override
  protected HTTPRoute desired(ModelDeployment md, Context<ModelDeployment> context) {
    return route(md, md.getSpec().getRollout().gatewayApiOrNull(), DesiredTracks.traffic(context));
  }

  /** The spec asks for a route: spec.rollout.traffic.gatewayAPI. */
  public static boolean wanted(ModelDeployment md) {
    return md.getSpec().getRollout() != null && md.getSpec().getRollout().gatewayApiOrNull() != null;
  }

  /**
   * The route is {@code <name>}, whatever the spec says: JOSDK finds the route to delete by this when the spec no
   * longer asks for one (and so has nothing to build a desired route from).
   */
  @Override
  protected ResourceID targetSecondaryResourceID(ModelDeployment md, Context<ModelDeployment> context) {
    return new ResourceID(md.getMetadata().getName(), md.getMetadata().getNamespace());
  }

  public static HTTPRoute route(ModelDeployment md, GatewayApiTraffic spec, Traffic traffic) {
    List<ParentReference> parents = spec.getParentRefs().stream().map(HttpRouteDependent::parent).toList();
    return new HTTPRouteBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace()).withLabels(RuntimeDeploymentFactory.commonLabels(md))
            .withOwnerReferences(RuntimeDeploymentFactory.ownerReference(md)).build())
        .withNewSpec()
        .withParentRefs(parents)
        .withHostnames(spec.getHostnames() == null || spec.getHostnames().isEmpty() ? null : spec.getHostnames())
        .addNewRule()
        .addNewMatch().withNewPath().withType("PathPrefix").withValue("/").endPath().endMatch()
        .withBackendRefs(backend(md, Labels.TRACK_STABLE, traffic.stableWeight()),
            backend(md, Labels.TRACK_CANARY, traffic.canaryWeight()))
        .endRule()
        .endSpec()
        .build();
  }

  /**
   * What a Gateway controller refused, from the route's status: each parent whose Accepted or ResolvedRefs condition
   * is False (a Gateway that does not exist or does not admit the namespace, a backend it cannot resolve), as
   * {@code gateways/public (https): Accepted=False NotAllowedByListeners: <its message>}; empty when none did or
   * none has answered yet.
   */
  public static java.util.Optional<String> refusal(HTTPRoute route) {
    if (route == null || route.getStatus() == null || route.getStatus().getParents() == null) {
      return java.util.Optional.empty();
    }
    List<String> refused = new java.util.ArrayList<>();
    for (var parent : route.getStatus().getParents()) {
      if (parent.getConditions() == null) {
        continue;
      }
      for (var c : parent.getConditions()) {
        if (("Accepted".equals(c.getType()) || "ResolvedRefs".equals(c.getType())) && "False".equals(c.getStatus())) {
          ParentReference ref = parent.getParentRef();
          String gateway = ref == null ? "?" : (ref.getNamespace() == null ? route.getMetadata().getNamespace()
              : ref.getNamespace()) + "/" + ref.getName() + (ref.getSectionName() == null ? ""
                  : " (" + ref.getSectionName() + ")");
          refused.add("%s: %s=False %s: %s".formatted(gateway, c.getType(), c.getReason(), c.getMessage()));
        }
      }
    }
    return refused.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(String.join("; ", refused));
  }

  private static ParentReference parent(GatewayParentRef ref) {
    return new ParentReferenceBuilder().withGroup(GATEWAY_GROUP).withKind("Gateway").withName(ref.getName())
        .withNamespace(ref.getNamespace()).withSectionName(ref.getSectionName()).build();
  }

  private static HTTPBackendRef backend(ModelDeployment md, String track, int weight) {
    return new HTTPBackendRefBuilder().withKind("Service").withName(TrackServiceDependent.name(md, track))
        .withPort(Http.PORT).withWeight(weight).build();
  }

  /**
   * The cluster serves HTTPRoutes, as the reconciler found this reconcile. JOSDK starts the HTTPRoute informer only
   * while this holds, so a cluster without Gateway API never sees a watch on a resource it lacks.
   */
  public static class Served implements Condition<HTTPRoute, ModelDeployment> {
    @Override
    public boolean isMet(DependentResource<HTTPRoute, ModelDeployment> dependent, ModelDeployment md,
        Context<ModelDeployment> context) {
      return DesiredTracks.gatewayApiServed(context);
    }
  }
}
