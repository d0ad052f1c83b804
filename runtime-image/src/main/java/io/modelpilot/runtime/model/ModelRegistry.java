package io.modelpilot.runtime.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.modelpilot.runtime.config.RuntimeSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** Holds the served model; the server serves one model per process, as one pod per revision. */
@ApplicationScoped
public class ModelRegistry {

  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  public enum State { LOADING, READY, FAILED }

  private final RuntimeSettings settings;
  private volatile LoadedModel model;
  private volatile State state = State.LOADING;
  private volatile String failure;

  public ModelRegistry(RuntimeSettings settings) {
    this.settings = settings;
  }

  /**
   * The intra-op threads a session runs with: the setting, or with 0 one per CPU this process may use. Java counts
   * those as a container runtime grants them (the cgroup's CPU quota and cpuset), where ONNX Runtime's own default
   * counts the node's physical cores (64 threads in a pod limited to 2 CPUs) and pins each thread to a core, which
   * leaves the cores it pinned to contend with the server's HTTP threads.
   */
  public static int intraOpThreads(RuntimeSettings settings) {
    return settings.intraOpThreads() > 0 ? settings.intraOpThreads() : Runtime.getRuntime().availableProcessors();
  }

  /** Session options from the settings; a bad value fails naming its variable. */
  public OrtSession.SessionOptions sessionOptions() throws OrtException {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (settings.intraOpThreads() < 0) {
      throw new IllegalArgumentException("MODELPILOT_INTRA_OP_THREADS must be 0 or more, got "
          + settings.intraOpThreads());
    }
    if (settings.interOpThreads() < 0) {
      throw new IllegalArgumentException("MODELPILOT_INTER_OP_THREADS must be 0 or more, got "
          + settings.interOpThreads());
    }
    options.setIntraOpNumThreads(intraOpThreads(settings));
    // idle pool threads sleep rather than spin: a spinning thread takes the core the HTTP threads need
    String spin = settings.intraOpSpinning() ? "1" : "0";
    options.addConfigEntry("session.intra_op.allow_spinning", spin);
    options.addConfigEntry("session.inter_op.allow_spinning", spin);
    options.setInterOpNumThreads(settings.interOpThreads());
    if (settings.interOpThreads() > 1) {
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.PARALLEL);
    }
    options.setOptimizationLevel(switch (settings.optimizationLevel().toLowerCase(Locale.ROOT)) {
      case "disabled" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
      case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
      case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
      case "all" -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      default -> throw new IllegalArgumentException("MODELPILOT_OPTIMIZATION_LEVEL must be disabled, basic, "
          + "extended or all, got " + settings.optimizationLevel());
    });
    switch (settings.executionProvider().toLowerCase(Locale.ROOT)) {
      case "cpu" -> {
      }
      case "cuda" -> {
        if (!OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA)) {
          throw new IllegalArgumentException("MODELPILOT_EXECUTION_PROVIDER=cuda, but this ONNX Runtime build has no "
              + "CUDA provider (available: " + OrtEnvironment.getAvailableProviders()
              + "); use the CUDA runtime image (onnxruntime_gpu)");
        }
        options.addCUDA(0);
      }
      default -> throw new IllegalArgumentException("MODELPILOT_EXECUTION_PROVIDER must be cpu or cuda, got "
          + settings.executionProvider());
    }
    return options;
  }

  /** Loads a model file and makes it the served model (the previous one is closed). */
  public synchronized LoadedModel load(Path file, String name, String version) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = sessionOptions()) {
      LoadedModel loaded = new LoadedModel(name, version, env, env.createSession(file.toString(), options));
      LoadedModel previous = model;
      model = loaded;
      if (previous != null) {
        previous.close();
      }
      LOG.infof("loaded model %s", loaded);
      return loaded;
    }
  }

  private volatile boolean warm;

  /** Serving warmed up: /v2/health/ready may say so. */
  public void warm() {
    warm = true;
  }

  public boolean isWarm() {
    return warm;
  }

  public void ready() {
    state = State.READY;
  }

  public void failed(String message) {
    failure = message;
    state = State.FAILED;
  }

  public State state() {
    return state;
  }

  public String failure() {
    return failure;
  }

  public Optional<LoadedModel> current() {
    return Optional.ofNullable(model);
  }
}
