package io.homelab.alerts.common.model;

/**
 * Why the processor let an alert event through or held it back (Alertmanager's
 * {@code needsUpdate} reasons, plus flapping). Travels with the event, and labels logs and metrics.
 */
public enum DedupReason {
    /** Never seen, or its state expired: pass. */
    FIRST,
    /** firing ↔ resolved: pass at once. */
    STATUS_CHANGED,
    /** Same status inside the window: drop. */
    DUPLICATE,
    /** Still firing after the window: pass (can be turned off). */
    REMINDER,
    /** Changing status too often: held back until stable. */
    FLAPPING;

    public boolean passes() {
        return this != DUPLICATE && this != FLAPPING;
    }
}
