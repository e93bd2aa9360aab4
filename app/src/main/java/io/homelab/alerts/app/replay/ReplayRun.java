package io.homelab.alerts.app.replay;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.processor.ProcessorConfig;
import io.homelab.alerts.processor.dedup.Decision;
import io.homelab.alerts.processor.replay.ReplayPipeline;
import io.homelab.alerts.remediator.RemediatorService;
import io.homelab.alerts.remediator.runbook.Risk;
import io.homelab.alerts.remediator.runbook.Runbook;
import io.homelab.alerts.remediator.runbook.Runbooks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One replay under one set of settings: the live pipeline's decisions ({@link ReplayPipeline}) and the
 * remediator's choice of runbook, turned into {@link Outcome}s. Events before {@code reportFrom} only
 * warm the state up (so the first event of an alert already firing is not taken for a new incident).
 */
public final class ReplayRun implements ReplayPipeline.Listener {
    private final ReplayPipeline pipeline;
    private final Runbooks runbooks;
    private final boolean autohealing;
    private final long reportFrom;
    private final Consumer<Outcome> sink;
    private final List<Outcome> ofRecord = new ArrayList<>();
    private long unusable;

    public ReplayRun(ProcessorConfig config, Runbooks runbooks, boolean autohealing, long reportFrom, Consumer<Outcome> sink) {
        this.runbooks = runbooks;
        this.autohealing = autohealing;
        this.reportFrom = reportFrom;
        this.sink = sink;
        this.pipeline = new ReplayPipeline(config, this);
    }

    /** Feeds one stored webhook; returns the outcomes of its alerts (empty while warming up). */
    public List<Outcome> feed(WebhookLog.Stored r) {
        ofRecord.clear();
        pipeline.accept(r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        return List.copyOf(ofRecord);
    }

    /** Runs the clock on to the end of the range; returns what the sweeps let go meanwhile (releases, Watchdog notices). */
    public List<Outcome> finish(long until) {
        ofRecord.clear();
        pipeline.finish(until);
        return List.copyOf(ofRecord);
    }

    /** Webhooks the live processor would have dead-lettered, in the reported range. */
    public long unusable() {
        return unusable;
    }

    @Override
    public void decided(ReplayPipeline.Origin origin, AlertEvent event, DedupReason reason, Decision passed) {
        if (origin.timestamp() < reportFrom) {
            return;
        }
        emit(passed == null
                ? new Outcome(Outcome.ALERT, origin.partition(), origin.offset(), origin.timestamp(), event, reason, false, reason == DedupReason.FLAPPING,
                        false, false, null, List.of(), List.of(), null, null, false)
                : outcome(Outcome.ALERT, origin.partition(), origin.offset(), origin.timestamp(), passed));
    }

    @Override
    public void released(Decision decision, long at) {
        if (at >= reportFrom) {
            emit(outcome(Outcome.RELEASED, -1, -1, at, decision));
        }
    }

    @Override
    public void watchdog(Notification n, long at) {
        if (at >= reportFrom) {
            emit(new Outcome(Outcome.WATCHDOG, -1, -1, at, n.alert(), n.reason(), true, false, true, true, n.route(), n.chats(),
                    List.of(), null, null, true));
        }
    }

    @Override
    public void unusable(ReplayPipeline.Origin origin, String reason) {
        if (origin.timestamp() >= reportFrom) {
            unusable++;
        }
    }

    private void emit(Outcome o) {
        ofRecord.add(o);
        sink.accept(o);
    }

    private Outcome outcome(String kind, int partition, long offset, long at, Decision d) {
        boolean notified = ReplayPipeline.notifies(d);
        String runbook = null;
        String action = null;
        if (ReplayPipeline.remediates(d) && d.event().isFiring()) {
            Optional<Runbook> found = RemediatorService.runbookFor(runbooks, ReplayPipeline.remediationRequest(d));
            runbook = found.map(Runbook::name).orElse(null);
            action = found.map(r -> mode(r, d.event())).orElse("suggestion");
        }
        return new Outcome(kind, partition, offset, at, d.event(), d.reason(), true, d.flapping(), notified,
                notified && ReplayPipeline.priority(d), d.route().route(), d.route().chats(), d.route().webhooks(), runbook, action,
                d.route().notifies());
    }

    /** What the remediator would do before its safety rails (cooldown, caps, breaker) and before Docker is asked. */
    private String mode(Runbook r, AlertEvent alert) {
        if (r.action() == null || "suggest".equals(r.action().executor())) {
            return "suggestion";
        }
        if (r.action().readOnly()) {
            return "automatic";
        }
        return RemediatorService.riskOf(r, alert) == Risk.LOW && autohealing ? "automatic" : "approval";
    }
}
