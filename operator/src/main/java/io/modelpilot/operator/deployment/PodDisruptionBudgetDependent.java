package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.rollout.Tracks;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * A PodDisruptionBudget {@code <name>} over every pod of a ModelDeployment, stable and canary alike (the Service's
 * selector): a node drain or a cluster autoscaler takes at most {@code maxUnavailable} of them at once. Only while
 * the ModelDeployment wants more than one pod ({@link Wanted}): a budget over one pod would either block every drain
 * or allow what no budget allows anyway.
 */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeDeploymentDependent.SELECTOR))
public class PodDisruptionBudgetDependent
    extends CRUDKubernetesDependentResource<PodDisruptionBudget, ModelDeployment> {

  private static final Pattern COUNT_OR_PERCENT = Pattern.compile("([1-9][0-9]*)|([1-9][0-9]?|100)%");

  @Inject
  OperatorSettings settings;

  public PodDisruptionBudgetDependent() {
    super(PodDisruptionBudget.class);
  }

  @Override
  protected PodDisruptionBudget desired(ModelDeployment md, Context<ModelDeployment> context) {
    return podDisruptionBudget(md, maxUnavailable(settings.podDisruptionBudget().maxUnavailable()));
  }

  public static PodDisruptionBudget podDisruptionBudget(ModelDeployment md, IntOrString maxUnavailable) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(new ObjectMetaBuilder().withName(md.getMetadata().getName())
            .withNamespace(md.getMetadata().getNamespace()).withLabels(RuntimeDeploymentFactory.commonLabels(md))
            .withOwnerReferences(RuntimeDeploymentFactory.ownerReference(md)).build())
        .withNewSpec()
        .withNewSelector().withMatchLabels(Map.of(Labels.DEPLOYMENT, md.getMetadata().getName())).endSelector()
        .withMaxUnavailable(maxUnavailable)
        // a pod that is not ready (loading its model, crash-looping) serves nothing: evicting it costs nothing, and
        // it must never hold a node drain up
        .withUnhealthyPodEvictionPolicy("AlwaysAllow")
        .endSpec()
        .build();
  }

  /** {@code 1} or {@code 25%}; anything else names the setting. */
  static IntOrString maxUnavailable(String setting) {
    String value = setting.strip();
    if (!COUNT_OR_PERCENT.matcher(value).matches()) {
      throw new IllegalArgumentException("MODELPILOT_POD_DISRUPTION_BUDGET_MAX_UNAVAILABLE: '" + setting
          + "' is neither a positive count nor a percentage 1%-100%");
    }
    return value.endsWith("%") ? new IntOrString(value) : new IntOrString(Integer.parseInt(value));
  }

  /** Budgets are on and this reconcile wants more than one pod, stable and canary together. */
  public static class Wanted implements Condition<PodDisruptionBudget, ModelDeployment> {
    @Override
    public boolean isMet(DependentResource<PodDisruptionBudget, ModelDeployment> dependent, ModelDeployment md,
        Context<ModelDeployment> context) {
      OperatorSettings settings = ((PodDisruptionBudgetDependent) dependent).settings;
      return wanted(settings.podDisruptionBudget().enabled(), DesiredTracks.of(context, md));
    }
  }

  static boolean wanted(boolean enabled, Tracks tracks) {
    return enabled && tracks.stableReplicas() + tracks.canaryReplicas() > 1;
  }
}
