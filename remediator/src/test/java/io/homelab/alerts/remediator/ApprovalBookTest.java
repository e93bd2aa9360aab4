package io.homelab.alerts.remediator;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationDecision.Verdict;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import io.homelab.alerts.common.testing.TestClock;
import io.homelab.alerts.remediator.approval.ApprovalBook;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApprovalBookTest {
    static final Duration TIMEOUT = Duration.ofHours(1);
    final TestClock clock = new TestClock();
    final ApprovalBook book = new ApprovalBook(TIMEOUT, clock);

    static AlertEvent alert(String fingerprint, Instant startsAt, Map<String, String> labels, Map<String, String> annotations) {
        return new AlertEvent(fingerprint, "firing", labels, annotations, startsAt, null, null, "r", null, 0, startsAt, null);
    }

    static RemediationRequest request(AlertEvent alert, String runbook) {
        return new RemediationRequest(alert, runbook, DedupReason.FIRST, "default", List.of());
    }

    final AlertEvent jellyfin = alert("f6e94e35cf045285", Instant.parse("2026-11-25T21:59:50Z"),
            Map.of("alertname", "ContainerDown", "instance", "docker-host:8080", "name", "jellyfin", "severity", "critical"),
            Map.of("summary", "Container jellyfin is down"));

    /** What the remediator does for a new incident that needs a person: one approval request per firing. */
    java.util.Optional<RemediationUpdate> ask(ApprovalBook book, AlertEvent alert, String runbook) {
        String id = RemediationUpdate.idFor(alert);
        if (book.get(id).isPresent()) {
            return java.util.Optional.empty();
        }
        Instant now = clock.instant();
        RemediationUpdate update = new RemediationUpdate(id, Stage.APPROVAL_REQUIRED, alert, ApprovalBook.component(alert), runbook, "medium",
                "restart", request(alert, runbook).chats(), null, null, now, now);
        book.remember(update);
        return java.util.Optional.of(update);
    }

    RemediationDecision decision(String id, Verdict verdict, String user) {
        return new RemediationDecision(id, verdict, 42, user, "-100", 7, clock.instant());
    }

    @Test
    void asks_once_per_firing_of_an_alert_naming_the_component_and_the_runbook() {
        RemediationUpdate asked = ask(book, jellyfin, "restart-container").orElseThrow();

        assertThat(asked.requestId()).matches("[0-9a-f]{24}");
        // Fingerprints come from the payload (Alertmanager's own are 16 hex, others may be longer): the id's length does not depend on them.
        AlertEvent longPrint = alert("ab".repeat(100), jellyfin.startsAt(), jellyfin.labels(), Map.of());
        assertThat(("approve:" + RemediationUpdate.idFor(longPrint)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .as("Telegram callback_data ≤ 64 bytes").hasSizeLessThanOrEqualTo(64);
        assertThat(RemediationUpdate.idFor(longPrint)).isNotEqualTo(asked.requestId());
        assertThat(asked.stage()).isEqualTo(Stage.APPROVAL_REQUIRED);
        assertThat(asked.component()).isEqualTo("jellyfin");
        assertThat(ask(book, jellyfin, "restart-container")).as("the same incident again").isEmpty();

        AlertEvent again = alert(jellyfin.fingerprint(), jellyfin.startsAt().plusSeconds(3600), jellyfin.labels(), jellyfin.annotations());
        assertThat(ask(book, again, "restart-container")).as("a new firing of the same alert").isPresent();
        assertThat(book.pending()).hasSize(2);
    }

    @Test
    void the_component_falls_back_to_the_instance() {
        AlertEvent disk = alert("aaaaaaaaaaaaaaaa", Instant.parse("2026-11-25T21:00:00Z"), Map.of("alertname", "DiskFull", "instance", "nas:9100"), Map.of());
        assertThat(ApprovalBook.component(disk)).isEqualTo("nas:9100");
    }

    @Test
    void the_first_decision_wins_and_later_ones_are_ignored() {
        String id = ask(book, jellyfin, "restart-container").orElseThrow().requestId();

        RemediationUpdate approved = book.decide(decision(id, Verdict.APPROVE, "alice")).orElseThrow();

        assertThat(approved.stage()).isEqualTo(Stage.APPROVED);
        assertThat(approved.detail()).isEqualTo("Approved by @alice.");
        assertThat(approved.decision().messageId()).isEqualTo(7);
        assertThat(book.decide(decision(id, Verdict.REJECT, "bob"))).isEmpty();
        assertThat(book.decide(decision("unknown-1", Verdict.APPROVE, "bob"))).isEmpty();
        assertThat(book.pending()).isEmpty();
    }

    @Test
    void a_timely_answer_that_reaches_a_lagging_remediator_late_is_still_timely() {
        String id = ask(book, jellyfin, "restart-container").orElseThrow().requestId();
        RemediationDecision answered = decision(id, Verdict.APPROVE, "alice");
        clock.advance(TIMEOUT.plusMinutes(5)); // the remediator was down meanwhile

        assertThat(book.decide(answered).orElseThrow().stage()).isEqualTo(Stage.APPROVED);
    }

    @Test
    void an_approval_without_a_result_is_reported_as_interrupted_after_a_restart() {
        RemediationUpdate asked = ask(book, jellyfin, "restart-container").orElseThrow();
        RemediationUpdate approved = book.decide(decision(asked.requestId(), Verdict.APPROVE, "alice")).orElseThrow();
        ApprovalBook restarted = new ApprovalBook(TIMEOUT, clock);
        restarted.remember(asked);
        restarted.remember(approved);

        assertThat(restarted.interrupted()).containsExactly(approved);
    }

    @Test
    void a_rejection_ends_the_request() {
        String id = ask(book, jellyfin, "restart-container").orElseThrow().requestId();

        RemediationUpdate rejected = book.decide(new RemediationDecision(id, Verdict.REJECT, 43, null, "-100", 7, clock.instant())).orElseThrow();

        assertThat(rejected.stage()).isEqualTo(Stage.REJECTED);
        assertThat(rejected.detail()).isEqualTo("Rejected by user 43: nothing will be done.");
        assertThat(book.get(id).orElseThrow().stage()).isEqualTo(Stage.REJECTED);
    }

    @Test
    void an_approval_after_the_timeout_expires_the_request_instead() {
        String id = ask(book, jellyfin, "restart-container").orElseThrow().requestId();
        clock.advance(TIMEOUT);
        assertThat(book.pending()).as("still open at exactly the timeout").hasSize(1);
        clock.advance(Duration.ofSeconds(1));
        assertThat(book.pending()).isEmpty();

        RemediationUpdate late = book.decide(decision(id, Verdict.APPROVE, "alice")).orElseThrow();

        assertThat(late.stage()).isEqualTo(Stage.EXPIRED);
        assertThat(late.detail()).isEqualTo("Approval came after 60 min (REMEDIATION_APPROVAL_TIMEOUT): nothing was done.");
    }

    @Test
    void a_book_rebuilt_from_past_updates_knows_what_was_asked_and_decided() {
        RemediationUpdate asked = ask(book, jellyfin, "restart-container").orElseThrow();
        RemediationUpdate approved = book.decide(decision(asked.requestId(), Verdict.APPROVE, "alice")).orElseThrow();

        ApprovalBook restarted = new ApprovalBook(TIMEOUT, clock);
        restarted.remember(asked);
        assertThat(restarted.pending()).containsExactly(asked);
        restarted.remember(approved);

        assertThat(ask(restarted, jellyfin, "restart-container")).isEmpty();
        assertThat(restarted.decide(decision(asked.requestId(), Verdict.REJECT, "bob"))).isEmpty();
    }
}
