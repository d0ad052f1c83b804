package io.modelpilot.operator.status;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Kubernetes Events about a resource, as `kubectl describe` shows them. */
public class EventRecorder {

  public static final String COMPONENT = "modelpilot-operator";
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);

  private final KubernetesClient client;

  public EventRecorder(KubernetesClient client) {
    this.client = client;
  }

  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  public void record(HasMetadata about, Announcement a) {
    LOG.infof("%s: %s", a.reason(), a.message());
    record(about, a.warning() ? "Warning" : "Normal", a.reason(), a.message());
  }

  private void record(HasMetadata about, String type, String reason, String message) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    var event = new EventBuilder()
        .withNewMetadata()
        .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
        .withNamespace(about.getMetadata().getNamespace())
        .endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(about.getApiVersion())
            .withKind(about.getKind()).withName(about.getMetadata().getName())
            .withNamespace(about.getMetadata().getNamespace()).withUid(about.getMetadata().getUid())
            .withResourceVersion(about.getMetadata().getResourceVersion()).build())
        .withType(type)
        .withReason(reason)
        .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .withFirstTimestamp(now)
        .withLastTimestamp(now)
        .withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(about.getMetadata().getNamespace()).resource(event).create();
    } catch (KubernetesClientException e) {
      // an Event is best effort: losing one must never fail a reconcile
      LOG.warnf("could not record event %s: %s", reason, e.getMessage());
    }
  }
}
