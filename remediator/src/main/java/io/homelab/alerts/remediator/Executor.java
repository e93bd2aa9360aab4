package io.homelab.alerts.remediator;

import io.homelab.alerts.common.model.RemediationUpdate;

/** Carries out an approved remediation; the result is a final update (SUCCEEDED, FAILED or NOT_RUN). */
@FunctionalInterface
public interface Executor {
    RemediationUpdate run(RemediationUpdate approved);

    /** Until runbooks exist: says plainly that nothing was done. */
    static Executor nothingYet(java.time.Clock clock) {
        return approved -> approved.next(RemediationUpdate.Stage.NOT_RUN, approved.decision(),
                "Approved by " + approved.decision().who() + ", but runbooks are not implemented yet: nothing was done"
                        + (approved.runbook() == null ? "." : " (runbook " + approved.runbook() + ")."),
                clock.instant());
    }
}
