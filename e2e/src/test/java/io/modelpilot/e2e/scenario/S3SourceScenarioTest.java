package io.modelpilot.e2e.scenario;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A model served from object storage: a real S3 API (S3Proxy) on loopback holds the model, the ModelDeployment
 * names it as s3://bucket/key with the keys in a Secret, and the runtime pods download, verify and serve it; a
 * wrong digest shows on the ModelDeployment as Ready=False with the runtime's reason.
 */
class S3SourceScenarioTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String ACCESS_KEY_ID = "scenario-key";
  private static final String SECRET_ACCESS_KEY = "scenario-secret-key";
  private static final String INFER_BODY =
      "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,8],\"data\":[1,2,3,4,5,6,7,8]}]}";

  static BlobStoreContext store;
  static S3Proxy s3;
  static String modelSha256;

  @BeforeAll
  static void startObjectStorage() throws Exception {
    store = ContextBuilder.newBuilder("transient").credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
        .build(BlobStoreContext.class);
    s3 = S3Proxy.builder().blobStore(store.getBlobStore())
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY_ID, SECRET_ACCESS_KEY)
        .endpoint(URI.create("http://127.0.0.1:0")).build();
    s3.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(s3.getState()));
    byte[] model = Files.readAllBytes(Path.of(System.getProperty("repo.root", ".."))
        .resolve("examples/models/mlp-classifier.onnx"));
    modelSha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
    BlobStore blobs = store.getBlobStore();
    blobs.createContainerInLocation(null, "models");
    blobs.putBlob("models", blobs.blobBuilder("fraud/v7/model.onnx").payload(model).build());
  }

  @AfterAll
  static void stopObjectStorage() throws Exception {
    s3.stop();
    store.close();
  }

  @Test
  void servesAModelFromS3AndReportsAWrongDigestOnTheModelDeployment() throws Exception {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "object-storage";
    cluster.apply(KEYS, ns);
    cluster.apply(modelDeployment("fraud", modelSha256), ns);

    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(
        () -> cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud").get(),
        r -> r != null && "True".equals(LocalClusterTest.condition(r, "Ready")));
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(cluster.serviceUrl(ns, "fraud").resolve("/v2/models/fraud/infer"))
            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(INFER_BODY))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(cluster.client().apps().deployments().inNamespace(ns).withName("fraud").get().getSpec()
        .getTemplate().getSpec().getContainers().get(0).getEnv())
        .noneMatch(e -> e.getValue() != null && e.getValue().contains(SECRET_ACCESS_KEY));

    cluster.apply(modelDeployment("fraud-tampered", "0".repeat(64)), ns);

    GenericKubernetesResource refused = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(
        () -> cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud-tampered").get(),
        r -> r != null && "ModelDigestMismatch".equals(readyReason(r)));
    assertThat(LocalClusterTest.condition(refused, "Ready")).isEqualTo("False");
    assertThat(LocalClusterTest.condition(refused, "Degraded")).isEqualTo("True");
    assertThat(readyMessage(refused)).contains("has SHA-256 " + modelSha256).contains("0".repeat(64));
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.client().v1().events().inNamespace(ns).list()
        .getItems()).anySatisfy(e -> {
          assertThat(e.getReason()).isEqualTo("ModelDigestMismatch");
          assertThat(e.getType()).isEqualTo("Warning");
        }));

    cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud").delete();
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud-tampered").delete();
  }

  @Test
  void aMissingCredentialsSecretIsReportedFromThePodAndTheModelLoadsOnceTheSecretExists() throws Exception {
    LocalCluster cluster = CLUSTER.cluster();
    String ns = "object-storage-keyless";
    cluster.apply(modelDeployment("fraud", modelSha256), ns);

    // the operator cannot read Secrets: the pod starts with an empty optional volume and says what is missing
    GenericKubernetesResource waiting = await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(
        () -> cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud").get(),
        r -> r != null && "CredentialsSecretNotFound".equals(readyReason(r)));
    assertThat(LocalClusterTest.condition(waiting, "Ready")).isEqualTo("False");
    assertThat(readyMessage(waiting)).contains("spec.model.credentialsSecretRef.name")
        .contains("Secret \"model-store-keys\"").contains("namespace \"" + ns + "\"");

    cluster.apply(KEYS, ns);
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).until(
        () -> cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud").get(),
        r -> r != null && "True".equals(LocalClusterTest.condition(r, "Ready")));
    cluster.customResources("ModelDeployment").inNamespace(ns).withName("fraud").delete();
  }

  private static final String KEYS = """
      apiVersion: v1
      kind: Secret
      metadata:
        name: model-store-keys
      data:
        accessKeyId: %s
        secretAccessKey: %s
      """.formatted(base64(ACCESS_KEY_ID), base64(SECRET_ACCESS_KEY));

  private static String modelDeployment(String name, String sha256) {
    return """
        apiVersion: modelpilot.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: %s
        spec:
          model:
            uri: s3://models/fraud/v7/model.onnx
            version: v7
            sha256: "%s"
            maxSize: 64Mi
            credentialsSecretRef:
              name: model-store-keys
            s3:
              endpoint: http://127.0.0.1:%d
              pathStyle: true
            allowPlainHttp: true
          replicas: 1
        """.formatted(name, sha256, s3.getPort());
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> ready(GenericKubernetesResource r) {
    Object conditions = r.get("status", "conditions");
    if (!(conditions instanceof List<?> list)) {
      return Map.of();
    }
    return list.stream().map(c -> (Map<String, Object>) c).filter(c -> "Ready".equals(c.get("type")))
        .findFirst().orElse(Map.of());
  }

  private static String readyReason(GenericKubernetesResource r) {
    return (String) ready(r).get("reason");
  }

  private static String readyMessage(GenericKubernetesResource r) {
    return (String) ready(r).get("message");
  }
}
