package io.homelab.alerts.notifier.pipeline;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads back the one notification record a message was made from, by its topic, partition and
 * offset: so a button acts on exactly the alert that message showed (its labels as they were),
 * never on whatever was seen last under the same id. Records are kept as long as the notification
 * topics keep them (7 days).
 */
public final class NotificationRecords implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Topics topics;
    private final KafkaConsumer<String, byte[]> consumer;

    public NotificationRecords(Topics topics, String bootstrapServers) {
        this.topics = topics;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "homelab-notifier-buttons",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1),
                new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The notification at that place; empty when there is none (expired, never written, not a notification). */
    public synchronized Optional<Notification> at(boolean priority, int partition, long offset) {
        String topic = priority ? topics.priorityNotifications().name() : topics.notifications().name();
        TopicPartition tp = new TopicPartition(topic, partition);
        if (consumer.partitionsFor(topic, TIMEOUT).stream().noneMatch(p -> p.partition() == partition)) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        long start = consumer.beginningOffsets(List.of(tp), TIMEOUT).get(tp);
        long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
        if (offset < start || offset >= end) {
            return Optional.empty();
        }
        consumer.seek(tp, offset);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && consumer.position(tp, TIMEOUT) <= offset) {
            for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                if (r.offset() != offset) {
                    return Optional.empty(); // that offset holds no record (a transaction marker)
                }
                try {
                    return Optional.ofNullable(topics.notifications().valueSerde().deserializer().deserialize(topic, r.value()))
                            .filter(n -> n.alert() != null);
                } catch (RuntimeException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
