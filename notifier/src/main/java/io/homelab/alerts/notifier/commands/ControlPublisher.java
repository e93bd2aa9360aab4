package io.homelab.alerts.notifier.commands;

import io.homelab.alerts.common.kafka.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes settings such as {@code autohealing=on} to the compacted control topic, where every instance and restart sees them. */
public final class ControlPublisher implements BiConsumer<String, String>, AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topic<String, byte[]> topic;

    public ControlPublisher(String bootstrapServers, Topic<String, byte[]> topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.CLIENT_ID_CONFIG, "homelab-control"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public void accept(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, value.getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write " + key + " to " + topic.name() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
