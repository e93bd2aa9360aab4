package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.ChatTarget;
import java.util.List;

/**
 * Where one alert goes.
 *
 * @param route names of the routes that matched, joined with "," ("default" when none did)
 * @param chats where to notify; empty with {@code notifies}: the default chats
 * @param runbook the runbook to run when remediating; null: the remediator decides
 * @param webhooks outgoing webhooks (by name) that get the alert too
 * @param dropped a {@code drop: true} route matched: nothing happens, and the alert is hidden from lists
 */
public record RouteDecision(String route, boolean notifies, List<ChatTarget> chats, boolean remediate, String runbook, List<String> webhooks,
        boolean dropped) {
    public RouteDecision {
        chats = List.copyOf(chats);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    public RouteDecision(String route, boolean notifies, List<ChatTarget> chats, boolean remediate, String runbook) {
        this(route, notifies, chats, remediate, runbook, List.of(), false);
    }

    public RouteDecision(String route, boolean notifies, List<ChatTarget> chats, boolean remediate, String runbook, List<String> webhooks) {
        this(route, notifies, chats, remediate, runbook, webhooks, false);
    }
}
