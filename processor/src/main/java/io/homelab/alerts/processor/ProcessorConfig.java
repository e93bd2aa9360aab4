package io.homelab.alerts.processor;

import io.homelab.alerts.common.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.Router;
import java.util.Set;

/**
 * What the processor needs to know.
 *
 * @param router where alerts go: the routes of HOMELAB_CONFIG, or the defaults
 * @param commitInterval how often Streams commits its transaction: the latency the stage adds
 * @param maxRecordBytes the largest record the topics take (the ingest body limit plus room)
 * @param apiHost the host name other processor instances reach this one's history API at
 * @param apiPort the history API's port (0: any free port)
 */
public record ProcessorConfig(Topics topics, String bootstrapServers, Path stateDir, DedupPolicy dedup, Router router,
        Duration commitInterval, int maxRecordBytes, String apiHost, int apiPort) {

    /** The old system's behaviour: critical and warning alerts are handed to the remediator. */
    public static final Set<String> DEFAULT_REMEDIATE_SEVERITIES = Set.of("critical", "warning");
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(10);

    public String applicationId() {
        return topics.groupId("processor");
    }
}
