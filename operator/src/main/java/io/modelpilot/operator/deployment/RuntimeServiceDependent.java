package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.Service;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.modelpilot.contract.RuntimeContract.Labels;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;

/** The Service in front of every track of a ModelDeployment. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeServiceDependent.SELECTOR))
public class RuntimeServiceDependent extends CRUDKubernetesDependentResource<Service, ModelDeployment> {

  /** The track Services ({@link TrackServiceDependent}) have informers of their own. */
  static final String SELECTOR = RuntimeDeploymentDependent.SELECTOR + ",!" + Labels.TRACK;

  public RuntimeServiceDependent() {
    super(Service.class);
  }

  @Override
  protected Service desired(ModelDeployment md, Context<ModelDeployment> context) {
    return RuntimeDeploymentFactory.service(md);
  }
}
