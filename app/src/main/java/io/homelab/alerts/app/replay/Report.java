package io.homelab.alerts.app.replay;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The replay's report: what came in, what would have been sent and done, and which rules are noise. */
public final class Report implements Consumer<Outcome> {
    static final Duration SHORT = Duration.ofMinutes(2);
    static final int TOP = 10;
    static final String NO_RUNBOOK = "no runbook (a suggestion only)";
    private static final long[] FOR_STEPS = {60, 120, 180, 300, 600, 900, 1800, 3600};

    long webhooks;
    long unusable;
    long events;
    final Set<String> fingerprints = new HashSet<>();
    final Map<String, long[]> byName = new HashMap<>(); // events, notified
    final Map<String, Long> bySeverity = new HashMap<>();
    final Map<String, Long> byInstance = new HashMap<>();
    final Map<DedupReason, Long> passed = new EnumMap<>(DedupReason.class);
    final Map<DedupReason, Long> heldBack = new EnumMap<>(DedupReason.class);
    long notifications;
    long priority;
    final Map<String, Long> byChat = new HashMap<>();
    final Map<String, Long> actions = new HashMap<>();
    long watchdogNotices;
    private final Map<String, Flap> flaps = new HashMap<>();
    private final Map<String, String> lastStatus = new HashMap<>();
    /** Status changes per alert in the range (of those that flapped, the report says how many). */
    private final Map<String, Long> changes = new HashMap<>();
    private final Map<String, Long> firingSince = new HashMap<>();
    private final Map<String, Rule> rules = new HashMap<>();
    final List<Long> durations = new ArrayList<>();

    /** One alert's flapping: episodes begun, status changes seen, events held back. */
    static final class Flap {
        String name;
        String instance;
        long episodes;
        long changes;
        long held;
    }

    /** One rule on one instance: incidents, how many resolved quickly and how fast, notifications, reminders. */
    static final class Rule {
        String name;
        String instance;
        long fired;
        long notified;
        long reminders;
        final List<Long> durations = new ArrayList<>();
    }

    /** A webhook in the reported range was read. */
    public void webhook() {
        webhooks++;
    }

    public long webhooks() {
        return webhooks;
    }

    public void unusable(long n) {
        unusable = n;
    }

    @Override
    public void accept(Outcome o) {
        AlertEvent e = o.event();
        String fp = e.fingerprint();
        if (o.kind().equals(Outcome.WATCHDOG)) {
            watchdogNotices++;
            countNotification(o);
            return;
        }
        if (o.kind().equals(Outcome.ALERT)) {
            events++;
            fingerprints.add(fp);
            long[] n = byName.computeIfAbsent(e.alertname(), k -> new long[2]);
            n[0]++;
            bySeverity.merge(e.severity() == null || e.severity().isEmpty() ? "(none)" : e.severity(), 1L, Long::sum);
            byInstance.merge(e.instance() == null || e.instance().isEmpty() ? "(none)" : e.instance(), 1L, Long::sum);
            String before = lastStatus.put(fp, e.status());
            if (before != null && !before.equals(e.status())) {
                changes.merge(fp, 1L, Long::sum);
            }
            (o.passed() ? passed : heldBack).merge(o.reason(), 1L, Long::sum);
        }
        if (o.reason() == DedupReason.FLAPPING && !o.passed()) {
            flap(o).held++;
        }
        if (!o.passed()) {
            return;
        }
        if (o.flapping() && o.reason() != DedupReason.FLAPPING) {
            flap(o).episodes++;
        }
        Rule rule = rules.computeIfAbsent(e.alertname() + "\u0000" + e.instance(), k -> {
            Rule r = new Rule();
            r.name = e.alertname();
            r.instance = e.instance();
            return r;
        });
        boolean news = o.reason() == DedupReason.FIRST || o.reason() == DedupReason.STATUS_CHANGED;
        if (e.isFiring() && news && !firingSince.containsKey(fp)) {
            rule.fired++;
            firingSince.put(fp, e.startsAt() != null && e.startsAt().toEpochMilli() > 0 ? e.startsAt().toEpochMilli() : o.at());
        } else if (!e.isFiring() && news) {
            Long since = firingSince.remove(fp);
            long end = e.endsAt() != null && e.endsAt().toEpochMilli() > 0 ? e.endsAt().toEpochMilli() : o.at();
            long start = e.startsAt() != null && e.startsAt().toEpochMilli() > 0 ? e.startsAt().toEpochMilli() : since == null ? -1 : since;
            if (start > 0 && end >= start) {
                durations.add(end - start);
                rule.durations.add(end - start);
            }
        }
        if (o.reason() == DedupReason.REMINDER) {
            rule.reminders++;
        }
        if (o.notified()) {
            rule.notified++;
            countNotification(o);
            if (o.kind().equals(Outcome.ALERT)) {
                byName.get(e.alertname())[1]++;
            }
        }
        if (o.action() != null) {
            actions.merge(o.runbook() == null ? NO_RUNBOOK : o.runbook() + " (" + o.action() + ")", 1L, Long::sum);
        }
    }

