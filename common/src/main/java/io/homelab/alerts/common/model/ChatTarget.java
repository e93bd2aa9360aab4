package io.homelab.alerts.common.model;

/** A Telegram chat, and optionally a forum topic in it ({@code message_thread_id}). */
public record ChatTarget(String chatId, Integer threadId) {
    /** Stands for the notifier's default chats ({@code TELEGRAM_CHAT_ID}) in a list of explicit ones. */
    public static final ChatTarget DEFAULTS = new ChatTarget("default", null);

    public boolean isDefaults() {
        return DEFAULTS.equals(this);
    }
}
