package io.homelab.alerts.processor.state;

import io.homelab.alerts.common.model.AlertEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the processor remembers per fingerprint (a changelogged state store, so restarts neither
 * re-notify nor forget).
 *
 * @param last the latest event seen (for messages sent later, e.g. when flapping ends)
 * @param lastPassedStatus status of the last event let through
 * @param lastPassedAt record time it was let through
 * @param changes times of recent status changes (flapping detection)
 * @param flapping held back until stable
 */
public record AlertState(AlertEvent last, String lastPassedStatus, Instant lastPassedAt, List<Instant> changes, boolean flapping) {
    public AlertState {
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    public AlertState withChange(Instant at, Instant keepAfter) {
        List<Instant> kept = new ArrayList<>();
        for (Instant c : changes) {
            if (c.isAfter(keepAfter)) {
                kept.add(c);
            }
        }
        kept.add(at);
        return new AlertState(last, lastPassedStatus, lastPassedAt, kept, flapping);
    }
}
