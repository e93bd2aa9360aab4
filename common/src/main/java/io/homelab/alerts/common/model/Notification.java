package io.homelab.alerts.common.model;

import java.util.List;

/**
 * An alert event the notifier should send, with why it passed and where it goes.
 *
 * @param chats where to send; empty: the notifier's default chats ({@code TELEGRAM_CHAT_ID})
 * @param flapping the alert changes status too often; later changes are held back until it is stable
 * @param route the name of the route that chose the chats
 */
public record Notification(AlertEvent alert, DedupReason reason, boolean flapping, List<ChatTarget> chats, String route) {
    public Notification {
        chats = chats == null ? List.of() : List.copyOf(chats);
    }
}
