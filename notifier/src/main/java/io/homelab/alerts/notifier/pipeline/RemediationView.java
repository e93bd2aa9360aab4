package io.homelab.alerts.notifier.pipeline;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.RemediationUpdate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The remediator's latest update per request, kept current by tailing {@code remediation.results}
 * (no consumer group: every notifier instance reads it all), so a button press or {@code /pending}
 * looks it up at once instead of reading the topic. The topic is the state; this is a cache of it.
 */
public final class RemediationView implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemediationView.class);

    private final Topics topics;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Map<String, RemediationUpdate> latest = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public RemediationView(Topics topics, String bootstrapServers) {
        this.topics = topics;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "homelab-notifier-remediations",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::run, "remediation-view");
        thread.setDaemon(true);
    }

    public RemediationView start() {
        thread.start();
        return this;
    }

    private void run() {
        String topic = topics.remediationResults().name();
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            while (running && partitions.isEmpty()) {
                try {
                    consumer.partitionsFor(topic, Duration.ofSeconds(10)).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
                } catch (org.apache.kafka.common.errors.TimeoutException e) {
                    log.warn("Waiting for topic {}: {}", topic, e.getMessage());
                }
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        RemediationUpdate u = topics.remediationResults().valueSerde().deserializer().deserialize(r.topic(), r.value());
                        if (u != null && u.requestId() != null) {
                            latest.put(u.requestId(), u);
                        }
                    } catch (RuntimeException e) {
                        // The remediator writes these; an unreadable one is skipped here as it is there.
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Stopped following {}: {}", topic, e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** The latest update of request {@code id}, if this view has seen it. */
    public Optional<RemediationUpdate> get(String id) {
        return Optional.ofNullable(latest.get(id));
    }

    /** Approvals still open at {@code now}: asked, not decided, not past {@code timeout}; oldest request first. */
    public List<RemediationUpdate> pending(Instant now, Duration timeout) {
        return latest.values().stream()
                .filter(u -> u.stage() == RemediationUpdate.Stage.APPROVAL_REQUIRED && u.requestedAt() != null
                        && !now.isAfter(u.requestedAt().plus(timeout)))
                .sorted(java.util.Comparator.comparing(RemediationUpdate::requestedAt))
                .toList();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
