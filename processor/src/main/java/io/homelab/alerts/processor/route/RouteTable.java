package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routes of HOMELAB_CONFIG, in order. The first matching route decides; with
 * {@code continue: true} the routes after it are tried too and their chats add up (the first
 * runbook named wins). An alert no route matches goes where the defaults send it, so nothing
 * is lost by a gap in the table: end it with a catch-all route to change that.
 */
public record RouteTable(List<Route> routes, Router fallback) implements Router {

    @Override
    public RouteDecision route(AlertEvent alert) {
        List<String> names = new ArrayList<>();
        Set<ChatTarget> chats = new LinkedHashSet<>();
        boolean notify = false;
        boolean defaultChats = false;
        String runbook = null;
        Boolean remediateSaid = null;
        Set<String> webhooks = new LinkedHashSet<>();
        for (Route route : routes) {
            if (!route.matches(alert.labels())) {
                continue;
            }
            names.add(route.name());
            if (route.drop()) {
                // What earlier 'continue' routes chose stands; the drop only ends the search.
                if (names.size() == 1) {
                    return new RouteDecision(route.name(), false, List.of(), false, null, List.of(), true);
                }
                break;
            }
            if (route.notifyChats() == null) {
                notify = true;
                defaultChats = true;
            } else if (!route.notifyChats().isEmpty()) {
                notify = true;
                chats.addAll(route.notifyChats());
            }
            webhooks.addAll(route.webhooks());
            // The first matching route says whether to remediate; the first runbook named is the one.
            if (remediateSaid == null) {
                remediateSaid = !Route.NO_REMEDIATION.equals(route.runbook());
            }
            if (runbook == null && route.runbook() != null && !route.runbook().isEmpty()) {
                runbook = route.runbook();
            }
            if (!route.continueMatching()) {
                break;
            }
        }
        if (names.isEmpty()) {
            return fallback.route(alert);
        }
        if (defaultChats && !chats.isEmpty()) {
            chats.add(ChatTarget.DEFAULTS); // explicit chats and the default ones
        }
        boolean remediate = Boolean.TRUE.equals(remediateSaid);
        return new RouteDecision(String.join(",", names), notify, List.copyOf(chats), remediate, remediate ? runbook : null, List.copyOf(webhooks));
    }

    /** Every chat a route names (beyond the default chats): the notifier answers buttons and commands there too. */
    public java.util.Set<ChatTarget> namedChats() {
        Set<ChatTarget> out = new LinkedHashSet<>();
        for (Route route : routes) {
            if (route.notifyChats() != null) {
                route.notifyChats().stream().filter(c -> !c.isDefaults()).forEach(out::add);
            }
        }
        return out;
    }
}
