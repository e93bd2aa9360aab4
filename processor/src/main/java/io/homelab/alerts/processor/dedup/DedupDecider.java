package io.homelab.alerts.processor.dedup;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import java.time.Duration;
import java.time.Instant;

/** The dedup decision, as a pure function of what was last let through and the new event. */
public final class DedupDecider {
    private DedupDecider() {}

    /**
     * @param lastStatus status of the last event let through for this fingerprint; null: never seen
     * @param lastPassedAt when it was let through (record time)
     */
    public static DedupReason decide(String lastStatus, Instant lastPassedAt, String status, Instant at, DedupPolicy policy) {
        if (lastStatus == null) {
            return DedupReason.FIRST;
        }
        if (!lastStatus.equals(status)) {
            return DedupReason.STATUS_CHANGED;
        }
        boolean expired = Duration.between(lastPassedAt, at).compareTo(policy.window()) > 0;
        if (!expired) {
            return DedupReason.DUPLICATE;
        }
        if (AlertEvent.FIRING.equals(status)) {
            return policy.reminders() ? DedupReason.REMINDER : DedupReason.DUPLICATE;
        }
        // A second "resolved" for the same incident is never news. Resolved states are purged
        // once the window has passed, so a later event for this fingerprint starts over as FIRST.
        return DedupReason.DUPLICATE;
    }
}
