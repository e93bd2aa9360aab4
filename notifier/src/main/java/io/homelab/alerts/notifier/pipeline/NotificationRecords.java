package io.homelab.alerts.notifier.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
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
        return bytesAt(topic, partition, offset).flatMap(value -> {
            try {
                return Optional.ofNullable(topics.notifications().valueSerde().deserializer().deserialize(topic, value))
                        .filter(n -> n.alert() != null);
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** A notification record's place: which lane, partition and offset. */
    public record Ref(boolean priority, int partition, long offset) {}

    /** The notifications a gathered message showed, from its pack record; empty when it has expired or is unreadable. */
    public synchronized Optional<List<Ref>> pack(int partition, long offset) {
        return bytesAt(topics.packs().name(), partition, offset).flatMap(value -> {
            try {
                JsonNode alerts = Json.MAPPER.readTree(value).path("alerts");
                List<Ref> refs = new java.util.ArrayList<>();
                for (JsonNode a : alerts) {
                    refs.add(new Ref(a.path("lane").asText().equals("p"), a.path("partition").asInt(), a.path("offset").asLong()));
                }
                return Optional.of(refs);
            } catch (java.io.IOException | RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /** The body of a pack record for these notifications. */
    public static byte[] packRecord(List<Ref> refs) {
        com.fasterxml.jackson.databind.node.ObjectNode root = Json.MAPPER.createObjectNode();
        com.fasterxml.jackson.databind.node.ArrayNode alerts = root.putArray("alerts");
        refs.forEach(r -> alerts.addObject().put("lane", r.priority() ? "p" : "n").put("partition", r.partition()).put("offset", r.offset()));
        return Json.writeString(root).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private Optional<byte[]> bytesAt(String topic, int partition, long offset) {
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
                // Another offset: that one holds no record (a transaction marker).
                return r.offset() != offset || r.value() == null ? Optional.empty() : Optional.of(r.value());
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
