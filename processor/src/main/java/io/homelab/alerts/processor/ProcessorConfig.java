package io.homelab.alerts.processor;

import io.homelab.alerts.common.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * What the processor needs to know.
 *
 * @param remediateSeverities firing alerts with one of these severities also go to the remediator
 * @param commitInterval how often Streams commits its transaction: the latency the stage adds
 */
public record ProcessorConfig(Topics topics, String bootstrapServers, Path stateDir, Set<String> remediateSeverities,
        Duration commitInterval) {

    /** The old system's behaviour: critical and warning alerts are handed to the remediator. */
    public static final Set<String> DEFAULT_REMEDIATE_SEVERITIES = Set.of("critical", "warning");
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofMillis(20);

    public String applicationId() {
        return topics.prefix() + "processor";
    }
}
