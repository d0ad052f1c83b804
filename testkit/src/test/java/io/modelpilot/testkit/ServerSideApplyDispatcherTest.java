package io.modelpilot.testkit;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServerSideApplyDispatcherTest {

  private MockApiServer server;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    server = new MockApiServer().start();
    client = server.client();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static ConfigMap configMap(Map<String, String> data, Map<String, String> labels) {
    return new ConfigMapBuilder().withNewMetadata().withName("cm").withNamespace("ns").withLabels(labels).endMetadata()
        .withData(data).build();
  }

  @Test
  void applyCreatesAMissingObjectAndRecordsTheManagersFields() {
    client.resource(configMap(Map.of("a", "1"), Map.of("app", "x"))).fieldManager("op").forceConflicts().serverSideApply();

    ConfigMap stored = client.configMaps().inNamespace("ns").withName("cm").get();
    assertThat(stored.getData()).containsEntry("a", "1");
    ManagedFieldsEntry entry = stored.getMetadata().getManagedFields().get(0);
    assertThat(entry.getManager()).isEqualTo("op");
    assertThat(entry.getOperation()).isEqualTo("Apply");
    assertThat(entry.getFieldsV1().getAdditionalProperties()).containsKeys("f:data", "f:metadata");
  }

  @Test
  void applyRemovesFieldsTheManagerNoLongerAppliesButKeepsOthers() {
    client.resource(configMap(Map.of("a", "1", "b", "2"), Map.of("app", "x"))).fieldManager("op").forceConflicts()
        .serverSideApply();
    // someone else adds a label with a plain update
    client.configMaps().inNamespace("ns").withName("cm").edit(cm -> {
      cm.getMetadata().getLabels().put("team", "ml");
      return cm;
    });

    client.resource(configMap(Map.of("a", "3"), Map.of("app", "x"))).fieldManager("op").forceConflicts().serverSideApply();

    ConfigMap stored = client.configMaps().inNamespace("ns").withName("cm").get();
    assertThat(stored.getData()).containsExactlyEntriesOf(Map.of("a", "3"));
    assertThat(stored.getMetadata().getLabels()).containsEntry("team", "ml").containsEntry("app", "x");
  }

  @Test
  void applyReplacesListsInsteadOfAppendingThem() {
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("ns").endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("a").withImage("img:1").endContainer()
        .endSpec().endTemplate().endSpec().build();
    client.resource(deployment).fieldManager("op").forceConflicts().serverSideApply();
    deployment.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("img:2");
    client.resource(deployment).fieldManager("op").forceConflicts().serverSideApply();

    Deployment stored = client.apps().deployments().inNamespace("ns").withName("d").get();
    assertThat(stored.getSpec().getTemplate().getSpec().getContainers()).singleElement()
        .satisfies(c -> assertThat(c.getImage()).isEqualTo("img:2"));
    assertThat(stored.getMetadata().getGeneration()).isEqualTo(2L);
  }

  @Test
  void statusApplyWithAQueryStringKeepsTheStatus() {
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("ns").endMetadata()
        .withNewSpec().withReplicas(2).endSpec().build();
    client.resource(deployment).create();
    Deployment forStatus = new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("ns").endMetadata()
        .withStatus(new DeploymentStatusBuilder().withReadyReplicas(2).build()).build();

    client.resource(forStatus).subresource("status").patch(
        new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("op").withForce(true).build());

    assertThat(client.apps().deployments().inNamespace("ns").withName("d").get().getStatus().getReadyReplicas())
        .isEqualTo(2);
  }

  @Test
  void mergePatchFollowsRfc7386() {
    client.resource(configMap(Map.of("a", "1", "b", "2"), Map.of("app", "x"))).create();

    client.configMaps().inNamespace("ns").withName("cm").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"data\":{\"b\":null,\"c\":\"3\"}}");

    assertThat(client.configMaps().inNamespace("ns").withName("cm").get().getData())
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "c", "3"));
  }

  @Test
  void recordsEveryWrite() {
    client.resource(configMap(Map.of("a", "1"), Map.of())).create();
    client.configMaps().inNamespace("ns").withName("cm").get();

    assertThat(server.writes()).extracting(ServerSideApplyDispatcher.Request::method).containsExactly("POST");
  }
}
