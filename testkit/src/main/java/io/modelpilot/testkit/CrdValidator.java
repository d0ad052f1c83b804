package io.modelpilot.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;

/**
 * Validates objects against the schema of one version of a CRD the way the API server does (the stand-in API
 * server checks every custom resource write with it, and schema tests call it directly). It runs both layers of
 * the API server's validation: the OpenAPI v3 schema (types, patterns, bounds, required) through networknt's JSON Schema validator, and
 * every {@code x-kubernetes-validations} CEL rule through cel-java, with {@code self} bound to the value at the
 * rule's node, as Kubernetes does. Errors read {@code "<path>: <message>"}, the path naming the field (the rule's
 * {@code fieldPath} when it has one).
 */
public final class CrdValidator {

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    // Kubernetes evaluates rules with cel-go: matches() is a partial (RE2 find) match, numbers of
    // different types compare, and the strings extension library is present.
    private static final CelOptions CEL_OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .enableRegexPartialMatch(true)
            .build();
    private static final CelCompiler CEL_COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(CEL_OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addLibraries(CelExtensions.strings())
            .addVar("self", SimpleType.DYN)
            .setResultType(SimpleType.BOOL)
            .build();
    private static final CelRuntime CEL_RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(CEL_OPTIONS)
            .addLibraries(CelExtensions.strings())
            .build();
    private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

    /** One error, as the API server reports it in a 422's {@code details.causes}. */
    public record Violation(String field, String reason, String message) {
        /** {@code "<field>: <message>"}, the field {@code <root>} for the object itself. */
        @Override
        public String toString() {
            return (field.isEmpty() ? "<root>" : field) + ": " + message;
        }
    }

    private final JsonNode schema;
    private final JsonSchema schemaValidator;

    /** A validator for the v1alpha1 version of the CRD in the given file. */
    public CrdValidator(Path crd) {
        this(loadSchema(crd, "v1alpha1"));
    }

    /** A validator for the given openAPIV3Schema (of one version of a CRD). */
    public CrdValidator(JsonNode openApiV3Schema) {
        this.schema = openApiV3Schema;
        this.schemaValidator = schemaValidator(schema);
    }

    /** The openAPIV3Schema this validator checks against. */
    public JsonNode schema() {
        return schema;
    }

    // ---------------------------------------------------------------- validation

    /**
     * Validates an object the way the API server would: the OpenAPI v3 schema, then every
     * {@code x-kubernetes-validations} rule. Returns one {@code "<path>: <message>"} per error; empty when the object
     * is valid. Defaults are not applied; see {@link #withDefaults}.
     */
    public List<String> validate(Map<String, Object> object) {
        return violations(object).stream().map(Violation::toString).toList();
    }

    /** {@link #validate}, each error with its field and the API server's cause reason. */
    public List<Violation> violations(Map<String, Object> object) {
        List<Violation> errors = new ArrayList<>();
        JsonNode json = JSON.valueToTree(object);
        for (ValidationMessage message : schemaValidator.validate(json)) {
            errors.add(describe(message));
        }
        checkRules(schema, object, "", errors);
        return errors;
    }

    /** {@link #violations} of a JSON object. */
    public List<Violation> violations(JsonNode object) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = JSON.convertValue(object, Map.class);
        return violations(map);
    }

    /**
     * A deep copy of the object with the schema's defaults filled in where a field is absent, as the API server does
     * before it validates (structural schema defaulting: a default applies inside objects that are present, and to an
     * absent object only when the object itself has a default).
     */
    public Map<String, Object> withDefaults(Map<String, Object> object) {
        @SuppressWarnings("unchecked")
        Map<String, Object> copy = (Map<String, Object>) deepCopy(object);
        applyDefaults(schema, copy);
        return copy;
    }

    /**
     * Removes the fields the schema does not declare, as the API server prunes custom resources (structural schemas:
     * {@code x-kubernetes-preserve-unknown-fields} keeps them; {@code apiVersion}, {@code kind} and {@code metadata}
     * of the object and of embedded resources stay). Returns the removed fields' paths, for a client that asked for
     * strict field validation.
     */
    public List<String> pruneUnknownFields(com.fasterxml.jackson.databind.node.ObjectNode object) {
        List<String> removed = new ArrayList<>();
        prune(schema, object, "", true, removed);
        return removed;
    }

