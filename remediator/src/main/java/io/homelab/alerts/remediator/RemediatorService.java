package io.homelab.alerts.remediator;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import io.homelab.alerts.remediator.approval.ApprovalBook;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a person before fixing anything: each new incident on {@code remediation.requests} becomes
 * an approval request on {@code remediation.results} (the notifier shows it with Approve / Reject);
 * each decision on {@code remediation.decisions} is checked against the {@link ApprovalBook}
 * (first answer wins, late answers expire) and an approved one is handed to the {@link Executor},
 * whose result is published too. Offsets are committed after the updates are written
 * (at-least-once); a repeated request or decision finds the book already updated and does nothing.
 */
public final class RemediatorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemediatorService.class);

    private final Topics topics;
    private final String bootstrapServers;
    private final ApprovalBook book;
    private final Executor executor;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private volatile boolean running = true;

    public RemediatorService(Topics topics, String bootstrapServers, Duration approvalTimeout, Executor executor, Clock clock,
            Consumer<String> onFatal) {
        this.topics = topics;
        this.bootstrapServers = bootstrapServers;
        this.book = new ApprovalBook(approvalTimeout, clock);
        this.executor = executor;
        this.consumer = KafkaClients.consumer(bootstrapServers, topics.groupId("remediator"), "homelab-remediator", Map.of());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "homelab-remediator",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
        this.thread = KafkaClients.serviceThread("remediator", this::run, log, onFatal);
    }

    public RemediatorService start() {
        thread.start();
        return this;
    }

    private void run() {
        try {
            rebuild();
            consumer.subscribe(List.of(topics.remediationRequests().name(), topics.remediationDecisions().name()));
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.topic().equals(topics.remediationRequests().name())) {
                        onRequest(record);
                    } else {
                        onDecision(record);
                    }
                }
                try {
                    consumer.commitSync();
                } catch (org.apache.kafka.clients.consumer.CommitFailedException
                        | org.apache.kafka.common.errors.RebalanceInProgressException e) {
                    // Records may come again after the rebalance: the book makes repeats harmless.
                    log.info("Commit interrupted by a group rebalance ({}); repeats will be ignored", e.getClass().getSimpleName());
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Folds our own past updates back in: what was pending or decided before a restart still is. */
    private void rebuild() {
        try {
            int n = 0;
            for (ConsumerRecord<String, byte[]> record : KafkaClients.readToEnd(bootstrapServers, topics.remediationResults().name(),
                    Duration.ofSeconds(60))) {
                RemediationUpdate update = read(record, topics.remediationResults().valueSerde().deserializer());
                if (update == null || update.requestId() == null || update.stage() == null || update.alert() == null
                        || update.requestedAt() == null) {
                    log.warn("Skipping an incomplete update at {}-{}@{}", record.topic(), record.partition(), record.offset());
                    continue;
                }
                book.remember(update);
                n++;
            }
            log.info("Remediator ready: {} past update(s) read, {} approval(s) pending", n, book.pending().size());
            for (RemediationUpdate approved : book.interrupted()) {
                // It may have run in part: never run a fix twice on our own; say so and let a person look.
                RemediationUpdate failed = approved.next(Stage.FAILED, approved.decision(),
                        "The remediator stopped after the approval, before recording the result; the fix is not run again. Check "
                                + approved.component() + " by hand.", java.time.Instant.now());
                book.remember(failed);
                publish(failed);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot read " + topics.remediationResults().name() + ": " + e.getMessage(), e);
        }
    }

    private void onRequest(ConsumerRecord<String, byte[]> record) {
        RemediationRequest request = read(record, topics.remediationRequests().valueSerde().deserializer());
        if (request == null || request.alert() == null) {
            return;
        }
        if (request.runbook() == null || request.runbook().isBlank()) {
            // Nothing could be run, so there is nothing to approve: name a runbook in a HOMELAB_CONFIG route.
            log.info("No runbook for {} on {} (route {}): nothing to ask or do", request.alert().alertname(),
                    ApprovalBook.component(request.alert()), request.route());
            return;
        }
        book.ask(request).ifPresentOrElse(update -> {
            log.info("Asking for approval to remediate {} on {} ({}): {}", update.alert().alertname(),
                    ApprovalBook.component(update.alert()), update.requestId(), update.suggestedFix());
            publish(update);
        }, () -> log.debug("Already asked about {} ({})", request.alert().alertname(), RemediationUpdate.idFor(request.alert())));
    }

    private void onDecision(ConsumerRecord<String, byte[]> record) {
        RemediationDecision decision = read(record, topics.remediationDecisions().valueSerde().deserializer());
        if (decision == null) {
            return;
        }
        var next = book.decide(decision);
        if (next.isEmpty()) {
            log.info("Ignored {} of {} by {}: {}", decision.verdict(), decision.requestId(), decision.who(),
                    book.get(decision.requestId()).map(u -> "already " + u.stage()).orElse("unknown request"));
            return;
        }
        RemediationUpdate update = next.get();
        log.info("{} {} ({})", update.stage(), update.requestId(), update.detail());
        publish(update);
        if (update.stage() == Stage.APPROVED) {
            RemediationUpdate result;
            try {
                result = executor.run(update);
            } catch (RuntimeException e) {
                result = update.next(Stage.FAILED, update.decision(), "The fix failed: " + e.getMessage(), update.at());
            }
            book.remember(result);
            log.info("{} {} ({})", result.stage(), result.requestId(), result.detail());
            publish(result);
        }
    }

    private void publish(RemediationUpdate update) {
        try {
            producer.send(new ProducerRecord<>(topics.remediationResults().name(), update.requestId(),
                    topics.remediationResults().valueSerde().serializer().serialize(topics.remediationResults().name(), update)))
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            // Not written: stop rather than commit past a request nobody was told about.
            throw new IllegalStateException("cannot write to " + topics.remediationResults().name() + ": " + e, e);
        }
    }

    private static <T> T read(ConsumerRecord<String, byte[]> record, org.apache.kafka.common.serialization.Deserializer<T> deserializer) {
        try {
            return deserializer.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            log.error("Skipping unreadable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            return null;
        }
    }

    @Override
    public void close() {
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
    }
}
