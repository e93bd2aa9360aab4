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
import io.homelab.alerts.notifier.format.PackedMessage;
import io.homelab.alerts.notifier.pipeline.NotificationRecords;
import java.util.Optional;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * Consumes alert events and delivers them to every configured chat, committing a record's offset
 * only after every chat has it (at-least-once: a crash between a send and its commit repeats at
 * most those messages).
 *
 * <p>Delivery coalesces per chat (and forum topic): the first alert after a quiet spell goes out
 * at once; whatever arrives for that chat while its next send slot (Telegram's limits, {@link
 * RateLimiter}) is not yet open is gathered, and goes out when the slot opens as one message: a
 * list (critical first, then by alertname) or, past {@code stormThreshold} alerts, a summary. The
 * same gathering drains a backlog after an outage. Approval requests and remediation outcomes keep
 * messages of their own. Retryable failures wait for that chat alone (Telegram's {@code
 * retry_after} exactly, else exponential backoff up to a minute) while the alerts stay in Kafka;
 * "message is too long" sends the same alerts in smaller messages; other permanent failures go to
 * the dead-letter topic with the reason and the chat is told once.
 */
public final class NotifierService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NotifierService.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(60);
    /** Alerts waiting in all chats beyond which the normal lane stops fetching (memory in a long outage); the urgent lanes stop at twice that. */
    static final int MAX_WAITING = 5000;
    /** The smallest message a too-long refusal can shrink a chat's messages to. */
    static final int MIN_BUDGET = 512;
    static final Duration BUDGET_KEPT = Duration.ofHours(1);
    /** One round of sends ends after this long, so the consumer keeps polling (group membership) even when Telegram is slow. */
    static final Duration MAX_SEND_ROUND = Duration.ofSeconds(5);
    /** The longest the loop sleeps in poll while nothing is due. */
    static final Duration IDLE_POLL = Duration.ofMillis(500);

    private final NotifierConfig config;
    private final Channel channel;
    private final MessageFormatter formatter;
    private final KafkaConsumer<String, byte[]> consumer;
    private final DeadLetters deadLetters;
    private final RateLimiter limiter;
    /** Groups upgraded to supergroups: old id → new id (Telegram's migrate_to_chat_id). */
    private final Map<String, String> migrated = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private volatile boolean running = true;
    private volatile boolean polled;

    // Touched only on the consumer thread (the rebalance listener runs inside poll).
    private boolean rebalanced;
    /** What waits for each chat, in the order chats first got something. */
    private final Map<ChatTarget, ChatQueue> queues = new LinkedHashMap<>();
    private final InFlight inFlight = new InFlight();
    private long arrivals;

    /** One alert waiting for one chat. */
    private record Waiting(ConsumerRecord<String, byte[]> record, Notification notification, long seq) {}

    /**
     * A message of its own: an approval request, a remediation outcome, a part of a long alert, a
     * report of an undeliverable message. {@code record} is done for this chat when its last
     * message is sent ({@code completes}); null for reports.
     */
    private record Solo(ConsumerRecord<String, byte[]> record, OutgoingMessage message, boolean completes, long seq, String what,
            Waiting alone) {
        Solo(ConsumerRecord<String, byte[]> record, OutgoingMessage message, boolean completes, long seq, String what) {
            this(record, message, completes, seq, what, null);
        }
    }

    /** One chat's waiting alerts and messages, and its retry state. */
    private static final class ChatQueue {
        final ChatTarget target;
        final List<Waiting> alerts = new ArrayList<>();
        final ArrayDeque<Solo> solos = new ArrayDeque<>();
        long retryAtNanos;
        Duration backoff = FIRST_BACKOFF;
        DeliveryResult.Failure lastFailure;
        int budget = MessageSplitter.TELEGRAM_LIMIT;
        /** When the budget was last halved: it stays small for {@link #BUDGET_KEPT}, or every message would be refused once more. */
        long budgetShrunkNanos;
        /** The pack record last written for this chat's gathered message, and for which records: a retry reuses it. */
        List<NotificationRecords.Ref> packRefs;
        List<OutgoingMessage.Button> packButtons;

        ChatQueue(ChatTarget target) {
            this.target = target;
        }

        boolean idle() {
            return alerts.isEmpty() && solos.isEmpty();
        }
    }

    /**
     * Per partition, the fetched records not yet delivered everywhere (offset → chats still to
     * go), and the next offset to read: what may be committed is the lowest undelivered offset.
     */
    private static final class InFlight {
        final Map<TopicPartition, java.util.TreeMap<Long, Integer>> open = new HashMap<>();
        final Map<TopicPartition, Long> next = new HashMap<>();
        final Map<TopicPartition, Long> committed = new HashMap<>();

        void fetched(ConsumerRecord<String, byte[]> r, int chats) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            next.put(tp, r.offset() + 1);
            if (chats > 0) {
                open.computeIfAbsent(tp, k -> new java.util.TreeMap<>()).put(r.offset(), chats);
            }
        }

        void done(ConsumerRecord<String, byte[]> r) {
            java.util.TreeMap<Long, Integer> offsets = open.get(new TopicPartition(r.topic(), r.partition()));
            if (offsets != null) {
                offsets.computeIfPresent(r.offset(), (k, v) -> v <= 1 ? null : v - 1);
            }
        }

        /** The offsets that can be committed and were not yet. */
        Map<TopicPartition, OffsetAndMetadata> committable(Set<TopicPartition> of) {
            Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
            for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
                if (!of.contains(e.getKey())) {
                    continue;
                }
                java.util.TreeMap<Long, Integer> offsets = open.get(e.getKey());
                long upTo = offsets == null || offsets.isEmpty() ? e.getValue() : offsets.firstKey();
                if (!Long.valueOf(upTo).equals(committed.get(e.getKey()))) {
                    out.put(e.getKey(), new OffsetAndMetadata(upTo));
                }
            }
            return out;
        }

        void clear() {
            open.clear();
            next.clear();
            committed.clear();
        }
    }

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
                commitDone(new java.util.HashSet<>(partitions)); // what was delivered stays delivered
                rebalanced = true;
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                rebalanced = true;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                rebalanced = true;
            }
        });
        try {
            while (running) {
                sendDue();
                commitDone(consumer.assignment());
                holdBackWhenFull();
                ConsumerRecords<String, byte[]> records = consumer.poll(untilNextDue());
                polled = true;
                if (rebalanced) {
                    rebalanced = false;
                    if (!queues.isEmpty() || !inFlight.next.isEmpty()) {
                        // Partitions moved: what was fetched but not delivered is read again from the commits.
                        queues.clear();
                        inFlight.clear();
                        consumer.resume(consumer.assignment());
                        Offsets.rewindToCommitted(consumer);
                        continue;
                    }
                }
                records.forEach(this::enqueue);
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

    private boolean isUrgent(String topic) {
        return !topic.equals(config.topics().notifications().name());
    }

    /** Bounded memory in a long outage: past the bound the normal lane waits in Kafka; critical alerts and approvals still come, up to twice it. */
    private void holdBackWhenFull() {
        int waiting = 0;
        for (ChatQueue q : queues.values()) {
            waiting += q.alerts.size() + q.solos.size();
        }
        Set<TopicPartition> hold = new java.util.HashSet<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (waiting >= 2 * MAX_WAITING || (waiting >= MAX_WAITING && !isUrgent(tp.topic()))) {
                hold.add(tp);
            }
        }
        Set<TopicPartition> flowing = new java.util.HashSet<>(consumer.assignment());
        flowing.removeAll(hold);
        consumer.pause(hold);
        consumer.resume(flowing);
    }

    /** How long poll may wait: until the first chat with something waiting may send, at most {@link #IDLE_POLL}. */
    private Duration untilNextDue() {
        long now = System.nanoTime();
        Duration wait = IDLE_POLL;
        for (ChatQueue q : queues.values()) {
            if (q.idle()) {
                continue;
            }
            Duration retry = Duration.ofNanos(Math.max(0, q.retryAtNanos - now));
            Duration slot = channel.rateLimited() ? limiter.delayFor(chat(q)) : Duration.ZERO;
            Duration due = retry.compareTo(slot) > 0 ? retry : slot;
            if (due.compareTo(wait) < 0) {
                wait = due;
            }
        }
        // Never zero: Duration.ZERO only sends the fetch, and its answer would wait for the next round.
        return wait.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : wait;
    }

    private String chat(ChatQueue q) {
        return migrated.getOrDefault(q.target.chatId(), q.target.chatId());
    }

    private ChatQueue queue(ChatTarget target) {
        return queues.computeIfAbsent(target, ChatQueue::new);
    }

    /** Files a fetched record under every chat it is for; what needs no message is done at once. */
    private void enqueue(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(config.topics().remediationResults().name())) {
            List<Solo> messages = remediationMessages(record);
            inFlight.fetched(record, (int) messages.stream().filter(Solo::completes).count());
            for (Solo solo : messages) {
                queue(new ChatTarget(solo.message().chatId(), solo.message().threadId())).solos.add(solo);
            }
            return;
        }
        Notification notification;
        try {
            notification = config.topics().notifications().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, null, "not a notification: " + e.getMessage());
            inFlight.fetched(record, 0);
            return;
        }
        if (notification == null || notification.alert() == null) {
            deadLetter(record, null, "empty record");
            inFlight.fetched(record, 0);
            return;
        }
        // Routes that name only webhooks: their own consumers send it.
        List<ChatTarget> chats = notification.webhooksOnly() ? List.of() : targets(notification.chats());
        inFlight.fetched(record, chats.size());
        long seq = arrivals++;
        for (ChatTarget target : chats) {
            queue(target).alerts.add(new Waiting(record, notification, seq));
        }
    }

    /** Sends one message to every chat whose slot is open and that has something waiting. */
    private void sendDue() {
        long roundEnds = System.nanoTime() + MAX_SEND_ROUND.toNanos();
        for (ChatQueue q : new ArrayList<>(queues.values())) {
            if (!running || System.nanoTime() > roundEnds) {
                return;
            }
            if (q.idle()) {
                queues.remove(q.target);
                continue;
            }
            if (System.nanoTime() < q.retryAtNanos || (channel.rateLimited() && !limiter.delayFor(chat(q)).isZero())) {
                continue;
            }
            sendNext(q);
        }
    }

    /**
     * The next message for this chat: its oldest message of its own, or everything gathered: one
     * alert in the full layout (possibly in parts), several as a list, past the threshold a summary.
     */
    private void sendNext(ChatQueue q) {
        if (!q.solos.isEmpty() && (q.alerts.isEmpty() || q.solos.peekFirst().seq() < q.alerts.get(0).seq())) {
            sendSolo(q, q.solos.peekFirst());
            return;
        }
        if (q.alerts.size() == 1) {
            // Alone: the full layout with its Silence buttons, as parts when long; they go out as messages of their own.
            Waiting only = q.alerts.remove(0);
            List<Solo> parts = alertParts(q, only);
            for (int i = parts.size() - 1; i >= 0; i--) {
                q.solos.addFirst(parts.get(i));
            }
            sendSolo(q, q.solos.peekFirst());
            return;
        }
        List<Waiting> ordered = PackedMessage.ordered(q.alerts, Waiting::notification);
        List<Notification> notifications = ordered.stream().map(Waiting::notification).toList();
        List<Waiting> covered;
        String html;
        if (config.stormThreshold() > 0 && ordered.size() > config.stormThreshold()) {
            covered = ordered;
            html = PackedMessage.fitted(PackedMessage.summary(notifications), q.budget);
        } else {
            PackedMessage.Pack pack = PackedMessage.list(notifications, q.budget);
            covered = ordered.subList(0, pack.covered());
            html = pack.html();
        }
        OutgoingMessage message = new OutgoingMessage(q.target.chatId(), q.target.threadId(), html, silenceAllButtons(q, covered));
        DeliveryResult result = send(q, message);
        if (result instanceof DeliveryResult.Delivered) {
            List<Waiting> sent = List.copyOf(covered);
            removeAll(q, sent);
            q.packRefs = null;
            q.packButtons = null;
            sent.forEach(w -> inFlight.done(w.record()));
            io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "alert", "outcome", "sent").increment(sent.size());
            log.info("Sent {} alerts as one {} to chat {} via {}", sent.size(), html.startsWith("🌩") ? "summary" : "list", chat(q), channel.name());
        } else if (result instanceof DeliveryResult.Permanent permanent) {
            List<Waiting> refused = List.copyOf(covered);
            removeAll(q, refused);
            q.packRefs = null;
            q.packButtons = null;
            if (chatLevel(permanent)) {
                // The chat itself refuses (bot removed, chat or topic gone): alert by alert would only be refused again.
                log.error("Could not deliver a list of {} alerts to chat {}: {} [{}]; moved to the dead-letter topic", refused.size(), chat(q),
                        permanent.reason(), permanent.failure());
                io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "alert", "outcome", "dead_lettered")
                        .increment(refused.size());
                for (Waiting w : refused) {
                    deadLetter(w.record(), chat(q), permanent.failure() + ": " + permanent.reason());
                    inFlight.done(w.record());
                }
                reportUndeliverable(q, refused.size() + " alerts", refused.get(0).record(), permanent);
                return;
            }
            // Refused for what it says: each alert is tried on its own, so only the one Telegram cannot take is dead-lettered.
            log.warn("Telegram refused a list of {} alerts for chat {} ({}); sending them one by one", refused.size(), chat(q),
                    permanent.reason());
            List<Solo> singles = new ArrayList<>();
            refused.forEach(w -> singles.addAll(alertParts(q, w)));
            for (int i = singles.size() - 1; i >= 0; i--) {
                q.solos.addFirst(singles.get(i));
            }
        }
    }

    /** A refusal of the chat rather than of the message: 403 (bot removed or blocked), chat not found, forum topic closed or gone. */
    static boolean chatLevel(DeliveryResult.Permanent p) {
        String r = String.valueOf(p.reason()).toLowerCase(java.util.Locale.ROOT);
        return p.failure() == DeliveryResult.Failure.AUTH || r.contains("chat not found") || r.contains("topic_closed")
                || r.contains("topic_deleted") || r.contains("thread not found");
    }

    /** At most this many alerts one 🔕 all silences (one Alertmanager silence each). */
    static final int MAX_SILENCE_ALL = 500;

    /**
     * 🔕 all 1h / 4h / 24h under a list or summary, when it shows firing alerts: a pack record names
     * their notification records, so a press silences exactly what this message showed.
     */
    private List<OutgoingMessage.Button> silenceAllButtons(ChatQueue q, List<Waiting> covered) {
        if (!config.silenceButtons()) {
            return List.of();
        }
        Map<String, NotificationRecords.Ref> firing = new LinkedHashMap<>();
        for (Waiting w : covered) {
            String fp = w.notification().alert().fingerprint();
            if (w.notification().alert().isFiring()) {
                firing.put(fp, new NotificationRecords.Ref(w.record().topic().equals(config.topics().priorityNotifications().name()),
                        w.record().partition(), w.record().offset()));
            } else {
                firing.remove(fp); // resolved since, in the same message
            }
        }
        if (firing.isEmpty()) {
            return List.of();
        }
        List<NotificationRecords.Ref> all = new ArrayList<>(firing.values());
        List<NotificationRecords.Ref> refs = List.copyOf(all.subList(0, Math.min(all.size(), MAX_SILENCE_ALL)));
        if (refs.equals(q.packRefs)) {
            return q.packButtons; // the same message again (a retry): its pack record is already written
        }
        Optional<long[]> at = deadLetters.writePack(config.topics().packs(), NotificationRecords.packRecord(refs));
        if (at.isEmpty()) {
            log.warn("Could not write the pack record of a gathered message: it goes without its silence-all buttons");
            return List.of();
        }
        List<OutgoingMessage.Button> buttons = ButtonData.SILENCE_HOURS.stream().map(h -> new OutgoingMessage.Button(h == 1 ? "🔕 all 1h" : "🔕 " + h + "h",
                new ButtonData.SilenceAll((int) at.get()[0], at.get()[1], h).encode())).toList();
        q.packRefs = refs;
        q.packButtons = buttons;
        return buttons;
    }

    private static void removeAll(ChatQueue q, List<Waiting> sent) {
        Set<Waiting> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        gone.addAll(sent);
        q.alerts.removeIf(gone::contains);
    }

    /** One alert in the full layout, in as many parts as it needs; the Silence buttons go under the last. */
    private List<Solo> alertParts(ChatQueue q, Waiting w) {
        List<String> parts = new MessageSplitter(q.budget).split(formatter.format(w.notification()));
        boolean priority = w.record().topic().equals(config.topics().priorityNotifications().name());
        List<Solo> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            boolean last = i == parts.size() - 1;
            List<OutgoingMessage.Button> buttons = last && config.silenceButtons() && w.notification().alert().isFiring()
                    ? silenceButtons(priority, w.record().partition(), w.record().offset()) : List.of();
            out.add(new Solo(w.record(), new OutgoingMessage(q.target.chatId(), q.target.threadId(), parts.get(i), buttons), last, w.seq(),
                    "alert", parts.size() == 1 ? w : null));
        }
        return out;
    }

    private void sendSolo(ChatQueue q, Solo solo) {
        DeliveryResult result = send(q, solo.message());
        if (result == null && solo.alone() != null) {
            // Not sent (a retry wait): a one-message alert goes back to be gathered with what arrives meanwhile.
            q.solos.pollFirst();
            q.alerts.add(0, solo.alone());
            return;
        }
        if (result instanceof DeliveryResult.Delivered) {
            q.solos.pollFirst();
            if (solo.record() != null && solo.completes()) {
                inFlight.done(solo.record());
            }
            logSent(solo, chat(q));
        } else if (result instanceof DeliveryResult.TooLong) {
            // Already shrunk the budget: the same text, in smaller parts; the buttons stay under the last.
            q.solos.pollFirst();
            List<String> parts = new MessageSplitter(q.budget).split(solo.message().html());
            for (int i = parts.size() - 1; i >= 0; i--) {
                boolean last = i == parts.size() - 1;
                OutgoingMessage m = solo.message();
                q.solos.addFirst(new Solo(solo.record(), new OutgoingMessage(m.chatId(), m.threadId(), parts.get(i), last ? m.buttons() : List.of(),
                        m.replyTo()), last && solo.completes(), solo.seq(), solo.what()));
            }
        } else if (result instanceof DeliveryResult.Permanent permanent) {
            q.solos.pollFirst();
            if (solo.record() == null) {
                log.warn("Could not deliver a {} to chat {} either: {}", solo.what(), chat(q), permanent.reason());
                return;
            }
            // The rest of the same record's parts for this chat go with it.
            q.solos.removeIf(other -> other.record() == solo.record());
            io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", solo.what().equals("alert") ? "alert" : "remediation",
                    "outcome", "dead_lettered").increment();
            log.error("Could not deliver a {} to chat {}: {} [{}]; moved to the dead-letter topic", solo.what(), chat(q), permanent.reason(),
                    permanent.failure());
            deadLetter(solo.record(), chat(q), permanent.failure() + ": " + permanent.reason());
            inFlight.done(solo.record());
            reportUndeliverable(q, describe(solo), solo.record(), permanent);
        }
    }

    private String describe(Solo solo) {
        try {
            if (solo.record().topic().equals(config.topics().remediationResults().name())) {
                RemediationUpdate u = config.topics().remediationResults().valueSerde().deserializer().deserialize(solo.record().topic(),
                        solo.record().value());
                return u.alert().alertname();
            }
            return config.topics().notifications().valueSerde().deserializer().deserialize(solo.record().topic(), solo.record().value())
                    .alert().alertname();
        } catch (RuntimeException e) {
            return "an alert";
        }
    }

    private void logSent(Solo solo, String chat) {
        switch (solo.what()) {
            case "alert" -> {
                if (solo.completes()) {
                    io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "alert", "outcome", "sent").increment();
                    Notification n = config.topics().notifications().valueSerde().deserializer().deserialize(solo.record().topic(),
                            solo.record().value());
                    log.info("Sent {} {} ({}, {}) to chat {} via {}", n.alert().status(), n.alert().alertname(), n.alert().fingerprint(),
                            n.reason(), chat, channel.name());
                }
            }
            case "remediation" -> {
                io.micrometer.core.instrument.Metrics.counter("homelab_notifications", "kind", "remediation", "outcome", "sent").increment();
                RemediationUpdate u = config.topics().remediationResults().valueSerde().deserializer().deserialize(solo.record().topic(),
                        solo.record().value());
                log.info("Sent remediation {} {} to chat {}", u.stage(), u.requestId(), chat);
            }
            default -> log.debug("Sent a {} to chat {}", solo.what(), chat);
        }
    }

    /**
     * One attempt, within Telegram's limits. Delivered, Permanent and TooLong (the chat's budget
     * halved) are for the caller; Moved and Retryable are handled here and return null: the chat
     * tries again in a later round.
     */
    private DeliveryResult send(ChatQueue q, OutgoingMessage message) {
        String chat = chat(q);
        RateLimiter.Slot slot = channel.rateLimited() ? limiter.reserve(chat) : null;
        Duration pace = slot == null ? Duration.ZERO : limiter.waitFor(slot);
        if (!pace.isZero()) {
            // A bot reply took the slot a moment ago: the next one is at most a second away.
            try {
                Thread.sleep(pace.toMillis() + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                limiter.sent(slot);
                return null;
            }
        }
        if (slot != null) {
            // The slot counts from when the request leaves, as Telegram counts when a message arrives: counted
            // from when the answer came back, alerts a second apart would each wait a round trip longer.
            limiter.sent(slot);
        }
        DeliveryResult result = channel.send(message.toChat(chat));
        if (result instanceof DeliveryResult.Moved moved) {
            // Telegram: a group upgraded to a supergroup has a new id; keep sending there.
            log.warn("Chat {} is now chat {} (group upgraded to a supergroup); sending there. Update TELEGRAM_CHAT_ID / routes.",
                    chat, moved.newChatId());
            migrated.put(q.target.chatId(), moved.newChatId());
            migrated.put(chat, moved.newChatId());
            return null;
        }
        if (result instanceof DeliveryResult.Retryable retry) {
            Duration wait = ServerWait.capped(retry.retryAfter().orElse(q.backoff));
            io.micrometer.core.instrument.Metrics.counter("homelab_notification_retries", "failure", String.valueOf(retry.failure())).increment();
            if (retry.failure() != q.lastFailure) {
                log.warn("Delivery to chat {} failed ({}): {}; retrying in {} s while the alerts wait in Kafka", chat, retry.failure(),
                        retry.reason(), wait.toSeconds());
                q.lastFailure = retry.failure();
            }
            q.retryAtNanos = System.nanoTime() + wait.toNanos();
            if (retry.retryAfter().isEmpty()) {
                q.backoff = q.backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : q.backoff.multipliedBy(2);
            }
            return null;
        }
        if (result instanceof DeliveryResult.TooLong tooLong) {
            if (q.budget <= MIN_BUDGET || MessageSplitter.plainLength(message.html()) <= MIN_BUDGET) {
                // Not a length Telegram refuses (it takes 4,096): splitting further cannot help; treat it as refused.
                return new DeliveryResult.Permanent(DeliveryResult.Failure.CLIENT, tooLong.reason() + " (even at "
                        + MessageSplitter.plainLength(message.html()) + " characters)");
            }
            // Halved, and again until the refused text no longer fits: re-splitting must change what is sent.
            int length = MessageSplitter.plainLength(message.html());
            int budget = q.budget / 2;
            while (budget >= length && budget / 2 >= MIN_BUDGET) {
                budget /= 2;
            }
            q.budget = Math.max(MIN_BUDGET, budget);
            q.budgetShrunkNanos = System.nanoTime();
            log.warn("Telegram refused a message to chat {} as too long ({}); sending it in messages of at most {} characters", chat,
                    tooLong.reason(), q.budget);
            return result;
        }
        if (q.lastFailure != null) {
            log.info("Delivery to chat {} recovered after {}", chat, q.lastFailure);
            q.lastFailure = null;
        }
        q.backoff = FIRST_BACKOFF;
        if (result instanceof DeliveryResult.Delivered && q.budget < MessageSplitter.TELEGRAM_LIMIT
                && System.nanoTime() - q.budgetShrunkNanos > BUDGET_KEPT.toNanos()) {
            q.budget = MessageSplitter.TELEGRAM_LIMIT;
        }
        return result;
    }

    /** Commits, for these partitions, every offset below the first record not yet delivered everywhere. */
    private void commitDone(Set<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = inFlight.committable(partitions);
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
            offsets.forEach((tp, o) -> inFlight.committed.put(tp, o.offset()));
        } catch (RebalanceInProgressException | CommitFailedException e) {
            // Delivered but the commit lost: those messages may be sent once more (at-least-once).
            log.info("Commit interrupted by a group rebalance ({}); re-reading from the last commit", e.getClass().getSimpleName());
        }
    }

    /**
     * An approval request gets Approve / Reject buttons in every chat it is for; an outcome is a
     * reply to the message that was answered (or a new message where nobody answered). APPROVED and
     * REJECTED need no message: the press already edited it.
     */
    private List<Solo> remediationMessages(ConsumerRecord<String, byte[]> record) {
        RemediationUpdate update;
        try {
            update = config.topics().remediationResults().valueSerde().deserializer().deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            deadLetter(record, null, "not a remediation update: " + e.getMessage());
            return List.of();
        }
        if (update == null || update.alert() == null || update.stage() == null) {
            deadLetter(record, null, "empty remediation update");
            return List.of();
        }
        List<OutgoingMessage> messages = new ArrayList<>();
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
        // The record is done for a chat when that chat's last message of it is sent: count chats, not messages.
        Map<ChatTarget, Integer> lastOf = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            lastOf.put(new ChatTarget(messages.get(i).chatId(), messages.get(i).threadId()), i);
        }
        long seq = arrivals++;
        List<Solo> solos = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            OutgoingMessage m = messages.get(i);
            solos.add(new Solo(record, m, lastOf.get(new ChatTarget(m.chatId(), m.threadId())) == i, seq, "remediation"));
        }
        return solos;
    }

    private final MessageSplitter splitter = new MessageSplitter(MessageSplitter.TELEGRAM_LIMIT);

    /**
     * Tells the chat, once, in plain words, that a message for it was refused and where it is kept;
     * nothing more happens if the chat refuses this too. It goes out in the chat's next slot.
     */
    private void reportUndeliverable(ChatQueue q, String about, ConsumerRecord<String, byte[]> record, DeliveryResult.Permanent permanent) {
        String text = "⚠️ A message about " + Html.escape(about) + " could not be delivered here: "
                + Html.escape(permanent.reason()) + "\nIt is kept in Kafka topic " + Html.escape(config.topics().deadLetters().name())
                + " (from " + Html.escape(record.topic()) + " partition " + record.partition() + " offset " + record.offset() + ").";
        q.solos.addFirst(new Solo(null, new OutgoingMessage(q.target.chatId(), q.target.threadId(), text), false, -1, "report"));
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

    private void deadLetter(ConsumerRecord<String, byte[]> record, String chat, String reason) {
        deadLetters.write(record, chat, reason);
    }

    @Override
    public void close() {
        KafkaClients.stopLoop(() -> running = false, consumer, thread);
        consumerMetrics.close();
    }
}
