package io.homelab.alerts.ingest.sink;

import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topic;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.homelab.alerts.ingest.IngestConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each webhook to the raw topic and waits for the acknowledgement of every in-sync
 * replica (acks=all, idempotent producer).
 *
 * <p>The producer's own delivery timeout equals the ack timeout, so by the time we answer 503
 * the producer has given up a record that never reached the broker: it cannot land later beside
 * Alertmanager's retry. A request the broker already had but acknowledged too late may still be
 * written; the processor's per-fingerprint dedup absorbs that copy.
 */
public final class KafkaWebhookSink implements WebhookSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaWebhookSink.class);

    private final KafkaProducer<String, byte[]> producer;
    private final Admin admin;
    private final Topic<String, byte[]> topic;
    private final Duration ackTimeout;
    private final Timer ackTimer;
    private final KafkaClientMetrics producerMetrics;

    public KafkaWebhookSink(String bootstrapServers, Topic<String, byte[]> topic, IngestConfig config, MeterRegistry registry) {
        this.topic = topic;
        this.ackTimeout = config.kafkaAckTimeout();
        this.producer = new KafkaProducer<>(producerConfig(bootstrapServers, config),
                new StringSerializer(), new ByteArraySerializer());
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "1000",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "1500"));
        this.ackTimer = Timer.builder("homelab_ingest_kafka_ack")
                .description("time from handing a webhook to the producer to Kafka's acknowledgement")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(registry);
    }

    static Map<String, Object> producerConfig(String bootstrapServers, IngestConfig config) {
        int timeoutMs = (int) config.kafkaAckTimeout().toMillis();
        int lingerMs = (int) config.kafkaLinger().toMillis();
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "homelab-ingest");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeoutMs - lingerMs));
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        // Room for the largest accepted body plus key and headers.
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxBodyBytes() + 64 * 1024);
        return p;
    }

    @Override
    public StoreResult store(RawWebhook webhook) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, utf8(webhook.receivedAt().toString()));
        headers.add(RawWebhookHeaders.REMOTE_ADDR, utf8(webhook.remoteAddress()));
        headers.add(RawWebhookHeaders.USER_AGENT, utf8(webhook.userAgent()));
        headers.add(RawWebhookHeaders.CONTENT_TYPE, utf8(webhook.contentType()));
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic.name(), null,
                webhook.receivedAt().toEpochMilli(), webhook.groupKey(), webhook.body(), headers);
        long start = System.nanoTime();
        try {
            // The future always completes within delivery.timeout.ms; the extra wait is only a guard.
            RecordMetadata md = producer.send(record).get(2 * ackTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            ackTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return new StoreResult.Stored(md.partition(), md.offset());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RecordTooLargeException) {
                return new StoreResult.Rejected("webhook too large for topic " + topic.name() + ": " + cause.getMessage());
            }
            return unavailable(cause);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return unavailable(e);
        } catch (RecordTooLargeException e) {
            return new StoreResult.Rejected("webhook too large for topic " + topic.name() + ": " + e.getMessage());
        } catch (TimeoutException e) {
            return unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StoreResult.Unavailable("interrupted while waiting for Kafka");
        }
    }

    private StoreResult unavailable(Throwable cause) {
        String reason = "Kafka did not acknowledge within " + ackTimeout.toMillis() + " ms: " + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        log.warn("Answering 503: {}", reason);
        return new StoreResult.Unavailable(reason);
    }

    @Override
    public boolean isReady() {
        try {
            return !admin.describeCluster(new DescribeClusterOptions().timeoutMs(1500)).nodes().get(2, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public void close() {
        producerMetrics.close();
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }
}
