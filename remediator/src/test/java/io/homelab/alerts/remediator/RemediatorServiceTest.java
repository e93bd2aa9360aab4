package io.homelab.alerts.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationDecision.Verdict;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemediatorServiceTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(dir, 0, fault -> {});
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
    }

    @AfterAll
    static void stopKafka() throws Exception {
        producer.close();
        kafka.close();
    }

    static final AlertEvent EVENT = new AlertEvent("f6e94e35cf045285", "firing",
            Map.of("alertname", "ContainerDown", "name", "jellyfin", "severity", "critical"), Map.of("summary", "Container jellyfin is down"),
            Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", null, 0, Instant.parse("2026-11-25T21:59:51Z"), null);
    static final RemediationRequest REQUEST = new RemediationRequest(EVENT, "restart-container", DedupReason.FIRST, "default", List.of());
    static final String ID = RemediationUpdate.idFor(EVENT);

    /** Faults the remediator reported: a dead thread must fail the test, not pass it quietly. */
    final List<String> faults = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void noFaults() {
        assertThat(faults).isEmpty();
    }

    RemediatorService remediator(Topics topics) {
        return remediator(topics, Executor.nothingYet(Clock.systemUTC()));
    }

    RemediatorService remediator(Topics topics, Executor executor) {
        return new RemediatorService(topics, kafka.bootstrapServers(), Duration.ofHours(1), executor, Clock.systemUTC(), faults::add).start();
    }

    void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    void decide(Topics topics, Verdict verdict, String user) throws Exception {
        send(topics.remediationDecisions().name(), ID, Json.write(new RemediationDecision(ID, verdict, 42, user, "-100", 7, Instant.now())));
    }

    static List<RemediationUpdate> results(Topics topics) {
        return KafkaTestClients.readAll(kafka.bootstrapServers(), topics.remediationResults().name()).stream()
                .map(r -> Json.read(r.value(), RemediationUpdate.class)).toList();
    }

    @Test
    void asks_for_approval_once_then_reports_the_approval_and_that_nothing_could_run_yet() throws Exception {
        Topics topics = Topics.withPrefix("approve.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        try (RemediatorService r = remediator(topics)) {
            send(topics.remediationRequests().name(), "bad", "{oops".getBytes());
            // No runbook named by the route: nothing could run, so nobody is asked.
            send(topics.remediationRequests().name(), "other", Json.write(new RemediationRequest(new AlertEvent("0000000000000001", "firing",
                    Map.of("alertname", "HighCPU", "severity", "warning"), Map.of(), EVENT.startsAt(), null, null, "r", null, 0,
                    EVENT.receivedAt(), null), null, DedupReason.FIRST, "default", List.of())));
            send(topics.remediationRequests().name(), EVENT.fingerprint(), Json.write(REQUEST));
            send(topics.remediationRequests().name(), EVENT.fingerprint(), Json.write(REQUEST));
            await().atMost(Duration.ofSeconds(30)).until(() -> results(topics).size() == 1);
            RemediationUpdate asked = results(topics).get(0);
            assertThat(asked.stage()).isEqualTo(Stage.APPROVAL_REQUIRED);
            assertThat(asked.requestId()).isEqualTo(ID);

            decide(topics, Verdict.APPROVE, "alice");
            decide(topics, Verdict.REJECT, "bob");
            await().atMost(Duration.ofSeconds(30)).until(() -> results(topics).size() >= 3);
            Thread.sleep(500); // the second decision must add nothing
            assertThat(results(topics)).extracting(RemediationUpdate::stage)
                    .containsExactly(Stage.APPROVAL_REQUIRED, Stage.APPROVED, Stage.NOT_RUN);
            RemediationUpdate last = results(topics).get(2);
            assertThat(last.detail()).isEqualTo("Approved by @alice, but runbooks are not implemented yet: nothing was done (runbook restart-container).");
            assertThat(last.decision().chatId()).isEqualTo("-100");
            assertThat(last.decision().messageId()).isEqualTo(7);
        }
    }

    @Test
    void an_approval_whose_result_was_never_recorded_is_reported_failed_after_a_restart_not_run_again() throws Exception {
        Topics topics = Topics.withPrefix("interrupted.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        // What a remediator that died mid-fix left behind: the request, the approval, and no result.
        Instant asked = Instant.now().minusSeconds(30);
        RemediationUpdate request = new RemediationUpdate(ID, Stage.APPROVAL_REQUIRED, EVENT, "jellyfin", "restart-container", "low",
                "run runbook restart-container on jellyfin", List.of(), null, null, asked, asked);
        RemediationDecision approval = new RemediationDecision(ID, Verdict.APPROVE, 42, "alice", "-100", 7, asked.plusSeconds(5));
        send(topics.remediationResults().name(), ID, Json.write(request));
        send(topics.remediationResults().name(), ID, Json.write(request.next(Stage.APPROVED, approval, "Approved by @alice.", approval.at())));
        send(topics.remediationDecisions().name(), ID, Json.write(approval)); // not committed before the crash: read again
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();

        try (RemediatorService r = remediator(topics, approved -> {
            runs.incrementAndGet();
            return Executor.nothingYet(Clock.systemUTC()).run(approved);
        })) {
            await().atMost(Duration.ofSeconds(30)).until(() -> results(topics).size() >= 3);
            Thread.sleep(500); // the re-read decision must add nothing
            assertThat(results(topics)).extracting(RemediationUpdate::stage).containsExactly(Stage.APPROVAL_REQUIRED, Stage.APPROVED, Stage.FAILED);
            RemediationUpdate last = results(topics).get(2);
            assertThat(last.detail()).isEqualTo("The remediator stopped after the approval, before recording the result; the fix is not run again."
                    + " Check jellyfin by hand.");
            assertThat(last.decision().messageId()).as("so the notifier replies to the approved message").isEqualTo(7);
        }
        assertThat(runs).hasValue(0);
    }

    @Test
    void a_restarted_remediator_remembers_pending_approvals_and_does_not_ask_again() throws Exception {
        Topics topics = Topics.withPrefix("restart.");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        try (RemediatorService r = remediator(topics)) {
            send(topics.remediationRequests().name(), EVENT.fingerprint(), Json.write(REQUEST));
            await().atMost(Duration.ofSeconds(30)).until(() -> results(topics).size() == 1);
        }
        try (RemediatorService r = remediator(topics)) {
            // Replayed by Alertmanager after the restart: the same incident, already asked about.
            send(topics.remediationRequests().name(), EVENT.fingerprint(), Json.write(REQUEST));
            decide(topics, Verdict.REJECT, "bob");
            await().atMost(Duration.ofSeconds(30)).until(() -> results(topics).size() >= 2);
            Thread.sleep(500);
            assertThat(results(topics)).extracting(RemediationUpdate::stage).containsExactly(Stage.APPROVAL_REQUIRED, Stage.REJECTED);
        }
    }
}
