package io.homelab.alerts.common.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/** One alert as Alertmanager's webhook (payload version 4) carries it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Alert(
        String status,
        Map<String, String> labels,
        Map<String, String> annotations,
        String startsAt,
        String endsAt,
        @JsonProperty("generatorURL") String generatorUrl,
        String fingerprint) {

    public Alert {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
