package io.homelab.alerts.common.model;

import java.util.List;

/**
 * An alert routed to the remediator: a new incident of a firing alert (to fix), or its resolution
 * (to verify a fix).
 *
 * @param runbook the runbook the route names; empty: the remediator's default for the alert
 * @param chats where the route sends the alert, so approvals go there too; empty: the default chats
 */
public record RemediationRequest(AlertEvent alert, String runbook, DedupReason reason, String route, List<ChatTarget> chats) {
    /** The runbooks that exist without a config file (the remediator defines them; routes may name them). */
    public static final List<String> BUILT_IN_RUNBOOKS = List.of("restart-container", "clean-disk", "high-cpu", "high-memory",
            "restart-service", "diagnose-host");

    public RemediationRequest {
        chats = chats == null ? List.of() : List.copyOf(chats);
    }
}
