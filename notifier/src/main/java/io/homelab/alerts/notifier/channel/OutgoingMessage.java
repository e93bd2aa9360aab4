package io.homelab.alerts.notifier.channel;

import java.util.List;

/**
 * One message for one chat (and forum topic, when {@code threadId} is set): Telegram HTML text,
 * inline buttons shown under it (one row), and the message it answers ({@code replyTo}, or null).
 */
public record OutgoingMessage(String chatId, Integer threadId, String html, List<Button> buttons, Integer replyTo) {
    /** An inline button; {@code data} comes back in the callback (Telegram: at most 64 bytes). */
    public record Button(String text, String data) {}

    public OutgoingMessage {
        buttons = buttons == null ? List.of() : List.copyOf(buttons);
    }

    public OutgoingMessage(String chatId, Integer threadId, String html, List<Button> buttons) {
        this(chatId, threadId, html, buttons, null);
    }

    public OutgoingMessage(String chatId, Integer threadId, String html) {
        this(chatId, threadId, html, List.of(), null);
    }

    /** The same message for another chat (a group upgraded to a supergroup). */
    public OutgoingMessage toChat(String newChatId) {
        return new OutgoingMessage(newChatId, threadId, html, buttons, replyTo);
    }
}
