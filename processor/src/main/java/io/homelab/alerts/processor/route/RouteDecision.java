package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.ChatTarget;
import java.util.List;

/**
 * Where one alert goes.
 *
 * @param route names of the routes that matched, joined with "," ("default" when none did)
 * @param chats where to notify; empty with {@code notifies}: the default chats
 * @param runbook the runbook to run when remediating; null: the remediator decides
 */
public record RouteDecision(String route, boolean notifies, List<ChatTarget> chats, boolean remediate, String runbook) {
    public RouteDecision {
        chats = List.copyOf(chats);
    }
}
