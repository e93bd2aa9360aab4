package io.homelab.alerts.app.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The back-test: the same webhooks under the settings in force and the new ones, notification by notification. */
public final class Comparison {
    static final int EXAMPLES = 5;
    private final ZoneId zone;
    long baseNotified;
    long newNotified;
    long lost;
    long gained;
    long rerouted;
    long criticalLost;
    long baseActions;
    long newActions;
    long actionsLost;
    long actionsGained;
    final List<String> lostExamples = new ArrayList<>();
    final List<String> gainedExamples = new ArrayList<>();
    final List<String> actionExamples = new ArrayList<>();
    private final Map<String, Outcome> unpairedBase = new LinkedHashMap<>();
    private final Map<String, Outcome> unpairedNew = new LinkedHashMap<>();

    public Comparison(ZoneId zone) {
        this.zone = zone;
    }

    /** The outcomes of one webhook (or of the final sweep) in both runs. */
    public void record(List<Outcome> base, List<Outcome> next) {
        // The same alert can be twice in one webhook: the n-th occurrence of a key pairs with the n-th.
        Map<String, java.util.ArrayDeque<Outcome>> byKey = new HashMap<>();
        next.forEach(o -> byKey.computeIfAbsent(o.key(), k -> new java.util.ArrayDeque<>()).add(o));
        for (Outcome b : base) {
            java.util.ArrayDeque<Outcome> same = byKey.get(b.key());
            Outcome n = same == null ? null : same.poll();
            if (n == null && !b.kind().equals(Outcome.ALERT)) {
                unpairedBase.put(b.key(), b);
            } else {
                compare(b, n);
            }
        }
        for (java.util.ArrayDeque<Outcome> rest : byKey.values()) {
            for (Outcome n : rest) {
                if (n.kind().equals(Outcome.ALERT)) {
                    compare(null, n);
                } else {
                    unpairedNew.put(n.key(), n);
                }
            }
        }
    }

    /** Pairs released and Watchdog notices that came at the same time in both runs; the rest differ. */
    public void finish() {
        for (var e : unpairedBase.entrySet()) {
            compare(e.getValue(), unpairedNew.remove(e.getKey()));
        }
        unpairedNew.values().forEach(n -> compare(null, n));
        unpairedBase.clear();
        unpairedNew.clear();
    }

    private void compare(Outcome b, Outcome n) {
        boolean bn = b != null && b.notified();
        boolean nn = n != null && n.notified();
        baseNotified += bn ? 1 : 0;
        newNotified += nn ? 1 : 0;
        if (bn && !nn) {
            lost++;
            if (b.critical()) {
                criticalLost++;
            }
            example(lostExamples, b, "sent as " + b.reason() + " via route " + b.route() + "; now " + fate(n));
        } else if (!bn && nn) {
            gained++;
            example(gainedExamples, n, "now sent as " + n.reason() + " via route " + n.route() + "; was " + fate(b));
        } else if (bn && !b.chatList().equals(n.chatList())) {
            rerouted++;
        }
        String ba = b == null || b.runbook() == null ? null : b.runbook() + " (" + b.action() + ")";
        String na = n == null || n.runbook() == null ? null : n.runbook() + " (" + n.action() + ")";
        baseActions += ba != null ? 1 : 0;
        newActions += na != null ? 1 : 0;
        if (ba != null && !ba.equals(na)) {
            actionsLost++;
        }
        if (na != null && !na.equals(ba)) {
            actionsGained++;
        }
        if (ba != null && !ba.equals(na) || na != null && !na.equals(ba)) {
            example(actionExamples, b != null ? b : n, (ba == null ? "no action" : ba) + " → " + (na == null ? "no action" : na));
        }
    }

    private static String fate(Outcome o) {
        if (o == null) {
            return "not there (the webhook was unusable under these settings)";
        }
        if (!o.passed()) {
            return "held back: " + o.reason();
        }
        return "passed as " + o.reason() + ", but route " + o.route() + " does not notify";
    }

    private void example(List<String> into, Outcome o, String why) {
        if (into.size() < EXAMPLES) {
            into.add(Report.time(o.at(), zone) + "  " + o.event().status() + " " + o.event().alertname()
                    + (o.event().instance() == null || o.event().instance().isEmpty() ? "" : " on " + o.event().instance())
                    + (o.event().severity() == null || o.event().severity().isEmpty() ? "" : " (" + o.event().severity() + ")") + ": " + why);
        }
    }

    String text(String what) {
        StringBuilder b = new StringBuilder("Back-test: ").append(what).append(", against the settings in force\n");
        b.append(String.format("  notifications: %,d → %,d (%,d lost, %,d gained, %,d to other chats); critical ones lost: %,d%n",
                baseNotified, newNotified, lost, gained, rerouted, criticalLost));
        b.append(String.format("  actions: %,d → %,d (%,d lost, %,d gained)%n", baseActions, newActions, actionsLost, actionsGained));
        section(b, "Lost notifications", lost, lostExamples);
        section(b, "Gained notifications", gained, gainedExamples);
        section(b, "Changed actions", Math.max(actionsLost, actionsGained), actionExamples);
        return b.toString();
    }

    private static void section(StringBuilder b, String title, long count, List<String> examples) {
        if (count > 0) {
            b.append(title).append(count > examples.size() ? " (first " + examples.size() + " of " + count + ")" : "").append(":\n");
            examples.forEach(e -> b.append("  ").append(e).append('\n'));
        }
    }

    ObjectNode json(String what) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("new", what);
        root.putObject("notifications").put("before", baseNotified).put("after", newNotified).put("lost", lost).put("gained", gained)
                .put("toOtherChats", rerouted).put("criticalLost", criticalLost);
        root.putObject("actions").put("before", baseActions).put("after", newActions).put("lost", actionsLost).put("gained", actionsGained);
        ArrayNode l = root.putArray("lostExamples");
        lostExamples.forEach(l::add);
        ArrayNode g = root.putArray("gainedExamples");
        gainedExamples.forEach(g::add);
        ArrayNode a = root.putArray("actionExamples");
        actionExamples.forEach(a::add);
        return root;
    }

    List<String[]> csv() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"backtest", "notifications_before", Long.toString(baseNotified)});
        rows.add(new String[] {"backtest", "notifications_after", Long.toString(newNotified)});
        rows.add(new String[] {"backtest", "notifications_lost", Long.toString(lost)});
        rows.add(new String[] {"backtest", "notifications_gained", Long.toString(gained)});
        rows.add(new String[] {"backtest", "notifications_to_other_chats", Long.toString(rerouted)});
        rows.add(new String[] {"backtest", "critical_lost", Long.toString(criticalLost)});
        rows.add(new String[] {"backtest", "actions_before", Long.toString(baseActions)});
        rows.add(new String[] {"backtest", "actions_after", Long.toString(newActions)});
        rows.add(new String[] {"backtest", "actions_lost", Long.toString(actionsLost)});
        rows.add(new String[] {"backtest", "actions_gained", Long.toString(actionsGained)});
        return rows;
    }
}
