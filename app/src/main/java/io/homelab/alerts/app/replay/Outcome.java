package io.homelab.alerts.app.replay;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.common.model.DedupReason;
import java.util.List;

/**
 * What the pipeline did with one alert event in a replay.
 *
 * @param kind {@code alert} (an event of a webhook), {@code released} (a flapping alert the sweep let go),
 *     {@code watchdog} (the pipeline-is-blind notice or its all-clear)
 * @param partition the webhook's partition, -1 when there was none
 * @param offset the webhook's offset, -1 when there was none
 * @param at record time in epoch milliseconds (ingest's receive time)
 * @param passed whether dedup let it through
 * @param notified whether it reached the notifier (chats or the route's outgoing webhooks)
 * @param action the remediator's would-be answer: {@code automatic}, {@code approval}, {@code suggestion} or null (none asked)
 * @param toChats whether it goes to chats (the route notifies), not only to the route's outgoing webhooks
 */
public record Outcome(String kind, int partition, long offset, long at, AlertEvent event, DedupReason reason, boolean passed,
        boolean flapping, boolean notified, boolean priority, String route, List<ChatTarget> chats, List<String> webhooks,
        String runbook, String action, boolean toChats) {
    public static final String ALERT = "alert";
    public static final String RELEASED = "released";
    public static final String WATCHDOG = "watchdog";

    /** The same event in another run: its webhook, alert and status (released and Watchdog ones by their time). */
    public String key() {
        return kind.equals(ALERT) ? partition + ":" + offset + ":" + event.fingerprint() + ":" + event.status()
                : kind + ":" + event.fingerprint() + ":" + event.status() + ":" + at;
    }

    /** The chats as the notifier reads them: "default" for TELEGRAM_CHAT_ID, else ids (and :topic). */
    public String chatList() {
        if (!notified || chats == null) {
            return "";
        }
        if (chats.isEmpty()) {
            return toChats ? ChatTarget.DEFAULTS.chatId() : "";
        }
        return String.join(" ", chats.stream().map(c -> c.threadId() == null ? c.chatId() : c.chatId() + ":" + c.threadId()).toList());
    }

    public boolean critical() {
        return "critical".equalsIgnoreCase(event.severity());
    }
}
