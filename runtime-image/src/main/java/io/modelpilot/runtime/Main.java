package io.modelpilot.runtime;

import io.modelpilot.runtime.bench.Bench;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;

import java.util.Arrays;

/** `java -jar quarkus-run.jar` serves the model; `… bench [options]` runs the built-in trial. */
@QuarkusMain
public class Main implements QuarkusApplication {

  @Inject
  Bench bench;

  public static void main(String... args) {
    Quarkus.run(Main.class, args);
  }

  @Override
  public int run(String... args) throws Exception {
    if (args.length > 0 && args[0].equals("bench")) {
      try {
        return bench.run(Arrays.copyOfRange(args, 1, args.length));
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 2;
      }
    }
    if (args.length > 0) {
      System.err.println("unknown command '" + args[0] + "'; run without arguments to serve, or 'bench'");
      return 2;
    }
    Quarkus.waitForExit();
    return 0;
  }
}
