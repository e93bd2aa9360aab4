package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.AlertEvent;
import java.util.List;

/**
 * Where an alert goes when no route matches (or no routes are configured): every alert is
 * notified to the default chats and goes to the remediator too, which finds the runbook for it
 * (or none: a suggestion only); nothing is dropped.
 */
public record DefaultRoutes() implements Router {
    public static final String NAME = "default";

    @Override
    public RouteDecision route(AlertEvent alert) {
        return new RouteDecision(NAME, true, List.of(), true, null);
    }
}
