package io.homelab.alerts.common.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * Alertmanager's webhook body, version 4. Unknown fields are ignored here; the raw
 * topic keeps the body byte for byte, so nothing is lost by reading only what we use.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookMessage(
        String version,
        String groupKey,
        Integer truncatedAlerts,
        String status,
        String receiver,
        Map<String, String> groupLabels,
        Map<String, String> commonLabels,
        Map<String, String> commonAnnotations,
        @JsonProperty("externalURL") String externalUrl,
        List<Alert> alerts,
        @JsonProperty("notification_reason") String notificationReason) {

    public WebhookMessage {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
        commonLabels = commonLabels == null ? Map.of() : Map.copyOf(commonLabels);
        commonAnnotations = commonAnnotations == null ? Map.of() : Map.copyOf(commonAnnotations);
    }
}
