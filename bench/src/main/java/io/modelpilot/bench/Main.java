package io.modelpilot.bench;

/** bench/run NAME: each benchmark prints its figures and, last, one "RESULT NAME key=value …" line. */
public final class Main {

  private Main() {
  }

  public static void main(String[] args) throws Exception {
    String name = args.length == 0 ? "" : args[0];
    switch (name) {
      case "runtime" -> RuntimeBench.main(args);
      case "autoscale" -> AutoscaleBench.main(args);
      case "canary" -> CanaryBench.main(args);
      case "tuning" -> TuningBench.main(args);
      default -> {
        System.err.println("unknown benchmark '" + name + "'; one of: runtime, autoscale, canary, tuning");
        System.exit(2);
      }
    }
  }
}
