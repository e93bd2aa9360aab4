package io.homelab.alerts.processor;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.WebhookLimits;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.Router;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * What the processor needs to know.
 *
 * @param router where alerts go: the routes of HOMELAB_CONFIG, or the defaults
 * @param commitInterval how often Streams commits its transaction while it works through a backlog (live records commit at once)
 * @param maxRecordBytes the largest record the topics take (the ingest body limit plus room)
 * @param limits the webhook limits ingest applies, checked again on what the processor reads
 * @param historyRetention alerts resolved, or not seen at all, for this long are forgotten by the history
 * @param api where the history API listens, is reached, and the key it asks for
 * @param watchdog the heartbeat alert whose silence means the pipeline is blind
 */
public record ProcessorConfig(Topics topics, String bootstrapServers, Path stateDir, DedupPolicy dedup, Router router,
        Duration commitInterval, int maxRecordBytes, WebhookLimits limits, Duration historyRetention, HistoryApiSettings api,
        io.homelab.alerts.processor.watchdog.WatchdogSettings watchdog) {

    /** With the default Watchdog settings. */
    public ProcessorConfig(Topics topics, String bootstrapServers, Path stateDir, DedupPolicy dedup, Router router,
            Duration commitInterval, int maxRecordBytes, WebhookLimits limits, Duration historyRetention, HistoryApiSettings api) {
        this(topics, bootstrapServers, stateDir, dedup, router, commitInterval, maxRecordBytes, limits, historyRetention, api,
                io.homelab.alerts.processor.watchdog.WatchdogSettings.DEFAULTS);
    }

    /** The old system's behaviour: critical and warning alerts are handed to the remediator. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_HISTORY_RETENTION = Duration.ofDays(30);

    /**
     * The history API's network settings.
     *
     * @param bind the address it listens on (loopback by default)
     * @param host the host name other processor instances reach it at
     * @param port its port (0: any free port)
     * @param key the shared secret it asks for, and that instances send each other; empty: none
     */
    public record HistoryApiSettings(String bind, String host, int port, Optional<String> key) {}

    /** Default limits and retention, the API on loopback without a key (tests and benchmarks). */
    public ProcessorConfig(Topics topics, String bootstrapServers, Path stateDir, DedupPolicy dedup, Router router,
            Duration commitInterval, int maxRecordBytes, String apiHost, int apiPort) {
        this(topics, bootstrapServers, stateDir, dedup, router, commitInterval, maxRecordBytes, WebhookLimits.DEFAULTS,
                DEFAULT_HISTORY_RETENTION, new HistoryApiSettings("127.0.0.1", apiHost, apiPort, Optional.empty()));
    }

    public String applicationId() {
        return topics.groupId("processor");
    }
}
