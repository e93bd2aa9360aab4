package io.homelab.alerts.notifier.format;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationUpdate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The firing and resolved messages, in the old system's layout, as Telegram HTML. Every label
 * and annotation value is escaped, so no value can break our markup.
 */
public final class MessageFormatter {
    /**
     * Long messages are split into several (see {@link MessageSplitter}); a value is still capped
     * near one Telegram message so a runaway annotation cannot turn into hundreds of them.
     */
    static final int MAX_VALUE_CHARS = 3500;
    static final int MAX_LINK_CHARS = 1024;

    private final DateTimeFormatter timeFormat;

    public MessageFormatter(ZoneId zone) {
        this.timeFormat = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT).withZone(zone);
    }

    public String format(AlertEvent alert) {
        return alert.isFiring() ? firing(alert) : resolved(alert);
    }

    /** The message for a notification: the alert's, with a note when it started flapping. */
    public String format(Notification notification) {
        String text = format(notification.alert());
        if (notification.flapping()) {
            text += "\n\n🔁 <b>Flapping:</b> this alert keeps changing status; further changes are held back until it is stable.";
        }
        return text;
    }

    String firing(AlertEvent alert) {
        StringBuilder sb = new StringBuilder();
        sb.append(emoji(alert.severity())).append(" <b>Prometheus Alert</b>\n\n");
        line(sb, "Alert", alert.alertname());
        line(sb, "Severity", alert.severity().toUpperCase(Locale.ROOT));
        line(sb, "Instance", alert.instance());
        line(sb, "Summary", alert.annotations().getOrDefault("summary", ""));
        line(sb, "Description", alert.annotations().getOrDefault("description", ""));
        line(sb, "Time", time(alert.startsAt() != null ? alert.startsAt() : alert.receivedAt()));
        String source = alert.generatorUrl();
        if (source != null && source.length() <= MAX_LINK_CHARS && (source.startsWith("http://") || source.startsWith("https://"))) {
            sb.append("<a href=\"").append(Html.escape(source)).append("\">Source</a>\n");
        }
        return sb.toString().stripTrailing();
    }

    String resolved(AlertEvent alert) {
        StringBuilder sb = new StringBuilder();
        sb.append("✅ <b>Alert Resolved</b>\n\n");
        line(sb, "Alert", alert.alertname());
        line(sb, "Instance", alert.instance());
        line(sb, "Summary", alert.annotations().getOrDefault("summary", ""));
        Instant end = alert.endsAt() != null ? alert.endsAt() : alert.receivedAt();
        line(sb, "Resolved", time(end));
        if (alert.startsAt() != null && end != null && !end.isBefore(alert.startsAt())) {
            line(sb, "Duration", duration(Duration.between(alert.startsAt(), end)));
        }
        return sb.toString().stripTrailing();
    }

    /** The old system's approval request; the Approve / Reject buttons go under it. */
    public String approval(RemediationUpdate update) {
        AlertEvent alert = update.alert();
        StringBuilder sb = new StringBuilder("⚠️ <b>Action Approval Required</b>\n\n");
        line(sb, "Component", update.component());
        line(sb, "Issue", alert.annotations().getOrDefault("summary", alert.alertname()));
        line(sb, "Severity", alert.severity().toUpperCase(Locale.ROOT));
        line(sb, "Risk Level", update.risk());
        line(sb, "Suggested Fix", update.suggestedFix());
        if (update.action() != null && update.action().call() != null) {
            sb.append("<b>Would run:</b> <code>").append(Html.escape(update.action().call())).append("</code>\n");
        }
        if (update.detail() != null && !update.detail().isBlank()) {
            sb.append('\n').append(pre(update.detail())).append('\n');
        }
        sb.append("\nShould I proceed with this action?");
        return sb.toString();
    }

    /** What became of a remediation: a reply to its approval message, or a message of its own for automatic fixes. */
    public String outcome(RemediationUpdate update) {
        String title = switch (update.stage()) {
            case SUCCEEDED -> update.automatic() ? "🔧 <b>Fixed automatically</b>" : "🔧 <b>Fix applied</b>";
            case FIXED -> "✅ <b>Fix verified</b>";
            case NOT_FIXED -> "⚠️ <b>Fix did not help</b>";
            case FAILED -> "❌ <b>Fix failed</b>";
            case EXPIRED -> "⌛ <b>Approval expired</b>";
            case REJECTED -> "🚫 <b>Rejected</b>";
            case NOT_RUN -> "ℹ️ <b>Nothing was run</b>";
            default -> "ℹ️ <b>Remediation " + update.stage().name().toLowerCase(Locale.ROOT).replace('_', ' ') + "</b>";
        };
        StringBuilder sb = new StringBuilder(title).append("\n\n");
        line(sb, "Alert", update.alert().alertname());
        line(sb, "Component", update.component());
        line(sb, "Runbook", update.runbook() == null ? "" : update.runbook() + (update.risk() == null ? "" : " (" + update.risk() + " risk)"));
        line(sb, "Result", update.detail());
        RemediationUpdate.ActionRun action = update.action();
        if (action != null && action.call() != null) {
            sb.append("<b>Ran:</b> <code>").append(Html.escape(action.call())).append("</code>");
            if (action.exitCode() != null || action.durationMillis() != null) {
                sb.append(" (").append(action.exitCode() == null ? "" : "exit " + action.exitCode())
                        .append(action.exitCode() != null && action.durationMillis() != null ? ", " : "")
                        .append(action.durationMillis() == null ? "" : String.format(Locale.ROOT, "%.1f s", action.durationMillis() / 1000.0))
                        .append(')');
            }
            sb.append('\n');
            if (action.output() != null && !action.output().isBlank() && update.stage() != RemediationUpdate.Stage.FIXED) {
                String out = action.output();
                sb.append(pre(out.length() > 1500 ? "…" + out.substring(out.length() - 1500) : out)).append('\n');
            }
        }
        line(sb, "Time", time(update.at()));
        return sb.toString().stripTrailing();
    }

    private static String pre(String text) {
        return "<pre>" + Html.escape(text) + "</pre>";
    }

    static String emoji(String severity) {
        return switch (severity.toLowerCase(Locale.ROOT)) {
            case "critical" -> "🔴";
            case "warning" -> "🟡";
            default -> "🔵";
        };
    }

    /** "1d 2h 3m", "5m 10s", "4s": the two largest units. */
    static String duration(Duration d) {
        long s = d.getSeconds();
        long days = s / 86_400;
        long hours = s % 86_400 / 3600;
        long minutes = s % 3600 / 60;
        long seconds = s % 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        if (minutes > 0) {
            return minutes + "m " + seconds + "s";
        }
        return seconds + "s";
    }

    private String time(Instant t) {
        return t == null ? "" : timeFormat.format(t);
    }

    private static void line(StringBuilder sb, String name, String value) {
        if (value != null && !value.isBlank()) {
            String shown = value;
            if (value.length() > MAX_VALUE_CHARS) {
                int cut = MAX_VALUE_CHARS - 1;
                if (Character.isHighSurrogate(value.charAt(cut - 1))) {
                    cut--; // do not split an emoji or other supplementary character
                }
                shown = value.substring(0, cut) + "…";
            }
            sb.append("<b>").append(name).append(":</b> ").append(Html.escape(shown)).append('\n');
        }
    }
}
