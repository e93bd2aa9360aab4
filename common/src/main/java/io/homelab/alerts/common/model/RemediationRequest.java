package io.homelab.alerts.common.model;

import java.util.List;

/**
 * A firing alert routed to the remediator.
 *
 * @param runbook the runbook the route names; empty: the remediator's default for the alert
 * @param chats where the route sends the alert, so approvals go there too; empty: the default chats
 */
public record RemediationRequest(AlertEvent alert, String runbook, DedupReason reason, String route, List<ChatTarget> chats) {
    public RemediationRequest {
        chats = chats == null ? List.of() : List.copyOf(chats);
    }
}
