package io.homelab.alerts.common.model;

/** A Telegram chat, and optionally a forum topic in it ({@code message_thread_id}). */
public record ChatTarget(String chatId, Integer threadId) {}
