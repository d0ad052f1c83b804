package io.modelpilot.runtime.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Comparing protocol tensors with a tolerance by datatype. */
public final class Tensors {

  private Tensors() {
  }

  public static Path repo() {
    return Path.of(System.getProperty("repo.root", ".."));
  }

  /** Problems found comparing one actual output with an expected one; empty when they agree. */
  public static List<String> compare(JsonNode expected, JsonNode actual, double atol, double rtol) {
    List<String> problems = new ArrayList<>();
    String name = expected.path("name").asText();
    if (actual == null) {
      problems.add(name + ": missing from the response");
      return problems;
    }
    if (!expected.path("datatype").asText().equals(actual.path("datatype").asText())) {
      problems.add(name + ": datatype " + actual.path("datatype") + " != " + expected.path("datatype"));
    }
    if (!expected.path("shape").equals(actual.path("shape"))) {
      problems.add(name + ": shape " + actual.path("shape") + " != " + expected.path("shape"));
      return problems;
    }
    JsonNode want = expected.path("data");
    JsonNode got = actual.path("data");
    if (want.size() != got.size()) {
      problems.add(name + ": " + got.size() + " elements != " + want.size());
      return problems;
    }
    String datatype = expected.path("datatype").asText();
    boolean floating = datatype.startsWith("FP") || datatype.equals("BF16");
    double a = datatype.equals("FP16") || datatype.equals("BF16") ? Math.max(atol, 1e-3) : atol;
    double r = datatype.equals("FP16") || datatype.equals("BF16") ? Math.max(rtol, 1e-2) : rtol;
    for (int i = 0; i < want.size() && problems.size() < 5; i++) {
      JsonNode w = want.get(i);
      JsonNode g = got.get(i);
      boolean same;
      if (floating) {
        double wv = number(w);
        double gv = number(g);
        same = Double.isNaN(wv) ? Double.isNaN(gv)
            : Double.isInfinite(wv) ? wv == gv : Math.abs(wv - gv) <= a + r * Math.abs(wv);
      } else if (w.isNumber() && g.isNumber()) {
        same = w.bigIntegerValue().equals(g.bigIntegerValue());
      } else {
        same = w.equals(g);
      }
      if (!same) {
        problems.add(name + "[" + i + "]: " + g + " != " + w);
      }
    }
    return problems;
  }

  private static double number(JsonNode v) {
    if (v.isNumber()) {
      return v.doubleValue();
    }
    return switch (v.asText()) {
      case "NaN" -> Double.NaN;
      case "Infinity" -> Double.POSITIVE_INFINITY;
      case "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.NaN - 1; // never equal
    };
  }

  public static JsonNode output(JsonNode response, String name) {
    for (JsonNode o : response.path("outputs")) {
      if (name.equals(o.path("name").asText())) {
        return o;
      }
    }
    return null;
  }
}
