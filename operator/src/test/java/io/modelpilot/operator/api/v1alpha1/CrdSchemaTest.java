package io.modelpilot.operator.api.v1alpha1;

import static io.modelpilot.operator.api.v1alpha1.CrdValidator.at;
import static io.modelpilot.operator.api.v1alpha1.CrdValidator.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cel.runtime.CelRuntime;

/**
 * Proves that the committed ModelDeployment CRD schema rejects bad input with messages naming the
 * field. The mock API server the other tests run against does no schema validation, so this test
 * runs both layers of the API server's validation itself: the OpenAPI v3 schema (types, patterns,
 * bounds, required) through networknt's JSON Schema validator, and every
 * {@code x-kubernetes-validations} CEL rule through cel-java, with {@code self} bound to the value
 * at the rule's node, as Kubernetes does ({@link CrdValidator}).
 */
public class CrdSchemaTest {

    private static final Path ROOT = CrdValidator.ROOT;
    private static final Path CRD = ROOT.resolve("crds/modeldeployments.modelpilot.io-v1.yml");
    private static final Path EXAMPLES = CrdValidator.EXAMPLES;

    /** Both layers of the API server's validation, for the CRD as committed. */
    private static final CrdValidator VALIDATOR = new CrdValidator(CRD);
    /** The openAPIV3Schema of v1alpha1, as committed. */
    private static final JsonNode SCHEMA = VALIDATOR.schema();

    // ---------------------------------------------------------------- tests

    @Test
    void everyExampleValidates() {
        List<Map<String, Object>> examples = exampleModelDeployments();
        assertThat(examples).as("ModelDeployment documents in %s", EXAMPLES).hasSizeGreaterThanOrEqualTo(3);
        for (Map<String, Object> example : examples) {
            assertThat(validate(example))
                    .as("errors of example %s", at(example, "metadata").get("name"))
                    .isEmpty();
        }
    }

