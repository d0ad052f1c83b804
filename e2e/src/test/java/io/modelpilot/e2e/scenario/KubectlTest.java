package io.modelpilot.e2e.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelpilot.e2e.cluster.LocalCluster;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real kubectl against the local cluster's stand-in API server, as a user runs it after {@code make cluster}:
 * server-side apply, get, describe, merge patch, annotate and delete of a ModelDeployment the operator serves,
 * the API server's validation errors as kubectl shows them, the operator's Lease and {@code kubectl auth can-i}.
 */
class KubectlTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER = new LocalClusterExtension(LocalCluster.Builder::withoutPrometheus);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String NS = "kubectl";
  /** kubectl before 1.27 validates on the client with OpenAPI v2, which the stand-in does not serve. */
  private static List<String> validateFlag = List.of();

  record Result(int exitCode, String out, String err) {
  }

  @BeforeAll
  static void kubectlVersion() throws Exception {
    JsonNode version = JSON.readTree(kubectl("version", "--client", "-o", "json").out());
    int minor = Integer.parseInt(version.path("clientVersion").path("minor").asText("0").replaceAll("\\D", ""));
    if (minor < 27) {
      validateFlag = List.of("--validate=false");
    }
  }

  @Test
  void appliesGetsDescribesPatchesAnnotatesAndDeletesAModelDeployment() throws Exception {
    Path example = CLUSTER.cluster().repo().example("cpu-model.yaml");

    Result applied = ok(kubectl(with(validateFlag, "apply", "--server-side", "-n", NS, "-f", example.toString())));
    assertThat(applied.out()).contains("modeldeployment.modelpilot.io/fraud-detector serverside-applied");
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(ok(kubectl("get", "md", "fraud-detector", "-n", NS, "-o", "jsonpath={.status.replicaSummary}"))
            .out()).isEqualTo("2/2"));

    assertThat(ok(kubectl("get", "modeldeployments", "-n", NS)).out()).contains("fraud-detector");
    // the Deployment the operator applied, through the built-in discovery
    assertThat(ok(kubectl("get", "deployments.apps", "-n", NS, "-o", "name")).out())
        .contains("deployment.apps/fraud-detector");
    String described = ok(kubectl("describe", "modeldeployment", "fraud-detector", "-n", NS)).out();
    assertThat(described).contains("Name:         fraud-detector", "Kind:         ModelDeployment",
        "Replica Summary:", "2/2");

    // the API server's validation, as kubectl reports it: 422 naming the field
    Result invalid = kubectl("patch", "md", "fraud-detector", "-n", NS, "--type=merge",
        "-p", "{\"spec\":{\"replicas\":-1}}");
    assertThat(invalid.exitCode()).isNotZero();
    assertThat(invalid.err()).contains("ModelDeployment", "\"fraud-detector\" is invalid", "spec.replicas");
    Result invalidApply = kubectl(with(validateFlag, "apply", "--server-side", "-n", NS, "-f", writeTemp("""
        apiVersion: modelpilot.io/v1alpha1
        kind: ModelDeployment
        metadata:
          name: no-model
        spec:
          replicas: 1
        """).toString()));
    assertThat(invalidApply.exitCode()).isNotZero();
    assertThat(invalidApply.err()).contains("\"no-model\" is invalid", "spec.model");

    ok(kubectl("patch", "md", "fraud-detector", "-n", NS, "--type=merge", "-p", "{\"spec\":{\"replicas\":1}}"));
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(ok(kubectl("get", "md", "fraud-detector", "-n", NS, "-o", "jsonpath={.status.replicaSummary}"))
            .out()).isEqualTo("1/1"));

    ok(kubectl("annotate", "md", "fraud-detector", "-n", NS, "modelpilot.io/owner=team-a"));
    assertThat(ok(kubectl("get", "md", "fraud-detector", "-n", NS, "-o", "json")).out())
        .contains("\"modelpilot.io/owner\": \"team-a\"");

    assertThat(ok(kubectl("delete", "md", "fraud-detector", "-n", NS)).out())
        .contains("modeldeployment.modelpilot.io \"fraud-detector\" deleted");
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      assertThat(ok(kubectl("get", "md", "-n", NS, "-o", "name")).out()).isEmpty();
      assertThat(CLUSTER.cluster().client().pods().inNamespace(NS).list().getItems()).isEmpty();
    });
  }

  @Test
  void showsTheOperatorsLeaseAndAnswersAuthCanIAsForClusterAdmin() throws Exception {
    // the operator runs with leader election on: its Lease, where the chart puts it, names it as the holder
    await().atMost(TIMEOUT).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(ok(kubectl("get", "lease", LocalCluster.LEASE_NAME, "-n", LocalCluster.LEASE_NAMESPACE,
            "-o", "jsonpath={.spec.holderIdentity}")).out()).matches("modelpilot-operator-0-[0-9a-f]{8}"));

    // a SelfSubjectAccessReview, and a SelfSubjectRulesReview (what JOSDK asks before it elects)
    assertThat(ok(kubectl("auth", "can-i", "update", "leases.coordination.k8s.io", "-n",
        LocalCluster.LEASE_NAMESPACE)).out()).isEqualTo("yes");
    assertThat(ok(kubectl("auth", "can-i", "--list", "-n", LocalCluster.LEASE_NAMESPACE)).out())
        .containsPattern("\\*\\.\\*\\s+\\[\\]\\s+\\[\\]\\s+\\[\\*\\]");
  }

  private static List<String> with(List<String> extra, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(extra);
    return all;
  }

  private static Result kubectl(String... args) throws IOException, InterruptedException {
    return kubectl(List.of(args));
  }

  private static Result kubectl(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("kubectl");
    command.addAll(args);
    Path err = Files.createTempFile("kubectl", ".err");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
      builder.environment().put("KUBECONFIG", CLUSTER.cluster().kubeconfig().toString());
      Process process = builder.start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("kubectl " + args + " did not finish in 60 s");
      }
      return new Result(process.exitValue(), out.trim(), Files.readString(err).trim());
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static Result ok(Result result) {
    assertThat(result.exitCode()).as("kubectl exit code; stderr: %s", result.err()).isZero();
    return result;
  }

  private static Path writeTemp(String yaml) {
    try {
      Path file = Files.createTempFile(CLUSTER.cluster().runDir(), "manifest", ".yaml");
      return Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
