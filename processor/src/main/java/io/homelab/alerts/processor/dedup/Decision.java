package io.homelab.alerts.processor.dedup;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.processor.route.RouteDecision;

/**
 * An event that passed dedup, why, and where it goes.
 *
 * @param flapping the alert just started flapping
 * @param flapEnded sent because the alert stopped flapping (its current status, not a new incident)
 */
public record Decision(AlertEvent event, DedupReason reason, boolean flapping, boolean flapEnded, RouteDecision route) {}
