package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.AlertEvent;

/** Decides where an alert goes. */
public interface Router {
    RouteDecision route(AlertEvent alert);
}
