package io.homelab.alerts.processor;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.processor.explode.WebhookExploder;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.json.JsonSerde;
import io.homelab.alerts.processor.history.AlertHistory;
import io.homelab.alerts.processor.history.HistoryProcessor;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.processor.dedup.Decision;
import io.homelab.alerts.processor.dedup.DedupProcessor;
import io.homelab.alerts.processor.state.AlertState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;
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
 * The processor's topology, a function of its configuration: raw webhooks in; exploded into one
 * event per alert; re-keyed by fingerprint (so every event of an alert meets the same state,
 * whatever group or partition it came in); deduplicated with a named reason; routed to the
 * notification and remediation topics. Records that cannot be read go to the dead-letter topic
 * with the reason, so one bad record never stops the pipeline.
 */
public final class AlertTopology {
    private static final Logger log = LoggerFactory.getLogger(AlertTopology.class);
    static final String BY_FINGERPRINT = "alerts-by-fingerprint";

    private AlertTopology() {}

    /**
     * How the exploded events reach the state.
     *
     * @param rekey through the re-key topic, so each alert meets its state whatever partition its webhook
     *     came in on; needed when the raw topic has more than one partition. Without it, events go straight
     *     on in the task that exploded them: one exactly-once hop, and one commit, less per alert.
     * @param drainRekeyTopic without the re-key: also read what an earlier run, which re-keyed, left in the
     *     re-key topic, so an upgrade loses nothing in flight
     */
    public record Layout(boolean rekey, boolean drainRekeyTopic) {
        public static final Layout REKEY = new Layout(true, false);
        public static final Layout DIRECT = new Layout(false, false);

        /** The layout for a raw webhook topic of {@code rawPartitions} partitions; {@code rekeyTopicExists}: an earlier run left one. */
        public static Layout forPartitions(int rawPartitions, boolean rekeyTopicExists) {
            return rawPartitions > 1 ? REKEY : new Layout(false, rekeyTopicExists);
        }
    }

    /** The re-key topic's name: Streams' internal name for {@link #BY_FINGERPRINT}. */
    public static String rekeyTopic(ProcessorConfig config) {
        return config.applicationId() + "-" + BY_FINGERPRINT + "-repartition";
    }

    public static Topology build(ProcessorConfig config) {
        return build(config, reason -> { });
    }

    /** As above, telling {@code decisions} the reason of every dedup decision (for metrics). */
    public static Topology build(ProcessorConfig config, java.util.function.Consumer<DedupReason> decisions) {
        return build(config, decisions, Layout.REKEY);
    }

