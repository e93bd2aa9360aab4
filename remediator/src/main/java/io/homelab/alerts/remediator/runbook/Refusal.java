package io.homelab.alerts.remediator.runbook;

/** Why an action will not run for this alert (a label value that fails its pattern, a missing label); the message names the value. */
public class Refusal extends Exception {
    public Refusal(String message) {
        super(message, null, false, false);
    }

    /** Could not be checked now (Docker did not answer): a person may try again with Approve. */
    public static final class Unavailable extends Refusal {
        public Unavailable(String message) {
            super(message);
        }
    }

    /** Not a refusal but a finding: the thing is already as the fix would leave it ("jellyfin is running and healthy"). */
    public static final class NothingToDo extends Refusal {
        public NothingToDo(String message) {
            super(message);
        }
    }
}