    private void countNotification(Outcome o) {
        notifications++;
        if (o.priority()) {
            priority++;
        }
        String chats = o.chatList();
        byChat.merge(chats.isEmpty() ? "outgoing webhooks only" : chats, 1L, Long::sum);
    }

    private Flap flap(Outcome o) {
        return flaps.computeIfAbsent(o.event().fingerprint(), k -> {
            Flap f = new Flap();
            f.name = o.event().alertname();
            f.instance = o.event().instance();
            return f;
        });
    }

    /** Flapping alerts, most changes first. */
    List<Flap> flapping() {
        flaps.forEach((fp, f) -> f.changes = changes.getOrDefault(fp, 0L));
        return flaps.values().stream().filter(f -> f.episodes > 0 || f.held > 0)
                .sorted(Comparator.comparingLong((Flap f) -> -f.changes).thenComparing(f -> f.name + f.instance)).toList();
    }

    /** A suggestion with the notifications its rule cost: the noisiest first. */
    record Suggestion(long notifications, String text) {}

    List<Suggestion> suggestions() {
        List<Suggestion> out = new ArrayList<>();
        for (Rule r : rules.values()) {
            String on = r.name + (r.instance == null || r.instance.isEmpty() ? "" : " on " + r.instance);
            List<Long> quick = r.durations.stream().filter(d -> d < SHORT.toMillis()).toList();
            if (r.fired >= 3 && quick.size() >= 3 && quick.size() * 2 >= r.fired) {
                long longest = quick.stream().mapToLong(Long::longValue).max().orElse(0) / 1000;
                long step = FOR_STEPS[FOR_STEPS.length - 1];
                for (long s : FOR_STEPS) {
                    if (s > longest * 3 / 2 && s > 60) {
                        step = s;
                        break;
                    }
                }
                out.add(new Suggestion(r.notified, on + " fired " + r.fired + " times and resolved within " + SHORT.toMinutes() + " min "
                        + quick.size() + " times: raise `for:` to " + (step % 60 == 0 ? step / 60 + "m" : step + "s")));
            }
            if (r.reminders >= 10) {
                out.add(new Suggestion(r.reminders, on + " was sent " + r.reminders + " times as still firing: fix or silence it,"
                        + " raise ALERT_DEDUP_WINDOW, or set ALERT_REMINDERS=false"));
            }
        }
        for (Flap f : flapping()) {
            out.add(new Suggestion(f.changes, f.name + (f.instance == null || f.instance.isEmpty() ? "" : " on " + f.instance)
                    + " flapped " + f.episodes + (f.episodes == 1 ? " time" : " times") + " (" + f.changes + " status changes, " + f.held
                    + " events held back): give its rule a longer `for:` or `keep_firing_for:`"));
        }
        out.sort(Comparator.comparingLong((Suggestion s) -> -s.notifications()).thenComparing(Suggestion::text));
        return out;
    }

