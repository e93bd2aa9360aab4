package io.homelab.alerts.notifier.delivery;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.notifier.NotifierConfig;
import io.homelab.alerts.notifier.channel.Channel;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.format.MessageFormatter;
import io.homelab.alerts.notifier.format.MessageSplitter;
import io.homelab.alerts.notifier.format.StormDigest;
import java.util.HashMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes alert events and delivers each to every configured chat, in order, committing a
 * record's offset only after every chat has it (at-least-once: a crash between the send and the
 * commit repeats at most that one message). Retryable failures wait (Telegram's
 * {@code retry_after} exactly, else exponential backoff up to a minute) while the message stays
 * in Kafka; permanent failures go to the dead-letter topic with the reason and the queue moves on.
 */
public final class NotifierService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifierService.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** How long a storm may keep arriving before its digest goes out, and the quiet gap that ends it. */
    static final Duration STORM_GATHER_MAX = Duration.ofSeconds(2);
    static final Duration STORM_GATHER_QUIET = Duration.ofMillis(300);

    private final NotifierConfig config;
    private final Channel channel;
    private final MessageFormatter formatter;
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaProducer<String, byte[]> deadLetters;
    // Both touched only on the consumer thread (the rebalance listener runs inside poll).
    private boolean rebalanced;
    private boolean waiting;
    private final RateLimiter limiter = new RateLimiter(java.time.Clock.systemUTC());
    private final MessageSplitter splitter = new MessageSplitter(MessageSplitter.TELEGRAM_LIMIT);
    /** Groups upgraded to supergroups: old id → new id (Telegram's migrate_to_chat_id). */
    private final Map<String, String> migrated = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    public NotifierService(NotifierConfig config, Channel channel, Consumer<String> onFatal) {
        this.config = config;
        this.channel = channel;
        this.formatter = new MessageFormatter(config.timeZone());
        this.consumer = KafkaClients.consumer(config.bootstrapServers(), config.groupId(), "homelab-notifier",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
        this.deadLetters = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                ProducerConfig.CLIENT_ID_CONFIG, "homelab-notifier-dlq",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, config.maxRecordBytes()),
                new StringSerializer(), new ByteArraySerializer());
        this.thread = KafkaClients.serviceThread("notifier", this::run, log, onFatal);
    }

    public NotifierService start() {
        thread.start();
        return this;
    }

    private void run() {
        consumer.subscribe(List.of(config.topics().notifications().name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                rebalanced = true;
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                rebalanced = true;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                rebalanced = true;
                if (waiting) {
                    // New partitions arrive unpaused: keep them paused while we wait out a retry.
                    consumer.pause(partitions);
                }
            }
        });
        try {
            while (running) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                rebalanced = false;
                if (!deliverBatch(records)) {
                    rewindToCommitted();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
            deadLetters.close(Duration.ofSeconds(5));
        }
    }

    /**
     * Delivers and commits record by record; false if the batch was abandoned part-way (rebalance,
     * shutdown). A chat that would get more than the storm threshold from one batch gets one digest
     * instead, and such a batch is committed once at its end.
     */
    private boolean deliverBatch(ConsumerRecords<String, byte[]> records) {
        List<ConsumerRecord<String, byte[]>> batch = new java.util.ArrayList<>();
        records.forEach(batch::add);
        Map<ChatTarget, List<Notification>> storms = stormsIn(batch);
        if (!storms.isEmpty()) {
            // A storm rarely lands in one fetch: keep reading while it is still arriving, so it
            // becomes one digest rather than several.
            long until = System.nanoTime() + STORM_GATHER_MAX.toNanos();
            while (running && !rebalanced && System.nanoTime() < until) {
                ConsumerRecords<String, byte[]> more = consumer.poll(STORM_GATHER_QUIET);
                if (more.isEmpty()) {
                    break;
                }
                more.forEach(batch::add);
            }
            if (rebalanced) {
                return false;
            }
            return deliverStorm(batch, stormsIn(batch));
        }
        for (TopicPartition partition : records.partitions()) {
            for (ConsumerRecord<String, byte[]> record : records.records(partition)) {
                if (!running || rebalanced || !handle(record, Set.of())) {
                    return false;
                }
                try {
                    consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
                } catch (RebalanceInProgressException | CommitFailedException e) {
                    // The record was delivered but the commit lost: it may be sent once more (at-least-once).
                    log.info("Commit interrupted by a group rebalance ({}); re-reading from the last commit", e.getClass().getSimpleName());
                    return false;
                }
            }
        }
        return true;
    }

    /** Positions moved past records we did not deliver: go back to what is committed. */
    private void rewindToCommitted() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (assigned.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned);
        for (TopicPartition tp : assigned) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset != null) {
                consumer.seek(tp, offset.offset());
            } else {
                consumer.seekToBeginning(List.of(tp));
            }
        }
    }

    /** The chats that would get more than the storm threshold from this batch, with what they would get. */
    private Map<ChatTarget, List<Notification>> stormsIn(List<ConsumerRecord<String, byte[]>> records) {
        if (config.stormThreshold() <= 0 || records.size() <= config.stormThreshold()) {
            return Map.of();
        }
        Map<ChatTarget, List<Notification>> byChat = new java.util.LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Notification n = decode(record);
            if (n != null) {
                for (ChatTarget target : targets(n)) {
                    byChat.computeIfAbsent(target, k -> new java.util.ArrayList<>()).add(n);
                }
            }
        }
        byChat.values().removeIf(list -> list.size() <= config.stormThreshold());
        return byChat;
    }

    private boolean deliverStorm(List<ConsumerRecord<String, byte[]>> records, Map<ChatTarget, List<Notification>> storms) {
        for (Map.Entry<ChatTarget, List<Notification>> storm : storms.entrySet()) {
            ChatTarget target = storm.getKey();
            for (String part : splitter.split(StormDigest.format(storm.getValue()))) {
                String chat = migrated.getOrDefault(target.chatId(), target.chatId());
                DeliveryResult result = deliver(new OutgoingMessage(chat, target.threadId(), part));
                if (result == null) {
                    return false;
                }
                if (result instanceof DeliveryResult.Permanent permanent) {
                    log.error("Could not deliver the storm digest to chat {}: {} [{}]", chat, permanent.reason(), permanent.failure());
                    break;
                }
            }
            log.warn("Alert storm: {} alerts for chat {} sent as one digest", storm.getValue().size(), target.chatId());
        }
        Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (!running || rebalanced || !handle(record, storms.keySet())) {
                return false;
            }
            ends.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
        }
        try {
            consumer.commitSync(ends);
        } catch (RebalanceInProgressException | CommitFailedException e) {
            log.info("Commit interrupted by a group rebalance ({}); re-reading from the last commit", e.getClass().getSimpleName());
            return false;
        }
        return true;
    }

    private Notification decode(ConsumerRecord<String, byte[]> record) {
        try {
            Notification n = config.topics().notifications().valueSerde().deserializer().deserialize(record.topic(), record.value());
            return n == null || n.alert() == null ? null : n;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Delivers one record to every chat but those in {@code covered} (they got a digest); false when
     * it was abandoned (shutdown or rebalance while waiting).
     */
    private boolean handle(ConsumerRecord<String, byte[]> record, Set<ChatTarget> covered) {
        Notification notification;
        try {
            notification = config.topics().notifications().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, null, "not a notification: " + e.getMessage());
            return true;
        }
        if (notification == null || notification.alert() == null) {
            deadLetter(record, null, "empty record");
            return true;
        }
        AlertEvent event = notification.alert();
        String text = formatter.format(notification);
        List<ChatTarget> chats = targets(notification).stream().filter(t -> !covered.contains(t)).toList();
        List<String> parts = splitter.split(text);
        for (ChatTarget target : chats) {
            for (int i = 0; i < parts.size(); i++) {
                String chat = migrated.getOrDefault(target.chatId(), target.chatId());
                boolean last = i == parts.size() - 1;
                List<OutgoingMessage.Button> buttons = last && config.silenceButtons() && event.isFiring()
                        ? silenceButtons(event.fingerprint()) : List.of();
                DeliveryResult result = deliver(new OutgoingMessage(chat, target.threadId(), parts.get(i), buttons));
                if (result == null) {
                    return false;
                }
                if (result instanceof DeliveryResult.Permanent permanent) {
                    log.error("Could not deliver {} ({}) to chat {}: {} [{}]; moved to the dead-letter topic",
                            event.alertname(), event.fingerprint(), chat, permanent.reason(), permanent.failure());
                    deadLetter(record, chat, permanent.failure() + ": " + permanent.reason());
                    break;
                }
                log.info("Sent {} {} ({}, {}){} to chat {} via {}", event.status(), event.alertname(), event.fingerprint(),
                        notification.reason(), parts.size() > 1 ? " part " + (i + 1) + "/" + parts.size() : "", chat, channel.name());
            }
        }
        return true;
    }

    /** 🔕 1h / 4h / 24h: callback data "silence:<fingerprint>:<hours>" (well under Telegram's 64 bytes). */
    public static List<OutgoingMessage.Button> silenceButtons(String fingerprint) {
        return List.of(new OutgoingMessage.Button("🔕 1h", "silence:" + fingerprint + ":1"),
                new OutgoingMessage.Button("🔕 4h", "silence:" + fingerprint + ":4"),
                new OutgoingMessage.Button("🔕 24h", "silence:" + fingerprint + ":24"));
    }

    /** The chats a notification goes to: its own, with the default chats where it asks for them (or names none). */
    private List<ChatTarget> targets(Notification notification) {
        List<ChatTarget> defaults = config.chatIds().stream().map(id -> new ChatTarget(id, null)).toList();
        if (notification.chats().isEmpty()) {
            return defaults;
        }
        java.util.LinkedHashSet<ChatTarget> out = new java.util.LinkedHashSet<>();
        for (ChatTarget target : notification.chats()) {
            if (target.isDefaults()) {
                out.addAll(defaults);
            } else {
                out.add(target);
            }
        }
        return List.copyOf(out);
    }

    /** Sends until delivered or permanently failed; null if abandoned. Logs only when the failure changes. */
    private DeliveryResult deliver(OutgoingMessage message) {
        Duration backoff = FIRST_BACKOFF;
        DeliveryResult.Failure lastFailure = null;
        while (running) {
            Duration pace = channel.rateLimited() ? limiter.delayFor(message.chatId()) : Duration.ZERO;
            if (!pace.isZero() && !pace.isNegative() && !waitKeepingMembership(pace)) {
                return null;
            }
            DeliveryResult result = channel.send(message);
            limiter.sent(message.chatId());
            if (result instanceof DeliveryResult.Moved moved) {
                // Telegram: a group upgraded to a supergroup has a new id; keep sending there.
                log.warn("Chat {} is now chat {} (group upgraded to a supergroup); sending there. Update TELEGRAM_CHAT_ID / routes.",
                        message.chatId(), moved.newChatId());
                migrated.put(message.chatId(), moved.newChatId());
                message = new OutgoingMessage(moved.newChatId(), message.threadId(), message.html());
                continue;
            }
            if (!(result instanceof DeliveryResult.Retryable retry)) {
                if (lastFailure != null) {
                    log.info("Delivery to chat {} recovered after {}", message.chatId(), lastFailure);
                }
                return result;
            }
            Duration wait = retry.retryAfter().orElse(backoff);
            if (retry.failure() != lastFailure) {
                log.warn("Delivery to chat {} failed ({}): {}; retrying in {} s while the message waits in Kafka",
                        message.chatId(), retry.failure(), retry.reason(), wait.toSeconds());
                lastFailure = retry.failure();
            }
            if (!waitKeepingMembership(wait)) {
                return null;
            }
            if (retry.retryAfter().isEmpty()) {
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        return null;
    }

    /**
     * Waits while still polling with every partition paused, so a long outage does not exceed
     * {@code max.poll.interval.ms} and cost the group membership. False if the group rebalanced
     * meanwhile (the caller re-reads from the last commit) or we are shutting down.
     */
    private boolean waitKeepingMembership(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        waiting = true;
        try {
            while (running) {
                consumer.pause(consumer.assignment());
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                ConsumerRecords<String, byte[]> early = consumer.poll(Duration.ofNanos(Math.min(left, Duration.ofSeconds(1).toNanos())));
                // Paused partitions return nothing; should a partition slip through, put its records back.
                for (TopicPartition tp : early.partitions()) {
                    consumer.seek(tp, early.records(tp).get(0).offset());
                }
                if (rebalanced) {
                    return false;
                }
            }
        } finally {
            waiting = false;
            consumer.resume(consumer.assignment());
        }
        return running;
    }

    private void deadLetter(ConsumerRecord<String, byte[]> record, String chat, String reason) {
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        headers.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        if (chat != null) {
            headers.add("dlq-chat-id", chat.getBytes(StandardCharsets.UTF_8));
        }
        try {
            deadLetters.send(new ProducerRecord<>(config.topics().deadLetters().name(), null, record.key(), record.value(), headers)).get();
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
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
    }
}
