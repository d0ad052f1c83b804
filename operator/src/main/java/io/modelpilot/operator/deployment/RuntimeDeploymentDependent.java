package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import jakarta.inject.Inject;

/** The stable runtime Deployment: {@code <name>}, track {@code stable}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeDeploymentDependent.SELECTOR))
public class RuntimeDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {

  static final String SELECTOR = RuntimeDeploymentFactory.LABEL_MANAGED_BY + "=" + RuntimeDeploymentFactory.MANAGED_BY;

  public static final String DESIRED_REPLICAS = "desiredReplicas";

  @Inject
  OperatorSettings settings;

  public RuntimeDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    Deployment desired = new RuntimeDeploymentFactory(settings.runtimeImage()).deployment(md);
    // the autoscaler's count when spec.autoscaling is set (the reconciler decides it before the workflow)
    context.managedWorkflowAndDependentResourceContext().get(DESIRED_REPLICAS, Integer.class)
        .ifPresent(replicas -> desired.getSpec().setReplicas(replicas));
    return desired;
  }
}
