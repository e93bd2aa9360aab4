package io.homelab.alerts.remediator;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.RemediationRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes remediation requests and hands each to a handler, committing after it returns.
 * Runbooks (restart a container, clean a disk, ...) are not implemented yet: the default
 * handler only logs that a request arrived and that nothing was done.
 */
public final class RemediatorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemediatorService.class);

    private final KafkaConsumer<String, byte[]> consumer;
    private final Topics topics;
    private final Consumer<RemediationRequest> handler;
    private final Thread thread;
    private volatile boolean running = true;

    public RemediatorService(Topics topics, String bootstrapServers, Consumer<RemediationRequest> handler, Consumer<String> onFatal) {
        this.topics = topics;
        this.handler = handler;
        this.consumer = KafkaClients.consumer(bootstrapServers, topics.prefix() + "remediator", "homelab-remediator", Map.of());
        this.thread = KafkaClients.serviceThread("remediator", this::run, log, onFatal);
    }

    /** The handler until runbooks exist: says plainly that nothing was done. */
    public static void logOnly(RemediationRequest request) {
        AlertEvent event = request.alert();
        log.info("Remediation requested for {} on {} ({}, severity {}, runbook {}, route {}): runbooks are not implemented yet, nothing was done",
                event.alertname(), event.instance(), event.fingerprint(), event.severity(),
                request.runbook() == null ? "none named" : request.runbook(), request.route());
    }

    public RemediatorService start() {
        thread.start();
        return this;
    }

    private void run() {
        consumer.subscribe(List.of(topics.remediationRequests().name()));
        try {
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    try {
                        handler.accept(topics.remediationRequests().valueSerde().deserializer().deserialize(record.topic(), record.value()));
                    } catch (RuntimeException e) {
                        log.error("Skipping unreadable remediation request at {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.getMessage());
                    }
                }
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    @Override
    public void close() {
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
    }
}
