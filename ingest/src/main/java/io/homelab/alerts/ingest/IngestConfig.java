package io.homelab.alerts.ingest;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.model.WebhookLimits;
import java.time.Duration;
import java.util.Optional;

/** What the webhook receiver needs to know. */
public record IngestConfig(int port, String webhookPath, Optional<String> apiKey, int maxBodyBytes, Duration kafkaAckTimeout,
        Duration kafkaLinger, WebhookLimits limits) {

    public IngestConfig(int port, String webhookPath, Optional<String> apiKey, int maxBodyBytes, Duration kafkaAckTimeout,
            Duration kafkaLinger) {
        this(port, webhookPath, apiKey, maxBodyBytes, kafkaAckTimeout, kafkaLinger, WebhookLimits.DEFAULTS);
    }

    public static IngestConfig from(HomelabConfig config) {
        return new IngestConfig(config.webhookPort(), config.webhookPath(), config.apiKey(), config.maxBodyBytes(),
                config.kafkaAckTimeout(), config.kafkaLinger(), new WebhookLimits(config.maxAlerts()));
    }
}
