package io.homelab.alerts.common.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics when missing and brings the settings we own (retention,
 * cleanup policy, message size) up to date on existing ones, so changing
 * {@code WEBHOOK_RETENTION_DAYS} takes effect on the next start.
 */
public final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    /** What one topic should look like. {@code replicationFactor} empty: the broker's default. */
    public record TopicSpec(String name, int partitions, Optional<Short> replicationFactor, Map<String, String> configs) {}

    /** The pipeline's topics as this release wants them. */
    public static List<TopicSpec> specs(Topics topics, TopicSettings settings) {
        Optional<Short> rf = settings.replicationFactor();
        int p = settings.partitions();
        String maxBytes = Integer.toString(settings.maxRecordBytes());
        // Every topic takes records as large as the largest accepted webhook (one alert of it can be that large).
        Map<String, String> week = Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(7).toMillis()),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        Map<String, String> month = Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        Map<String, String> raw = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(settings.webhookRetentionDays()).toMillis()),
                // A webhook up to the ingest body limit must fit in one record.
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        Map<String, String> dead = Map.of(
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(Duration.ofDays(30).toMillis()),
                TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxBytes);
        return List.of(
                new TopicSpec(topics.webhooks().name(), p, rf, raw),
                new TopicSpec(topics.notifications().name(), p, rf, week),
                new TopicSpec(topics.priorityNotifications().name(), p, rf, week),
                new TopicSpec(topics.remediationRequests().name(), p, rf, week),
                new TopicSpec(topics.remediationResults().name(), p, rf, month),
                new TopicSpec(topics.remediationDecisions().name(), p, rf, month),
                new TopicSpec(topics.control().name(), 1, rf, compacted),
                new TopicSpec(topics.state().name(), p, rf, compacted),
                new TopicSpec(topics.deadLetters().name(), 1, rf, dead),
                // As long as the notifications a pack names: its buttons act on them.
                new TopicSpec(topics.packs().name(), 1, rf, week));
    }

    /** Settings that shape the topics. */
    public record TopicSettings(int partitions, Optional<Short> replicationFactor, int webhookRetentionDays, int maxRecordBytes) {}

    private final Admin admin;
    private final Duration timeout;

    public TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    /** Creates what is missing, updates owned configs of what exists; returns the names created. */
    public List<String> provision(List<TopicSpec> specs) throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        Map<ConfigResource, java.util.Collection<AlterConfigOp>> updates = new HashMap<>();
        for (TopicSpec spec : specs) {
            if (existing.contains(spec.name())) {
                List<AlterConfigOp> ops = spec.configs().entrySet().stream()
                        .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                        .toList();
                if (!ops.isEmpty()) {
                    updates.put(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()), ops);
                }
            } else {
                missing.add(new NewTopic(spec.name(), Optional.of(spec.partitions()), spec.replicationFactor()).configs(spec.configs()));
            }
        }
        List<String> created = new ArrayList<>();
        if (!missing.isEmpty()) {
            var result = admin.createTopics(missing);
            for (NewTopic t : missing) {
                try {
                    result.values().get(t.name()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(t.name());
                    log.info("Created topic {} ({} partitions, {})", t.name(), t.numPartitions(), t.configs());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        if (!updates.isEmpty()) {
            admin.incrementalAlterConfigs(updates).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return created;
    }
}
