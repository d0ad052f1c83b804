package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.status.EventRecorder;
import io.modelpilot.operator.status.Reasons;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Secret {@code <name>-feedback-key} of each ModelDeployment: 32 random bytes with which its runtime pods sign
 * and check prediction tokens, so that feedback sent to any of them is judged. Created once with a plain create
 * (409: it is there already, keep it: rotating it would void the tokens in flight), owned by the ModelDeployment so
 * that garbage collection deletes it. The operator may only create Secrets, never read them: it remembers, per
 * ModelDeployment uid, that the key exists, and tries again after a restart (one 409). A Secret deleted by hand is
 * made again only then; pods mount it optionally and, without it, fall back to a key of their own. A ModelDeployment
 * deleted and made again under the same name before garbage collection removed the old Secret meets a 409 and
 * keeps no key once the old one is collected, until the operator restarts.
 */
public class FeedbackKeys {

  public static final String SUFFIX = "-feedback-key";
  /** The key's entry in the Secret, and so its file name in the mounted volume. */
  public static final String KEY = "key";
  static final int KEY_BYTES = 32;
  private static final Logger LOG = Logger.getLogger(FeedbackKeys.class);

  private final KubernetesClient client;
  private final EventRecorder events;
  private final SecureRandom random = new SecureRandom();
  private final Set<String> present = ConcurrentHashMap.newKeySet();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  public FeedbackKeys(KubernetesClient client, EventRecorder events) {
    this.client = client;
    this.events = events;
  }

  public static String secretName(ModelDeployment md) {
    return md.getMetadata().getName() + SUFFIX;
  }

  /** Creates the key unless this process knows it exists; a failure is logged and reported once, never thrown. */
  public void ensure(ModelDeployment md) {
    String uid = md.getMetadata().getUid();
    if (uid == null || present.contains(uid)) {
      return;
    }
    try {
      client.secrets().inNamespace(md.getMetadata().getNamespace()).resource(secret(md)).create();
      LOG.infof("created Secret %s: the key of this deployment's prediction tokens", secretName(md));
      present.add(uid);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        present.add(uid);
        return;
      }
      String message = "cannot create Secret " + secretName(md) + " (" + e.getCode() + ": " + e.getMessage()
          + "); runtime pods sign prediction tokens with a key of their own, so feedback is judged only by the pod "
          + "that answered; retried on every reconcile";
      LOG.warn(message);
      if (reported.add(uid)) {
        events.warning(md, Reasons.FEEDBACK_KEY_NOT_CREATED, message);
      }
    }
  }

  /** Forgets ModelDeployments that are gone (their Secrets go with them). */
  public void forgetAllBut(java.util.function.Predicate<String> exists) {
    present.removeIf(uid -> !exists.test(uid));
    reported.removeIf(uid -> !exists.test(uid));
  }

  Secret secret(ModelDeployment md) {
    byte[] key = new byte[KEY_BYTES];
    random.nextBytes(key);
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(secretName(md)).withNamespace(md.getMetadata().getNamespace())
            .withLabels(RuntimeDeploymentFactory.commonLabels(md))
            .withOwnerReferences(RuntimeDeploymentFactory.ownerReference(md)).build())
        .withType("Opaque")
        .withData(Map.of(KEY, Base64.getEncoder().encodeToString(key)))
        .build();
  }
}
