package io.homelab.alerts.processor.explode;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Alert;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.WebhookLimits;
import io.homelab.alerts.common.model.WebhookMessage;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** Turns one raw webhook body into one event per alert, or says why it cannot. */
public final class WebhookExploder {
    /** Go's zero time, which Alertmanager sends as {@code endsAt} of firing alerts. */
    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /** The events, or the reason the body was not usable. */
    public sealed interface Result {
        record Events(List<AlertEvent> events) implements Result {}

        record Unusable(String reason) implements Result {}
    }

    private WebhookExploder() {}

    public static Result explode(byte[] body, Instant receivedAt) {
        return explode(body, receivedAt, WebhookLimits.DEFAULTS);
    }

    /** As above, refusing a webhook over {@code limits} (the same ingest applies). */
    public static Result explode(byte[] body, Instant receivedAt, WebhookLimits limits) {
        if (body == null) {
            return new Result.Unusable("empty record");
        }
        WebhookMessage message;
        try {
            message = Json.MAPPER.readValue(body, WebhookMessage.class);
        } catch (JsonProcessingException e) {
            return new Result.Unusable("not an Alertmanager webhook: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Result.Unusable("unreadable: " + e.getMessage());
        }
        if (message == null || message.alerts().isEmpty()) {
            return new Result.Unusable("webhook has no alerts");
        }
        String tooLarge = limits.envelopeProblem(message);
        if (tooLarge != null) {
            return new Result.Unusable("over a limit: " + tooLarge);
        }
        List<AlertEvent> events = new ArrayList<>(message.alerts().size());
        for (int i = 0; i < message.alerts().size(); i++) {
            Alert alert = message.alerts().get(i);
            if (alert == null) {
                return new Result.Unusable("alerts[" + i + "] is null");
            }
            String status = statusOf(alert, message, receivedAt);
            if (!AlertEvent.FIRING.equals(status) && !AlertEvent.RESOLVED.equals(status)) {
                return new Result.Unusable("alerts[" + i + "] has status " + status + ", expected firing or resolved");
            }
            String alertTooLarge = WebhookLimits.problem(alert, "alerts[" + i + "]");
            if (alertTooLarge != null) {
                return new Result.Unusable("over a limit: " + alertTooLarge);
            }
            // The identity is computed from the labels, as Alertmanager computes it; a fingerprint the
            // sender claims is never trusted (it stays in the raw record, for information).
            String fingerprint = Fingerprint.of(alert.labels());
            try {
                events.add(new AlertEvent(fingerprint, status, alert.labels(), alert.annotations(), time(alert.startsAt()),
                        time(alert.endsAt()), blankToNull(alert.generatorUrl()), message.receiver(),
                        blankToNull(message.externalUrl()),
                        message.truncatedAlerts() == null ? 0 : message.truncatedAlerts(), receivedAt, message.notificationReason()));
            } catch (DateTimeParseException e) {
                return new Result.Unusable("alerts[" + i + "] has a bad time: " + e.getParsedString());
            } catch (java.time.DateTimeException e) {
                return new Result.Unusable("alerts[" + i + "] has a bad time: " + e.getMessage());
            }
        }
        return new Result.Events(events);
    }

    /**
     * The alert's own status, else its group's, else what its {@code endsAt} says (past: resolved),
     * as Alertmanager decides it; a hand-written test often gives none.
     */
    static String statusOf(Alert alert, WebhookMessage message, Instant receivedAt) {
        if (alert.status() != null) {
            return alert.status();
        }
        if (message.status() != null) {
            return message.status();
        }
        try {
            Instant ends = time(alert.endsAt());
            return ends != null && !ends.isAfter(receivedAt) ? AlertEvent.RESOLVED : AlertEvent.FIRING;
        } catch (java.time.DateTimeException e) {
            return AlertEvent.FIRING; // the bad time is reported below
        }
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private static Instant time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Instant fast = io.homelab.alerts.common.time.Rfc3339.fastParse(text);
        Instant t = fast != null ? fast : OffsetDateTime.parse(text).toInstant();
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            // Ingest refuses these; a record written before it did (or by another producer) must not overflow later arithmetic.
            throw new java.time.DateTimeException("'" + text + "' is outside the years 0001 to 9999");
        }
        return t.equals(GO_ZERO_TIME) ? null : t;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
