package io.homelab.alerts.notifier.channel;

/** One message for one chat (and forum topic, when {@code threadId} is set): Telegram HTML text. */
public record OutgoingMessage(String chatId, Integer threadId, String html) {}
