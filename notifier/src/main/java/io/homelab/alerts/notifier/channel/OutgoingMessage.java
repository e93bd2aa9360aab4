package io.homelab.alerts.notifier.channel;

/** One message for one chat: Telegram HTML text. */
public record OutgoingMessage(String chatId, String html) {}
