package io.homelab.alerts.notifier.format;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Several alerts for one chat in one message: what gathered while the chat's next send slot was
 * not yet open. Up to the summary threshold it is a list, one line per alert (critical first,
 * then by alertname; an alert's own changes keep their order); past it, a summary (counts by
 * alertname, severity and instance, the firing critical ones named, and where to see the rest).
 * Lengths are counted as Telegram counts them ({@link MessageSplitter#plainLength}).
 */
public final class PackedMessage {
    static final int NAME_CHARS = 80;
    static final int INSTANCE_CHARS = 80;
    static final int SUMMARY_CHARS = 200;
    /** How many names the summary lists per section before "…and N more". */
    static final int SUMMARY_ROWS = 12;

    /** The text, and how many of the given alerts (from the front of the list) it covers. */
    public record Pack(String html, int covered) {}

    private PackedMessage() {}

    /** Critical alerts first, then by alertname; a stable sort, so each alert's own changes keep their order. */
    public static <T> List<T> ordered(List<T> alerts, java.util.function.Function<T, Notification> notification) {
        List<T> sorted = new ArrayList<>(alerts);
        sorted.sort(Comparator.<T>comparingInt(a -> isCritical(notification.apply(a).alert()) ? 0 : 1)
                .thenComparing(a -> notification.apply(a).alert().alertname()));
        return sorted;
    }

    static boolean isCritical(AlertEvent alert) {
        return "critical".equalsIgnoreCase(alert.severity());
    }

    /**
     * A list of as many of {@code alerts} (already {@link #ordered}) as fit in {@code limit}
     * characters, at least one.
     */
    public static Pack list(List<Notification> alerts, int limit) {
        List<String> lines = new ArrayList<>();
        int length = 0;
        int firing = 0;
        for (Notification n : alerts) {
            String line = line(n.alert());
            int lineLength = MessageSplitter.plainLength(line) + 1;
            // Room for the header, whose counts are known only at the end (at most 60 characters).
            if (!lines.isEmpty() && 60 + length + lineLength > limit) {
                break;
            }
            lines.add(line);
            length += lineLength;
            if (n.alert().isFiring()) {
                firing++;
            }
        }
        int covered = lines.size();
        StringBuilder sb = new StringBuilder();
        sb.append(firing > 0 ? "🔔" : "✅").append(" <b>").append(covered).append(" alerts</b> (").append(firing).append(" firing, ")
                .append(covered - firing).append(" resolved)\n\n");
        lines.forEach(l -> sb.append(l).append('\n'));
        return new Pack(sb.toString().stripTrailing(), covered);
    }

    /** One alert's line: severity emoji (✅ when resolved), alertname, instance, summary. */
    static String line(AlertEvent a) {
        return line(a, true);
    }

    static String line(AlertEvent a, boolean withSummary) {
        StringBuilder sb = new StringBuilder();
        sb.append(a.isFiring() ? MessageFormatter.emoji(a.severity()) : "✅").append(' ');
        if (!a.isFiring()) {
            sb.append("<i>resolved</i> ");
        }
        sb.append("<b>").append(Html.escape(shorten(a.alertname().isEmpty() ? "(no alertname)" : a.alertname(), NAME_CHARS))).append("</b>");
        if (!a.instance().isEmpty()) {
            sb.append(" · ").append(Html.escape(shorten(a.instance(), INSTANCE_CHARS)));
        }
        String summary = a.annotations().getOrDefault("summary", "");
        if (withSummary && !summary.isEmpty()) {
            sb.append(" — ").append(Html.escape(shorten(summary.replace('\n', ' '), SUMMARY_CHARS)));
        }
        return sb.toString();
    }

    static final String SUMMARY_END = "\n/alerts shows every alert firing now.";

    /**
     * A summary that fits one message of {@code budget}: when the counts would run over (thousands of
     * instances, or a small budget after a too-long refusal), the tail is cut at a line, a heading
     * left alone at the end goes too, and the message ends with "…" and the /alerts hint. One message,
     * so every alert it covers is done when Telegram takes it.
     */
    public static String fitted(String summary, int budget) {
        if (MessageSplitter.plainLength(summary) <= budget) {
            return summary;
        }
        String head = new MessageSplitter(Math.max(64, budget - 64)).split(summary).get(0);
        List<String> lines = new java.util.ArrayList<>(List.of(head.split("\n", -1)));
        while (!lines.isEmpty() && (lines.get(lines.size() - 1).isBlank() || lines.get(lines.size() - 1).endsWith(":</b>"))) {
            lines.remove(lines.size() - 1);
        }
        return String.join("\n", lines) + "\n…\n" + SUMMARY_END;
    }

    /** Past the size anyone reads: counts by alertname, severity and instance, the firing critical ones named. */
    public static String summary(List<Notification> alerts) {
        int firing = 0;
        Map<String, Integer> byName = new TreeMap<>();
        Map<String, Integer> bySeverity = new TreeMap<>();
        Map<String, Integer> byInstance = new TreeMap<>();
        Map<String, AlertEvent> critical = new LinkedHashMap<>();
        for (Notification n : alerts) {
            AlertEvent a = n.alert();
            byName.merge(a.alertname().isEmpty() ? "(no alertname)" : a.alertname(), 1, Integer::sum);
            bySeverity.merge(a.severity().isEmpty() ? "none" : a.severity().toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (!a.instance().isEmpty()) {
                byInstance.merge(a.instance(), 1, Integer::sum);
            }
            if (a.isFiring()) {
                firing++;
                if (isCritical(a)) {
                    critical.put(a.fingerprint(), a);
                }
            } else {
                critical.remove(a.fingerprint()); // resolved since: no longer firing
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("🌩 <b>").append(alerts.size()).append(" alerts</b> (").append(firing).append(" firing, ")
                .append(alerts.size() - firing).append(" resolved)\n");
        if (!critical.isEmpty()) {
            sb.append("\n<b>Critical, firing:</b>\n");
            int shown = 0;
            for (AlertEvent a : critical.values()) {
                if (shown++ == SUMMARY_ROWS) {
                    sb.append("…and ").append(critical.size() - SUMMARY_ROWS).append(" more\n");
                    break;
                }
                sb.append(line(a, false)).append('\n');
            }
        }
        section(sb, "By alert", byName);
        section(sb, "By severity", bySeverity);
        section(sb, "By instance", byInstance);
        sb.append(SUMMARY_END);
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, Map<String, Integer> counts) {
        if (counts.isEmpty()) {
            return;
        }
        sb.append("\n<b>").append(title).append(":</b>\n");
        List<Map.Entry<String, Integer>> rows = new ArrayList<>(counts.entrySet());
        rows.sort(Map.Entry.<String, Integer>comparingByValue().reversed()); // stable: ties stay by name
        for (int i = 0; i < rows.size(); i++) {
            if (i == SUMMARY_ROWS) {
                int rest = rows.subList(i, rows.size()).stream().mapToInt(Map.Entry::getValue).sum();
                sb.append("…and ").append(rows.size() - i).append(" more (").append(rest).append(" alerts)\n");
                break;
            }
            sb.append(Html.escape(shorten(rows.get(i).getKey(), NAME_CHARS))).append(" ×").append(rows.get(i).getValue()).append('\n');
        }
    }

    static String shorten(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int cut = Character.isHighSurrogate(s.charAt(max - 2)) ? max - 2 : max - 1;
        return s.substring(0, cut) + "…";
    }
}
