package io.homelab.alerts.processor;

import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.processor.api.HistoryApi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the topology. A fatal Streams error is reported to {@code onFatal}, never swallowed. */
public final class ProcessorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProcessorService.class);

    private final KafkaStreams streams;
    private final HistoryApi api;
    private final HostInfo self;
    private final KafkaStreamsMetrics streamsMetrics;

    public ProcessorService(ProcessorConfig config, Consumer<String> onFatal) throws IOException {
        this(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), onFatal);
    }

    /** @param registry gets the decisions by reason and the Streams client's metrics; served at the API's /metrics */
    public ProcessorService(ProcessorConfig config, PrometheusMeterRegistry registry, Consumer<String> onFatal) throws IOException {
        this(config, registry, onFatal, layout(config));
    }

    /** As above, with the events reaching the state as {@code layout} says, whatever the raw topic's partitions. */
    ProcessorService(ProcessorConfig config, PrometheusMeterRegistry registry, Consumer<String> onFatal, AlertTopology.Layout layout)
            throws IOException {
        this.api = new HistoryApi(config.api().bind(), config.api().port(), config.api().key(), Clock.systemUTC(),
                config.dedup().flapChanges(), config.dedup().flapWindow(), registry);
        this.self = new HostInfo(config.api().host(), api.port());
        Map<DedupReason, Counter> byReason = new EnumMap<>(DedupReason.class);
        for (DedupReason reason : DedupReason.values()) {
            byReason.put(reason, Counter.builder("homelab_processor_decisions")
                    .description("dedup decisions on alert events, by reason").tag("reason", reason.name()).register(registry));
        }
        log.info(layout.rekey() ? "Processor re-keys events by fingerprint (the raw webhook topic has more than one partition)"
                : layout.drainRekeyTopic() ? "Processor reads events straight from the one raw partition, and what a re-keying run left in "
                        + AlertTopology.rekeyTopic(config) : "Processor reads events straight from the one raw partition (no re-key hop)");
        this.streams = new KafkaStreams(AlertTopology.build(config, reason -> byReason.get(reason).increment(), layout),
                AlertTopology.streamsProperties(config, self.host() + ":" + self.port()));
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(registry);
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Processor stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("Processor {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR) {
                onFatal.accept("processor (Kafka Streams) entered ERROR state");
            }
        });
    }

    /**
     * The raw topic's partition count decides: more than one needs the re-key. A raw topic that cannot be
     * described (not there yet) gets the re-key, which is right for any count.
     */
    static AlertTopology.Layout layout(ProcessorConfig config) {
        String raw = config.topics().webhooks().name();
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                org.apache.kafka.clients.admin.AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000))) {
            int partitions = admin.describeTopics(java.util.List.of(raw)).allTopicNames().get(20, java.util.concurrent.TimeUnit.SECONDS)
                    .get(raw).partitions().size();
            boolean rekeyTopic = admin.listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(false)).names()
                    .get(20, java.util.concurrent.TimeUnit.SECONDS).contains(AlertTopology.rekeyTopic(config));
            return AlertTopology.Layout.forPartitions(partitions, rekeyTopic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AlertTopology.Layout.REKEY;
        } catch (Exception e) {
            log.warn("Cannot describe {} ({}); the processor re-keys events, which is right for any partition count", raw, e.toString());
            return AlertTopology.Layout.REKEY;
        }
    }

    public ProcessorService start() {
        streams.start();
        api.start(streams, self);
        return this;
    }

    /** The port of the alert history API. */
    public int apiPort() {
        return api.port();
    }

    /** For /ready: Kafka Streams running (or rebalancing, which it does on its own). */
    public io.homelab.alerts.common.health.Readiness readiness() {
        return io.homelab.alerts.common.health.Readiness.of("processor", () -> {
            KafkaStreams.State s = streams.state();
            return s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING ? java.util.Optional.empty()
                    : java.util.Optional.of("Kafka Streams is " + s);
        });
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        api.close();
        streamsMetrics.close();
        // Leave the group on a clean stop: otherwise the next start waits a whole session
        // timeout for this member to expire before it gets its partitions back.
        streams.close(CloseOptions.timeout(Duration.ofSeconds(10))
                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    }
}
