package io.modelpilot.operator.status;

import io.modelpilot.contract.RuntimeContract;

/** CamelCase reasons of conditions and Events. */
public final class Reasons {

  public static final String AVAILABLE = "Available";
  public static final String DEPLOYING = "Deploying";
  public static final String NO_REPLICAS = "NoReplicas";
  public static final String ROLLING_OUT = "RollingOut";
  public static final String ROLLOUT_COMPLETE = "RolloutComplete";
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  public static final String AS_EXPECTED = "AsExpected";
  public static final String CREDENTIALS_SECRET_NOT_FOUND = RuntimeContract.ModelLoad.CREDENTIALS_NOT_FOUND;
  public static final String MODEL_CLAIM_NOT_FOUND = "ModelClaimNotFound";
  public static final String QUERY_OUTSIDE_NAMESPACE = "QueryOutsideNamespace";
  public static final String RECONCILE_ERROR = "ReconcileError";
  public static final String FEEDBACK_KEY_NOT_CREATED = "FeedbackKeyNotCreated";
  public static final String REVISION_CHANGED = "RevisionChanged";
  public static final String SCALED = "Scaled";
  public static final String VALID_METRICS = "ValidMetrics";
  public static final String METRICS_UNAVAILABLE = "MetricsUnavailable";
  public static final String AWAITING_METRICS = "AwaitingMetrics";
  public static final String WINDOW_BELOW_SCRAPE_INTERVAL = "WindowBelowScrapeInterval";
  public static final String CANARY = "Canary";
  public static final String CANARY_FAILED = "CanaryFailed";
  /** TrafficRouting=True: the operator's HTTPRoute splits the requests. */
  public static final String HTTP_ROUTE_MANAGED = "HTTPRouteManaged";
  /** TrafficRouting=False: the spec asks for a route, the cluster serves no gateway.networking.k8s.io/v1 HTTPRoute. */
  public static final String GATEWAY_API_UNAVAILABLE = "GatewayAPIUnavailable";
  /** TrafficRouting=False: a Gateway controller did not accept the route or could not resolve a backend of it. */
  public static final String HTTP_ROUTE_NOT_ACCEPTED = "HTTPRouteNotAccepted";

  // Events of a canary's life
  public static final String CANARY_STARTED = "CanaryStarted";
  public static final String CANARY_SUPERSEDED = "CanarySuperseded";
  public static final String CANARY_STEP = "CanaryStep";
  public static final String CANARY_ANALYSIS = "CanaryAnalysis";
  public static final String CANARY_PAUSED = "CanaryPaused";
  public static final String CANARY_PROMOTED = "CanaryPromoted";
  public static final String CANARY_ROLLED_BACK = "CanaryRolledBack";
  public static final String CANARY_ABORTED = "CanaryAborted";
  /** A promote or abort annotation naming another revision than the canary's. */
  public static final String ANNOTATION_IGNORED = "AnnotationIgnored";

  // TuningJob conditions and Events
  public static final String TARGET_NOT_FOUND = "TargetNotFound";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String TRIALS_RUNNING = "TrialsRunning";
  public static final String TRIAL_STARTED = "TrialStarted";
  public static final String TRIAL_SUCCEEDED = "TrialSucceeded";
  public static final String TRIAL_FAILED = "TrialFailed";
  public static final String TRIAL_EARLY_STOPPED = "TrialEarlyStopped";
  public static final String TRIAL_NOT_CREATED = "TrialNotCreated";
  public static final String TOO_MANY_FAILED_TRIALS = "TooManyFailedTrials";
  public static final String NO_FEASIBLE_TRIAL = "NoFeasibleTrial";
  public static final String RECOMMENDED = "Recommended";
  public static final String CURRENT_IS_BEST = "CurrentIsBest";
  public static final String APPLYING = "Applying";
  public static final String APPLY_FAILED = "ApplyFailed";
  public static final String PROMOTED = "Promoted";
  public static final String ROLLED_BACK = "RolledBack";
  public static final String SUPERSEDED = "Superseded";

  private Reasons() {
  }
}
