package io.modelpilot.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the stand-in API server does as a real one would, beyond the stock fabric8 mock. */
class StandInApiServerTest {

  private static final Path WIDGET_CRD = Path.of("src/test/resources/widgets.example.com.yml");
  private static final ResourceDefinitionContext WIDGETS = new ResourceDefinitionContext.Builder()
      .withGroup("example.com").withVersion("v1").withKind("Widget").withPlural("widgets").withNamespaced(true)
      .build();

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

  private static GenericKubernetesResource widget(String name, Map<String, Object> spec) {
    GenericKubernetesResource widget = new GenericKubernetesResource();
    widget.setApiVersion("example.com/v1");
    widget.setKind("Widget");
    widget.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace("ns")
        .build());
    widget.setAdditionalProperty("spec", spec);
    return widget;
  }

  private io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource> widgetNamed(String name) {
    return client.genericKubernetesResources(WIDGETS).inNamespace("ns").withName(name);
  }

  @Test
  void refusesCustomResourcesWhoseCrdIsMissing() {
    assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS).inNamespace("ns")
        .resource(widget("w", Map.of("size", 1))).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));
    assertThatThrownBy(() -> client.genericKubernetesResources(WIDGETS).inNamespace("ns").list())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

    server.withCrds(WIDGET_CRD);

    assertThat(client.resource(widget("w", Map.of("size", 1))).create().getMetadata().getName()).isEqualTo("w");
  }

  @Test
  void createAppliesDefaultsAndRejectsSchemaViolationsWith422NamingTheField() {
    server.withCrds(WIDGET_CRD);

    GenericKubernetesResource created = client.resource(widget("ok", Map.of("size", 2))).create();
    assertThat(created.get("spec", "color").toString()).isEqualTo("blue");

    assertThatThrownBy(() -> client.resource(widget("bad", Map.of("size", 0))).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
          assertThat(e.getStatus().getMessage()).startsWith("Widget.example.com \"bad\" is invalid: spec.size:");
          assertThat(e.getStatus().getDetails().getKind()).isEqualTo("Widget");
          assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
              .containsExactly("spec.size");
        });
    assertThatThrownBy(() -> client.resource(widget("missing", Map.of("color", "red"))).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getStatus().getDetails()
            .getCauses()).anySatisfy(c -> {
              assertThat(c.getField()).isEqualTo("spec.size");
              assertThat(c.getReason()).isEqualTo("FieldValueRequired");
            }));
    assertThat(client.genericKubernetesResources(WIDGETS).inNamespace("ns").list().getItems())
        .extracting(w -> w.getMetadata().getName()).containsExactly("ok");
  }

  @Test
  void everyKindOfUpdateIsCheckedAgainstTheCelRules() {
    server.withCrds(WIDGET_CRD);
    client.resource(widget("w", Map.of("size", 2, "maxSize", 3))).create();

    // merge patch
    assertThatThrownBy(() -> widgetNamed("w").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"size\":5}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).singleElement().satisfies(c -> {
            assertThat(c.getField()).isEqualTo("spec.size");
            assertThat(c.getMessage()).isEqualTo("size must not exceed maxSize");
          });
        });
    // JSON patch
    assertThatThrownBy(() -> widgetNamed("w").patch(PatchContext.of(PatchType.JSON),
        "[{\"op\":\"replace\",\"path\":\"/spec/size\",\"value\":4}]"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    // update (PUT)
    GenericKubernetesResource current = widgetNamed("w").get();
    ((Map<String, Object>) current.getAdditionalProperties().get("spec")).put("size", 9);
    assertThatThrownBy(() -> client.resource(current).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));
    // server-side apply
    assertThatThrownBy(() -> client.resource(widget("w", Map.of("size", 7, "maxSize", 3))).fieldManager("me")
        .forceConflicts().serverSideApply())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    assertThat(((Number) widgetNamed("w").get().get("spec", "size")).intValue()).isEqualTo(2);
    widgetNamed("w").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"size\":3}}");
    assertThat(((Number) widgetNamed("w").get().get("spec", "size")).intValue()).isEqualTo(3);
  }

  @Test
  void statusWritesAreValidatedToo() {
    server.withCrds(WIDGET_CRD);
    client.resource(widget("w", Map.of("size", 1))).create();
    GenericKubernetesResource status = widget("w", Map.of("size", 1));
    status.setAdditionalProperty("status", Map.of("phase", "Exploded"));

    assertThatThrownBy(() -> client.resource(status).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("op").withForce(true).build()))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).extracting(StatusCause::getField)
              .containsExactly("status.phase");
          assertThat(e.getStatus().getDetails().getCauses().get(0).getReason()).isEqualTo("FieldValueNotSupported");
        });
    assertThatThrownBy(() -> widgetNamed("w").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"status\":{\"phase\":\"Exploded\"}}"))
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    status.setAdditionalProperty("status", Map.of("phase", "Ready"));
    client.resource(status).subresource("status").patch(new PatchContext.Builder()
        .withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("op").withForce(true).build());
    assertThat(widgetNamed("w").get().get("status", "phase").toString()).isEqualTo("Ready");
  }

  @Test
  void applyMergesContainersAndEnvByNameAcrossManagers() {
    Deployment operator = deployment(new Container(), "app", "img:1", List.of(new EnvVar("A", "1", null)));
    client.resource(operator).fieldManager("operator").forceConflicts().serverSideApply();
    // another manager adds a sidecar and an env var to the operator's container
    Deployment other = deployment(new Container(), "sidecar", "proxy:1", List.of());
    other.getSpec().getTemplate().getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
        .withName("app").withEnv(new EnvVar("B", "2", null)).build());
    client.resource(other).fieldManager("mesh").forceConflicts().serverSideApply();

    // the operator re-applies its container with a new image and env value
    client.resource(deployment(new Container(), "app", "img:2", List.of(new EnvVar("A", "9", null))))
        .fieldManager("operator").forceConflicts().serverSideApply();

    List<Container> containers = client.apps().deployments().inNamespace("ns").withName("d").get().getSpec()
        .getTemplate().getSpec().getContainers();
    assertThat(containers).extracting(Container::getName).containsExactly("app", "sidecar");
    assertThat(containers.get(0).getImage()).isEqualTo("img:2");
    assertThat(containers.get(0).getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
        .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("A", "9"), org.assertj.core.groups.Tuple.tuple("B", "2"));

    // the operator stops applying its env var: only its own entry goes
    client.resource(deployment(new Container(), "app", "img:2", List.of())).fieldManager("operator")
        .forceConflicts().serverSideApply();
    Deployment stored = client.apps().deployments().inNamespace("ns").withName("d").get();
    assertThat(stored.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()).extracting(EnvVar::getName)
        .containsExactly("B");
    assertThat(stored.getMetadata().getManagedFields()).filteredOn(f -> f.getManager().equals("operator"))
        .singleElement().satisfies(f -> assertThat(Serialization.asJson(f.getFieldsV1()))
            .contains("k:{\\\"name\\\":\\\"app\\\"}"));
  }

  @Test
  void applyMergesCustomResourceListsByTheirSchemaMapKeys() {
    server.withCrds(WIDGET_CRD);
    client.resource(widget("w", Map.of("size", 1, "parts", List.of(Map.of("name", "a", "count", 1)),
        "tags", List.of("x")))).fieldManager("one").forceConflicts().serverSideApply();
    client.resource(widget("w", Map.of("size", 1, "parts", List.of(Map.of("name", "b", "count", 2)),
        "tags", List.of("y")))).fieldManager("two").forceConflicts().serverSideApply();

    GenericKubernetesResource stored = widgetNamed("w").get();
    assertThat((List<?>) stored.get("spec", "parts")).hasSize(2);
    // tags has no list type in the schema: atomic, the last applier's list wins
    assertThat((List<Object>) stored.get("spec", "tags")).containsExactly("y");
  }

  @Test
  void prunesUndeclaredFieldsOrRefusesThemWhenTheClientAsksForStrictValidation() throws Exception {
    server.withCrds(WIDGET_CRD);
    client.resource(widget("w", Map.of("size", 1, "shape", "round"))).create();
    assertThat((Map<String, Object>) widgetNamed("w").get().getAdditionalProperties().get("spec"))
        .containsKey("size").doesNotContainKey("shape");

    HttpResponse<String> strict = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.url()
            + "apis/example.com/v1/namespaces/ns/widgets?fieldValidation=Strict"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Serialization.asJson(widget("s", Map.of("size", 1, "shape", "x")))))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(strict.statusCode()).isEqualTo(400);
    assertThat(strict.body()).contains("strict decoding error: unknown field \\\"spec.shape\\\"");
  }

  @Test
  void servesDiscoveryAndOpenApiV3ForKubectl() throws Exception {
    server.withCrds(WIDGET_CRD);
    ObjectMapper json = new ObjectMapper();
    HttpClient http = HttpClient.newHttpClient();
    java.util.function.Function<String, JsonNode> get = path -> {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.url() + path.substring(1)))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", path).isEqualTo(200);
        return json.readTree(response.body());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    };

    assertThat(get.apply("/api").path("versions").toString()).contains("v1");
    assertThat(get.apply("/apis").path("groups").findValuesAsText("name")).contains("apps", "example.com");
    JsonNode widgets = get.apply("/apis/example.com/v1").path("resources");
    assertThat(widgets.findValuesAsText("name")).containsExactly("widgets", "widgets/status");
    assertThat(widgets.get(0).path("shortNames").toString()).contains("wd");
    assertThat(widgets.get(0).path("verbs").toString()).contains("patch", "watch");
    assertThat(get.apply("/api/v1").path("resources").findValuesAsText("kind")).contains("Pod", "Service");
    String gvPath = get.apply("/openapi/v3").path("paths").path("apis/example.com/v1").path("serverRelativeURL")
        .asText();
    JsonNode doc = get.apply(gvPath);
    assertThat(doc.path("paths").path("/apis/example.com/v1/namespaces/{namespace}/widgets/{name}").path("patch")
        .path("parameters").findValuesAsText("name")).contains("fieldValidation");
  }

  private static Deployment deployment(Container container, String name, String image, List<EnvVar> env) {
    container.setName(name);
    container.setImage(image);
    container.setEnv(env);
    return new DeploymentBuilder().withNewMetadata().withName("d").withNamespace("ns").endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addToContainers(container).endSpec().endTemplate().endSpec()
        .build();
  }
}
