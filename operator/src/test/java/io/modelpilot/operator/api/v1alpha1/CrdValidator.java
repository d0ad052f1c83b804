package io.modelpilot.operator.api.v1alpha1;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import dev.cel.runtime.CelRuntime;

/**
 * The schema tests' view of a committed CRD: the testkit's {@link io.modelpilot.testkit.CrdValidator} (the OpenAPI v3
 * schema and every {@code x-kubernetes-validations} CEL rule, checked as the API server does, the same code the
 * stand-in API server validates every custom resource write with) for the v1alpha1 version of a file in crds/, plus
 * the examples. Errors read {@code "<path>: <message>"}, the path naming the field.
 */
public final class CrdValidator {

    /** The repository root (the operator module's tests run in operator/). */
    public static final Path ROOT = Path.of(System.getProperty("modelpilot.root", ".."));
    public static final Path CRDS = ROOT.resolve("crds");
    public static final Path EXAMPLES = ROOT.resolve("examples");

    private static final ObjectMapper YAML = new YAMLMapper();

    private final Path crd;
    private final io.modelpilot.testkit.CrdValidator validator;

    /** A validator for the v1alpha1 version of the CRD in the given file. */
    public CrdValidator(Path crd) {
        this.crd = crd;
        this.validator = new io.modelpilot.testkit.CrdValidator(crd);
    }

    /** A validator for a committed CRD, by its file name in crds/. */
    public static CrdValidator forCrd(String fileName) {
        return new CrdValidator(CRDS.resolve(fileName));
    }

    public Path crd() {
        return crd;
    }

    /** The openAPIV3Schema of v1alpha1, as committed. */
    public JsonNode schema() {
        return validator.schema();
    }

    /** One {@code "<path>: <message>"} per error, as the API server would report them; empty when valid. */
    public List<String> validate(Map<String, Object> object) {
        return validator.validate(object);
    }

    /** A deep copy of the object with the schema's defaults filled in, as the API server does before validating. */
    public Map<String, Object> withDefaults(Map<String, Object> object) {
        return validator.withDefaults(object);
    }

    /** Every {@code x-kubernetes-validations} rule of the schema, in schema order. */
    public List<String> rules() {
        return validator.rules();
    }

    /** Compiles (once) and plans a rule; an AssertionError when it does not compile. */
    public static CelRuntime.Program compile(String rule) {
        return io.modelpilot.testkit.CrdValidator.compile(rule);
    }

    /** Adds every rule at and under the given schema node to rules. */
    static void collectRules(JsonNode schema, List<String> rules) {
        io.modelpilot.testkit.CrdValidator.collectRules(schema, rules);
    }

    /**
     * Every document of the given kind (apiVersion modelpilot.io/*) in examples/*.yaml and *.yml, in file order; each
     * call reads the files again, so callers may mutate what they get.
     */
    public static List<Map<String, Object>> examples(String kind) {
        List<Map<String, Object>> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                try (MappingIterator<Map<String, Object>> docs = YAML.readerFor(Map.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        Map<String, Object> doc = docs.next();
                        if (doc != null && kind.equals(doc.get("kind"))
                                && String.valueOf(doc.get("apiVersion")).startsWith("modelpilot.io/")) {
                            result.add(doc);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return result;
    }

    /** The map at the given keys, created where absent. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> at(Map<String, Object> root, String... keys) {
        Map<String, Object> node = root;
        for (String key : keys) {
            node = (Map<String, Object>) node.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        }
        return node;
    }

    /** A map of alternating keys and values, in order. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
