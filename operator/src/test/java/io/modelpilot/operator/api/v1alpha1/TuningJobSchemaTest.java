package io.modelpilot.operator.api.v1alpha1;

import static io.modelpilot.operator.api.v1alpha1.CrdValidator.at;
import static io.modelpilot.operator.api.v1alpha1.CrdValidator.map;
import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * Proves that the committed TuningJob CRD schema accepts the examples and good search spaces, and rejects bad input
 * with messages naming the field: the OpenAPI v3 schema and every {@code x-kubernetes-validations} CEL rule, through
 * {@link CrdValidator}. Objects are defaulted from the schema before they are validated, as the API server does.
 */
public class TuningJobSchemaTest {

    private static final CrdValidator VALIDATOR = CrdValidator.forCrd("tuningjobs.modelpilot.io-v1.yml");
    private static final CrdValidator MODEL_DEPLOYMENTS = CrdValidator.forCrd("modeldeployments.modelpilot.io-v1.yml");

    /** Every field of a ModelDeployment's spec the allow-list names, with the highest and lowest metrics index. */
    private static final List<String> ALLOWED_PATHS = List.of(
            "spec.runtime.intraOpThreads",
            "spec.runtime.interOpThreads",
            "spec.runtime.optimizationLevel",
            "spec.runtime.batching.maxBatchSize",
            "spec.runtime.batching.maxQueueDelay",
            "spec.resources.requests.cpu",
            "spec.resources.requests.memory",
            "spec.resources.limits.cpu",
            "spec.resources.limits.memory",
            "spec.gpu.count",
            "spec.gpu.product",
            "spec.autoscaling.minReplicas",
            "spec.autoscaling.maxReplicas",
            "spec.autoscaling.metrics[0].targetPerReplica",
            "spec.autoscaling.metrics[9].targetValue",
            "spec.autoscaling.metrics[1].targetUtilization",
            "spec.autoscaling.metrics[2].targetLatency",
            "spec.model.uri",
            "spec.model.version");

    // ---------------------------------------------------------------- tests

    @Test
    void everyExampleValidates() {
        List<Map<String, Object>> examples = CrdValidator.examples("TuningJob");
        assertThat(examples).as("TuningJob documents in %s", CrdValidator.EXAMPLES).hasSizeGreaterThanOrEqualTo(2);
        assertThat(examples).extracting(tj -> at(tj, "metadata").get("name"))
                .as("TuningJob examples")
                .contains("fraud-detector-runtime", "branin-search");
        for (Map<String, Object> example : examples) {
            assertThat(VALIDATOR.validate(example))
                    .as("errors of example %s as written", at(example, "metadata").get("name"))
                    .isEmpty();
            assertThat(validate(example))
                    .as("errors of example %s with the schema's defaults", at(example, "metadata").get("name"))
                    .isEmpty();
        }
    }

