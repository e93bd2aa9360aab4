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
        this.api = new HistoryApi(config.api().bind(), config.api().port(), config.api().key(), Clock.systemUTC(),
                config.dedup().flapChanges(), config.dedup().flapWindow(), registry);
        this.self = new HostInfo(config.api().host(), api.port());
        Map<DedupReason, Counter> byReason = new EnumMap<>(DedupReason.class);
        for (DedupReason reason : DedupReason.values()) {
            byReason.put(reason, Counter.builder("homelab_processor_decisions")
                    .description("dedup decisions on alert events, by reason").tag("reason", reason.name()).register(registry));
        }
        this.streams = new KafkaStreams(AlertTopology.build(config, reason -> byReason.get(reason).increment()),
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
