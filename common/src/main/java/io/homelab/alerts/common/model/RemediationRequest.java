package io.homelab.alerts.common.model;

/**
 * A firing alert routed to the remediator.
 *
 * @param runbook the runbook the route names; empty: the remediator's default for the alert
 */
public record RemediationRequest(AlertEvent alert, String runbook, DedupReason reason, String route) {}
