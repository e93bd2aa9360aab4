package io.homelab.alerts.notifier.channel;

import java.util.List;

/**
 * One message for one chat (and forum topic, when {@code threadId} is set): Telegram HTML text,
 * and inline buttons shown under it (one row).
 */
public record OutgoingMessage(String chatId, Integer threadId, String html, List<Button> buttons) {
    /** An inline button; {@code data} comes back in the callback (Telegram: at most 64 bytes). */
    public record Button(String text, String data) {}

    public OutgoingMessage {
        buttons = buttons == null ? List.of() : List.copyOf(buttons);
    }

    public OutgoingMessage(String chatId, Integer threadId, String html) {
        this(chatId, threadId, html, List.of());
    }
}
