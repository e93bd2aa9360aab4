package io.homelab.alerts.remediator.runbook;

/** Why an action will not run for this alert (a label value that fails its pattern, a missing label); the message names the value. */
public final class Refusal extends Exception {
    public Refusal(String message) {
        super(message, null, false, false);
    }
}
