package io.homelab.alerts.remediator;

import io.homelab.alerts.common.kafka.KafkaClients;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.ActionRun;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import io.homelab.alerts.remediator.approval.ApprovalBook;
import io.homelab.alerts.remediator.executor.Executors;
import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.rails.SafetyRails;
import io.homelab.alerts.remediator.runbook.Refusal;
import io.homelab.alerts.remediator.runbook.Risk;
import io.homelab.alerts.remediator.runbook.Runbook;
import io.homelab.alerts.remediator.runbook.Runbooks;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs runbooks. Each new incident on {@code remediation.requests} finds its runbook (the route's,
 * else the first whose matchers match); its action is filled in with every label value checked.
 * A low-risk fix runs at once when autohealing is on and no safety rail stands in the way; anything
 * else becomes an approval request, and an Approve (from an allowed user, once, in time) runs it.
 * After a fix the alert is watched: resolved in time is FIXED, still firing is NOT_FIXED (counted
 * against the cap, never retried in a loop). Every step is a record on {@code remediation.results},
 * written before the next step starts, and read back at start: a restart knows what was pending,
 * what ran and what is being verified, and an action a crash interrupted is reported, never re-run.
 */
public final class RemediatorService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RemediatorService.class);
    private static final String AUTOHEALING = "autohealing";

    /**
     * @param late the action answered after it had been reported failed at its timeout: only frees its target
     */
    private record Done(RemediationUpdate running, Prepared prepared, Duration verify, Prepared.Outcome outcome, Duration took, Throwable error,
            boolean timedOut, boolean late) {
        Done(RemediationUpdate running, Prepared prepared, Duration verify, Prepared.Outcome outcome, Duration took, Throwable error) {
            this(running, prepared, verify, outcome, took, error, false, false);
        }
    }

    private record Watch(String requestId, String target, String summary, Instant finished, Instant deadline) {
    }

    private final Topics topics;
    private final String bootstrapServers;
    private final RemediatorSettings settings;
    private final Runbooks runbooks;
    private final Executors executors;
    private final Clock clock;
    private final ApprovalBook book;
    private final SafetyRails rails;
    private final Map<String, Watch> watches = new HashMap<>();
    private final ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
    /** Fingerprint → when its alert resolved, for fixes still running: the resolution is kept for when they end. */
    private final Map<String, Instant> resolvedWhileRunning = new HashMap<>();
    /** Fingerprint → request id of a fix that is running now. */
    private final Map<String, String> runningFor = new HashMap<>();
    // Not a fixed pool: an action the engine never answers must not hold up the next one (its timeout ends our wait for it).
    private final ExecutorService workers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "remediation-action");
        t.setDaemon(true);
        return t;
    });
    private final KafkaConsumer<String, byte[]> consumer;
    private final KafkaConsumer<String, byte[]> control;
    private final KafkaProducer<String, byte[]> producer;
    private final Thread thread;
    private final io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private volatile boolean running = true;
    private volatile Boolean autohealing;
    private volatile boolean rebuilt;

    public RemediatorService(Topics topics, String bootstrapServers, RemediatorSettings settings, Runbooks runbooks, Executors executors,
            Clock clock, Consumer<String> onFatal) {
        this.topics = topics;
        this.bootstrapServers = bootstrapServers;
        this.settings = settings;
        this.runbooks = runbooks;
        this.executors = executors;
        this.clock = clock;
        this.book = new ApprovalBook(settings.approvalTimeout(), clock);
        this.rails = new SafetyRails(settings.rails());
        this.consumer = KafkaClients.consumer(bootstrapServers, topics.groupId("remediator"), "homelab-remediator", Map.of());
        this.control = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.CLIENT_ID_CONFIG, "homelab-remediator-control"), new StringDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "homelab-remediator",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
        this.thread = KafkaClients.serviceThread("remediator", this::run, log, onFatal);
        this.consumerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(io.micrometer.core.instrument.Metrics.globalRegistry);
    }

    public RemediatorService start() {
        thread.start();
        return this;
    }

    /** For /ready: ready once its past is read back and while its loop runs. */
    public io.homelab.alerts.common.health.Readiness readiness() {
        return io.homelab.alerts.common.health.Readiness.of("remediator", () -> !thread.isAlive() ? Optional.of(rebuilt ? "stopped" : "not started")
                : rebuilt ? Optional.empty() : Optional.of("reading its past updates back from " + topics.remediationResults().name()));
    }

    /** Whether low-risk fixes run on their own now (the control topic, else AUTOHEALING_ENABLED). */
    public boolean autohealing() {
        Boolean set = autohealing;
        return set == null ? settings.autohealingDefault() : set;
    }

    private void run() {
        try {
            followControl();
            rebuild();
            rebuilt = true;
            consumer.subscribe(List.of(topics.remediationRequests().name(), topics.remediationDecisions().name()));
            while (running) {
                pollControl(Duration.ZERO);
                var records = consumer.poll(Duration.ofMillis(300));
                for (ConsumerRecord<String, byte[]> record : records) {
                    if (record.topic().equals(topics.remediationRequests().name())) {
                        onRequest(record);
                    } else {
                        onDecision(record);
                    }
                }
                drainDone();
                if (records.isEmpty()) {
                    // Caught up: a resolution that is still in the topic cannot be missed any more.
                    checkVerifications();
                    expireUnanswered();
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
            workers.shutdown();
            try {
                // Let running actions end and their results be written; what does not end in time is reported at the next start.
                workers.awaitTermination(settings.actionTimeout().toSeconds() + 5, TimeUnit.SECONDS);
                drainDone(); // what finished is written; what did not is reported at the next start
            } catch (InterruptedException | RuntimeException e) {
                log.warn("Stopped before every action's result was written ({}); the next start reports them", e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
            control.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
        }
    }

    private void followControl() {
        List<TopicPartition> partitions = control.partitionsFor(topics.control().name(), Duration.ofSeconds(60)).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        control.assign(partitions);
        control.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = control.endOffsets(partitions, Duration.ofSeconds(60));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (partitions.stream().anyMatch(tp -> control.position(tp, Duration.ofSeconds(5)) < end.get(tp)) && System.nanoTime() < deadline) {
            pollControl(Duration.ofMillis(200));
        }
        log.info("Autohealing is {} ({})", autohealing() ? "on" : "off",
                autohealing == null ? "AUTOHEALING_ENABLED; nobody has switched it yet" : "last set by /enable_autohealing or /disable_autohealing");
    }

    private void pollControl(Duration timeout) {
        for (ConsumerRecord<String, byte[]> r : control.poll(timeout)) {
            if (AUTOHEALING.equals(r.key())) {
                String v = r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8).strip();
                Boolean before = autohealing;
                autohealing = v == null ? null : v.equals("on") || v.equals("true");
                if (before != null && !before.equals(autohealing)) {
                    log.info("Autohealing turned {}", autohealing() ? "on" : "off");
                }
            }
        }
    }

    /** Folds our own past updates back in: pending approvals, rails, verifications, interrupted actions. */
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
                replay(update);
                n++;
            }
            log.info("Remediator ready: {} past update(s) read, {} approval(s) pending, {} fix(es) being verified", n, book.pending().size(),
                    watches.size());
            for (RemediationUpdate interrupted : book.interrupted()) {
                // It may have run in part: never run a fix twice on our own; say so and let a person look.
                String what = interrupted.action() == null ? interrupted.suggestedFix() : interrupted.action().call();
                RemediationUpdate failed = interrupted.next(Stage.FAILED, interrupted.decision(),
                        "The remediator stopped while this fix was " + (interrupted.stage() == Stage.RUNNING ? "running" : "about to run")
                                + " (" + what + "); it is not run again. Check " + interrupted.component() + " by hand.", clock.instant());
                publish(failed);
                replay(failed);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot read " + topics.remediationResults().name() + ": " + e.getMessage(), e);
        }
    }

    private void replay(RemediationUpdate u) {
        book.remember(u);
        String target = u.action() == null ? null : u.action().target();
        if (target == null) {
            return;
        }
        boolean counts = !"diagnose".equals(u.action().executor());
        switch (u.stage()) {
            case RUNNING -> rails.started(target, u.at(), counts);
            case SUCCEEDED -> {
                rails.finished(target, true, u.at());
                if (u.verifyBy() != null) {
                    watches.put(u.alert().fingerprint(), new Watch(u.requestId(), target, u.detail(), u.at(), u.verifyBy()));
                }
            }
            case FAILED -> rails.finished(target, counts ? false : true, u.at());
            case NOT_FIXED -> {
                rails.notFixed(target, u.at());
                watches.remove(u.alert().fingerprint());
            }
            case FIXED -> watches.remove(u.alert().fingerprint());
            default -> {
            }
        }
    }

    private void onRequest(ConsumerRecord<String, byte[]> record) {
        RemediationRequest request = read(record, topics.remediationRequests().valueSerde().deserializer());
        if (request == null || request.alert() == null || request.alert().fingerprint() == null) {
            return;
        }
        AlertEvent alert = request.alert();
        if (!alert.isFiring()) {
            resolved(alert);
            return;
        }
        String id = RemediationUpdate.idFor(alert);
        if (book.get(id).isPresent()) {
            log.debug("Already handled {} ({})", alert.alertname(), id);
            return;
        }
        Optional<Runbook> found = runbookFor(request);
        if (found.isEmpty()) {
            log.info("No runbook for {} on {} (route {}): a suggestion only, nothing to run", alert.alertname(),
                    ApprovalBook.component(alert), request.route());
            return;
        }
        Runbook runbook = found.get();
        Risk risk = riskOf(runbook, alert);
        // What is offered is always the runbook's own words; the alert's suggested_fix is shown as a note, never as the fix.
        String fix = runbook.description().display(alert);
        String note = Optional.ofNullable(alert.annotations().get("suggested_fix")).map(String::strip).filter(s -> !s.isEmpty() && !s.equals(fix))
                .map(s -> "Note from the alert (suggested_fix): " + s).orElse(null);
        Instant now = clock.instant();
        RemediationUpdate base = new RemediationUpdate(id, Stage.APPROVAL_REQUIRED, alert, ApprovalBook.component(alert), runbook.name(),
                risk.label(), fix, request.chats(), null, null, now, now, false, null, null);
        Prepared prepared;
        try {
            prepared = executors.prepare(runbook, alert, null);
        } catch (Refusal.NothingToDo r) {
            nothingToDo(base, r.getMessage());
            return;
        } catch (Refusal.Unavailable r) {
            // Not a reason to give up on the incident: a person may try again once Docker answers.
            ask(base, "Could not check before acting: " + r.getMessage() + ". Approve to try again.");
            return;
        } catch (Refusal r) {
            refuse(base, r.getMessage());
            return;
        } catch (RuntimeException e) {
            refuse(base, "preparing the action failed: " + e.getMessage());
            return;
        }
        if (prepared == null) {
            log.info("Runbook {} for {} is a suggestion only: {}", runbook.name(), alert.alertname(), fix);
            return;
        }
        ActionRun planned = new ActionRun(prepared.executor(), prepared.target(), prepared.call(), null, null, null);
        base = base.next(Stage.APPROVAL_REQUIRED, null, now, planned, null);
        if (prepared.readOnly()) {
            runNow(base.asAutomatic(true), prepared, runbook);
        } else if (risk != Risk.LOW) {
            ask(base, joined(prepared.preview(), note));
        } else if (!autohealing()) {
            ask(base, joined("Autohealing is off: I would " + describe(prepared) + " on my own. /enable_autohealing to let me.", note));
        } else if (rails.inFlight(prepared.target())) {
            refuse(base, "another fix of " + prepared.target() + " is still running; nothing more was started");
        } else {
            Optional<String> blocked = rails.blockAutomatic(prepared.target(), runbook.cooldown(), runbook.hourlyCap(), now);
            if (blocked.isPresent()) {
                ask(base, joined("Not fixing this on my own: " + blocked.get() + ".", note));
            } else {
                runNow(base.asAutomatic(true), prepared, runbook);
            }
        }
    }

    private Optional<Runbook> runbookFor(RemediationRequest request) {
        return runbookFor(runbooks, request);
    }

    /**
     * The runbook a request gets: the route's, else the one the alert's {@code runbook_action} names
     * among those it matches, else the first that matches; empty: a suggestion only. ({@code replay} asks this too.)
     */
    public static Optional<Runbook> runbookFor(Runbooks runbooks, RemediationRequest request) {
        AlertEvent alert = request.alert();
        if (request.runbook() != null && !request.runbook().isBlank()) {
            Optional<Runbook> named = runbooks.named(request.runbook());
            if (named.isEmpty()) {
                log.warn("Route {} names runbook {}, which does not exist (check-config reports this)", request.route(), request.runbook());
            }
            return named;
        }
        // An annotation may pick among the runbooks this alert already matches; it can never widen what runs.
        String wanted = alert.annotations().get("runbook_action");
        if (wanted != null && !wanted.isBlank()) {
            Optional<Runbook> named = runbooks.named(wanted.strip()).filter(r -> r.matches(alert.labels()));
            if (named.isPresent()) {
                return named;
            }
            log.info("Annotation runbook_action={} of {} names no runbook whose matchers match it: ignored", wanted, alert.alertname());
        }
        return runbooks.firstMatching(alert);
    }

    /** The runbook's risk, raised (never lowered) by the alert's {@code risk} annotation. */
    public static Risk riskOf(Runbook runbook, AlertEvent alert) {
        return runbook.risk().atLeast(Risk.parse(alert.annotations().get("risk")).orElse(null));
    }

    private static String describe(Prepared prepared) {
        return "run " + prepared.call() + " (" + prepared.target() + ")";
    }

    private void ask(RemediationUpdate base, String why) {
        RemediationUpdate update = base.next(Stage.APPROVAL_REQUIRED, why, base.at(), base.action(), null).asAutomatic(false);
        log.info("Asking for approval to remediate {} on {} ({}): {}{}", update.alert().alertname(), update.component(), update.requestId(),
                update.suggestedFix(), why == null ? "" : " — " + why.lines().findFirst().orElse(""));
        publish(update);
        book.remember(update);
    }

    private static String joined(String first, String second) {
        if (first == null || first.isBlank()) {
            return second;
        }
        return second == null ? first : first + "\n\n" + second;
    }

    private void nothingToDo(RemediationUpdate base, String what) {
        RemediationUpdate update = base.next(Stage.NOT_RUN, "👌 " + what + ". Nothing was run.", clock.instant(), base.action(), null);
        log.info("Nothing to do for {} ({}): {}", base.alert().alertname(), base.requestId(), what);
        publish(update);
        book.remember(update);
    }

    private void refuse(RemediationUpdate base, String why) {
        RemediationUpdate update = base.next(Stage.NOT_RUN, "🚫 Refused: " + why + ". Nothing was run.", clock.instant(), base.action(), null);
        log.warn("Refused to remediate {} ({}): {}", base.alert().alertname(), base.requestId(), why);
        publish(update);
        book.remember(update);
    }

    private void runNow(RemediationUpdate base, Prepared prepared, Runbook runbook) {
        Instant now = clock.instant();
        if (settings.dryRun() && !prepared.readOnly()) {
            RemediationUpdate dry = base.next(Stage.NOT_RUN, "🧪 Dry run (REMEDIATION_DRY_RUN): would " + describe(prepared) + ".", now,
                    base.action(), null);
            log.info("Dry run for {} ({}): would {}", base.alert().alertname(), base.requestId(), describe(prepared));
            publish(dry);
            book.remember(dry);
            return;
        }
        if (rails.inFlight(prepared.target())) {
            refuse(base, "another fix of " + prepared.target() + " is still running; nothing more was started");
            return;
        }
        RemediationUpdate running = base.next(Stage.RUNNING, "Running " + prepared.call(), now, base.action(), null);
        // Written before it starts: a crash from here on is reported at the next start, never silently re-run.
        publish(running);
        book.remember(running);
        rails.started(prepared.target(), now, !prepared.readOnly());
        Duration timeout = runbook.timeout() == null ? settings.actionTimeout() : runbook.timeout();
        Duration verify = runbook.verifyWithin() == null ? settings.verifyWithin() : runbook.verifyWithin();
        log.info("Running {} for {} ({}, {}): {}", runbook.name(), base.alert().alertname(), base.requestId(),
                base.automatic() ? "automatic" : "approved by " + base.decision().who(), prepared.call());
        runningFor.put(base.alert().fingerprint(), base.requestId());
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
        Consumer<Done> report = d -> {
            if (reported.compareAndSet(false, true)) {
                done.add(d);
            } else if (!d.timedOut()) {
                log.warn("{} ({}) answered after its timeout; already reported as failed: {}", prepared.call(), base.requestId(),
                        d.outcome() == null ? describe(d.error()) : d.outcome().summary());
                done.add(new Done(d.running(), d.prepared(), d.verify(), d.outcome(), d.took(), d.error(), false, true));
            }
        };
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                report.accept(new Done(running, prepared, verify, prepared.run(timeout), Duration.ofNanos(System.nanoTime() - start), null));
            } catch (Throwable e) {
                report.accept(new Done(running, prepared, verify, null, Duration.ofNanos(System.nanoTime() - start), e));
            }
        }, workers);
        // Processes are killed at their timeout; an API call (Docker, HTTP) may hang: stop waiting a little after it.
        Duration wait = (timeout.compareTo(prepared.leastTime()) < 0 ? prepared.leastTime() : timeout).plusSeconds(5);
        java.util.concurrent.CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS).execute(() -> report.accept(
                new Done(running, prepared, verify, null, Duration.ofNanos(System.nanoTime() - start),
                        new TimeoutException("no answer within " + wait.toSeconds() + " s; it may still finish, and nothing else runs on "
                                + prepared.target() + " until it does"), true, false)));
    }

    private void drainDone() {
        for (Done d; (d = done.poll()) != null;) {
            Instant now = clock.instant();
            if (d.late()) {
                rails.returned(d.prepared().target());
                continue;
            }
            Duration verify = d.verify();
            Prepared.Outcome o = d.outcome();
            boolean ok = o != null && o.ok();
            String summary = o != null ? o.summary() : d.prepared().call() + " failed: " + describe(d.error());
            ActionRun ran = new ActionRun(d.prepared().executor(), d.prepared().target(), d.prepared().call(), o == null ? null : o.exitCode(),
                    o == null ? describe(d.error()) : o.output(), d.took().toMillis());
            RemediationUpdate result;
            String fingerprint = d.running().alert().fingerprint();
            Instant resolvedEarly = null;
            if (d.running().requestId().equals(runningFor.get(fingerprint))) {
                // Only this run's own resolution: another run on the same alert gets none of it.
                runningFor.remove(fingerprint);
                resolvedEarly = resolvedWhileRunning.remove(fingerprint);
            }
            if (ok && !d.prepared().readOnly()) {
                Instant by = now.plus(verify);
                result = d.running().next(Stage.SUCCEEDED, "🔧 " + summary + ". Watching the alert for " + SafetyRailsText.minutes(verify)
                        + " to see that it resolves.", now, ran, by);
                watches.put(fingerprint, new Watch(result.requestId(), d.prepared().target(), summary, now, by));
            } else if (ok) {
                result = d.running().next(Stage.SUCCEEDED, "🔎 " + summary, now, ran, null);
            } else {
                result = d.running().next(Stage.FAILED, "❌ " + summary, now, ran, null);
            }
            rails.finished(d.prepared().target(), ok || d.prepared().readOnly(), now);
            io.micrometer.core.instrument.Metrics.counter("homelab_remediation_actions", "executor", d.prepared().executor(),
                    "outcome", ok ? "succeeded" : d.timedOut() ? "timed_out" : "failed").increment();
            if (d.timedOut()) {
                rails.abandoned(d.prepared().target());
            }
            log.info("{} {} ({}): {}", result.stage(), result.requestId(), result.alert().alertname(), summary.lines().findFirst().orElse(""));
            publish(result);
            book.remember(result);
            if (resolvedEarly != null && watches.containsKey(fingerprint)) {
                // The alert resolved while the fix was still running (a restart that came back quickly).
                Watch w = watches.remove(fingerprint);
                if (resolvedEarly.isBefore(d.running().at())) {
                    // Resolved before this fix began (an endsAt in the past): not this fix's doing.
                    RemediationUpdate own = result.next(Stage.FIXED, "✅ " + w.summary() + "; the alert had already resolved before the fix"
                            + " started, so it resolved on its own.", now, result.action(), null);
                    publish(own);
                    book.remember(own);
                } else {
                    verified(w, result, resolvedEarly);
                }
            }
        }
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /** The alert of a fix resolved: the fix worked. */
    private void resolved(AlertEvent alert) {
        Instant now = clock.instant();
        Instant resolvedAt = alert.endsAt() != null && !alert.endsAt().isAfter(now) ? alert.endsAt() : now;
        Watch w = watches.remove(alert.fingerprint());
        if (w == null) {
            if (runningFor.containsKey(alert.fingerprint())) {
                resolvedWhileRunning.put(alert.fingerprint(), resolvedAt);
            }
            return;
        }
        RemediationUpdate current = book.get(w.requestId()).orElse(null);
        if (current != null) {
            verified(w, current, resolvedAt);
        }
    }

    private void verified(Watch w, RemediationUpdate current, Instant resolvedAt) {
        long seconds = Math.max(0, Duration.between(w.finished(), resolvedAt).toSeconds());
        String when = resolvedAt.isAfter(w.finished()) ? "the alert resolved " + seconds + " s later" : "the alert resolved while it ran";
        RemediationUpdate fixed = current.next(Stage.FIXED, "✅ fixed: " + w.summary() + "; " + when + ".", clock.instant(), current.action(), null);
        io.micrometer.core.instrument.Metrics.counter("homelab_remediation_verifications", "result", "fixed").increment();
        log.info("FIXED {} ({}): {}", fixed.requestId(), current.alert().alertname(), when);
        publish(fixed);
        book.remember(fixed);
    }

    private void checkVerifications() {
        Instant now = clock.instant();
        for (var it = watches.entrySet().iterator(); it.hasNext();) {
            Watch w = it.next().getValue();
            if (now.isBefore(w.deadline())) {
                continue;
            }
            it.remove();
            RemediationUpdate current = book.get(w.requestId()).orElse(null);
            if (current == null) {
                continue;
            }
            RemediationUpdate notFixed = current.next(Stage.NOT_FIXED, "⚠️ " + w.summary() + ", but that did not fix it: the alert still fires "
                    + SafetyRailsText.minutes(Duration.between(w.finished(), w.deadline())) + " later. Not retried on my own; it counts against "
                    + w.target() + "'s hourly cap.", now, current.action(), null);
            rails.notFixed(w.target(), now);
            io.micrometer.core.instrument.Metrics.counter("homelab_remediation_verifications", "result", "not_fixed").increment();
            log.warn("NOT_FIXED {} ({}): {}", notFixed.requestId(), current.alert().alertname(), w.summary());
            publish(notFixed);
            book.remember(notFixed);
        }
    }

    private void expireUnanswered() {
        for (RemediationUpdate waiting : book.overdue()) {
            RemediationUpdate expired = waiting.next(Stage.EXPIRED, null, "⌛ Nobody answered within " + SafetyRailsText.minutes(settings.approvalTimeout())
                    + " (REMEDIATION_APPROVAL_TIMEOUT): expired, nothing was done.", clock.instant());
            log.info("EXPIRED {} ({}): nobody answered", expired.requestId(), expired.alert().alertname());
            publish(expired);
            book.remember(expired);
        }
    }

    private void onDecision(ConsumerRecord<String, byte[]> record) {
        RemediationDecision decision = read(record, topics.remediationDecisions().valueSerde().deserializer());
        if (decision == null || decision.requestId() == null || decision.verdict() == null) {
            return;
        }
        if (!settings.allowedUsers().isEmpty() && !settings.allowedUsers().contains(decision.userId())) {
            log.warn("Ignored {} of {} by {}: not in TELEGRAM_ALLOWED_USERS", decision.verdict(), decision.requestId(), decision.who());
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
        if (update.stage() != Stage.APPROVED) {
            return;
        }
        Optional<Runbook> runbook = runbooks.named(update.runbook());
        if (runbook.isEmpty()) {
            refuse(update, "runbook " + update.runbook() + " no longer exists in HOMELAB_CONFIG");
            return;
        }
        String pinned = update.action() != null && "restart-worst".equals(runbook.get().action().verb())
                ? update.action().target().replaceFirst("^container ", "") : null;
        Prepared prepared;
        try {
            prepared = executors.prepare(runbook.get(), update.alert(), pinned);
        } catch (Refusal.NothingToDo r) {
            nothingToDo(update, r.getMessage());
            return;
        } catch (Refusal r) {
            refuse(update, r.getMessage());
            return;
        } catch (RuntimeException e) {
            refuse(update, "preparing the action failed: " + e.getMessage());
            return;
        }
        if (prepared == null) {
            refuse(update, "runbook " + update.runbook() + " is a suggestion only");
            return;
        }
        ActionRun planned = new ActionRun(prepared.executor(), prepared.target(), prepared.call(), null, null, null);
        runNow(update.next(Stage.APPROVED, update.detail(), update.at(), planned, null), prepared, runbook.get());
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
        consumerMetrics.close();
    }

    /** Durations in words, as the rails say them. */
    static final class SafetyRailsText {
        static String minutes(Duration d) {
            return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
        }
    }
}
