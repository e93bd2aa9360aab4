package io.homelab.alerts.common.model;

import java.util.List;

/**
 * An alert event the notifier should send, with why it passed and where it goes.
 *
 * @param chats where to send; empty: the notifier's default chats ({@code TELEGRAM_CHAT_ID})
 * @param flapping the alert changes status too often; later changes are held back until it is stable
 * @param route the name of the route that chose the chats
 * @param webhooks names of the outgoing webhooks (HOMELAB_CONFIG {@code webhooks:}) that also get it
 * @param webhooksOnly the routes send no chat message, only the webhooks
 */
public record Notification(AlertEvent alert, DedupReason reason, boolean flapping, List<ChatTarget> chats, String route,
        List<String> webhooks, boolean webhooksOnly) {
    public Notification {
        chats = chats == null ? List.of() : List.copyOf(chats);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    /** A notification for chats only. */
    public Notification(AlertEvent alert, DedupReason reason, boolean flapping, List<ChatTarget> chats, String route) {
        this(alert, reason, flapping, chats, route, List.of(), false);
    }
}
