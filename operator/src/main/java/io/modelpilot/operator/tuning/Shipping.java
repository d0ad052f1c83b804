package io.modelpilot.operator.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.modelpilot.operator.api.v1alpha1.CanaryPhase;
import io.modelpilot.operator.api.v1alpha1.CanaryStatus;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.api.v1alpha1.AppliedStatus;
import io.modelpilot.operator.deployment.RuntimeDeploymentFactory;
import io.modelpilot.operator.status.Conditions;
import io.modelpilot.operator.status.Reasons;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Ships the winner into the target ModelDeployment and reads back whether production agreed. A point whose canary
 * was rolled back is remembered on the target itself (an annotation), so any later TuningJob on it never proposes
 * that point again, whatever happened to this one.
 */
final class Shipping {

  static final String FIELD_MANAGER = "modelpilot-tuning";
  static final String ANNOTATION_ROLLED_BACK = "modelpilot.io/rolled-back-parameters";
  static final int REMEMBERED = 32;

  private final KubernetesClient client;
  private final RuntimeDeploymentFactory pods;

  Shipping(KubernetesClient client, RuntimeDeploymentFactory pods) {
    this.client = client;
    this.pods = pods;
  }

  /** The revision the target's pods get once {@code specPatch} is applied: what its canary will be called. */
  String revision(ModelDeployment target, List<io.modelpilot.operator.api.v1alpha1.TuningParameter> parameters,
      Map<String, String> point) {
    ModelDeployment candidate = Tunables.candidate(target, parameters, point);
    return RuntimeDeploymentFactory.revisionOf(pods.podTemplate(candidate));
  }

  String revision(ModelDeployment target) {
    return RuntimeDeploymentFactory.revisionOf(pods.podTemplate(target));
  }

  /** A JSON merge patch of the target's spec, under this operator's tuning field manager. */
  void apply(ModelDeployment target, ObjectNode specPatch) {
    client.resources(ModelDeployment.class).inNamespace(target.getMetadata().getNamespace())
        .withName(target.getMetadata().getName())
        .patch(mergePatch(),
            Serialization.asJson(specPatch));
  }

  /** What the target's rollout made of the applied revision. */
  AppliedStatus.Outcome outcome(ModelDeployment target, String revision) {
    CanaryStatus canary = target.getStatus() == null ? null : target.getStatus().getCanary();
    if (canary != null && revision.equals(canary.getRevision()) && canary.getPhase() != null) {
      if (canary.getPhase() == CanaryPhase.PROMOTED) {
        return AppliedStatus.Outcome.PROMOTED;
      }
      if (canary.getPhase() == CanaryPhase.ROLLED_BACK || canary.getPhase() == CanaryPhase.ABORTED) {
        return AppliedStatus.Outcome.ROLLED_BACK;
      }
      return AppliedStatus.Outcome.PENDING;
    }
    boolean specIsOurs = revision.equals(revision(target));
    if (!specIsOurs) {
      return AppliedStatus.Outcome.SUPERSEDED;
    }
    // no canary of this revision (no rollout, or it was already the stable one): production runs it once the
    // target has rolled it out (Ready alone stays True on the old pods during the rolling update)
    boolean served = target.getStatus() != null && revision.equals(target.getStatus().getRevision())
        && rolledOut(target);
    return served ? AppliedStatus.Outcome.PROMOTED : AppliedStatus.Outcome.PENDING;
  }

  String failingMetric(ModelDeployment target) {
    CanaryStatus canary = target.getStatus() == null ? null : target.getStatus().getCanary();
    return canary == null || canary.getLastFailure() == null ? null : canary.getLastFailure().getMetric();
  }

  /** The points (values by path) production rolled back for this target, oldest first. */
  static List<Map<String, String>> rolledBack(ModelDeployment target) {
    var annotations = target.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(ANNOTATION_ROLLED_BACK);
    if (json == null) {
      return List.of();
    }
    try {
      return Serialization.jsonMapper().readValue(json, new TypeReference<List<Map<String, String>>>() { });
    } catch (JsonProcessingException e) {
      return List.of(); // hand-edited into garbage: forget it rather than stop tuning
    }
  }

  /** Adds a rolled-back point to the target's memory (the newest {@value #REMEMBERED} are kept). */
  void remember(ModelDeployment target, Map<String, String> byPath) {
    List<Map<String, String>> points = new ArrayList<>(rolledBack(target));
    if (points.contains(byPath)) {
      return;
    }
    points.add(byPath);
    while (points.size() > REMEMBERED) {
      points.remove(0);
    }
    ObjectNode patch = Serialization.jsonMapper().createObjectNode();
    patch.putObject("metadata").putObject("annotations").put(ANNOTATION_ROLLED_BACK, Serialization.asJson(points));
    client.resources(ModelDeployment.class).inNamespace(target.getMetadata().getNamespace())
        .withName(target.getMetadata().getName())
        .patch(mergePatch(),
            Serialization.asJson(patch));
  }

  private static PatchContext mergePatch() {
    PatchContext context = PatchContext.of(PatchType.JSON_MERGE);
    context.setFieldManager(FIELD_MANAGER);
    return context;
  }

  /** Ready, and Progressing says the status' revision runs on every pod (RolloutComplete). */
  private static boolean rolledOut(ModelDeployment target) {
    var conditions = target.getStatus().getConditions();
    return Conditions.isTrue(conditions, Conditions.READY) && Conditions.find(conditions, Conditions.PROGRESSING)
        .map(c -> Reasons.ROLLOUT_COMPLETE.equals(c.getReason())).orElse(false);
  }
}
