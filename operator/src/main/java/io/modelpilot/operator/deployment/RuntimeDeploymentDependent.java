package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import io.modelpilot.operator.rollout.Tracks;
import jakarta.inject.Inject;

/** The stable runtime Deployment: {@code <name>}, track {@code stable}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeDeploymentDependent.STABLE_SELECTOR))
public class RuntimeDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {

  static final String SELECTOR = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_OPERATOR;
  static final String STABLE_SELECTOR = SELECTOR + "," + Labels.TRACK + "=" + Labels.TRACK_STABLE;

  @Inject
  OperatorSettings settings;

  public RuntimeDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    Tracks tracks = DesiredTracks.of(context, md);
    RuntimeDeploymentFactory factory = RuntimeDeploymentFactory.of(settings);
    Deployment desired = tracks.stableTemplate() == null ? factory.deployment(md)
        : factory.deployment(md, Labels.TRACK_STABLE, tracks.stableTemplate());
    desired.getSpec().setReplicas(tracks.stableReplicas());
    return desired;
  }
}
