package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.AlertEvent;
import java.util.Locale;
import java.util.Set;

/**
 * Where an alert goes when no routes are configured, as the old system did: every alert is
 * notified; firing alerts of the given severities also go to the remediator; nothing is dropped.
 */
public record DefaultRoutes(Set<String> remediateSeverities) {

    public boolean notify(AlertEvent event) {
        return true;
    }

    public boolean remediate(AlertEvent event) {
        return event.isFiring() && remediateSeverities.contains(event.severity().toLowerCase(Locale.ROOT));
    }
}
