package io.homelab.alerts.processor;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.processor.explode.WebhookExploder;
import io.homelab.alerts.processor.route.DefaultRoutes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processor's topology: raw webhooks in; one event per alert, keyed by fingerprint, out to
 * the notification topic and (by route) the remediation topic; records that cannot be read to
 * the dead-letter topic with the reason, so one bad record never stops the pipeline.
 */
public final class AlertTopology {
    private static final Logger log = LoggerFactory.getLogger(AlertTopology.class);
    static final String SOURCE = "raw-webhooks";
    static final String EXPLODE = "explode-and-route";
    static final String TO_NOTIFY = "to-notifications";
    static final String TO_REMEDIATE = "to-remediation";
    static final String TO_DEAD_LETTER = "to-dead-letter";

    private AlertTopology() {}

    public static Topology build(ProcessorConfig config) {
        Topics topics = config.topics();
        DefaultRoutes routes = new DefaultRoutes(config.remediateSeverities());
        Topology topology = new Topology();
        topology.addSource(SOURCE, topics.webhooks().keySerde().deserializer(), topics.webhooks().valueSerde().deserializer(),
                topics.webhooks().name());
        topology.addProcessor(EXPLODE, () -> new ExplodeAndRoute(routes, topics.webhooks().name()), SOURCE);
        topology.addSink(TO_NOTIFY, topics.notifications().name(), topics.notifications().keySerde().serializer(),
                topics.notifications().valueSerde().serializer(), EXPLODE);
        topology.addSink(TO_REMEDIATE, topics.remediationRequests().name(), topics.remediationRequests().keySerde().serializer(),
                topics.remediationRequests().valueSerde().serializer(), EXPLODE);
        topology.addSink(TO_DEAD_LETTER, topics.deadLetters().name(), topics.deadLetters().keySerde().serializer(),
                topics.deadLetters().valueSerde().serializer(), EXPLODE);
        return topology;
    }

    /** Streams settings: exactly-once, state under {@code stateDir}, commits every {@code commitInterval}. */
    public static Properties streamsProperties(ProcessorConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) config.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        // -1: the broker's default, so one setting serves the embedded broker and a real cluster.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // After a crash (no clean leave), partitions move on after 10 s rather than the default 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        p.put("processing.exception.handler.global.enabled", true);
        return p;
    }

    /** Explodes a webhook and sends each alert where the routes say. */
    static final class ExplodeAndRoute implements Processor<String, byte[], String, Object> {
        private final DefaultRoutes routes;
        private final String sourceTopic;
        private ProcessorContext<String, Object> context;

        ExplodeAndRoute(DefaultRoutes routes, String sourceTopic) {
            this.routes = routes;
            this.sourceTopic = sourceTopic;
        }

        @Override
        public void init(ProcessorContext<String, Object> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            Instant receivedAt = receivedAt(record);
            WebhookExploder.Result result = WebhookExploder.explode(record.value(), receivedAt);
            if (result instanceof WebhookExploder.Result.Unusable unusable) {
                deadLetter(record, unusable.reason());
                return;
            }
            for (AlertEvent event : ((WebhookExploder.Result.Events) result).events()) {
                Record<String, Object> out = new Record<>(event.fingerprint(), event, record.timestamp(), new RecordHeaders());
                if (routes.notify(event)) {
                    context.forward(out, TO_NOTIFY);
                }
                if (routes.remediate(event)) {
                    context.forward(out, TO_REMEDIATE);
                }
            }
        }

        private void deadLetter(Record<String, byte[]> record, String reason) {
            Map<String, String> where = new HashMap<>();
            context.recordMetadata().ifPresent(m -> {
                where.put(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(m.partition()));
                where.put(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(m.offset()));
            });
            log.warn("Raw webhook {} sent to the dead-letter topic: {}", where, reason);
            Headers headers = new RecordHeaders(record.headers().toArray());
            headers.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
            headers.add(DeadLetterHeaders.SOURCE_TOPIC, sourceTopic.getBytes(StandardCharsets.UTF_8));
            where.forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
            context.forward(new Record<>(record.key(), (Object) record.value(), record.timestamp(), headers), TO_DEAD_LETTER);
        }

        private static Instant receivedAt(Record<String, byte[]> record) {
            Header h = record.headers().lastHeader(RawWebhookHeaders.RECEIVED_AT);
            if (h != null) {
                try {
                    return Instant.parse(new String(h.value(), StandardCharsets.UTF_8));
                } catch (DateTimeParseException e) {
                    // fall back to the record time
                }
            }
            return Instant.ofEpochMilli(record.timestamp());
        }
    }
}
