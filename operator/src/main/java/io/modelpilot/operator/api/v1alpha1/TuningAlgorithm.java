package io.modelpilot.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TuningAlgorithm {

  public enum Name {
    @JsonProperty("random") RANDOM,
    @JsonProperty("grid") GRID,
    @JsonProperty("bayesian") BAYESIAN;

    public String value() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  @Default("bayesian")
  @JsonPropertyDescription("random, grid (every combination, in a stable order) or bayesian (a Gaussian process "
      + "with expected improvement). Defaults to bayesian.")
  private Name name;

  @Min(0)
  @Default("1")
  @JsonPropertyDescription("Seed of the search: the same seed, space and trials give the same next trial, so a "
      + "restarted operator resumes the same search. Defaults to 1.")
  private Long seed;

  public Name nameOrDefault() {
    return name == null ? Name.BAYESIAN : name;
  }

  public long seedOrDefault() {
    return seed == null ? 1 : seed;
  }

  public Name getName() {
    return name;
  }

  public void setName(Name name) {
    this.name = name;
  }

  public Long getSeed() {
    return seed;
  }

  public void setSeed(Long seed) {
    this.seed = seed;
  }
}