    private static void prune(JsonNode schema, JsonNode value, String path, boolean resource, List<String> removed) {
        if (schema == null || schema.isMissingNode()) {
            return;
        }
        if (value instanceof com.fasterxml.jackson.databind.node.ObjectNode object) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            boolean preserve = schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            boolean embedded = resource || schema.path("x-kubernetes-embedded-resource").asBoolean(false);
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (embedded && (key.equals("apiVersion") || key.equals("kind") || key.equals("metadata"))) {
                    continue;
                }
                if (properties.has(key)) {
                    prune(properties.get(key), object.get(key), join(path, key), false, removed);
                } else if (additional.isObject()) {
                    prune(additional, object.get(key), join(path, key), false, removed);
                } else if (!preserve && !additional.asBoolean(false)) {
                    removed.add(join(path, key));
                    it.remove();
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                prune(schema.get("items"), value.get(i), path + "[" + i + "]", false, removed);
            }
        }
    }

    /** Every {@code x-kubernetes-validations} rule of the schema, in schema order. */
    public List<String> rules() {
        List<String> rules = new ArrayList<>();
        collectRules(schema, rules);
        return rules;
    }

    /** Compiles (once) and plans a rule; an AssertionError when it does not compile. */
    public static CelRuntime.Program compile(String rule) {
        return PROGRAMS.computeIfAbsent(rule, r -> {
            CelValidationResult result = CEL_COMPILER.compile(r);
            if (result.hasError()) {
                throw new AssertionError("CEL rule does not compile: " + r + "\n" + result.getErrorString());
            }
            try {
                CelAbstractSyntaxTree ast = result.getAst();
                return CEL_RUNTIME.createProgram(ast);
            } catch (Exception e) {
                throw new AssertionError("CEL rule cannot be planned: " + r, e);
            }
        });
    }

    private static Violation describe(ValidationMessage message) {
        String path = path(message.getInstanceLocation());
        String reason = "FieldValueInvalid";
        if ("required".equals(message.getType()) && message.getProperty() != null) {
            // name the missing field itself, as the API server does ("spec.model.uri: Required value")
            path = join(path, message.getProperty());
            reason = "FieldValueRequired";
        } else if ("enum".equals(message.getType())) {
            reason = "FieldValueNotSupported";
        } else if ("type".equals(message.getType())) {
            reason = "FieldValueTypeInvalid";
        }
        String error = message.getError() != null ? message.getError() : message.getMessage();
        return new Violation(path, reason, error + " (" + message.getType() + ")");
    }

    private static String path(JsonNodePath location) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Number) {
                path.append('[').append(element).append(']');
            } else {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(element);
            }
        }
        return path.toString();
    }

    /** Walks schema and value together, evaluating each node's rules with self bound to the value. */
    private static void checkRules(JsonNode schema, Object value, String path, List<Violation> errors) {
        if (value == null || schema == null || !hasType(schema, value)) {
            return; // absent, or the schema layer reports the wrong type
        }
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            String rule = validation.path("rule").asText();
            String at = join(path, validation.path("fieldPath").asText(""));
            CelRuntime.Program program = compile(rule);
            Object result;
            try {
                result = program.eval(Map.of("self", toCel(value)));
            } catch (CelEvaluationException e) {
                errors.add(new Violation(at, "FieldValueInvalid",
                        "rule '" + rule + "' failed to evaluate: " + e.getMessage()));
                continue;
            }
            if (!Boolean.TRUE.equals(result)) {
                String message = validation.hasNonNull("message")
                        ? validation.get("message").asText()
                        : "failed rule: " + rule;
                errors.add(new Violation(at, validation.path("reason").asText("FieldValueInvalid"), message));
            }
        }
        if (value instanceof Map<?, ?> map) {
            JsonNode properties = schema.path("properties");
            JsonNode additional = schema.path("additionalProperties");
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                JsonNode child = properties.has(key) ? properties.get(key)
                        : additional.isObject() ? additional : null;
                checkRules(child, entry.getValue(), join(path, key), errors);
            }
        } else if (value instanceof List<?> list && schema.has("items")) {
            for (int i = 0; i < list.size(); i++) {
                checkRules(schema.get("items"), list.get(i), path + "[" + i + "]", errors);
            }
        }
    }

    private static boolean hasType(JsonNode schema, Object value) {
        switch (schema.path("type").asText("")) {
            case "object":
                return value instanceof Map;
            case "array":
                return value instanceof List;
            case "string":
                return value instanceof String;
            case "integer":
                return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
            case "number":
                return value instanceof Number;
            case "boolean":
                return value instanceof Boolean;
            default:
                return true; // untyped, int-or-string, preserve-unknown-fields
        }
    }

    /** Objects as maps, lists as lists, integers as Long, other numbers as Double: CEL's types. */
    private static Object toCel(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> result = new LinkedHashMap<>();
            map.forEach((k, v) -> result.put(String.valueOf(k), toCel(v)));
            return result;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CrdValidator::toCel).toList();
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger big) {
            return big.longValueExact();
        }
        if (value instanceof Float || value instanceof BigDecimal) {
            return ((Number) value).doubleValue();
        }
        return value;
    }

    /** Adds every rule at and under the given schema node to rules. */
    public static void collectRules(JsonNode schema, List<String> rules) {
        for (JsonNode validation : schema.path("x-kubernetes-validations")) {
            rules.add(validation.path("rule").asText());
        }
        for (Iterator<JsonNode> it = schema.path("properties").elements(); it.hasNext(); ) {
            collectRules(it.next(), rules);
        }
        if (schema.path("additionalProperties").isObject()) {
            collectRules(schema.get("additionalProperties"), rules);
        }
        if (schema.has("items")) {
            collectRules(schema.get("items"), rules);
        }
    }

    private static String join(String path, String field) {
        if (field.isEmpty()) {
            return path;
        }
        String name = field.startsWith(".") ? field.substring(1) : field;
        return path.isEmpty() ? name : path + "." + name;
    }

    // ---------------------------------------------------------------- defaults

    @SuppressWarnings("unchecked")
    private static void applyDefaults(JsonNode schema, Object value) {
        if (schema == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> object = (Map<String, Object>) map;
            JsonNode properties = schema.path("properties");
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> property = it.next();
                if (!object.containsKey(property.getKey()) && property.getValue().has("default")) {
                    object.put(property.getKey(), JSON.convertValue(property.getValue().get("default"), Object.class));
                }
            }
            JsonNode additional = schema.path("additionalProperties");
            for (Map.Entry<String, Object> entry : object.entrySet()) {
                JsonNode child = properties.has(entry.getKey()) ? properties.get(entry.getKey())
                        : additional.isObject() ? additional : null;
                applyDefaults(child, entry.getValue());
            }
        } else if (value instanceof List<?> list && schema.has("items")) {
            for (Object item : list) {
                applyDefaults(schema.get("items"), item);
            }
        }
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), deepCopy(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(deepCopy(v)));
            return copy;
        }
        return value;
    }

    // ---------------------------------------------------------------- loading

    /** The openAPIV3Schema of the given version in a CRD file. */
    public static JsonNode loadSchema(Path crd, String versionName) {
        try {
            JsonNode root = YAML.readTree(crd.toFile());
            for (JsonNode version : root.path("spec").path("versions")) {
                if (versionName.equals(version.path("name").asText())) {
                    JsonNode schema = version.path("schema").path("openAPIV3Schema");
                    if (!schema.isObject()) {
                        throw new IllegalArgumentException("no openAPIV3Schema object in " + versionName + " of " + crd);
                    }
                    return schema;
                }
            }
            throw new IllegalArgumentException("no " + versionName + " version in " + crd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The OpenAPI 3.0 schema dialect (nullable, draft-04 style bounds), with the x-kubernetes-* extensions known but
     * not validated: rules are checked by {@link #checkRules}, int-or-string is the anyOf the generator writes next to
     * it.
     */
    private static JsonSchema schemaValidator(JsonNode schema) {
        JsonMetaSchema openApi = JsonMetaSchema.builder(OpenApi30.getInstance())
                .keywords(Stream.of("x-kubernetes-validations", "x-kubernetes-int-or-string",
                                "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource",
                                "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type")
                        .map(NonValidationKeyword::new)
                        .toList())
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
                builder -> builder.metaSchema(openApi).defaultMetaSchemaIri(openApi.getIri()));
        return factory.getSchema(schema);
    }
}
