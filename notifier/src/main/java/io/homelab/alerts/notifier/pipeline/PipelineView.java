package io.homelab.alerts.notifier.pipeline;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.RemediationUpdate;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What the bot's /health and /pending commands show, read from Kafka itself when asked: which
 * services have live consumers and how far behind they are, when the last webhook arrived, the
 * autohealing setting (control topic) and the remediator's open approvals (results topic). Nothing
 * here is kept in memory, so every notifier instance and restart answers the same.
 */
public final class PipelineView implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Topics topics;
    private final String bootstrapServers;
    private final Admin admin;
    private final boolean autohealingDefault;

    /**
     * One service's consumer group: live members, and records not yet processed (real records: the
     * transaction markers exactly-once writing leaves between them are not counted).
     *
     * @param lagAtLeast more records are waiting than were counted ({@value #MAX_COUNTED} at most)
     */
    public record ServiceState(String service, int members, long lag, boolean lagAtLeast) {}

    /** Counting stops here: past it, "more than N" is all a person needs. */
    static final int MAX_COUNTED = 10_000;

    /** @param autohealingDefault AUTOHEALING_ENABLED: what the remediator does before anyone has switched autohealing */
    public PipelineView(Topics topics, String bootstrapServers, boolean autohealingDefault) {
        this.autohealingDefault = autohealingDefault;
        this.topics = topics;
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "homelab-notifier-health",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()));
    }

    /** processor, notifier and remediator, each by its consumer group. */
    public List<ServiceState> services() throws Exception {
        Map<String, String> groups = new LinkedHashMap<>();
        for (String service : List.of("processor", "notifier", "remediator")) {
            groups.put(service, topics.groupId(service));
        }
        var described = admin.describeConsumerGroups(groups.values()).describedGroups();
        List<ServiceState> out = new ArrayList<>();
        for (Map.Entry<String, String> g : groups.entrySet()) {
            ConsumerGroupDescription d;
            try {
                d = described.get(g.getValue()).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.GroupIdNotFoundException)) {
                    throw e;
                }
                d = null; // never started against this cluster
            }
            int members = d == null ? 0 : d.members().size();
            long[] lag = d == null ? new long[] {0, 0} : lag(g.getValue());
            out.add(new ServiceState(g.getKey(), members, lag[0], lag[1] != 0));
        }
        return out;
    }

    /** {records behind, 1 when there are more than counted}. */
    private long[] lag(String groupId) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
        committed.keySet().stream()
                .filter(tp -> !tp.topic().contains("-repartition") && !tp.topic().contains("-changelog"))
                .forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        if (latest.isEmpty()) {
            return new long[] {0, 0};
        }
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(e.getKey());
            long from = done == null ? 0 : done.offset();
            if (e.getValue().offset() > from) {
                ranges.put(e.getKey(), new long[] {from, e.getValue().offset()});
            }
        }
        return ranges.isEmpty() ? new long[] {0, 0} : countRecords(ranges);
    }

    /**
     * The records in each [from, to) range, read with read_committed as the services read them: the
     * gap between offsets also holds transaction markers, which are no work for anyone.
     */
    private long[] countRecords(Map<TopicPartition, long[]> ranges) {
        Map<String, Object> config = Map.of(
                org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                org.apache.kafka.clients.consumer.ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                org.apache.kafka.clients.consumer.ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "homelab-notifier-health");
        long counted = 0;
        boolean more = false;
        // An open transaction holds read_committed readers back: do not wait for it.
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(config,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.assign(ranges.keySet());
            ranges.forEach((tp, range) -> consumer.seek(tp, range[0]));
            Map<TopicPartition, long[]> open = new LinkedHashMap<>(ranges);
            while (!open.isEmpty()) {
                if (counted >= MAX_COUNTED || System.nanoTime() > deadline) {
                    more = true;
                    break;
                }
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    long[] range = ranges.get(new TopicPartition(r.topic(), r.partition()));
                    if (range != null && r.offset() < range[1]) {
                        counted++;
                    }
                }
                open.entrySet().removeIf(e -> consumer.position(e.getKey(), TIMEOUT) >= e.getValue()[1]);
            }
        }
        return new long[] {counted, more ? 1 : 0};
    }

    /** When the newest raw webhook was written; empty if none was. */
    public Optional<Instant> lastWebhook() throws Exception {
        String topic = topics.webhooks().name();
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic).partitions().size();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.maxTimestamp());
        }
        return admin.listOffsets(request).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values().stream()
                .filter(i -> i.offset() >= 0 && i.timestamp() > 0)
                .map(i -> Instant.ofEpochMilli(i.timestamp()))
                .max(Instant::compareTo);
    }

    /** The control topic's latest value for {@code key} (e.g. autohealing → on/off); empty when never set. */
    public Optional<String> setting(String key) throws Exception {
        String value = null;
        for (ConsumerRecord<String, byte[]> r : KafkaClients.readToEnd(bootstrapServers, topics.control().name(), TIMEOUT)) {
            if (key.equals(r.key())) {
                value = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8);
            }
        }
        return Optional.ofNullable(value);
    }

    /** Autohealing as the remediator sees it: the last switch on the control topic, else AUTOHEALING_ENABLED. */
    public String autohealing() throws Exception {
        // Read as the remediator reads it: "on" or "true" is on, anything else off.
        return setting("autohealing").map(v -> (v.strip().equals("on") || v.strip().equals("true") ? "on" : "off")
                + " (last set by /enable_autohealing or /disable_autohealing)")
                .orElse((autohealingDefault ? "on" : "off") + " (AUTOHEALING_ENABLED; nobody has switched it yet)");
    }

    /** The remediator's latest update per request, in the order the requests were made. */
    public Map<String, RemediationUpdate> remediations() throws Exception {
        Map<String, RemediationUpdate> latest = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> r : KafkaClients.readToEnd(bootstrapServers, topics.remediationResults().name(), TIMEOUT)) {
            try {
                RemediationUpdate u = topics.remediationResults().valueSerde().deserializer().deserialize(r.topic(), r.value());
                if (u != null) {
                    latest.put(u.requestId(), u);
                }
            } catch (RuntimeException e) {
                // The remediator writes these; an unreadable one is skipped here as it is there.
            }
        }
        return latest;
    }

    /** Approvals still open at {@code now}: asked, not decided, not past {@code timeout}. */
    public List<RemediationUpdate> pending(Instant now, Duration timeout) throws Exception {
        return remediations().values().stream()
                .filter(u -> u.stage() == RemediationUpdate.Stage.APPROVAL_REQUIRED && !now.isAfter(u.requestedAt().plus(timeout)))
                .toList();
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
