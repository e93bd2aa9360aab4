package io.homelab.alerts.common.model;

import java.time.Instant;
import java.util.List;

/**
 * One step of one remediation, as the remediator tells it on {@code remediation.results}, keyed by
 * the request id. The latest update per id is the remediation's state, so a restarted remediator
 * or a {@code /pending} command can rebuild it by reading the topic.
 *
 * @param component what would be fixed (a container, a service, else the instance)
 * @param requestedAt when the approval was asked for (kept on every later update)
 * @param chats where to ask and report; empty: the notifier's default chats
 * @param decision the decision that led here (APPROVED, REJECTED, EXPIRED and results after them); null before
 * @param detail what happened, in words, for results
 */
public record RemediationUpdate(String requestId, Stage stage, AlertEvent alert, String component, String runbook, String risk, String suggestedFix,
        List<ChatTarget> chats, RemediationDecision decision, String detail, Instant requestedAt, Instant at) {

    /** Where a remediation is. Only APPROVAL_REQUIRED waits for a person. */
    public enum Stage {
        APPROVAL_REQUIRED, APPROVED, REJECTED, EXPIRED, SUCCEEDED, FAILED, NOT_RUN
    }

    public RemediationUpdate {
        chats = chats == null ? List.of() : List.copyOf(chats);
    }

    /** The same remediation one step further. */
    public RemediationUpdate next(Stage stage, RemediationDecision decision, String detail, Instant at) {
        return new RemediationUpdate(requestId, stage, alert, component, runbook, risk, suggestedFix, chats, decision, detail, requestedAt, at);
    }

    /**
     * The id of the remediation of one firing of one alert: a hash of its fingerprint and start
     * time, so the same incident never asks twice. 24 hex characters whatever the fingerprint's
     * length, so "approve:" + id always fits Telegram's 64-byte callback data.
     */
    public static String idFor(AlertEvent alert) {
        String incident = alert.fingerprint() + "@" + (alert.startsAt() == null ? 0 : alert.startsAt().toEpochMilli());
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(incident.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
