package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.AlertEvent;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where an alert goes when no routes are configured, as the old system did: every alert is
 * notified to the default chats; firing alerts of the given severities also go to the
 * remediator; nothing is dropped.
 */
public record DefaultRoutes(Set<String> remediateSeverities) implements Router {
    public static final String NAME = "default";

    @Override
    public RouteDecision route(AlertEvent alert) {
        boolean remediate = remediateSeverities.contains(alert.severity().toLowerCase(Locale.ROOT));
        return new RouteDecision(NAME, true, List.of(), remediate, null);
    }
}
