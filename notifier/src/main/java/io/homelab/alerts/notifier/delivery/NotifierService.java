package io.homelab.alerts.notifier.delivery;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.notifier.format.Html;
import io.homelab.alerts.notifier.NotifierConfig;
import io.homelab.alerts.notifier.channel.Channel;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.commands.ButtonData;
import io.homelab.alerts.notifier.format.MessageFormatter;
import io.homelab.alerts.notifier.format.MessageSplitter;
import io.homelab.alerts.notifier.format.StormDigest;
import java.util.HashMap;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
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
    /** A storm gathered beyond this many records is sent as it is (memory); the rest makes the next digest. */
    static final int MAX_STORM_GATHER = 5000;

    private final NotifierConfig config;
    private final Channel channel;
    private final MessageFormatter formatter;
    private final KafkaConsumer<String, byte[]> consumer;
    private final DeadLetters deadLetters;
    // Both touched only on the consumer thread (the rebalance listener runs inside poll).
    private boolean rebalanced;
    private boolean waiting;
    /** Urgent-lane records fetched while waiting on a normal one, in fetch order; sent before the next normal message. */
    private final List<ConsumerRecord<String, byte[]>> urgentArrivals = new java.util.ArrayList<>();
    /** Beyond this many fetched urgent records, stop fetching until they are sent (bounded memory in a long outage). */
    static final int MAX_URGENT_ARRIVALS = 500;
    private final RateLimiter limiter;
    private final MessageSplitter splitter = new MessageSplitter(MessageSplitter.TELEGRAM_LIMIT);
    /** Groups upgraded to supergroups: old id → new id (Telegram's migrate_to_chat_id). */
    private final Map<String, String> migrated = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private volatile boolean running = true;
    private volatile boolean polled;

    public NotifierService(NotifierConfig config, Channel channel, Consumer<String> onFatal) {
        this(config, channel, new RateLimiter(java.time.Clock.systemUTC()), onFatal);
    }

    /** @param limiter Telegram's limits, shared with whatever else sends to the same chats (the bot's replies) */
    public NotifierService(NotifierConfig config, Channel channel, RateLimiter limiter, Consumer<String> onFatal) {
        this.config = config;
        this.limiter = limiter;
        this.channel = channel;
        this.formatter = new MessageFormatter(config.timeZone());
        this.consumer = KafkaClients.consumer(config.bootstrapServers(), config.groupId(), "homelab-notifier",
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500));
        this.deadLetters = new DeadLetters(config.bootstrapServers(), config.topics().deadLetters(), config.maxRecordBytes(), "homelab-notifier-dlq");
        this.thread = KafkaClients.serviceThread("notifier", this::run, log, onFatal);
        // Consumer lag and fetch rates, for /metrics.
        this.consumerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    /** For /ready: ready once it has joined its consumer group and polled, and while its loop runs. */
    public io.homelab.alerts.common.health.Readiness readiness() {
        return io.homelab.alerts.common.health.Readiness.of("notifier", () -> !thread.isAlive() ? java.util.Optional.of(polled ? "stopped" : "not started")
                : polled ? java.util.Optional.empty() : java.util.Optional.of("joining its consumer group"));
    }

    public NotifierService start() {
        thread.start();
        return this;
    }

    private void run() {
        consumer.subscribe(List.of(config.topics().priorityNotifications().name(), config.topics().remediationResults().name(),
                config.topics().notifications().name()), new ConsumerRebalanceListener() {
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
                if (!urgentArrivals.isEmpty() && !deliverUrgentArrivals()) {
                    rewindToCommitted();
                    continue;
                }
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                polled = true;
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
            deadLetters.close();
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
            while (running && !rebalanced && System.nanoTime() < until && batch.size() < MAX_STORM_GATHER) {
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
        // Urgent lanes (critical alerts, approvals) first; each partition keeps its own order.
        batch.sort(java.util.Comparator.comparing(r -> !isUrgent(r.topic())));
        for (ConsumerRecord<String, byte[]> record : batch) {
            if (!isUrgent(record.topic()) && !deliverUrgentArrivals()) {
                return false;
            }
            if (!running || rebalanced || !handle(record, Set.of()) || !commit(record)) {
                return false;
            }
        }
        return true;
    }

    private boolean isUrgent(String topic) {
        return !topic.equals(config.topics().notifications().name());
    }

    /**
     * Before each message of the normal lane, fetches and sends whatever arrived meanwhile in the
     * urgent lanes, so a critical alert or an approval request waits for at most one message of a
     * backlog, not for all of it. False when abandoned (rebalance, shutdown).
     */
    private static final Duration URGENT_POLL = Duration.ofMillis(10);

    private boolean deliverUrgentArrivals() {
        Set<TopicPartition> normal = normalPartitions();
        consumer.pause(normal);
        try {
            // Not Duration.ZERO: that only sends the fetch, and its answer would wait for the next message.
            keepUrgent(consumer.poll(URGENT_POLL));
        } finally {
            // The poll may have started a rebalance that took partitions away: resume only what is still ours.
            normal.retainAll(consumer.assignment());
            consumer.resume(normal);
        }
        while (!urgentArrivals.isEmpty()) {
            ConsumerRecord<String, byte[]> record = urgentArrivals.remove(0);
            if (!running || rebalanced || !handle(record, Set.of()) || !commit(record)) {
                return false;
            }
        }
        return !rebalanced;
    }

    private Set<TopicPartition> normalPartitions() {
        Set<TopicPartition> normal = new java.util.HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (!isUrgent(tp.topic())) {
                normal.add(tp);
            }
        }
        return normal;
    }

    /** Keeps fetched urgent records for sending; a normal partition's records, should any slip through, are put back. */
    private void keepUrgent(ConsumerRecords<String, byte[]> fetched) {
        for (TopicPartition tp : fetched.partitions()) {
            List<ConsumerRecord<String, byte[]>> records = fetched.records(tp);
            if (isUrgent(tp.topic())) {
                urgentArrivals.addAll(records);
            } else {
                consumer.seek(tp, records.get(0).offset());
            }
        }
    }

    private boolean commit(ConsumerRecord<String, byte[]> record) {
        return Offsets.commit(consumer, record, log);
    }

    /** Positions moved past records we did not deliver: go back to what is committed. */
    private void rewindToCommitted() {
        urgentArrivals.clear(); // fetched, not sent: read again from the commit
        Offsets.rewindToCommitted(consumer);
    }

    /** The chats that would get more than the storm threshold from this batch, with what they would get. */
    private Map<ChatTarget, List<Notification>> stormsIn(List<ConsumerRecord<String, byte[]>> records) {
        if (config.stormThreshold() <= 0 || records.size() <= config.stormThreshold()) {
            return Map.of();
        }
        Map<ChatTarget, List<Notification>> byChat = new java.util.LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Notification n = decode(record);
            if (n != null && !n.webhooksOnly()) {
                for (ChatTarget target : targets(n.chats())) {
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
        if (record.topic().equals(config.topics().remediationResults().name())) {
            return null;
        }
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
        if (record.topic().equals(config.topics().remediationResults().name())) {
            return handleRemediation(record);
        }
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
        if (notification.webhooksOnly()) {
            return true; // its routes send it to webhooks only (their own consumers)
        }
        AlertEvent event = notification.alert();
        String text = formatter.format(notification);
        List<ChatTarget> chats = targets(notification.chats()).stream().filter(t -> !covered.contains(t)).toList();
        List<String> parts = splitter.split(text);
        for (ChatTarget target : chats) {
            for (int i = 0; i < parts.size(); i++) {
                String chat = migrated.getOrDefault(target.chatId(), target.chatId());
                boolean last = i == parts.size() - 1;
                List<OutgoingMessage.Button> buttons = last && config.silenceButtons() && event.isFiring()
                        ? silenceButtons(record.topic().equals(config.topics().priorityNotifications().name()), record.partition(),
                                record.offset())
                        : List.of();
                DeliveryResult result = deliver(new OutgoingMessage(chat, target.threadId(), parts.get(i), buttons));
                if (result == null) {
                    return false;
                }
                if (result instanceof DeliveryResult.Permanent permanent) {
                    io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "alert", "outcome", "dead_lettered").increment();
                    log.error("Could not deliver {} ({}) to chat {}: {} [{}]; moved to the dead-letter topic",
                            event.alertname(), event.fingerprint(), chat, permanent.reason(), permanent.failure());
                    deadLetter(record, chat, permanent.failure() + ": " + permanent.reason());
                    if (!reportUndeliverable(chat, target.threadId(), event.alertname(), record, permanent)) {
                        return false;
                    }
                    break;
                }
                io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "alert", "outcome", "sent").increment();
                log.info("Sent {} {} ({}, {}){} to chat {} via {}", event.status(), event.alertname(), event.fingerprint(),
                        notification.reason(), parts.size() > 1 ? " part " + (i + 1) + "/" + parts.size() : "", chat, channel.name());
            }
        }
        return true;
    }

    /**
     * An approval request gets Approve / Reject buttons in every chat it is for; an outcome is a
     * reply to the message that was answered (or a new message where nobody answered). APPROVED and
     * REJECTED need no message: the press already edited it.
     */
    private boolean handleRemediation(ConsumerRecord<String, byte[]> record) {
        RemediationUpdate update;
        try {
            update = config.topics().remediationResults().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, null, "not a remediation update: " + e.getMessage());
            return true;
        }
        if (update == null || update.alert() == null || update.stage() == null) {
            deadLetter(record, null, "empty remediation update");
            return true;
        }
        List<OutgoingMessage> messages = new java.util.ArrayList<>();
        switch (update.stage()) {
            case APPROVAL_REQUIRED -> {
                if (update.requestedAt() != null && java.time.Instant.now().isAfter(update.requestedAt().plus(config.approvalTimeout()))) {
                    // Replayed from long ago (a new consumer group, expired offsets): it can no longer be approved.
                    log.info("Not showing approval request {}: older than the approval timeout", update.requestId());
                    break;
                }
                List<String> parts = splitter.split(formatter.approval(update));
                List<OutgoingMessage.Button> buttons = List.of(
                        new OutgoingMessage.Button("✅ Approve", new ButtonData.Decide(true, update.requestId()).encode()),
                        new OutgoingMessage.Button("❌ Reject", new ButtonData.Decide(false, update.requestId()).encode()));
                for (ChatTarget t : targets(update.chats())) {
                    for (int i = 0; i < parts.size(); i++) {
                        // The buttons go under the last part, where "Should I proceed" is.
                        messages.add(new OutgoingMessage(t.chatId(), t.threadId(), parts.get(i), i == parts.size() - 1 ? buttons : List.of()));
                    }
                }
            }
            case APPROVED, REJECTED -> log.info("Remediation {} {} by {}", update.requestId(), update.stage(),
                    update.decision() == null ? "?" : update.decision().who());
            // Said once it is done (the result), not when it starts.
            case RUNNING -> log.info("Remediation {} running: {}", update.requestId(), update.action() == null ? "" : update.action().call());
            default -> {
                RemediationDecision answered = update.decision();
                for (String text : splitter.split(formatter.outcome(update))) {
                    if (answered != null && answered.chatId() != null && answered.messageId() != null) {
                        messages.add(new OutgoingMessage(answered.chatId(), null, text, List.of(), answered.messageId()));
                    } else {
                        targets(update.chats()).forEach(t -> messages.add(new OutgoingMessage(t.chatId(), t.threadId(), text)));
                    }
                }
            }
        }
        for (OutgoingMessage message : messages) {
            OutgoingMessage routed = message.toChat(migrated.getOrDefault(message.chatId(), message.chatId()));
            DeliveryResult result = deliver(routed);
            if (result == null) {
                return false;
            }
            if (result instanceof DeliveryResult.Permanent permanent) {
                io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "remediation", "outcome", "dead_lettered").increment();
                log.error("Could not deliver remediation {} ({}) to chat {}: {}", update.requestId(), update.stage(), routed.chatId(),
                        permanent.reason());
                deadLetter(record, routed.chatId(), permanent.failure() + ": " + permanent.reason());
                if (!reportUndeliverable(routed.chatId(), routed.threadId(), update.alert().alertname(), record, permanent)) {
                    return false;
                }
            } else {
                io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "remediation", "outcome", "sent").increment();
                log.info("Sent remediation {} {} to chat {}", update.stage(), update.requestId(), routed.chatId());
            }
        }
        return true;
    }

    /**
     * Tells the chat, once, in plain words, that a message for it was refused and where it is kept;
     * nothing more happens if the chat refuses this too. False only when abandoned.
     */
    private boolean reportUndeliverable(String chat, Integer threadId, String alertname, ConsumerRecord<String, byte[]> record,
            DeliveryResult.Permanent permanent) {
        String text = "⚠️ A message about " + Html.escape(alertname) + " could not be delivered here: "
                + Html.escape(permanent.reason()) + "\nIt is kept in Kafka topic " + Html.escape(config.topics().deadLetters().name())
                + " (from " + Html.escape(record.topic()) + " partition " + record.partition() + " offset " + record.offset() + ").";
        DeliveryResult result = deliver(new OutgoingMessage(chat, threadId, text));
        if (result == null) {
            return false;
        }
        if (!(result instanceof DeliveryResult.Delivered)) {
            log.warn("Could not report the dead-lettered message to chat {} either: {}", chat, result);
        }
        return true;
    }

    /**
     * 🔕 1h / 4h / 24h for the alert of the notification record at that place (a priority-lane record
     * or not, partition, offset): a press reads that very record back, so the silence matches the
     * labels this message showed ({@link ButtonData.Silence}).
     */
    public static List<OutgoingMessage.Button> silenceButtons(boolean priority, int partition, long offset) {
        ButtonData.Lane lane = priority ? ButtonData.Lane.PRIORITY : ButtonData.Lane.NORMAL;
        return ButtonData.SILENCE_HOURS.stream()
                .map(h -> new OutgoingMessage.Button("🔕 " + h + "h", new ButtonData.Silence(lane, partition, offset, h).encode()))
                .toList();
    }

    /** The chats a notification goes to: its own, with the default chats where it asks for them (or names none). */
    private List<ChatTarget> targets(List<ChatTarget> chats) {
        List<ChatTarget> defaults = config.chatIds().stream().map(id -> new ChatTarget(id, null)).toList();
        if (chats.isEmpty()) {
            return defaults;
        }
        java.util.LinkedHashSet<ChatTarget> out = new java.util.LinkedHashSet<>();
        for (ChatTarget target : chats) {
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
            RateLimiter.Slot slot = channel.rateLimited() ? limiter.reserve(message.chatId()) : null;
            Duration pace = slot == null ? Duration.ZERO : limiter.waitFor(slot);
            if (!pace.isZero() && !waitKeepingMembership(pace)) {
                limiter.sent(slot);
                return null;
            }
            DeliveryResult result = channel.send(message);
            if (slot != null) {
                limiter.sent(slot);
            }
            if (result instanceof DeliveryResult.Moved moved) {
                // Telegram: a group upgraded to a supergroup has a new id; keep sending there.
                log.warn("Chat {} is now chat {} (group upgraded to a supergroup); sending there. Update TELEGRAM_CHAT_ID / routes.",
                        message.chatId(), moved.newChatId());
                migrated.put(message.chatId(), moved.newChatId());
                message = message.toChat(moved.newChatId());
                continue;
            }
            if (!(result instanceof DeliveryResult.Retryable retry)) {
                if (lastFailure != null) {
                    log.info("Delivery to chat {} recovered after {}", message.chatId(), lastFailure);
                }
                return result;
            }
            Duration wait = ServerWait.capped(retry.retryAfter().orElse(backoff));
            io.micrometer.core.instrument.Metrics.counter("homelab_notification_retries", "failure", String.valueOf(retry.failure())).increment();
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
                // The urgent lanes keep fetching (up to a bound), so what arrives meanwhile goes out right after this message.
                Set<TopicPartition> hold = urgentArrivals.size() >= MAX_URGENT_ARRIVALS ? consumer.assignment() : normalPartitions();
                consumer.pause(hold);
                Set<TopicPartition> flowing = new java.util.HashSet<>(consumer.assignment());
                flowing.removeAll(hold);
                consumer.resume(flowing);
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                keepUrgent(consumer.poll(Duration.ofNanos(Math.min(left, Duration.ofSeconds(1).toNanos()))));
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
        deadLetters.write(record, chat, reason);
    }

    @Override
    public void close() {
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
        consumerMetrics.close();
    }
}
