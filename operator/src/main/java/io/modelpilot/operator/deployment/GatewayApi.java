package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether the cluster serves {@code gateway.networking.k8s.io/v1} HTTPRoutes: their CRD exists and serves v1 (a
 * Gateway API before v0.8 has only v1beta1). One answer for the whole reconcile: the reconciler plans the traffic
 * by it and hands it to the route's activation condition, so the plan and the route never disagree.
 *
 * <p>A plain GET of the one CRD (RBAC: get on that name only). Once served the answer stays (as JOSDK's
 * CRDPresentActivationCondition assumes, a CRD is not taken away under a running operator); while not, the CRD is
 * asked again at most every {@code recheck}, so Gateway API installed after ModelPilot is picked up.
 */
public class GatewayApi {

  public static final String CRD = HasMetadata.getFullResourceName(HTTPRoute.class);
  public static final String VERSION = HasMetadata.getVersion(HTTPRoute.class);
  private static final Logger LOG = Logger.getLogger(GatewayApi.class);

  /** @param detail why HTTPRoutes are not served; null when they are */
  public record Check(boolean served, String detail) {
  }

  private final KubernetesClient client;
  private final Duration recheck;
  private final Clock clock;
  private Check last;
  private Instant checkedAt;

  public GatewayApi(KubernetesClient client, Duration recheck, Clock clock) {
    this.client = client;
    this.recheck = recheck;
    this.clock = clock;
  }

  public synchronized Check check() {
    Instant now = clock.instant();
    if (last != null && (last.served() || now.isBefore(checkedAt.plus(recheck)))) {
      return last;
    }
    last = ask();
    checkedAt = now;
    return last;
  }

  private Check ask() {
    try {
      CustomResourceDefinition crd = client.resources(CustomResourceDefinition.class).withName(CRD).get();
      if (crd == null) {
        return new Check(false, "CRD " + CRD + " not found (Gateway API is not installed)");
      }
      boolean v1 = crd.getSpec().getVersions().stream()
          .anyMatch(v -> VERSION.equals(v.getName()) && Boolean.TRUE.equals(v.getServed()));
      return v1 ? new Check(true, null)
          : new Check(false, "CRD " + CRD + " does not serve " + VERSION + " (Gateway API v0.8 or later does)");
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot read CRD %s: %s", CRD, e.getMessage());
      return new Check(false, "CRD " + CRD + " could not be read: HTTP " + e.getCode());
    }
  }
}
