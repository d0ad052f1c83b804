package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import jakarta.inject.Inject;

/**
 * The canary runtime Deployment {@code <name>-canary}, track {@code canary}: the spec's new revision beside the
 * stable one, behind the same Service. It exists only while the reconciler asks for canary replicas
 * ({@link Wanted}); otherwise the workflow deletes it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = CanaryDeploymentDependent.CANARY_SELECTOR))
public class CanaryDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {

  static final String CANARY_SELECTOR = RuntimeDeploymentDependent.SELECTOR + "," + Labels.TRACK + "="
      + Labels.TRACK_CANARY;

  @Inject
  OperatorSettings settings;

  public CanaryDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    Deployment desired = RuntimeDeploymentFactory.of(settings).canaryDeployment(md);
    desired.getSpec().setReplicas(DesiredTracks.of(context, md).canaryReplicas());
    return desired;
  }

  /** The canary Deployment exists while the reconciler asks for canary replicas. */
  public static class Wanted implements Condition<Deployment, ModelDeployment> {
    @Override
    public boolean isMet(DependentResource<Deployment, ModelDeployment> dependent, ModelDeployment md,
        Context<ModelDeployment> context) {
      return DesiredTracks.of(context, md).canaryReplicas() > 0;
    }
  }
}
