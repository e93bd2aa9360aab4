package io.homelab.alerts.remediator.approval;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state of every remediation, as the latest update per request id. The remediator writes each
 * update to {@code remediation.results} and folds the topic back in at start, so a restart knows
 * what was pending and what was decided. Pure: time comes from the injected clock.
 */
public final class ApprovalBook {
    /** Label names that name the thing to fix, most specific first. */
    static final List<String> COMPONENT_LABELS = List.of("container", "name", "service", "unit", "job", "instance");

    private final Map<String, RemediationUpdate> latest = new LinkedHashMap<>();
    private final Duration timeout;
    private final Clock clock;

    public ApprovalBook(Duration timeout, Clock clock) {
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Takes in an update read back from the results topic. */
    public void remember(RemediationUpdate update) {
        latest.put(update.requestId(), update);
    }

    /**
     * What a decision leads to: APPROVED, REJECTED, or EXPIRED when it came after the timeout.
     * Empty when the request is unknown or no longer waiting (a second press, another chat's press).
     */
    public Optional<RemediationUpdate> decide(RemediationDecision decision) {
        RemediationUpdate current = latest.get(decision.requestId());
        if (current == null || current.stage() != Stage.APPROVAL_REQUIRED) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        // When the person answered, not when we got to it: a lagging remediator must not expire a timely answer.
        Instant answered = decision.at() == null || decision.at().isAfter(now) ? now : decision.at();
        RemediationUpdate next;
        if (answered.isAfter(current.requestedAt().plus(timeout))) {
            next = current.next(Stage.EXPIRED, decision, "Approval came after " + timeout.toMinutes()
                    + " min (REMEDIATION_APPROVAL_TIMEOUT): nothing was done.", now);
        } else if (decision.verdict() == RemediationDecision.Verdict.APPROVE) {
            next = current.next(Stage.APPROVED, decision, "Approved by " + decision.who() + ".", now);
        } else {
            next = current.next(Stage.REJECTED, decision, "Rejected by " + decision.who() + ": nothing will be done.", now);
        }
        remember(next);
        return Optional.of(next);
    }

    /** The current state of one request. */
    public Optional<RemediationUpdate> get(String requestId) {
        return Optional.ofNullable(latest.get(requestId));
    }

    /** Approved or running, but no result was recorded (the remediator stopped in between). */
    public List<RemediationUpdate> interrupted() {
        return latest.values().stream().filter(u -> u.stage() == Stage.APPROVED || u.stage() == Stage.RUNNING).toList();
    }

    /** Requests nobody answered within the timeout, to be marked expired. */
    public List<RemediationUpdate> overdue() {
        Instant now = clock.instant();
        return latest.values().stream()
                .filter(u -> u.stage() == Stage.APPROVAL_REQUIRED && now.isAfter(u.requestedAt().plus(timeout)))
                .toList();
    }

    /** Requests still waiting for a person, oldest first. */
    public List<RemediationUpdate> pending() {
        Instant now = clock.instant();
        return latest.values().stream()
                .filter(u -> u.stage() == Stage.APPROVAL_REQUIRED && !now.isAfter(u.requestedAt().plus(timeout)))
                .toList();
    }

    /** The label value that names the broken thing: a container, a service, else the instance. */
    public static String component(AlertEvent alert) {
        for (String label : COMPONENT_LABELS) {
            String value = alert.labels().get(label);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return alert.alertname();
    }
}
