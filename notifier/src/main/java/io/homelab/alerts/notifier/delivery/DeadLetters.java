package io.homelab.alerts.notifier.delivery;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes a record that can never be delivered to the dead-letter topic, with why, from where, and for whom. */
public final class DeadLetters implements AutoCloseable {
    private final KafkaProducer<String, byte[]> producer;
    private final Topic<String, byte[]> topic;

    public DeadLetters(String bootstrapServers, Topic<String, byte[]> topic, int maxRecordBytes, String clientId) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes),
                new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Writes a pack record (which alerts a gathered message showed) and returns where it is, as
     * {partition, offset}; empty when the broker did not take it within 5 s (the message then goes
     * without its 🔕 all buttons).
     */
    public java.util.Optional<long[]> writePack(Topic<String, byte[]> packs, byte[] body) {
        try {
            var meta = producer.send(new ProducerRecord<>(packs.name(), body)).get(5, java.util.concurrent.TimeUnit.SECONDS);
            return java.util.Optional.of(new long[] {meta.partition(), meta.offset()});
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return java.util.Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return java.util.Optional.empty();
        }
    }

    /** Waits for the broker: the caller commits past the record only once it is kept here. */
    public void write(ConsumerRecord<String, byte[]> record, String target, String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        if (target != null) {
            headers.add("dlq-target", target.getBytes(StandardCharsets.UTF_8));
        }
        try {
            producer.send(new ProducerRecord<>(topic.name(), null, record.key(), record.value(), headers)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted writing to the dead-letter topic", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // Not dead-lettered: stop rather than commit past a message we could neither send nor keep.
            throw new IllegalStateException("cannot write to the dead-letter topic: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
