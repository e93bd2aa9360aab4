package io.homelab.alerts.processor.dedup;

import java.time.Duration;

/**
 * How the processor deduplicates and tames flapping.
 *
 * @param window same-status events inside it are duplicates ({@code ALERT_DEDUP_WINDOW})
 * @param reminders pass a still-firing alert again once the window has passed
 * @param flapChanges status changes within {@code flapWindow} that make an alert flapping; 0: off
 * @param flapWindow how far back changes count, and how long an alert must be stable to stop flapping
 */
public record DedupPolicy(Duration window, boolean reminders, int flapChanges, Duration flapWindow) {
    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(300);
    public static final int DEFAULT_FLAP_CHANGES = 4;
    public static final Duration DEFAULT_FLAP_WINDOW = Duration.ofMinutes(10);

    public boolean flappingEnabled() {
        return flapChanges > 0;
    }
}
