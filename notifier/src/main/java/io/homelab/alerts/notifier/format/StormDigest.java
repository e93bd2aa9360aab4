package io.homelab.alerts.notifier.format;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** One message standing for a burst of alerts: counts by alertname and severity, and the first few. */
public final class StormDigest {
    static final int FIRST_LINES = 10;

    private StormDigest() {}

    public static String format(List<Notification> burst) {
        Map<String, Map<String, Integer>> byName = new TreeMap<>();
        int firing = 0;
        for (Notification n : burst) {
            AlertEvent a = n.alert();
            byName.computeIfAbsent(a.alertname(), k -> new TreeMap<>())
                    .merge(a.severity().isEmpty() ? "none" : a.severity().toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (a.isFiring()) {
                firing++;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("🌩 <b>Alert storm:</b> ").append(burst.size()).append(" alerts at once (")
                .append(firing).append(" firing, ").append(burst.size() - firing).append(" resolved)\n\n<b>By alert:</b>\n");
        byName.forEach((name, severities) -> {
            int total = severities.values().stream().mapToInt(Integer::intValue).sum();
            sb.append(Html.escape(name.isEmpty() ? "(no alertname)" : name)).append(" ×").append(total).append(" (");
            StringBuilder sev = new StringBuilder();
            severities.forEach((s, c) -> sev.append(sev.length() == 0 ? "" : ", ").append(Html.escape(s)).append(" ×").append(c));
            sb.append(sev).append(")\n");
        });
        sb.append("\n<b>First alerts:</b>\n");
        for (Notification n : burst.subList(0, Math.min(FIRST_LINES, burst.size()))) {
            AlertEvent a = n.alert();
            String emoji = a.isFiring() ? MessageFormatter.emoji(a.severity()) : "✅";
            String summary = a.annotations().getOrDefault("summary", "");
            sb.append(emoji).append(' ').append(Html.escape(shorten(a.alertname(), 80)));
            if (!a.instance().isEmpty()) {
                sb.append(" on ").append(Html.escape(shorten(a.instance(), 80)));
            }
            if (!summary.isEmpty()) {
                sb.append(" — ").append(Html.escape(shorten(summary, 160)));
            }
            sb.append('\n');
        }
        if (burst.size() > FIRST_LINES) {
            sb.append("…and ").append(burst.size() - FIRST_LINES).append(" more.");
        }
        return sb.toString().stripTrailing();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
