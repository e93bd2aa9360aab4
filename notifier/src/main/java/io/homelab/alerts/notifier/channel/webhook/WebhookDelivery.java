package io.homelab.alerts.notifier.channel.webhook;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.delivery.DeadLetters;
import io.homelab.alerts.notifier.format.Html;
import io.homelab.alerts.notifier.delivery.Offsets;
import io.homelab.alerts.notifier.delivery.ServerWait;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the notifications routed to one webhook, with its own consumer group, so a webhook
 * that is down delays only itself, never the Telegram messages or another webhook. Each record is
 * committed after the webhook accepted it (at-least-once); retryable failures wait (Retry-After,
 * else backoff to a minute) while the record stays in Kafka; permanent ones are dead-lettered.
 */
public final class WebhookDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final Topics topics;
    private final WebhookChannel channel;
    private final DeadLetters deadLetters;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Consumer<String> report;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param report tells people (the default chats) once about each alert the webhook refused, as Telegram HTML */
    public WebhookDelivery(Topics topics, String bootstrapServers, WebhookChannel channel, int maxRecordBytes, Consumer<String> report,
            Consumer<String> onFatal) {
        this.topics = topics;
        this.channel = channel;
        this.report = report;
        this.deadLetters = new DeadLetters(bootstrapServers, topics.deadLetters(), maxRecordBytes, "homelab-webhook-" + channel.name());
        // A long outage is waited out inside one poll cycle: allow it, the heartbeat thread keeps the membership.
        this.consumer = KafkaClients.consumer(bootstrapServers, groupId(topics, channel.name()), "homelab-webhook-" + channel.name(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50,
                        ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, (int) Duration.ofDays(1).toMillis()));
        this.thread = KafkaClients.serviceThread("webhook-" + channel.name(), this::run, log, onFatal);
    }

    public static String groupId(Topics topics, String webhook) {
        return topics.groupId("notifier-webhook-" + webhook);
    }

    public WebhookDelivery start() {
        thread.start();
        return this;
    }

    private void run() {
        consumer.subscribe(List.of(topics.priorityNotifications().name(), topics.notifications().name()));
        try {
            while (running) {
                List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>();
                consumer.poll(Duration.ofMillis(500)).forEach(batch::add);
                // Critical alerts first; each partition keeps its order.
                batch.sort(Comparator.comparing(r -> !r.topic().equals(topics.priorityNotifications().name())));
                for (ConsumerRecord<String, byte[]> record : batch) {
                    if (!running || !deliver(record) || !Offsets.commit(consumer, record, log)) {
                        Offsets.rewindToCommitted(consumer);
                        break;
                    }
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
            deadLetters.close();
        }
    }

    /** False when abandoned (shutdown). */
    private boolean deliver(ConsumerRecord<String, byte[]> record) {
        Notification notification;
        try {
            notification = topics.notifications().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            return true; // the Telegram notifier dead-letters unreadable records; one copy is enough
        }
        if (notification == null || notification.alert() == null || !channel.wants(notification)) {
            return true;
        }
        Duration backoff = FIRST_BACKOFF;
        DeliveryResult.Failure last = null;
        while (running) {
            DeliveryResult result = channel.send(notification);
            if (result instanceof DeliveryResult.Retryable retry) {
                Duration wait = ServerWait.capped(retry.retryAfter().orElse(backoff));
                if (retry.failure() != last) {
                    log.warn("Webhook {} failed ({}): {}; retrying in {} s while the alert waits in Kafka", channel.name(), retry.failure(),
                            retry.reason(), wait.toSeconds());
                    last = retry.failure();
                }
                if (!sleep(wait)) {
                    return false;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            if (result instanceof DeliveryResult.Permanent permanent) {
                log.error("Webhook {} refused {} ({}): {}; moved to the dead-letter topic", channel.name(), notification.alert().alertname(),
                        notification.alert().fingerprint(), permanent.reason());
                deadLetters.write(record, "webhook:" + channel.name(), permanent.failure() + ": " + permanent.reason());
                try {
                    report.accept("⚠️ Webhook " + Html.escape(channel.name()) + " refused " + Html.escape(notification.alert().alertname())
                            + ": " + Html.escape(permanent.reason()) + "\nIt is kept in Kafka topic " + Html.escape(topics.deadLetters().name())
                            + " (from " + Html.escape(record.topic()) + " partition " + record.partition() + " offset " + record.offset() + ").");
                } catch (RuntimeException e) {
                    log.warn("Could not report the refused alert in the chat: {}", e.toString());
                }
            } else {
                log.info("Sent {} {} ({}) to webhook {}", notification.alert().status(), notification.alert().alertname(),
                        notification.alert().fingerprint(), channel.name());
            }
            return true;
        }
        return false;
    }

    private boolean sleep(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (running && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.min(200, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running;
    }

    @Override
    public void close() {
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
    }
}
