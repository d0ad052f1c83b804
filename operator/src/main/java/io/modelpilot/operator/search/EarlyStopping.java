package io.modelpilot.operator.search;

import java.util.List;

/**
 * Whether a running trial should stop now, judged from intermediate results alone (the objective's values by step):
 * a pure function the reconciler calls each time a trial reports.
 */
public sealed interface EarlyStopping permits EarlyStopping.Never, MedianStopping, Asha {

  /** A stop-or-continue decision and the reason, fit for a Kubernetes Event or a trial's status. */
  record Decision(boolean stop, String reason) {

    static Decision stop(String reason) {
      return new Decision(true, reason);
    }

    static Decision keepGoing(String reason) {
      return new Decision(false, reason);
    }
  }

  /**
   * @param trial the trial in question, with its intermediate values so far
   * @param history every trial of the study (the trial itself may be among them; it is recognised by id)
   */
  Decision evaluate(Objective objective, Observation trial, List<Observation> history);

  static EarlyStopping never() {
    return new Never();
  }

  /** No early stopping: every trial runs to its end. */
  record Never() implements EarlyStopping {
    @Override
    public Decision evaluate(Objective objective, Observation trial, List<Observation> history) {
      return Decision.keepGoing("early stopping is off");
    }
  }
}