    @Test
    void everyRuleCompiles() {
        List<String> rules = new ArrayList<>();
        collectRules(SCHEMA, rules);
        assertThat(rules).as("x-kubernetes-validations rules in the CRD").hasSizeGreaterThanOrEqualTo(5);
        for (String rule : rules) {
            assertThat(compile(rule)).as("rule %s", rule).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void rejectsBadSpecs(String name, Consumer<Map<String, Object>> mutation, String field, String word) {
        Map<String, Object> md = base();
        mutation.accept(md);

        List<String> errors = validate(md);

        assertThat(errors)
                .as("errors of %s, expected one naming %s with '%s'", name, field, word)
                .anyMatch(e -> e.contains(field) && e.toLowerCase().contains(word.toLowerCase()));
    }

    static Stream<Arguments> badSpecs() {
        return Stream.of(
                bad("credentials over plain http",
                        md -> {
                            model(md).put("uri", "http://models.example.com/model.onnx");
                            model(md).put("credentialsSecretRef", map("name", "creds"));
                        },
                        "spec.model.credentialsSecretRef", "TLS"),
                bad("user:password in the uri",
                        md -> model(md).put("uri", "https://bob:hunter2@models.example.com/model.onnx"),
                        "spec.model.uri", "user:password"),
                bad("'..' in a pvc uri",
                        md -> model(md).put("uri", "pvc://model-store/../etc/passwd"),
                        "spec.model.uri", "'..'"),
                bad("'..' in a file uri",
                        md -> model(md).put("uri", "file:///models/../../etc/shadow"),
                        "spec.model.uri", "'..'"),
                bad("gpu.resourceName cpu",
                        md -> at(md, "spec", "gpu").putAll(map("count", 1, "resourceName", "cpu")),
                        "spec.gpu.resourceName", "extended resource"),
                bad("gpu.resourceName in kubernetes.io",
                        md -> at(md, "spec", "gpu").putAll(map("count", 1, "resourceName", "kubernetes.io/gpu")),
                        "spec.gpu.resourceName", "extended resource"),
                bad("autoscaling.interval 0s",
                        md -> at(md, "spec", "autoscaling").put("interval", "0s"),
                        "spec.autoscaling.interval", "at least 1s"),
                bad("autoscaling.window Prometheus cannot read",
                        md -> at(md, "spec", "autoscaling").put("window", "1.5m"),
                        "spec.autoscaling.window", "Prometheus"),
                bad("autoscaling.window in milliseconds",
                        md -> at(md, "spec", "autoscaling").put("window", "500ms"),
                        "spec.autoscaling.window", "Prometheus"),
                bad("autoscaling.window 0s",
                        md -> at(md, "spec", "autoscaling").put("window", "0s"),
                        "spec.autoscaling.window", "at least 1s"),
                bad("analysis.interval 100ms",
                        md -> at(md, "spec", "rollout", "analysis").put("interval", "100ms"),
                        "spec.rollout.analysis.interval", "at least 1s"),
                bad("progressDeadline 0s",
                        md -> at(md, "spec", "rollout").put("progressDeadline", "0s"),
                        "spec.rollout.progressDeadline", "at least 10s"),
                bad("Accuracy min above 1",
                        md -> at(md, "spec", "rollout", "analysis").put("metrics",
                                List.of(map("type", "Accuracy", "min", 95))),
                        "spec.rollout.analysis.metrics[0].min", "between 0 and 1"),
                bad("ErrorRate max above 1",
                        md -> at(md, "spec", "rollout", "analysis").put("metrics",
                                List.of(map("type", "ErrorRate", "max", 5))),
                        "spec.rollout.analysis.metrics[0].max", "between 0 and 1"),
                bad("missing spec.model.uri",
                        md -> model(md).remove("uri"),
                        "spec.model.uri", "required"),
                bad("s3 uri without a key",
                        md -> model(md).put("uri", "s3://models-bucket"),
                        "spec.model.uri", "pattern"),
                bad("s3 uri with an upper-case bucket",
                        md -> model(md).put("uri", "s3://Models/fraud.onnx"),
                        "spec.model.uri", "pattern"),
                bad("s3 settings with an https uri",
                        md -> {
                            model(md).put("uri", "https://models.example.com/model.onnx");
                            model(md).put("s3", map("pathStyle", true));
                        },
                        "spec.model.s3", "s3://"),
                bad("an S3 endpoint over plain http without allowPlainHttp",
                        md -> {
                            model(md).put("uri", "s3://models/fraud.onnx");
                            model(md).put("s3", map("endpoint", "http://minio.storage:9000"));
                        },
                        "spec.model.s3.endpoint", "TLS"),
                bad("an S3 endpoint that is not a URL",
                        md -> {
                            model(md).put("uri", "s3://models/fraud.onnx");
                            model(md).put("s3", map("endpoint", "minio.storage:9000"));
                        },
                        "spec.model.s3.endpoint", "pattern"),
                bad("credentials over plain http with allowPlainHttp false",
                        md -> {
                            model(md).put("uri", "http://models.example.com/model.onnx");
                            model(md).put("credentialsSecretRef", map("name", "creds"));
                            model(md).put("allowPlainHttp", false);
                        },
                        "spec.model.credentialsSecretRef", "TLS"),
                bad("sha256 that is not 64 hex digits",
                        md -> model(md).put("sha256", "abc123"),
                        "spec.model.sha256", "pattern"),
                bad("maxSize that is not a size",
                        md -> {
                            model(md).put("uri", "s3://models/fraud.onnx");
                            model(md).put("maxSize", "lots");
                        },
                        "spec.model.maxSize", "pattern"),
                bad("maxSize with a file uri",
                        md -> model(md).put("maxSize", "1Gi"),
                        "spec.model.maxSize", "applies only"),
                bad("percent-encoded '..' in a pvc uri",
                        md -> model(md).put("uri", "pvc://model-store/%2e%2e/etc/passwd"),
                        "spec.model.uri", "percent-encoded"),
                bad("percent-encoded slash in a file uri",
                        md -> model(md).put("uri", "file:///models/..%2F..%2Fetc/shadow"),
                        "spec.model.uri", "percent-encoded"),
                bad("'..' in an s3 key",
                        md -> model(md).put("uri", "s3://models/fraud/../other/model.onnx"),
                        "spec.model.uri", "'..'"),
                bad("uri with the ftp scheme",
                        md -> model(md).put("uri", "ftp://models.example.com/model.onnx"),
                        "spec.model.uri", "pattern"),
                bad("pvc uri without a path",
                        md -> model(md).put("uri", "pvc://NoClaim"),
                        "spec.model.uri", "pattern"),
                bad("pvc uri with an invalid claim name",
                        md -> model(md).put("uri", "pvc://Bad_Claim/x"),
                        "spec.model.uri", "pattern"),
                bad("uri with a space",
                        md -> model(md).put("uri", "file:///models/my model.onnx"),
                        "spec.model.uri", "pattern"),
                bad("model version with a space",
                        md -> model(md).put("version", "v 7"),
                        "spec.model.version", "pattern"),
                bad("credentialsSecretRef with a file uri",
                        md -> model(md).put("credentialsSecretRef", map("name", "token")),
                        "spec.model.credentialsSecretRef", "http"),
                bad("credentialsSecretRef with a pvc uri",
                        md -> {
                            model(md).put("uri", "pvc://model-store/churn/model.onnx");
                            model(md).put("credentialsSecretRef", map("name", "token"));
                        },
                        "spec.model.credentialsSecretRef", "http"),
                bad("credentialsSecretRef without a name",
                        md -> {
                            model(md).put("uri", "https://models.example.com/model.onnx");
                            model(md).put("credentialsSecretRef", new LinkedHashMap<>());
                        },
                        "spec.model.credentialsSecretRef.name", "required"),
                bad("negative replicas",
                        md -> spec(md).put("replicas", -1),
                        "spec.replicas", "minimum"),
                bad("replicas as a string",
                        md -> spec(md).put("replicas", "2"),
                        "spec.replicas", "integer"),
                bad("too many replicas",
                        md -> spec(md).put("replicas", 1001),
                        "spec.replicas", "maximum"),
                bad("negative intraOpThreads",
                        md -> runtime(md).put("intraOpThreads", -2),
                        "spec.runtime.intraOpThreads", "minimum"),
                bad("negative interOpThreads",
                        md -> runtime(md).put("interOpThreads", -1),
                        "spec.runtime.interOpThreads", "minimum"),
                bad("unknown optimizationLevel",
                        md -> runtime(md).put("optimizationLevel", "turbo"),
                        "spec.runtime.optimizationLevel", "enum"),
                bad("maxQueueDelay that is not a duration",
                        md -> batching(md).put("maxQueueDelay", "2 seconds"),
                        "spec.runtime.batching.maxQueueDelay", "pattern"),
                bad("maxQueueDelay without a unit",
                        md -> batching(md).put("maxQueueDelay", "2"),
                        "spec.runtime.batching.maxQueueDelay", "pattern"),
                bad("maxQueueDelay with maxBatchSize 1",
                        md -> batching(md).put("maxBatchSize", 1),
                        "spec.runtime.batching.maxQueueDelay", "maxBatchSize"),
                bad("maxQueueDelay without maxBatchSize",
                        md -> batching(md).remove("maxBatchSize"),
                        "spec.runtime.batching.maxQueueDelay", "maxBatchSize"),
                bad("maxBatchSize 0",
                        md -> batching(md).put("maxBatchSize", 0),
                        "spec.runtime.batching.maxBatchSize", "minimum"),
                bad("gpu count 0",
                        md -> spec(md).put("gpu", map("count", 0)),
                        "spec.gpu.count", "minimum"),
                bad("gpu count 17",
                        md -> spec(md).put("gpu", map("count", 17)),
                        "spec.gpu.count", "maximum"),
                bad("gpu without a count",
                        md -> spec(md).put("gpu", map("product", "NVIDIA-A100-SXM4-80GB")),
                        "spec.gpu.count", "required"),
                bad("autoscaling minReplicas above maxReplicas",
                        md -> spec(md).put("autoscaling", map("minReplicas", 5, "maxReplicas", 2, "metrics",
                                List.of(map("type", "RequestsPerSecond", "targetPerReplica", 10)))),
                        "spec.autoscaling.minReplicas", "exceed"),
                bad("autoscaling without maxReplicas",
                        md -> spec(md).put("autoscaling", map("metrics",
                                List.of(map("type", "RequestsPerSecond", "targetPerReplica", 10)))),
                        "spec.autoscaling.maxReplicas", "required"),
                bad("LatencyP99 without targetLatency",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "LatencyP99", "targetPerReplica", 10)))),
                        "spec.autoscaling.metrics[0].targetLatency", "LatencyP99"),
                bad("RequestsPerSecond with a utilization target",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "RequestsPerSecond", "targetUtilization", 70)))),
                        "spec.autoscaling.metrics[0]", "targetPerReplica"),
                bad("PromQL without a query",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "PromQL", "targetValue", 1)))),
                        "spec.autoscaling.metrics[0].query", "query"),
                bad("PromQL with two targets",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "PromQL", "query", "sum(x)", "targetValue", 1,
                                        "targetPerReplica", 2)))),
                        "spec.autoscaling.metrics[0].targetValue", "exactly one"),
                bad("unknown metric type",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "QueueLength", "targetPerReplica", 2)))),
                        "spec.autoscaling.metrics[0].type", ""),
                bad("scale-down window that is not a duration",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "Concurrency", "targetPerReplica", 2)), "behavior",
                                map("scaleDown", map("stabilizationWindow", "five minutes")))),
                        "spec.autoscaling.behavior.scaleDown.stabilizationWindow", "pattern"),
                bad("settle window on scale-up",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "Concurrency", "targetPerReplica", 2)), "behavior",
                                map("scaleUp", map("settleWindow", "30s")))),
                        "spec.autoscaling.behavior.scaleUp.settleWindow", "only to scaleDown"),
                bad("settle window that is not a duration",
                        md -> spec(md).put("autoscaling", map("maxReplicas", 3, "metrics",
                                List.of(map("type", "Concurrency", "targetPerReplica", 2)), "behavior",
                                map("scaleDown", map("settleWindow", "half a minute")))),
                        "spec.autoscaling.behavior.scaleDown.settleWindow", "pattern"),
                bad("rollout without steps",
                        md -> spec(md).put("rollout", map("steps", List.of())),
                        "spec.rollout.steps", ""),
                bad("rollout step weight above 100",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 150)))),
                        "spec.rollout.steps[0].weight", ""),
                bad("rollout step pause that is not a duration",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10, "pause", "a while")))),
                        "spec.rollout.steps[0].pause", "pattern"),
                bad("gatewayAPI without parentRefs",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)),
                                "traffic", map("gatewayAPI", map("hostnames", List.of("fraud.example.com"))))),
                        "spec.rollout.traffic.gatewayAPI.parentRefs", "required"),
                bad("gatewayAPI naming the same listener twice",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)),
                                "traffic", map("gatewayAPI", map("parentRefs", List.of(
                                        map("name", "public", "namespace", "gateways"),
                                        map("name", "public", "namespace", "gateways")))))),
                        "spec.rollout.traffic.gatewayAPI.parentRefs", "must be unique"),
                bad("gatewayAPI parentRef namespace with a dot",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)),
                                "traffic", map("gatewayAPI", map("parentRefs", List.of(
                                        map("name", "public", "namespace", "gateway.system")))))),
                        "spec.rollout.traffic.gatewayAPI.parentRefs[0].namespace", "pattern"),
                bad("gatewayAPI hostname with an upper-case letter",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)),
                                "traffic", map("gatewayAPI", map("parentRefs", List.of(map("name", "public")),
                                        "hostnames", List.of("Fraud.example.com"))))),
                        "spec.rollout.traffic.gatewayAPI.hostnames[0]", "pattern"),
                bad("gatewayAPI hostnames twice the same",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)),
                                "traffic", map("gatewayAPI", map("parentRefs", List.of(map("name", "public")),
                                        "hostnames", List.of("fraud.example.com", "fraud.example.com"))))),
                        "spec.rollout.traffic.gatewayAPI.hostnames", "must be unique"),
                bad("ErrorRate without max",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("metrics", List.of(map("type", "ErrorRate"))))),
                        "spec.rollout.analysis.metrics[0].max", "ErrorRate takes max"),
                bad("LatencyP99 with both max and maxRatioToStable",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("metrics", List.of(map("type", "LatencyP99", "max", 0.2, "maxRatioToStable", 1.5))))),
                        "spec.rollout.analysis.metrics[0].maxRatioToStable", "exactly one"),
                bad("Accuracy with a max",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("metrics", List.of(map("type", "Accuracy", "max", 0.9))))),
                        "spec.rollout.analysis.metrics[0].maxDropFromStable", "Accuracy takes exactly one"),
                bad("PromQL without a query",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("metrics", List.of(map("type", "PromQL", "max", 1))))),
                        "spec.rollout.analysis.metrics[0].query", "PromQL takes a query"),
                bad("maxRatioToStable below 1",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("metrics", List.of(map("type", "LatencyP99", "maxRatioToStable", 0.5))))),
                        "spec.rollout.analysis.metrics[0].maxRatioToStable", ""),
                bad("negative failureLimit",
                        md -> spec(md).put("rollout", map("steps", List.of(map("weight", 10)), "analysis",
                                map("failureLimit", -1))),
                        "spec.rollout.analysis.failureLimit", ""),
                bad("gpu product with a space",
                        md -> spec(md).put("gpu", map("count", 1, "product", "NVIDIA A100")),
                        "spec.gpu.product", "pattern"),
                bad("gpu and nvidia.com/gpu in resources.limits",
                        md -> {
                            spec(md).put("gpu", map("count", 1));
                            at(md, "spec", "resources", "limits").put("nvidia.com/gpu", 1);
                        },
                        "spec.resources.limits", "spec.gpu.count"),
                bad("gpu resourceName also in resources.limits",
                        md -> {
                            spec(md).put("gpu", map("count", 2, "resourceName", "amd.com/gpu"));
                            at(md, "spec", "resources", "limits").put("amd.com/gpu", "2");
                        },
                        "spec.resources.limits", "spec.gpu.count"),
                bad("gpu and nvidia.com/gpu in resources.requests",
                        md -> {
                            spec(md).put("gpu", map("count", 1));
                            at(md, "spec", "resources", "requests").put("nvidia.com/gpu", "1");
                        },
                        "spec.resources.requests", "spec.gpu.count"),
                bad("resource quantity that is neither integer nor string",
                        md -> at(md, "spec", "resources", "requests").put("cpu", true),
                        "spec.resources.requests.cpu", ""),
                bad("nodeSelector value that is not a string",
                        md -> spec(md).put("nodeSelector", map("disktype", 1)),
                        "spec.nodeSelector.disktype", "string"),
                bad("metadata.name with upper case and underscore",
                        md -> at(md, "metadata").put("name", "Fraud_Detector"),
                        "metadata.name", "lowercase"),
                bad("metadata.name of 60 characters",
                        md -> at(md, "metadata").put("name", "f" + "x".repeat(59)),
                        "metadata.name", "56 characters"),
                bad("metadata.name starting with a digit",
                        md -> at(md, "metadata").put("name", "7-fraud-detector"),
                        "metadata.name", "start with a letter"),
                bad("missing spec",
                        md -> md.remove("spec"),
                        "spec", "required"));
    }

    @ParameterizedTest
    // 500\u00b5s is the micro sign, as Go's time.ParseDuration and the CRD's pattern spell it
    @ValueSource(strings = {"100ns", "500us", "500\u00b5s", "2ms", "1.5s", "1m30s", "1h", "0.25ms"})
    void acceptsEveryDurationUnit(String delay) {
        Map<String, Object> md = base();
        batching(md).put("maxQueueDelay", delay);

        assertThat(validate(md)).as("errors with maxQueueDelay %s", delay).isEmpty();
    }

    @Test
    void acceptsQuantitiesAsIntegersOrStrings() {
        Map<String, Object> md = base();
        at(md, "spec", "resources", "requests").putAll(map("cpu", "500m", "memory", "1Gi"));
        at(md, "spec", "resources", "limits").putAll(map("cpu", 2, "memory", "2Gi"));

        assertThat(validate(md)).as("errors with integer and string quantities").isEmpty();
    }

    @Test
    void acceptsGpuWithOtherLimits() {
        Map<String, Object> md = base();
        spec(md).put("gpu", map("count", 1, "product", "NVIDIA-A100-SXM4-80GB"));
        at(md, "spec", "resources", "limits").put("cpu", "4");
        model(md).put("uri", "https://models.example.com/m.onnx");
        model(md).put("credentialsSecretRef", map("name", "model-registry-token"));

        assertThat(validate(md)).as("errors of a GPU deployment with CPU and memory limits").isEmpty();
    }

    @Test
    void acceptsARouteOnTwoListenersOfOneGatewayWithAWildcardHostname() {
        Map<String, Object> md = base();
        spec(md).put("rollout", map("steps", List.of(map("weight", 10, "pause", "1m")),
                "traffic", map("gatewayAPI", map(
                        "parentRefs", List.of(map("name", "public", "namespace", "gateways", "sectionName", "https"),
                                map("name", "public", "namespace", "gateways", "sectionName", "http")),
                        "hostnames", List.of("*.models.example.com", "fraud.example.com")))));

        assertThat(validate(md)).as("errors of a Gateway API route").isEmpty();
    }

    @Test
    void acceptsAnS3SourceWithEndpointDigestAndSizeCap() {
        Map<String, Object> md = base();
        model(md).put("uri", "s3://models.prod/fraud/v7/model.onnx");
        model(md).put("credentialsSecretRef", map("name", "model-store-keys"));
        model(md).put("s3", map("endpoint", "https://minio.storage.svc:9000", "region", "eu-west-1",
                "pathStyle", true));
        model(md).put("sha256", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
        model(md).put("maxSize", "2Gi");

        assertThat(validate(md)).as("errors of an s3 source").isEmpty();
    }

    @Test
    void acceptsPlainHttpOnlyWithTheExplicitFlag() {
        Map<String, Object> md = base();
        model(md).put("uri", "s3://models/fraud.onnx");
        model(md).put("credentialsSecretRef", map("name", "minio-keys"));
        model(md).put("s3", map("endpoint", "http://minio.dev:9000", "pathStyle", true));
        model(md).put("allowPlainHttp", true);

        assertThat(validate(md)).as("errors of a local MinIO over http").isEmpty();

        model(md).put("uri", "http://models.dev/fraud.onnx");
        model(md).remove("s3");
        assertThat(validate(md)).as("errors of credentials over http with allowPlainHttp").isEmpty();
    }

    @Test
    void acceptsAPresignedHttpsUrlWithEncodedSlashesInItsQuery() {
        Map<String, Object> md = base();
        model(md).put("uri", "https://models.s3.amazonaws.com/fraud.onnx?X-Amz-Credential=AKIA%2F20250101%2Fus-east-1"
                + "%2Fs3%2Faws4_request&X-Amz-Signature=abc");

        assertThat(validate(md)).as("errors of a pre-signed URL").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "fraud-detector-2", "model-name-of-exactly-fifty-six-characters-0123456789abc"})
    void acceptsValidNames(String name) {
        assertThat(name.length()).isLessThanOrEqualTo(56);
        Map<String, Object> md = base();
        at(md, "metadata").put("name", name);

        assertThat(validate(md)).as("errors with metadata.name %s", name).isEmpty();
    }

    @Test
    void reportsSchemaAndRuleErrorsTogether() {
        Map<String, Object> md = base();
        spec(md).put("replicas", -1);
        batching(md).put("maxBatchSize", 1);

        List<String> errors = validate(md);

        assertThat(errors).as("errors").anyMatch(e -> e.startsWith("spec.replicas:"));
        assertThat(errors).as("errors").anyMatch(e -> e.startsWith("spec.runtime.batching.maxQueueDelay:"));
    }

    // ---------------------------------------------------------------- validation

    /**
     * Validates a ModelDeployment the way the API server would: the OpenAPI v3 schema, then every
     * {@code x-kubernetes-validations} rule. Returns one {@code "<path>: <message>"} per error; empty
     * when the object is valid.
     */
    public static List<String> validate(Map<String, Object> object) {
        return VALIDATOR.validate(object);
    }

    private static CelRuntime.Program compile(String rule) {
        return CrdValidator.compile(rule);
    }

    private static void collectRules(JsonNode schema, List<String> rules) {
        CrdValidator.collectRules(schema, rules);
    }

    // ---------------------------------------------------------------- loading

    private static List<Map<String, Object>> exampleModelDeployments() {
        return CrdValidator.examples("ModelDeployment");
    }

    /** A fresh copy of examples/cpu-model.yaml's ModelDeployment, which the bad specs mutate. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> base() {
        return exampleModelDeployments().stream()
                .filter(md -> "fraud-detector".equals(((Map<String, Object>) md.get("metadata")).get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no fraud-detector ModelDeployment in " + EXAMPLES));
    }

    // ---------------------------------------------------------------- builders

    private static Arguments bad(String name, Consumer<Map<String, Object>> mutation, String field, String word) {
        return Arguments.of(name, mutation, field, word);
    }

    private static Map<String, Object> spec(Map<String, Object> md) {
        return at(md, "spec");
    }

    private static Map<String, Object> model(Map<String, Object> md) {
        return at(md, "spec", "model");
    }

    private static Map<String, Object> runtime(Map<String, Object> md) {
        return at(md, "spec", "runtime");
    }

    private static Map<String, Object> batching(Map<String, Object> md) {
        return at(md, "spec", "runtime", "batching");
    }

}
