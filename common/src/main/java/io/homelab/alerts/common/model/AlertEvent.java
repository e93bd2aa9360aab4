package io.homelab.alerts.common.model;

import java.time.Instant;
import java.util.Map;

/**
 * One alert taken out of a webhook, with the little of its group's context that messages and
 * webhooks use (receiver, external URL; not the group key, which the raw record keeps): the unit the
 * processor, notifier and remediator work on. Keyed by {@link #fingerprint()} in Kafka, which is
 * always computed from the labels ({@link Fingerprint}), never taken from the sender.
 *
 * @param notificationReason why Alertmanager sent the group, when it says (newer Alertmanagers)
 */
public record AlertEvent(
        String fingerprint,
        String status,
        Map<String, String> labels,
        Map<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String generatorUrl,
        String receiver,
        String externalUrl,
        int truncatedAlerts,
        Instant receivedAt,
        String notificationReason) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    public AlertEvent {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public String alertname() {
        return labels.getOrDefault("alertname", "");
    }

    public String severity() {
        return labels.getOrDefault("severity", "");
    }

    public String instance() {
        return labels.getOrDefault("instance", "");
    }

    public boolean isFiring() {
        return FIRING.equals(status);
    }
}