    /** As above, with the events reaching the state as {@code layout} says. */
    public static Topology build(ProcessorConfig config, java.util.function.Consumer<DedupReason> decisions, Layout layout) {
        Topics topics = config.topics();
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DedupProcessor.STORE),
                Serdes.String(), io.homelab.alerts.processor.state.StateCodecs.ALERT_STATE).withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(
                io.homelab.alerts.processor.watchdog.WatchdogProcessor.STORE), Serdes.String(),
                new JsonSerde<>(io.homelab.alerts.processor.watchdog.WatchdogProcessor.State.class)));
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HistoryProcessor.STORE),
                Serdes.String(), io.homelab.alerts.processor.state.StateCodecs.ALERT_HISTORY).withCachingEnabled());

        KStream<String, byte[]> raw = builder.stream(topics.webhooks().name(),
                Consumed.with(topics.webhooks().keySerde(), topics.webhooks().valueSerde()).withName("raw-webhooks"));
        raw.process(CommitWhenFresh::new, Named.as("commit-when-fresh-raw"));
        Map<String, KStream<String, Exploded>> branches = raw
                .process(() -> new Explode(topics.webhooks().name(), config.limits()), Named.as("explode"))
                .split(Named.as("exploded-"))
                .branch((key, value) -> value.event() == null, Branched.as("unusable"))
                .defaultBranch(Branched.as("alerts"));

        branches.get("exploded-unusable").mapValues(Exploded::raw, Named.as("raw-bytes"))
                .to(topics.deadLetters().name(), Produced.with(topics.deadLetters().keySerde(), topics.deadLetters().valueSerde())
                        .withName("to-dead-letter"));

        KStream<String, AlertEvent> events = branches.get("exploded-alerts").mapValues(Exploded::event, Named.as("alert-event"));
        KStream<String, AlertEvent> byFingerprint;
        if (layout.rekey()) {
            byFingerprint = events.repartition(Repartitioned.with(Serdes.String(), io.homelab.alerts.common.binary.AlertEventCodec.SERDE)
                    .withName(BY_FINGERPRINT));
            byFingerprint.process(CommitWhenFresh::new, Named.as("commit-when-fresh"));
        } else if (layout.drainRekeyTopic()) {
            // One partition, like the raw topic's: its task is the raw topic's, so the events meet the same state.
            KStream<String, AlertEvent> left = builder.stream(rekeyTopic(config),
                    Consumed.with(Serdes.String(), io.homelab.alerts.common.binary.AlertEventCodec.SERDE).withName("rekey-left-over"));
            left.process(CommitWhenFresh::new, Named.as("commit-when-fresh"));
            byFingerprint = events.merge(left, Named.as("with-rekey-left-over"));
        } else {
            byFingerprint = events;
        }

        byFingerprint.process(() -> new HistoryProcessor(config.router(), config.historyRetention()), Named.as("history"),
                        HistoryProcessor.STORE)
                // A forgotten alert (null) stays null: a tombstone, so the compacted topic forgets it too.
                .mapValues(h -> h == null ? null : Json.write(h), Named.as("history-json"))
                .to(topics.state().name(), Produced.with(topics.state().keySerde(), topics.state().valueSerde()).withName("to-state"));

        // The dead man's switch, ahead of routing: it works whether or not routes show Watchdog in the chats.
        byFingerprint.process(() -> new io.homelab.alerts.processor.watchdog.WatchdogProcessor(config.watchdog()), Named.as("watchdog"),
                        io.homelab.alerts.processor.watchdog.WatchdogProcessor.STORE)
                .to(topics.priorityNotifications().name(), Produced.with(topics.notifications().keySerde(), topics.notifications().valueSerde())
                        .withName("watchdog-to-notifications"));

        KStream<String, Decision> decided = byFingerprint
                .process(() -> new DedupProcessor(config.dedup(), config.router(), decisions, config.historyRetention()),
                        Named.as("dedup-and-route"), DedupProcessor.STORE);

        // Critical alerts take their own lane (topic), so the notifier sends them ahead of any backlog.
        // An alert keeps its severity from firing to resolved, so its messages stay in order within one lane.
        decided.filter((k, d) -> notifies(d), Named.as("notify"))
                .mapValues(AlertTopology::notification, Named.as("notification"))
                .to((key, n, context) -> isPriority(n.alert()) ? topics.priorityNotifications().name() : topics.notifications().name(),
                        Produced.with(topics.notifications().keySerde(), topics.notifications().valueSerde()).withName("to-notifications"));

        decided.filter((k, d) -> remediates(d), Named.as("remediate"))
                .mapValues(AlertTopology::remediationRequest, Named.as("remediation-request"))
                .to(topics.remediationRequests().name(), Produced.with(topics.remediationRequests().keySerde(),
                        topics.remediationRequests().valueSerde()).withName("to-remediation"));
        return builder.build();
    }

    /** Severity {@value #PRIORITY_SEVERITY} (any case): notified through the priority lane. */
    public static final String PRIORITY_SEVERITY = "critical";

    public static boolean isPriority(AlertEvent event) {
        return PRIORITY_SEVERITY.equalsIgnoreCase(event.severity());
    }

    /** Whether a decision that passed dedup is notified (to chats, or only to the route's outgoing webhooks). */
    public static boolean notifies(Decision d) {
        return d.route().notifies() || !d.route().webhooks().isEmpty();
    }

    public static Notification notification(Decision d) {
        return new Notification(d.event(), d.reason(), d.flapping(), d.route().chats(), d.route().route(),
                d.route().webhooks(), !d.route().notifies());
    }

    /**
     * Whether a decision goes to the remediator. New incidents only: a reminder, a flapping alert or one
     * that just stopped flapping never triggers a fix. Resolutions go too: they tell the remediator that a fix worked.
     */
    public static boolean remediates(Decision d) {
        return d.route().remediate() && !d.flapping() && (d.event().isFiring()
                ? !d.flapEnded() && d.reason() != DedupReason.REMINDER : true);
    }

    public static RemediationRequest remediationRequest(Decision d) {
        return new RemediationRequest(d.event(), d.route().runbook(), d.reason(), d.route().route(), d.route().chats());
    }

    /** Either an alert event keyed by fingerprint, or the raw record that could not be read (headers say why). */
    public record Exploded(AlertEvent event, byte[] raw) {}

    /** Streams settings: exactly-once, state under {@code stateDir}, commits every {@code commitInterval}. */
    public static Properties streamsProperties(ProcessorConfig config) {
        return streamsProperties(config, null);
    }

    /** As above; {@code applicationServer} ("host:port" of this instance's history API) lets instances find each other's state. */
    public static Properties streamsProperties(ProcessorConfig config, String applicationServer) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) config.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toAbsolutePath().toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        if (applicationServer != null) {
            p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, applicationServer);
        }
        // -1: the broker's default, so one setting serves the embedded broker and a real cluster.
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 0);
        // Latency: the broker answers an empty fetch after this long; the default 500 ms would be
        // paid on each of the two hops (raw topic, re-keyed topic) whenever the pipeline is idle.
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), 10);
        p.put(StreamsConfig.POLL_MS_CONFIG, 10);
        p.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), config.maxRecordBytes());
        // Memory: Streams buffers up to this many records per input partition (default 1000), and a
        // raw webhook can be megabytes; with the fetch capped too, a burst of big webhooks stays a few
        // tens of MiB in the heap instead of gigabytes.
        p.put(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, 50);
        p.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), KafkaClients.FETCH_MAX_BYTES);
        // After a crash (no clean leave), partitions move on after 10 s rather than the default 45 s.
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        p.put("processing.exception.handler.global.enabled", true);
        // Memory: all RocksDB stores share one bounded cache (BoundedRocksDb), and the record cache in
        // front of them (10 MiB by default) is small, since a commit empties it every few milliseconds.
        p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, io.homelab.alerts.processor.state.BoundedRocksDb.class);
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 2L * 1024 * 1024);
        return p;
    }

    /** A record younger than this is live traffic: its transaction commits at once, not at the next commit interval. */
    public static final long FRESH_MILLIS = 100;

    /**
     * Low latency when it matters, throughput when it is needed. Each of the two hops (raw webhooks, the
     * re-key topic) is read only once the transaction that wrote it commits. A live record, one that
     * arrived at ingest under {@value #FRESH_MILLIS} ms ago, asks for the commit right after it is
     * processed; a backlog (older records: after an outage, a storm) commits every
     * {@code commit.interval.ms}, so a commit carries hundreds of records instead of a handful.
     */
    static final class CommitWhenFresh<V> implements Processor<String, V, Void, Void> {
        private ProcessorContext<Void, Void> context;

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, V> record) {
            long age = System.currentTimeMillis() - record.timestamp();
            // A record from the future (ingest's clock ahead of ours) is not fresh: it would ask for a commit each time.
            if (age >= 0 && age < FRESH_MILLIS) {
                context.commit();
            }
        }
    }

    /** Explodes a webhook into its alerts, re-keyed by fingerprint; marks an unreadable one for the dead-letter topic. */
    public static final class Explode implements Processor<String, byte[], String, Exploded> {
        private final String sourceTopic;
        private final io.homelab.alerts.common.model.WebhookLimits limits;
        private ProcessorContext<String, Exploded> context;

        public Explode(String sourceTopic, io.homelab.alerts.common.model.WebhookLimits limits) {
            this.sourceTopic = sourceTopic;
            this.limits = limits;
        }

        @Override
        public void init(ProcessorContext<String, Exploded> context) {
            this.context = context;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            WebhookExploder.Result result = WebhookExploder.explode(record.value(), receivedAt(record), limits);
            if (result instanceof WebhookExploder.Result.Unusable unusable) {
                deadLetter(record, unusable.reason());
                return;
            }
            for (AlertEvent event : ((WebhookExploder.Result.Events) result).events()) {
                context.forward(new Record<>(event.fingerprint(), new Exploded(event, null), record.timestamp(), new RecordHeaders()));
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
            context.forward(new Record<>(record.key(), new Exploded(null, record.value() == null ? new byte[0] : record.value()),
                    record.timestamp(), headers));
        }

        private static Instant receivedAt(Record<String, byte[]> record) {
            Header h = record.headers().lastHeader(RawWebhookHeaders.RECEIVED_AT);
            if (h != null) {
                try {
                    String text = new String(h.value(), StandardCharsets.UTF_8);
                    Instant fast = io.homelab.alerts.common.time.Rfc3339.fastParse(text);
                    return fast != null ? fast : Instant.parse(text);
                } catch (DateTimeParseException e) {
                    // fall back to the record time
                }
            }
            return Instant.ofEpochMilli(record.timestamp());
        }
    }
}
