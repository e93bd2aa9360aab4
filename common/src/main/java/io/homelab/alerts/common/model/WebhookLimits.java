package io.homelab.alerts.common.model;

import java.util.regex.Pattern;

/**
 * How big one webhook and its parts may be. Ingest refuses a webhook over any of these with a 413
 * naming the field, and the processor checks them again on what it reads (a raw topic written
 * before the limits, or by another producer), so one webhook can never turn into an unbounded
 * amount of state. Generous for what Alertmanager really sends: real label values are tens of
 * characters, real groups hundreds of alerts at most (Alertmanager's {@code max_alerts} truncates
 * a group and says so in {@code truncatedAlerts}).
 *
 * @param maxAlerts alerts in one webhook ({@code INGEST_MAX_ALERTS})
 */
public record WebhookLimits(int maxAlerts) {
    public static final int DEFAULT_MAX_ALERTS = 1000;
    public static final WebhookLimits DEFAULTS = new WebhookLimits(DEFAULT_MAX_ALERTS);

    /** Labels (and, separately, annotations) of one alert, and entries of groupLabels / commonLabels / commonAnnotations. */
    public static final int MAX_LABELS = 100;
    /** Characters of a label or annotation name (Prometheus allows any length; real ones are short). */
    public static final int MAX_NAME_CHARS = 256;
    /** Characters of a label value: routes match on them, so they must stay small. */
    public static final int MAX_LABEL_VALUE_CHARS = 4096;
    /** Characters of an annotation value (descriptions, runbook text). */
    public static final int MAX_ANNOTATION_VALUE_CHARS = 16 * 1024;
    public static final int MAX_GROUP_KEY_CHARS = 4096;
    public static final int MAX_RECEIVER_CHARS = 256;
    public static final int MAX_EXTERNAL_URL_CHARS = 1024;
    /** Prometheus puts the rule's expression into generatorURL, so it can be long. */
    public static final int MAX_GENERATOR_URL_CHARS = 8192;
    /** Characters of the {@code status} of a webhook or alert, and of {@code version} and other short fields. */
    public static final int MAX_SHORT_FIELD_CHARS = 64;

    /** Alertmanager's fingerprint: 64 bits as 16 hex digits. */
    public static final Pattern FINGERPRINT = Pattern.compile("[0-9a-fA-F]{16}");

    /** The limit on the text of a top-level field, or -1 when the field is not limited here. */
    public static int maxChars(String field) {
        return switch (field) {
            case "groupKey" -> MAX_GROUP_KEY_CHARS;
            case "receiver" -> MAX_RECEIVER_CHARS;
            case "externalURL" -> MAX_EXTERNAL_URL_CHARS;
            case "generatorURL" -> MAX_GENERATOR_URL_CHARS;
            case "status", "version", "notification_reason" -> MAX_SHORT_FIELD_CHARS;
            default -> -1;
        };
    }

    /** Why {@code alert} (at {@code path}, e.g. "alerts[3]") is over a limit; null when it is within all. */
    public static String problem(Alert alert, String path) {
        String p = mapProblem(alert.labels(), path + ".labels", MAX_LABEL_VALUE_CHARS);
        if (p == null) {
            p = mapProblem(alert.annotations(), path + ".annotations", MAX_ANNOTATION_VALUE_CHARS);
        }
        if (p == null) {
            p = textProblem(alert.generatorUrl(), path + ".generatorURL", MAX_GENERATOR_URL_CHARS);
        }
        return p;
    }

    /** Why the webhook's own fields are over a limit (not its alerts); null when they are within all. */
    public String envelopeProblem(WebhookMessage message) {
        if (message.alerts().size() > maxAlerts) {
            return tooManyAlerts(message.alerts().size());
        }
        String p = textProblem(message.groupKey(), "groupKey", MAX_GROUP_KEY_CHARS);
        if (p == null) {
            p = textProblem(message.receiver(), "receiver", MAX_RECEIVER_CHARS);
        }
        if (p == null) {
            p = textProblem(message.externalUrl(), "externalURL", MAX_EXTERNAL_URL_CHARS);
        }
        return p;
    }

    public String tooManyAlerts(int count) {
        return "alerts: " + count + " alerts, over the limit of " + maxAlerts
                + " (INGEST_MAX_ALERTS; set max_alerts in Alertmanager's webhook_config to send fewer)";
    }

    public static String textProblem(String value, String path, int max) {
        return value != null && value.length() > max ? tooLong(path, value.length(), max) : null;
    }

    public static String tooLong(String path, int length, int max) {
        return path + ": " + length + " characters, over the limit of " + max;
    }

    private static String mapProblem(java.util.Map<String, String> map, String path, int maxValue) {
        if (map.size() > MAX_LABELS) {
            return path + ": " + map.size() + " entries, over the limit of " + MAX_LABELS;
        }
        for (var e : map.entrySet()) {
            if (e.getKey().length() > MAX_NAME_CHARS) {
                return path + ": a name of " + e.getKey().length() + " characters, over the limit of " + MAX_NAME_CHARS;
            }
            if (e.getValue() != null && e.getValue().length() > maxValue) {
                return tooLong(path + "." + e.getKey(), e.getValue().length(), maxValue);
            }
        }
        return null;
    }
}