    static String duration(long millis) {
        long s = Math.round(millis / 1000.0);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : String.format("%02ds", s % 60));
        }
        return s / 3600 + "h" + String.format("%02dm", s / 60 % 60);
    }

    static long mean(List<Long> xs) {
        return xs.isEmpty() ? 0 : Math.round(xs.stream().mapToLong(Long::longValue).average().orElse(0));
    }

    static long median(List<Long> xs) {
        if (xs.isEmpty()) {
            return 0;
        }
        List<Long> s = xs.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    /** Mean time to resolve per alertname: [incidents, mean ms]. */
    Map<String, long[]> resolveByName() {
        Map<String, List<Long>> by = new HashMap<>();
        rules.values().forEach(r -> by.computeIfAbsent(r.name, k -> new ArrayList<>()).addAll(r.durations));
        Map<String, long[]> out = new LinkedHashMap<>();
        by.entrySet().stream().filter(e -> !e.getValue().isEmpty())
                .sorted(Comparator.comparingLong((Map.Entry<String, List<Long>> e) -> -mean(e.getValue())).thenComparing(Map.Entry::getKey))
                .forEach(e -> out.put(e.getKey(), new long[] {e.getValue().size(), mean(e.getValue())}));
        return out;
    }

    static <V> List<Map.Entry<String, V>> top(Map<String, V> m, java.util.function.ToLongFunction<V> by, int n) {
        return m.entrySet().stream().sorted(Comparator.comparingLong((Map.Entry<String, V> e) -> -by.applyAsLong(e.getValue()))
                .thenComparing(Map.Entry::getKey)).limit(n).toList();
    }

    // ---- rendering ----

    String text(String title) {
        StringBuilder b = new StringBuilder(title).append('\n');
        b.append(String.format("  %,d webhooks, %,d alert events, %,d distinct alerts, %,d unusable webhook(s)%n%n", webhooks, events,
                fingerprints.size(), unusable));
        b.append(String.format("Alerts by name%-22s %10s %10s%n", "", "events", "notified"));
        for (var e : top(byName, v -> v[0], Integer.MAX_VALUE)) {
            b.append(String.format("  %-34s %10d %10d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        b.append("By severity: ").append(joined(top(bySeverity, v -> v, Integer.MAX_VALUE))).append('\n');
        b.append("By instance").append(byInstance.size() > TOP ? " (top " + TOP + " of " + byInstance.size() + ")" : "").append(": ")
                .append(joined(top(byInstance, v -> v, TOP))).append("\n\n");
        b.append(String.format("Notifications that would have been sent: %,d (%,d on the critical lane%s)%n", notifications, priority,
                watchdogNotices > 0 ? ", " + watchdogNotices + " Watchdog notice(s)" : ""));
        for (var e : top(byChat, v -> v, Integer.MAX_VALUE)) {
            b.append(String.format("  to %s: %,d%n", e.getKey().equals("default") ? "the default chats (TELEGRAM_CHAT_ID)" : e.getKey(), e.getValue()));
        }
        b.append("Passed by reason: ").append(reasons(passed)).append('\n');
        b.append("Held back by reason: ").append(reasons(heldBack)).append("\n\n");
        List<Flap> flapping = flapping();
        b.append("Flapping alerts: ").append(flapping.isEmpty() ? "none" : flapping.size()).append('\n');
        for (Flap f : flapping.stream().limit(TOP).toList()) {
            b.append(String.format("  %s%s: %d episode(s), %d status changes, %d events held back%n", f.name,
                    f.instance == null || f.instance.isEmpty() ? "" : " on " + f.instance, f.episodes, f.changes, f.held));
        }
        b.append('\n');
        if (durations.isEmpty()) {
            b.append("Time to resolve: no incident resolved in this range\n");
        } else {
            b.append(String.format("Time to resolve: mean %s, median %s over %,d incidents%n", duration(mean(durations)),
                    duration(median(durations)), durations.size()));
            resolveByName().entrySet().stream().limit(TOP).forEach(e -> b.append(String.format("  %-34s mean %s over %d%n", e.getKey(),
                    duration(e.getValue()[1]), e.getValue()[0])));
        }
        long acts = actions.entrySet().stream().filter(e -> !e.getKey().equals(NO_RUNBOOK)).mapToLong(Map.Entry::getValue).sum();
        b.append('\n').append("Actions that would have run or been asked for (before cooldowns, caps and the breaker): ")
                .append(acts == 0 ? "none" : acts).append('\n');
        for (var e : top(actions, v -> v, Integer.MAX_VALUE)) {
            b.append(String.format("  %s: %,d%n", e.getKey(), e.getValue()));
        }
        b.append('\n');
        List<Suggestion> s = suggestions();
        b.append("Noisiest rules:").append(s.isEmpty() ? " nothing stands out" : "").append('\n');
        for (int i = 0; i < Math.min(TOP, s.size()); i++) {
            b.append(String.format("  %d. %s%n", i + 1, s.get(i).text()));
        }
        return b.toString();
    }

    private static String joined(List<? extends Map.Entry<String, Long>> entries) {
        return entries.isEmpty() ? "none" : String.join(", ", entries.stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }

    private static String reasons(Map<DedupReason, Long> m) {
        return m.isEmpty() ? "none" : String.join(", ", m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }

    ObjectNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("webhooks", webhooks).put("unusableWebhooks", unusable).put("alertEvents", events).put("distinctAlerts", fingerprints.size());
        ObjectNode names = root.putObject("byAlertname");
        top(byName, v -> v[0], Integer.MAX_VALUE).forEach(e -> names.putObject(e.getKey()).put("events", e.getValue()[0]).put("notified", e.getValue()[1]));
        ObjectNode sev = root.putObject("bySeverity");
        top(bySeverity, v -> v, Integer.MAX_VALUE).forEach(e -> sev.put(e.getKey(), e.getValue()));
        ObjectNode inst = root.putObject("byInstance");
        top(byInstance, v -> v, Integer.MAX_VALUE).forEach(e -> inst.put(e.getKey(), e.getValue()));
        ObjectNode n = root.putObject("notifications");
        n.put("total", notifications).put("criticalLane", priority).put("watchdog", watchdogNotices);
        ObjectNode chats = n.putObject("byChat");
        top(byChat, v -> v, Integer.MAX_VALUE).forEach(e -> chats.put(e.getKey(), e.getValue()));
        ObjectNode p = root.putObject("passed");
        passed.forEach((k, v) -> p.put(k.name(), v));
        ObjectNode h = root.putObject("heldBack");
        heldBack.forEach((k, v) -> h.put(k.name(), v));
        ArrayNode f = root.putArray("flapping");
        flapping().forEach(x -> f.addObject().put("alertname", x.name).put("instance", x.instance).put("episodes", x.episodes)
                .put("statusChanges", x.changes).put("heldBack", x.held));
        ObjectNode r = root.putObject("timeToResolve");
        r.put("incidents", durations.size()).put("meanSeconds", mean(durations) / 1000.0).put("medianSeconds", median(durations) / 1000.0);
        ObjectNode rn = r.putObject("byAlertname");
        resolveByName().forEach((k, v) -> rn.putObject(k).put("incidents", v[0]).put("meanSeconds", v[1] / 1000.0));
        ObjectNode a = root.putObject("actions");
        top(actions, v -> v, Integer.MAX_VALUE).forEach(e -> a.put(e.getKey(), e.getValue()));
        ArrayNode s = root.putArray("suggestions");
        suggestions().forEach(x -> s.add(x.text()));
        return root;
    }

    /** section,name,value rows: one table for a spreadsheet. */
    List<String[]> csv() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"total", "webhooks", Long.toString(webhooks)});
        rows.add(new String[] {"total", "unusable_webhooks", Long.toString(unusable)});
        rows.add(new String[] {"total", "alert_events", Long.toString(events)});
        rows.add(new String[] {"total", "distinct_alerts", Integer.toString(fingerprints.size())});
        rows.add(new String[] {"total", "notifications", Long.toString(notifications)});
        rows.add(new String[] {"total", "critical_lane", Long.toString(priority)});
        top(byName, v -> v[0], Integer.MAX_VALUE).forEach(e -> {
            rows.add(new String[] {"alertname_events", e.getKey(), Long.toString(e.getValue()[0])});
            rows.add(new String[] {"alertname_notified", e.getKey(), Long.toString(e.getValue()[1])});
        });
        top(bySeverity, v -> v, Integer.MAX_VALUE).forEach(e -> rows.add(new String[] {"severity", e.getKey(), e.getValue().toString()}));
        top(byInstance, v -> v, Integer.MAX_VALUE).forEach(e -> rows.add(new String[] {"instance", e.getKey(), e.getValue().toString()}));
        top(byChat, v -> v, Integer.MAX_VALUE).forEach(e -> rows.add(new String[] {"chat", e.getKey(), e.getValue().toString()}));
        passed.forEach((k, v) -> rows.add(new String[] {"passed", k.name(), v.toString()}));
        heldBack.forEach((k, v) -> rows.add(new String[] {"held_back", k.name(), v.toString()}));
        flapping().forEach(x -> rows.add(new String[] {"flapping", x.name + (x.instance == null ? "" : " " + x.instance), Long.toString(x.changes)}));
        rows.add(new String[] {"time_to_resolve", "mean_seconds", Double.toString(mean(durations) / 1000.0)});
        rows.add(new String[] {"time_to_resolve", "incidents", Integer.toString(durations.size())});
        top(actions, v -> v, Integer.MAX_VALUE).forEach(e -> rows.add(new String[] {"action", e.getKey(), e.getValue().toString()}));
        suggestions().forEach(x -> rows.add(new String[] {"suggestion", x.text(), Long.toString(x.notifications())}));
        return rows;
    }

    static String time(long millis, ZoneId zone) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(zone).format(Instant.ofEpochMilli(millis));
    }
}
