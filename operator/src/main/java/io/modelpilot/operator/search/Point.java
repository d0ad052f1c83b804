package io.modelpilot.operator.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One setting of every parameter, in the space's order. Values are canonical (see {@link Parameter}), so two points
 * for the same setting are equal whatever text they were parsed from.
 */
public record Point(Map<String, Object> values) {

  public Point {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public Object get(String name) {
    return values.get(name);
  }

  /** The values as text, as a trial's spec or status stores them. */
  public Map<String, String> asStrings() {
    Map<String, String> text = new LinkedHashMap<>();
    values.forEach((name, value) -> text.put(name, String.valueOf(value)));
    return text;
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
