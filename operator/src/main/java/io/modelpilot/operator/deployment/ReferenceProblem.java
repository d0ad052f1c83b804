package io.modelpilot.operator.deployment;

/** Something the spec points at that the cluster does not have; the schema cannot see it. */
public record ReferenceProblem(String reason, String field, String message) {
}
