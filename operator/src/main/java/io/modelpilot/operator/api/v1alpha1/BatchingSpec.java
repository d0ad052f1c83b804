package io.modelpilot.operator.api.v1alpha1;

import io.modelpilot.contract.Durations;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.maxQueueDelay) || (has(self.maxBatchSize) && self.maxBatchSize > 1)",
    message = "maxQueueDelay only takes effect with maxBatchSize greater than 1",
    reason = "FieldValueInvalid", fieldPath = ".maxQueueDelay")
public class BatchingSpec {

  @Min(1)
  @Max(4096)
  @JsonPropertyDescription("Largest batch, in rows along the first dimension. 1 turns batching off.")
  private Integer maxBatchSize;

  @Size(max = 32)
  @Pattern(Durations.PATTERN)
  @JsonPropertyDescription("Longest time a request waits for others to join its batch, as a duration "
      + "such as 2ms or 500us (default 2ms). The batcher waits only while other requests are known to be on their "
      + "way and a bigger batch saves more than the wait costs on this model.")
  private String maxQueueDelay;

  public Integer getMaxBatchSize() {
    return maxBatchSize;
  }

  public void setMaxBatchSize(Integer maxBatchSize) {
    this.maxBatchSize = maxBatchSize;
  }

  public String getMaxQueueDelay() {
    return maxQueueDelay;
  }

  public void setMaxQueueDelay(String maxQueueDelay) {
    this.maxQueueDelay = maxQueueDelay;
  }
}
