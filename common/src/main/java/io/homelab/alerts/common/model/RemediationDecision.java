package io.homelab.alerts.common.model;

import java.time.Instant;

/**
 * A person's answer to an approval request, from a Telegram button, keyed by the request id on
 * {@code remediation.decisions}.
 *
 * @param chatId the chat whose message was pressed, so the result can reply to it
 * @param messageId that message's id (null when not from a message)
 */
public record RemediationDecision(String requestId, Verdict verdict, long userId, String username, String chatId, Integer messageId,
        Instant at) {
    public enum Verdict { APPROVE, REJECT }

    /** "@name", or "user 42" for users without a username. */
    public String who() {
        return username == null || username.isBlank() ? "user " + userId : "@" + username;
    }
}