    @Test
    void everyRuleCompiles() {
        List<String> rules = VALIDATOR.rules();
        // 2 on the TuningJob, 5 on its spec, 7 on a parameter, 2 on a constraint, 1 on the trial
        assertThat(rules).as("x-kubernetes-validations rules in the CRD").hasSizeGreaterThanOrEqualTo(17);
        for (String rule : rules) {
            assertThat(CrdValidator.compile(rule)).as("rule %s", rule).isNotNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void rejectsBadSpecs(String name, Consumer<Map<String, Object>> mutation, String field, String word) {
        Map<String, Object> tj = base();
        mutation.accept(tj);

        List<String> errors = validate(tj);

        assertThat(errors)
                .as("errors of %s, expected one naming %s with '%s'", name, field, word)
                .anyMatch(e -> e.startsWith(field + ":") && e.toLowerCase().contains(word.toLowerCase()));
    }

    static Stream<Arguments> badSpecs() {
        String allowList = "path must be a tunable field of the ModelDeployment's spec: spec.runtime.{intraOpThreads";
        return Stream.of(
                bad("missing targetRef",
                        tj -> spec(tj).remove("targetRef"),
                        "spec.targetRef", "required"),
                bad("targetRef without a name",
                        tj -> spec(tj).put("targetRef", new LinkedHashMap<>()),
                        "spec.targetRef.name", "required"),
                bad("missing objective.metric",
                        tj -> objective(tj).remove("metric"),
                        "spec.objective.metric", "required"),
                bad("objective metric with a '-'",
                        tj -> objective(tj).put("metric", "latency-p99"),
                        "spec.objective.metric", "pattern"),
                bad("objective metric starting with a digit",
                        tj -> objective(tj).put("metric", "99th"),
                        "spec.objective.metric", "pattern"),
                bad("unknown objective direction",
                        tj -> objective(tj).put("direction", "Max"),
                        "spec.objective.direction", "enum"),
                bad("missing parameters",
                        tj -> spec(tj).remove("parameters"),
                        "spec.parameters", "required"),
                bad("empty parameters",
                        tj -> spec(tj).put("parameters", List.of()),
                        "spec.parameters", "minItems"),
                bad("17 parameters",
                        tj -> spec(tj).put("parameters", seventeenParameters()),
                        "spec.parameters", "maxItems"),
                bad("path spec.runtime.image",
                        tj -> parameter(tj, 0).put("path", "spec.runtime.image"),
                        "spec.parameters[0].path", allowList),
                bad("path spec.replicas",
                        tj -> parameter(tj, 0).put("path", "spec.replicas"),
                        "spec.parameters[0].path", allowList),
                bad("path metadata.labels",
                        tj -> parameter(tj, 0).put("path", "metadata.labels"),
                        "spec.parameters[0].path", allowList),
                bad("path spec.model.credentialsSecretRef.name",
                        tj -> parameter(tj, 0).put("path", "spec.model.credentialsSecretRef.name"),
                        "spec.parameters[0].path", allowList),
                bad("path with a trailing segment",
                        tj -> parameter(tj, 0).put("path", "spec.runtime.intraOpThreads.x"),
                        "spec.parameters[0].path", allowList),
                bad("path under an allowed prefix",
                        tj -> parameter(tj, 0).put("path", "xspec.runtime.intraOpThreads"),
                        "spec.parameters[0].path", allowList),
                bad("path with metrics index 10",
                        tj -> parameter(tj, 0).put("path", "spec.autoscaling.metrics[10].targetValue"),
                        "spec.parameters[0].path", allowList),
                bad("duplicate parameter names",
                        tj -> parameter(tj, 1).put("name", "intraOpThreads"),
                        "spec.parameters", "names must be unique"),
                bad("two parameters with the same path",
                        tj -> parameter(tj, 1).put("path", "spec.runtime.intraOpThreads"),
                        "spec.parameters", "same path"),
                bad("parameter name with a '-'",
                        tj -> parameter(tj, 0).put("name", "intra-op"),
                        "spec.parameters[0].name", "pattern"),
                bad("parameter without a type",
                        tj -> parameter(tj, 0).remove("type"),
                        "spec.parameters[0].type", "required"),
                bad("parameter of type float",
                        tj -> parameter(tj, 0).put("type", "float"),
                        "spec.parameters[0].type", "enum"),
                bad("categorical without values",
                        tj -> parameter(tj, 1).remove("values"),
                        "spec.parameters[1]", "a categorical parameter takes values"),
                bad("categorical with empty values",
                        tj -> parameter(tj, 1).put("values", List.of()),
                        "spec.parameters[1].values", "minItems"),
                bad("categorical with min",
                        tj -> parameter(tj, 1).put("min", 1),
                        "spec.parameters[1]", "a categorical parameter takes values, not min"),
                bad("categorical with logScale",
                        tj -> parameter(tj, 1).put("logScale", true),
                        "spec.parameters[1]", "a categorical parameter takes values, not min/max/step/logScale"),
                bad("int without max",
                        tj -> parameter(tj, 0).remove("max"),
                        "spec.parameters[0]", "takes min and max"),
                bad("double without min",
                        tj -> spec(tj).put("parameters", List.of(map("name", "share", "type", "double", "max", 0.9,
                                "path", "spec.autoscaling.metrics[0].targetValue"))),
                        "spec.parameters[0]", "takes min and max"),
                bad("int with values",
                        tj -> parameter(tj, 0).put("values", List.of("1", "2")),
                        "spec.parameters[0]", "not values"),
                bad("min > max",
                        tj -> parameter(tj, 0).putAll(map("min", 8, "max", 2)),
                        "spec.parameters[0].min", "must not exceed max"),
                bad("step 0",
                        tj -> parameter(tj, 0).put("step", 0),
                        "spec.parameters[0].step", "greater than 0"),
                bad("negative step",
                        tj -> parameter(tj, 0).put("step", -1),
                        "spec.parameters[0].step", "greater than 0"),
                bad("logScale with min 0",
                        tj -> parameter(tj, 0).putAll(map("min", 0, "logScale", true)),
                        "spec.parameters[0].logScale", "min > 0"),
                bad("logScale with a negative min",
                        tj -> spec(tj).put("parameters", List.of(map("name", "share", "type", "double", "min", -0.5,
                                "max", 0.9, "logScale", true, "path", "spec.autoscaling.metrics[0].targetValue"))),
                        "spec.parameters[0].logScale", "min > 0"),
                bad("int with min 1.5",
                        tj -> parameter(tj, 0).put("min", 1.5),
                        "spec.parameters[0]", "an int parameter takes whole min, max and step"),
                bad("int with max 3.5",
                        tj -> parameter(tj, 0).put("max", 3.5),
                        "spec.parameters[0]", "whole min, max and step"),
                bad("int with step 0.5",
                        tj -> parameter(tj, 0).put("step", 0.5),
                        "spec.parameters[0]", "whole min, max and step"),
                bad("min as a string",
                        tj -> parameter(tj, 0).put("min", "1"),
                        "spec.parameters[0].min", "number"),
                bad("path of 129 characters",
                        tj -> parameter(tj, 0).put("path", "spec." + "x".repeat(124)),
                        "spec.parameters[0].path", "maxLength"),
                bad("parallelTrials > maxTrials",
                        tj -> spec(tj).putAll(map("maxTrials", 4, "parallelTrials", 8)),
                        "spec.parallelTrials", "must not exceed maxTrials"),
                bad("parallelTrials above the default maxTrials (20)",
                        tj -> {
                            spec(tj).remove("maxTrials");
                            spec(tj).put("parallelTrials", 25);
                        },
                        "spec.parallelTrials", "must not exceed maxTrials"),
                bad("bayesian search over 300 trials",
                        tj -> spec(tj).putAll(map("maxTrials", 301, "algorithm", map("name", "bayesian"))),
                        "spec.maxTrials", "at most 300 trials"),
                bad("bayesian by default over 300 trials",
                        tj -> { spec(tj).remove("algorithm"); spec(tj).put("maxTrials", 500); },
                        "spec.maxTrials", "at most 300 trials"),
                bad("maxTrials 0",
                        tj -> spec(tj).put("maxTrials", 0),
                        "spec.maxTrials", "minimum"),
                bad("maxTrials 501",
                        tj -> spec(tj).put("maxTrials", 501),
                        "spec.maxTrials", "maximum"),
                bad("parallelTrials 0",
                        tj -> spec(tj).put("parallelTrials", 0),
                        "spec.parallelTrials", "minimum"),
                bad("negative maxFailedTrials",
                        tj -> spec(tj).put("maxFailedTrials", -1),
                        "spec.maxFailedTrials", "minimum"),
                bad("constraint with neither max nor min",
                        tj -> constraint(tj, 0).remove("max"),
                        "spec.constraints[0]", "a constraint needs max, min or both"),
                bad("constraint with min > max",
                        tj -> constraint(tj, 0).put("min", 80),
                        "spec.constraints[0].min", "must not exceed max"),
                bad("constraint on the objective's metric",
                        tj -> constraint(tj, 0).put("metric", "throughput"),
                        "spec.constraints", "may not name the objective's metric"),
                bad("constraint without a metric",
                        tj -> constraint(tj, 0).remove("metric"),
                        "spec.constraints[0].metric", "required"),
                bad("9 constraints",
                        tj -> {
                            List<Object> constraints = new ArrayList<>();
                            for (int i = 0; i < 9; i++) {
                                constraints.add(map("metric", "m" + i, "max", 1));
                            }
                            spec(tj).put("constraints", constraints);
                        },
                        "spec.constraints", "maxItems"),
                bad("missing trial",
                        tj -> spec(tj).remove("trial"),
                        "spec.trial", "required"),
                bad("trial with both benchmark and template",
                        tj -> trial(tj).put("template", map("spec", map("containers",
                                List.of(map("name", "trial", "image", "python:3.12-slim"))))),
                        "spec.trial", "exactly one"),
                bad("trial with neither benchmark nor template",
                        tj -> trial(tj).remove("benchmark"),
                        "spec.trial", "exactly one"),
                bad("benchmark duration '10 seconds'",
                        tj -> benchmark(tj).put("duration", "10 seconds"),
                        "spec.trial.benchmark.duration", "pattern"),
                bad("benchmark warmup without a unit",
                        tj -> benchmark(tj).put("warmup", "3"),
                        "spec.trial.benchmark.warmup", "pattern"),
                bad("benchmark concurrency 0",
                        tj -> benchmark(tj).put("concurrency", 0),
                        "spec.trial.benchmark.concurrency", "minimum"),
                bad("activeDeadlineSeconds above a day",
                        tj -> trial(tj).put("activeDeadlineSeconds", 86401),
                        "spec.trial.activeDeadlineSeconds", "maximum"),
                bad("built-in benchmark with a parameter lacking a path",
                        tj -> parameter(tj, 2).remove("path"),
                        "spec.parameters", "with the built-in benchmark trial every parameter needs a path"),
                bad("apply policy Auto",
                        tj -> at(tj, "spec", "apply").put("policy", "Auto"),
                        "spec.apply.policy", "enum"),
                bad("capacityTargetShare above 1",
                        tj -> at(tj, "spec", "apply").put("capacityTargetShare", 1.5),
                        "spec.apply.capacityTargetShare", "maximum"),
                bad("algorithm annealing",
                        tj -> at(tj, "spec", "algorithm").put("name", "annealing"),
                        "spec.algorithm.name", "enum"),
                bad("negative seed",
                        tj -> at(tj, "spec", "algorithm").put("seed", -1),
                        "spec.algorithm.seed", "minimum"),
                bad("earlyStopping without a type",
                        tj -> spec(tj).put("earlyStopping", map("minTrials", 3)),
                        "spec.earlyStopping.type", "required"),
                bad("earlyStopping reductionFactor 1",
                        tj -> spec(tj).put("earlyStopping", map("type", "Asha", "reductionFactor", 1)),
                        "spec.earlyStopping.reductionFactor", "minimum"),
                bad("metadata.name of 53 characters",
                        tj -> at(tj, "metadata").put("name", "t" + "x".repeat(52)),
                        "<root>", "metadata.name must start with a letter"),
                bad("metadata.name with upper case",
                        tj -> at(tj, "metadata").put("name", "Fraud-Detector-Runtime"),
                        "<root>", "contain only lowercase letters"),
                bad("metadata.name starting with a digit",
                        tj -> at(tj, "metadata").put("name", "1-runtime"),
                        "<root>", "metadata.name must start with a letter"),
                bad("missing spec",
                        tj -> tj.remove("spec"),
                        "<root>", "spec is required"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goodParameters")
    void acceptsGoodParameters(String name, Map<String, Object> parameter) {
        Map<String, Object> tj = base();
        spec(tj).put("parameters", List.of(parameter));

        assertThat(validate(tj)).as("errors with the parameter %s", parameter).isEmpty();
    }

    static Stream<Arguments> goodParameters() {
        return Stream.of(
                good("int on a log scale",
                        map("name", "intraOpThreads", "type", "int", "min", 1, "max", 16, "logScale", true,
                                "path", "spec.runtime.intraOpThreads")),
                good("int with a step, written as decimals",
                        map("name", "maxBatchSize", "type", "int", "min", 2.0, "max", 64.0, "step", 2.0,
                                "path", "spec.runtime.batching.maxBatchSize")),
                good("int with negative whole bounds",
                        map("name", "offset", "type", "int", "min", -4, "max", -1,
                                "path", "spec.autoscaling.minReplicas")),
                good("int with min equal to max",
                        map("name", "interOpThreads", "type", "int", "min", 2, "max", 2,
                                "path", "spec.runtime.interOpThreads")),
                good("int with logScale false and min 0",
                        map("name", "intraOpThreads", "type", "int", "min", 0, "max", 8, "logScale", false,
                                "path", "spec.runtime.intraOpThreads")),
                good("double, continuous",
                        map("name", "targetValue", "type", "double", "min", -5, "max", 10.5,
                                "path", "spec.autoscaling.metrics[0].targetValue")),
                good("double with a step",
                        map("name", "targetPerReplica", "type", "double", "min", 0.5, "max", 20, "step", 0.25,
                                "path", "spec.autoscaling.metrics[0].targetPerReplica")),
                good("double on a log scale",
                        map("name", "targetPerReplica", "type", "double", "min", 0.001, "max", 100, "logScale", true,
                                "path", "spec.autoscaling.metrics[0].targetPerReplica")),
                good("categorical",
                        map("name", "optimizationLevel", "type", "categorical",
                                "values", List.of("disabled", "basic", "extended", "all"),
                                "path", "spec.runtime.optimizationLevel")),
                good("categorical of one value",
                        map("name", "maxQueueDelay", "type", "categorical", "values", List.of("2ms"),
                                "path", "spec.runtime.batching.maxQueueDelay")),
                good("categorical of quantities",
                        map("name", "cpu", "type", "categorical", "values", List.of("500m", "1", "2"),
                                "path", "spec.resources.limits.cpu")));
    }

    @ParameterizedTest
    @MethodSource("allowedPaths")
    void acceptsEveryAllowedPath(String path) {
        Map<String, Object> tj = base();
        spec(tj).put("parameters", List.of(map("name", "p", "type", "categorical", "values", List.of("1"),
                "path", path)));

        assertThat(validate(tj)).as("errors with the path %s", path).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("allowedPaths")
    void everyAllowedPathIsAModelDeploymentField(String path) {
        JsonNode node = MODEL_DEPLOYMENTS.schema();
        for (String segment : path.split("\\.")) {
            boolean item = segment.endsWith("]");
            String field = item ? segment.substring(0, segment.indexOf('[')) : segment;
            // a field of an object, or a key of a map (resources.requests.cpu)
            node = node.path("properties").has(field) ? node.path("properties").path(field)
                    : node.path("additionalProperties");
            assertThat(node.isObject()).as("%s of %s in the ModelDeployment CRD", field, path).isTrue();
            if (item) {
                assertThat(node.path("type").asText()).as("%s of %s", field, path).isEqualTo("array");
                assertThat(node.path("maxItems").asInt(Integer.MAX_VALUE))
                        .as("items of %s: the allow-list takes one-digit indexes", field)
                        .isLessThanOrEqualTo(10);
                node = node.path("items");
            }
        }
        assertThat(node.path("type").asText("int-or-string"))
                .as("%s is a leaf field", path)
                .isIn("integer", "number", "string", "int-or-string");
    }

    static Stream<String> allowedPaths() {
        return ALLOWED_PATHS.stream();
    }

    @Test
    void acceptsTemplateTrialParametersWithoutPaths() {
        Map<String, Object> tj = custom();
        assertThat(parameter(tj, 0)).as("a parameter of %s", "branin-search").doesNotContainKey("path");
        spec(tj).put("constraints", List.of(map("metric", "seconds", "min", 0, "max", 60)));
        spec(tj).put("earlyStopping", map("type", "Asha", "reductionFactor", 3, "minTrials", 4));

        assertThat(validate(tj)).as("errors of a template trial without paths").isEmpty();
    }

    @Test
    void acceptsTheLargestSearchSpace() {
        Map<String, Object> tj = base();
        List<Object> parameters = seventeenParameters();
        parameters.remove(16);
        spec(tj).put("parameters", parameters);
        spec(tj).putAll(map("maxTrials", 500, "parallelTrials", 32));
        spec(tj).put("algorithm", map("name", "random", "seed", 1));

        assertThat(validate(tj)).as("errors of 16 parameters").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "fraud-detector-runtime-2", "tuning-job-name-of-exactly-fifty-two-characters-0123"})
    void acceptsValidNames(String name) {
        assertThat(name.length()).isLessThanOrEqualTo(TuningJob.MAX_NAME_LENGTH).isLessThanOrEqualTo(52);
        Map<String, Object> tj = base();
        at(tj, "metadata").put("name", name);

        assertThat(validate(tj)).as("errors with metadata.name %s", name).isEmpty();
    }

    @Test
    void defaultsFillTheSpec() {
        Map<String, Object> tj = base();
        spec(tj).remove("maxTrials");
        spec(tj).remove("parallelTrials");
        spec(tj).remove("maxFailedTrials");
        at(tj, "spec", "apply").remove("policy");
        benchmark(tj).remove("duration");

        Map<String, Object> defaulted = VALIDATOR.withDefaults(tj);

        assertThat(at(defaulted, "spec")).containsEntry("maxTrials", 20).containsEntry("parallelTrials", 1)
                .containsEntry("maxFailedTrials", 3);
        assertThat(at(defaulted, "spec", "apply")).containsEntry("policy", "Manual");
        assertThat(at(defaulted, "spec", "trial", "benchmark")).containsEntry("duration", "30s");
        assertThat(at(defaulted, "spec", "trial")).containsEntry("activeDeadlineSeconds", 1800);
        assertThat(spec(tj)).as("the original").doesNotContainKey("maxTrials");
    }

    // ---------------------------------------------------------------- validation

    /** Validates as the API server does on create: the schema's defaults first, then schema and rules. */
    private static List<String> validate(Map<String, Object> tj) {
        return VALIDATOR.validate(VALIDATOR.withDefaults(tj));
    }

    /** A fresh copy of examples/tuning-runtime.yaml's TuningJob (built-in benchmark), which the bad specs mutate. */
    private static Map<String, Object> base() {
        return example("fraud-detector-runtime");
    }

    /** A fresh copy of examples/tuning-custom-trial.yaml's TuningJob (a template trial). */
    private static Map<String, Object> custom() {
        return example("branin-search");
    }

    private static Map<String, Object> example(String name) {
        return CrdValidator.examples("TuningJob").stream()
                .filter(tj -> name.equals(at(tj, "metadata").get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no TuningJob " + name + " in " + CrdValidator.EXAMPLES));
    }

    /** 17 parameters with distinct names and distinct allowed paths. */
    private static List<Object> seventeenParameters() {
        List<Object> parameters = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            parameters.add(map("name", "perReplica" + i, "type", "double", "min", 1, "max", 100,
                    "path", "spec.autoscaling.metrics[" + i + "].targetPerReplica"));
        }
        for (int i = 0; i < 7; i++) {
            parameters.add(map("name", "value" + i, "type", "double", "min", 1, "max", 100,
                    "path", "spec.autoscaling.metrics[" + i + "].targetValue"));
        }
        return parameters;
    }

    // ---------------------------------------------------------------- builders

    private static Arguments bad(String name, Consumer<Map<String, Object>> mutation, String field, String word) {
        return Arguments.of(name, mutation, field, word);
    }

    private static Arguments good(String name, Map<String, Object> parameter) {
        return Arguments.of(name, parameter);
    }

    /** Item i of the list at spec.&lt;list&gt;. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> item(Map<String, Object> tj, String list, int i) {
        return (Map<String, Object>) ((List<Object>) spec(tj).get(list)).get(i);
    }

    private static Map<String, Object> spec(Map<String, Object> tj) {
        return at(tj, "spec");
    }

    private static Map<String, Object> objective(Map<String, Object> tj) {
        return at(tj, "spec", "objective");
    }

    private static Map<String, Object> parameter(Map<String, Object> tj, int i) {
        return item(tj, "parameters", i);
    }

    private static Map<String, Object> constraint(Map<String, Object> tj, int i) {
        return item(tj, "constraints", i);
    }

    private static Map<String, Object> trial(Map<String, Object> tj) {
        return at(tj, "spec", "trial");
    }

    private static Map<String, Object> benchmark(Map<String, Object> tj) {
        return at(tj, "spec", "trial", "benchmark");
    }

}
