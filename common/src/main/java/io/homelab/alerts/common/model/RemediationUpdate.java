package io.homelab.alerts.common.model;

import java.time.Instant;
import java.util.List;

/**
 * One step of one remediation, as the remediator tells it on {@code remediation.results}, keyed by
 * the request id. The latest update per id is the remediation's state, so a restarted remediator
 * or a {@code /pending} command can rebuild it by reading the topic; all of them together are the
 * audit log (who decided, what ran, its exit code and output, how verification went).
 *
 * @param component what would be fixed (a container, a service, else the instance)
 * @param requestedAt when the approval was asked for, or the automatic fix decided (kept on every later update)
 * @param chats where to ask and report; empty: the notifier's default chats
 * @param decision the decision that led here (APPROVED, REJECTED, EXPIRED and results after them); null before
 * @param detail what happened, in words, for people
 * @param automatic true when no person was asked (a low-risk fix with autohealing on, or a read-only diagnosis)
 * @param action what ran or would run: the exact argv or API call, and once done its exit code, output tail and duration
 * @param verifyBy for a fix that ran: when the alert must have resolved for the fix to count as working
 */
public record RemediationUpdate(String requestId, Stage stage, AlertEvent alert, String component, String runbook, String risk, String suggestedFix,
        List<ChatTarget> chats, RemediationDecision decision, String detail, Instant requestedAt, Instant at,
        boolean automatic, ActionRun action, Instant verifyBy) {

    /**
     * Where a remediation is. Only APPROVAL_REQUIRED waits for a person; RUNNING is written before
     * an action starts, so one that a crash interrupted is seen, reported and never re-run.
     */
    public enum Stage {
        APPROVAL_REQUIRED, APPROVED, REJECTED, EXPIRED, RUNNING, SUCCEEDED, FAILED, NOT_RUN, FIXED, NOT_FIXED;

        /** Nothing more will happen to a remediation in this stage. */
        public boolean isFinal() {
            return this == REJECTED || this == EXPIRED || this == FAILED || this == NOT_RUN || this == FIXED || this == NOT_FIXED;
        }
    }

    /**
     * One action: the call (an argv, or an API call such as {@code POST /containers/jellyfin/restart}),
     * and after it ran, its exit code (HTTP status for HTTP calls; null before or when not applicable),
     * the tail of its output, and how long it took.
     */
    public record ActionRun(String executor, String target, String call, Integer exitCode, String output, Long durationMillis) {
        public ActionRun planned() {
            return new ActionRun(executor, target, call, null, null, null);
        }
    }

    public RemediationUpdate {
        chats = chats == null ? List.of() : List.copyOf(chats);
    }

    public RemediationUpdate(String requestId, Stage stage, AlertEvent alert, String component, String runbook, String risk, String suggestedFix,
            List<ChatTarget> chats, RemediationDecision decision, String detail, Instant requestedAt, Instant at) {
        this(requestId, stage, alert, component, runbook, risk, suggestedFix, chats, decision, detail, requestedAt, at, false, null, null);
    }

    /** The same remediation one step further. */
    public RemediationUpdate next(Stage stage, RemediationDecision decision, String detail, Instant at) {
        return new RemediationUpdate(requestId, stage, alert, component, runbook, risk, suggestedFix, chats, decision, detail, requestedAt, at,
                automatic, action, verifyBy);
    }

    /** One step further, with what ran (or will run). */
    public RemediationUpdate next(Stage stage, String detail, Instant at, ActionRun action, Instant verifyBy) {
        return new RemediationUpdate(requestId, stage, alert, component, runbook, risk, suggestedFix, chats, decision, detail, requestedAt, at,
                automatic, action, verifyBy);
    }

    /** The same update, marked as decided without a person. */
    public RemediationUpdate asAutomatic(boolean automatic) {
        return new RemediationUpdate(requestId, stage, alert, component, runbook, risk, suggestedFix, chats, decision, detail, requestedAt, at,
                automatic, action, verifyBy);
    }

    /**
     * The id of the remediation of one firing of one alert: a hash of its fingerprint and start
     * time, so the same incident never asks twice. 24 hex characters whatever the fingerprint's
     * length, so "approve:" + id always fits Telegram's 64-byte callback data.
     */
    public static String idFor(AlertEvent alert) {
        String incident = alert.fingerprint() + "@" + (alert.startsAt() == null ? 0 : millis(alert.startsAt()));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(incident.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static long millis(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return t.getEpochSecond(); // beyond what any real alert carries; ingest refuses such times
        }
    }
}
