package io.modelpilot.operator.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** "Find the best settings for that ModelDeployment", trial by trial, and ship the winner as a guarded canary. */
@Group(ModelDeployment.GROUP)
@Version(ModelDeployment.VERSION)
@Kind("TuningJob")
@ShortNames("tj")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Trials", jsonPath = ".status.trialSummary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Best", jsonPath = ".status.bestTrial.summary", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Applied", jsonPath = ".status.applied.outcome", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Target", jsonPath = ".spec.targetRef.name", type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(name = "Reason", jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
    type = AdditionalPrinterColumn.Type.STRING, priority = 1)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
// trial Jobs are named <name>-<n> (n up to 4 digits) and must stay valid label values (63)
@ValidationRule(value = "self.metadata.name.size() <= " + TuningJob.MAX_NAME_LENGTH
    + " && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name must start with a letter, contain only lowercase letters, digits and '-', and be at most "
        + TuningJob.MAX_NAME_LENGTH + " characters (it names the trial Jobs)",
    reason = "FieldValueInvalid")
@ValidationRule(value = "has(self.spec)", message = "spec is required", reason = "FieldValueRequired")
public class TuningJob extends CustomResource<TuningJobSpec, TuningJobStatus> implements Namespaced {

  public static final int MAX_NAME_LENGTH = 52;
}
