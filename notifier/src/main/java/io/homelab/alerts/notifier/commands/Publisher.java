package io.homelab.alerts.notifier.commands;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.RemediationDecision;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes what people decide in the chat to Kafka and waits for the broker's acknowledgement, so a
 * "✅ Approved" or "Autohealing enabled" shown to the user is never a promise Kafka did not keep.
 */
public final class Publisher implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topics topics;

    public Publisher(String bootstrapServers, Topics topics) {
        this.topics = topics;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "homelab-notifier-decisions"),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** Settings such as {@code autohealing=on}, to the compacted control topic every instance and restart reads. */
    public BiConsumer<String, String> control() {
        return (key, value) -> publish(topics.control().name(), key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Approve / Reject, to the decisions topic the remediator reads. */
    public Consumer<RemediationDecision> decisions() {
        String topic = topics.remediationDecisions().name();
        return d -> publish(topic, d.requestId(), topics.remediationDecisions().valueSerde().serializer().serialize(topic, d));
    }

    private void publish(String topic, String key, byte[] value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write " + key + " to " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
