package io.modelpilot.operator.deployment;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.modelpilot.operator.api.v1alpha1.ModelDeployment;
import io.modelpilot.operator.config.OperatorSettings;
import jakarta.inject.Inject;

/** The stable runtime Deployment: {@code <name>}, track {@code stable}. */
@KubernetesDependent(informer = @Informer(labelSelector = RuntimeDeploymentDependent.STABLE_SELECTOR))
public class RuntimeDeploymentDependent extends CRUDKubernetesDependentResource<Deployment, ModelDeployment> {

  static final String SELECTOR = RuntimeDeploymentFactory.LABEL_MANAGED_BY + "=" + RuntimeDeploymentFactory.MANAGED_BY;
  static final String STABLE_SELECTOR = SELECTOR + "," + RuntimeDeploymentFactory.LABEL_TRACK + "="
      + RuntimeDeploymentFactory.TRACK_STABLE;

  /** Context key: the stable track's replicas (the autoscaler's count, or its share during a canary). */
  public static final String DESIRED_REPLICAS = "desiredReplicas";
  /** Context key: the pod template the stable track keeps during a canary (absent: the spec's). */
  public static final String STABLE_TEMPLATE = "stableTemplate";

  @Inject
  OperatorSettings settings;

  public RuntimeDeploymentDependent() {
    super(Deployment.class);
  }

  @Override
  protected Deployment desired(ModelDeployment md, Context<ModelDeployment> context) {
    var shared = context.managedWorkflowAndDependentResourceContext();
    RuntimeDeploymentFactory factory = new RuntimeDeploymentFactory(settings.runtimeImage());
    Deployment desired = shared.get(STABLE_TEMPLATE, PodTemplateSpec.class)
        .map(template -> factory.deployment(md, RuntimeDeploymentFactory.TRACK_STABLE, template))
        .orElseGet(() -> factory.deployment(md));
    // the autoscaler's count when spec.autoscaling is set (the reconciler decides it before the workflow)
    shared.get(DESIRED_REPLICAS, Integer.class).ifPresent(replicas -> desired.getSpec().setReplicas(replicas));
    return desired;
  }
}
