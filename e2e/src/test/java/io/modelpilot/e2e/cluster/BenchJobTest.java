package io.modelpilot.e2e.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.modelpilot.e2e.junit.LocalClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Jobs run once as processes; the result travels back in the pod's termination message and the output in the pod's
 * log, as for a tuning trial.
 */
class BenchJobTest {

  @RegisterExtension
  static final LocalClusterExtension CLUSTER =
      new LocalClusterExtension(b -> b.withoutOperator().withoutPrometheus());

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String NS = "tuning";

  @Test
  void benchJobCompletesWithItsResultInTheTerminationMessage() throws Exception {
    Job job = CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS)
        .resource(benchJob("trial-1", "file:///models/mlp-classifier.onnx", 6)).create();

    Job done = await().atMost(TIMEOUT).until(() -> job(job.getMetadata().getName()), j -> terminal(j) != null);
    assertThat(terminal(done).getType()).isEqualTo("Complete");
    assertThat(done.getStatus().getSucceeded()).isEqualTo(1);
    assertThat(done.getStatus().getStartTime()).isNotNull();
    assertThat(done.getStatus().getCompletionTime()).isNotNull();

    Pod pod = onlyPod("trial-1");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(job.getMetadata().getUid()));
    ContainerStateTerminated terminated = pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    JsonNode result = JSON.readTree(terminated.getMessage());
    assertThat(result.path("throughput").asDouble()).isPositive();
    assertThat(result.path("model").asText()).isEqualTo("m");
    assertThat(result.path("settings").path("concurrency").asInt()).isEqualTo(1);
    assertThat(CLUSTER.cluster().kubelet().pods(NS, "trial-1")).singleElement()
        .satisfies(p -> assertThat(p.process().isAlive()).isFalse());

    CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS).withName("trial-1").delete();
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(pods("trial-1")).isEmpty());
  }

  @Test
  void benchJobThatCannotLoadItsModelFailsAfterItsBackoffLimit() {
    CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS)
        .resource(benchJob("trial-broken", "file:///models/no-such-model.onnx", 0)).create();

    Job done = await().atMost(TIMEOUT).until(() -> job("trial-broken"), j -> terminal(j) != null);
    assertThat(terminal(done).getType()).isEqualTo("Failed");
    assertThat(terminal(done).getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(done.getStatus().getFailed()).isEqualTo(1);
    Pod pod = onlyPod("trial-broken");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getExitCode()).isNotZero();
  }

  @Test
  void aCommandContainersOutputIsItsPodLogThroughTheApiServer() {
    String script = "import sys, time\n"
        + "print('epoch 1', flush=True)\n"
        + "print('MODELPILOT_INTERMEDIATE {\"step\": 1, \"value\": 0.5}', flush=True)\n"
        + "sys.stderr.write('a warning\\n'); sys.stderr.flush()\n"
        + "time.sleep(2)\n"
        + "open('/dev/termination-log', 'w').write('{\"loss\": 0.25}')\n";
    CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS).resource(pythonJob("trial-logs", script, null))
        .create();

    // while it runs: the output so far, without anything the harness writes around the process
    String podName = await().atMost(TIMEOUT).until(() -> pods("trial-logs"), p -> p.size() == 1).get(0)
        .getMetadata().getName();
    await().atMost(TIMEOUT).until(() -> log(podName), l -> l != null && l.contains("a warning"));
    assertThat(log(podName)).isEqualTo("epoch 1\nMODELPILOT_INTERMEDIATE {\"step\": 1, \"value\": 0.5}\na warning\n");

    Job done = await().atMost(TIMEOUT).until(() -> job("trial-logs"), j -> terminal(j) != null);
    assertThat(terminal(done).getType()).isEqualTo("Complete");
    Pod pod = onlyPod("trial-logs");
    assertThat(pod.getMetadata().getLabels()).containsEntry("job-name", "trial-logs")
        .containsEntry("batch.kubernetes.io/job-name", "trial-logs").containsEntry("modelpilot.io/trial", "trial-logs");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
        .isEqualTo("{\"loss\": 0.25}");
    assertThat(log(podName)).as("a finished pod's log stays until its Job goes").contains("epoch 1");
    assertThatThrownBy(() -> CLUSTER.cluster().client().pods().inNamespace(NS).withName("no-such-pod")
        .withReadyWaitTimeout(0).getLog()).isInstanceOf(KubernetesClientException.class);
  }

  @Test
  void aJobPastItsActiveDeadlineFailsWithDeadlineExceededAndItsPodStops() {
    CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS)
        .resource(pythonJob("trial-slow", "import time\ntime.sleep(60)\n", 2L)).create();
    ProcessHandle process = await().atMost(TIMEOUT).until(
        () -> CLUSTER.cluster().kubelet().pods(NS, "trial-slow").stream().map(Kubelet.PodInfo::process)
            .filter(java.util.Objects::nonNull).findFirst().orElse(null), java.util.Objects::nonNull);

    Job done = await().atMost(TIMEOUT).until(() -> job("trial-slow"), j -> terminal(j) != null);
    assertThat(terminal(done).getType()).isEqualTo("Failed");
    assertThat(terminal(done).getReason()).isEqualTo("DeadlineExceeded");
    await().atMost(TIMEOUT).untilAsserted(() -> assertThat(process.isAlive()).isFalse());
  }

  private static Job pythonJob(String name, String script, Long activeDeadlineSeconds) {
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withBackoffLimit(0).withActiveDeadlineSeconds(activeDeadlineSeconds)
        .withNewTemplate().withNewMetadata().addToLabels("modelpilot.io/trial", name).endMetadata()
        .withNewSpec().withRestartPolicy("Never")
        .addNewContainer().withName("trial").withImage("python:3.12-slim")
        .withCommand("/usr/bin/python3", "-c").withArgs(script)
        .withTerminationMessagePath("/dev/termination-log")
        .endContainer().endSpec().endTemplate().endSpec()
        .build();
  }

  private static String log(String pod) {
    return CLUSTER.cluster().client().pods().inNamespace(NS).withName(pod).withReadyWaitTimeout(0).getLog();
  }

  private static Job benchJob(String name, String modelUri, int backoffLimit) {
    return new JobBuilder()
        .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
        .withNewSpec().withBackoffLimit(backoffLimit)
        .withNewTemplate().withNewMetadata().addToLabels("modelpilot.io/trial", name).endMetadata()
        .withNewSpec().withRestartPolicy("Never")
        .addNewContainer().withName("trial").withImage("ghcr.io/modelpilot/runtime:0.1.0")
        .withArgs("bench", "--concurrency", "1", "--duration", "2s", "--warmup", "500ms")
        .addNewEnv().withName("MODELPILOT_MODEL_URI").withValue(modelUri).endEnv()
        .addNewEnv().withName("MODELPILOT_MODEL_NAME").withValue("m").endEnv()
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .endContainer().endSpec().endTemplate().endSpec()
        .build();
  }

  private static Job job(String name) {
    return CLUSTER.cluster().client().batch().v1().jobs().inNamespace(NS).withName(name).get();
  }

  private static JobCondition terminal(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()))
        .findFirst().orElse(null);
  }

  private static List<Pod> pods(String job) {
    return CLUSTER.cluster().client().pods().inNamespace(NS).withLabel("job-name", job).list().getItems();
  }

  private static Pod onlyPod(String job) {
    List<Pod> pods = pods(job);
    assertThat(pods).hasSize(1);
    return pods.get(0);
  }
}
