package io.homelab.alerts.processor.dedup;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.processor.route.RouteDecision;

/** An event that passed dedup, why, and where it goes. */
public record Decision(AlertEvent event, DedupReason reason, boolean flapping, RouteDecision route) {}
