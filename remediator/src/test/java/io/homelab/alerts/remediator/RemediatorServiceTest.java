package io.homelab.alerts.remediator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationDecision.Verdict;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.model.RemediationUpdate.Stage;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.remediator.executor.Executors;
import io.homelab.alerts.remediator.rails.SafetyRails;
import io.homelab.alerts.remediator.runbook.RunbookLoader;
import io.homelab.alerts.remediator.runbook.Runbooks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remediator's flows on a real broker, with runbooks whose action is a real script (a child
 * process that records each argv it was run with, and fails or hangs when told to by its argument).
 */
class RemediatorServiceTest {
    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    static KafkaProducer<String, byte[]> producer;
    static Path script;
    static Path ran;
    static Path config;
    static final AtomicInteger prefixes = new AtomicInteger();
    static final long ALICE = 42;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0, fault -> {});
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new ByteArraySerializer());
        ran = dir.resolve("ran.log");
        script = dir.resolve("fix.sh");
        Files.writeString(script, """
                #!/bin/sh
                echo "$*" >> %s
                case "$1" in
                  fail*) echo "cannot fix $1" >&2; exit 3 ;;
                  slow*) sleep 30 ;;
                  nap*) sleep 3 ;;
                esac
                echo "fixed $1"
                """.formatted(ran));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = dir.resolve("homelab.yml");
        Files.writeString(config, """
                runbooks:
                  - name: fix-low
                    matchers: ['alertname="AppDown"']
                    risk: low
                    description: "fix {{labels.name}}"
                    action:
                      command: ["%1$s", "{{labels.name}}"]
                    cooldown: 1h
                    verify_within: 3s
                    timeout: 2s
                  - name: fix-capped
                    matchers: ['alertname="AppFlaky"']
                    risk: low
                    action:
                      command: ["%1$s", "{{labels.name}}"]
                    cooldown: 0s
                    hourly_cap: 2
                    verify_within: 1h
                  - name: fix-napping
                    matchers: ['alertname="AppNapping"']
                    risk: low
                    action:
                      command: ["%1$s", "{{labels.name}}"]
                    verify_within: 1h
                    timeout: 20s
                  - name: docker-stubborn
                    matchers: ['alertname="Stubborn"']
                    risk: low
                    action:
                      docker: restart
                      container: "{{labels.name}}"
                    timeout: 1s
                  - name: fix-medium
                    matchers: ['alertname="AppSlow"']
                    risk: medium
                    description: "restart {{labels.name}}"
                    action:
                      command: ["%1$s", "{{labels.name}}"]
                """.formatted(script));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        producer.close();
        kafka.close();
    }

    /** Faults the remediator reported: a dead thread must fail the test, not pass it quietly. */
    final List<String> faults = new java.util.concurrent.CopyOnWriteArrayList<>();
    Topics topics;

    @BeforeEach
    void freshTopics() throws Exception {
        topics = Topics.withPrefix("r" + prefixes.incrementAndGet() + ".");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        Files.deleteIfExists(ran);
    }

    @AfterEach
    void noFaults() {
        assertThat(faults).isEmpty();
    }

    static RemediatorSettings settings() {
        return new RemediatorSettings(Duration.ofHours(1), true, false,
                new SafetyRails.Settings(Duration.ofMinutes(10), 3, 3, Duration.ofMinutes(15)), Duration.ofMinutes(5), Duration.ofSeconds(20),
                Set.of(ALICE));
    }

    RemediatorService remediator(RemediatorSettings settings) {
        Runbooks runbooks = RunbookLoader.load(config, Map.of());
        return new RemediatorService(topics, kafka.bootstrapServers(), settings, runbooks,
                new Executors("unix:///var/run/docker.sock", Executors.Programs.SYSTEM, Map.of()), Clock.systemUTC(), faults::add).start();
    }

    static AlertEvent alert(String alertname, String name, String status, Instant startsAt) {
        Map<String, String> labels = new HashMap<>(Map.of("alertname", alertname, "severity", "critical"));
        if (name != null) {
            labels.put("name", name);
        }
        return new AlertEvent(Fingerprint.of(labels), status, labels, Map.of("summary", alertname + " " + name), startsAt,
                status.equals("resolved") ? Instant.now() : null, null, "r", null, 0, Instant.now(), null);
    }

    static AlertEvent firing(String alertname, String name) {
        return alert(alertname, name, "firing", Instant.now().minusSeconds(30));
    }

    void request(AlertEvent alert) throws Exception {
        send(topics.remediationRequests().name(), alert.fingerprint(), Json.write(new RemediationRequest(alert, null, DedupReason.FIRST, "default", List.of())));
    }

    void send(String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    void decide(String id, Verdict verdict, long user) throws Exception {
        send(topics.remediationDecisions().name(), id, Json.write(new RemediationDecision(id, verdict, user, "ann", "-100", 7, Instant.now())));
    }

    List<RemediationUpdate> results() {
        return KafkaTestClients.readAll(kafka.bootstrapServers(), topics.remediationResults().name()).stream()
                .map(r -> Json.read(r.value(), RemediationUpdate.class)).toList();
    }

    List<RemediationUpdate> resultsOf(AlertEvent alert) {
        String id = RemediationUpdate.idFor(alert);
        return results().stream().filter(u -> u.requestId().equals(id)).toList();
    }

    RemediationUpdate awaitStage(AlertEvent alert, Stage stage) {
        await().atMost(Duration.ofSeconds(30)).until(() -> resultsOf(alert).stream().anyMatch(u -> u.stage() == stage));
        return resultsOf(alert).stream().filter(u -> u.stage() == stage).findFirst().orElseThrow();
    }

    List<String> runs() throws Exception {
        return Files.exists(ran) ? Files.readAllLines(ran) : List.of();
    }

    @Test
    void a_low_risk_fix_runs_on_its_own_is_reported_and_counts_as_fixed_when_the_alert_resolves() throws Exception {
        AlertEvent down = firing("AppDown", "jellyfin");
        try (RemediatorService r = remediator(settings())) {
            request(down);
            RemediationUpdate succeeded = awaitStage(down, Stage.SUCCEEDED);
            assertThat(succeeded.automatic()).isTrue();
            assertThat(succeeded.risk()).isEqualTo("low");
            assertThat(succeeded.suggestedFix()).isEqualTo("fix jellyfin");
            assertThat(succeeded.detail()).startsWith("🔧 ran " + script + " jellyfin");
            assertThat(succeeded.action().call()).isEqualTo(script + " jellyfin");
            assertThat(succeeded.action().exitCode()).isZero();
            assertThat(succeeded.action().output()).isEqualTo("fixed jellyfin");
            assertThat(succeeded.action().durationMillis()).isNotNull();
            assertThat(runs()).containsExactly("jellyfin");

            request(alert("AppDown", "jellyfin", "resolved", down.startsAt()));
            RemediationUpdate fixed = awaitStage(down, Stage.FIXED);
            assertThat(fixed.detail()).startsWith("✅ fixed: ran " + script + " jellyfin; the alert resolved ").endsWith(" s later.");
            assertThat(resultsOf(down)).extracting(RemediationUpdate::stage).containsExactly(Stage.RUNNING, Stage.SUCCEEDED, Stage.FIXED);

            // The same incident again (Alertmanager repeats itself): nothing more.
            request(down);
            Thread.sleep(1000);
            assertThat(runs()).containsExactly("jellyfin");
        }
    }

    @Test
    void a_fix_that_does_not_fix_is_said_so_and_the_next_incident_of_that_target_asks_because_of_the_cooldown() throws Exception {
        AlertEvent down = firing("AppDown", "plex");
        try (RemediatorService r = remediator(settings())) {
            request(down);
            RemediationUpdate notFixed = awaitStage(down, Stage.NOT_FIXED);
            assertThat(notFixed.detail()).startsWith("⚠️ ran " + script + " plex, but that did not fix it: the alert still fires 3 s later."
                    + " Not retried on my own");

            AlertEvent again = alert("AppDown", "plex", "firing", Instant.now());
            request(again);
            RemediationUpdate asked = awaitStage(again, Stage.APPROVAL_REQUIRED);
            assertThat(asked.detail()).startsWith("Not fixing this on my own: the last fix of command " + script + " plex ran ")
                    .contains("within its cooldown of 60 min (REMEDIATION_COOLDOWN)");
            assertThat(runs()).containsExactly("plex");

            decide(asked.requestId(), Verdict.APPROVE, ALICE);
            awaitStage(again, Stage.SUCCEEDED);
            assertThat(runs()).as("a person may override the cooldown").containsExactly("plex", "plex");
        }
    }

    @Test
    void past_the_hourly_cap_an_automatic_fix_becomes_an_approval_request_that_says_why() throws Exception {
        try (RemediatorService r = remediator(settings())) {
            Instant t = Instant.now().minusSeconds(600);
            for (int i = 0; i < 2; i++) {
                AlertEvent incident = alert("AppFlaky", "sonarr", "firing", t.plusSeconds(i));
                request(incident);
                awaitStage(incident, Stage.SUCCEEDED);
            }
            AlertEvent third = alert("AppFlaky", "sonarr", "firing", t.plusSeconds(2));
            request(third);
            RemediationUpdate asked = awaitStage(third, Stage.APPROVAL_REQUIRED);
            assertThat(asked.detail()).isEqualTo("Not fixing this on my own: command " + script
                    + " sonarr was already fixed 2 time(s) in the last hour, its cap is 2 (REMEDIATION_HOURLY_CAP).");
            assertThat(runs()).hasSize(2);
        }
    }

    @Test
    void a_medium_risk_fix_runs_once_on_an_approve_and_never_for_a_stranger_a_second_press_or_a_forged_id() throws Exception {
        AlertEvent slow = firing("AppSlow", "radarr");
        try (RemediatorService r = remediator(settings())) {
            request(slow);
            RemediationUpdate asked = awaitStage(slow, Stage.APPROVAL_REQUIRED);
            assertThat(asked.risk()).isEqualTo("medium");
            assertThat(asked.suggestedFix()).isEqualTo("restart radarr");
            assertThat(asked.action().call()).isEqualTo(script + " radarr");

            decide(asked.requestId(), Verdict.APPROVE, 666); // a stranger, written straight to the topic
            decide("000000000000000000000000", Verdict.APPROVE, ALICE);
            Thread.sleep(1000);
            assertThat(runs()).isEmpty();

            decide(asked.requestId(), Verdict.APPROVE, ALICE);
            decide(asked.requestId(), Verdict.APPROVE, ALICE);
            RemediationUpdate done = awaitStage(slow, Stage.SUCCEEDED);
            assertThat(done.automatic()).isFalse();
            assertThat(done.decision().who()).isEqualTo("@ann");
            Thread.sleep(1000);
            assertThat(runs()).containsExactly("radarr");
            assertThat(resultsOf(slow)).extracting(RemediationUpdate::stage)
                    .containsExactly(Stage.APPROVAL_REQUIRED, Stage.APPROVED, Stage.RUNNING, Stage.SUCCEEDED);
        }
    }

    @Test
    void rejected_and_expired_requests_run_nothing_and_an_unanswered_one_is_marked_expired() throws Exception {
        AlertEvent rejected = firing("AppSlow", "lidarr");
        AlertEvent ignored = firing("AppSlow", "bazarr");
        RemediatorSettings quick = new RemediatorSettings(Duration.ofSeconds(3), true, false, settings().rails(), Duration.ofMinutes(5),
                Duration.ofSeconds(20), Set.of(ALICE));
        try (RemediatorService r = remediator(quick)) {
            request(rejected);
            request(ignored);
            RemediationUpdate asked = awaitStage(rejected, Stage.APPROVAL_REQUIRED);
            decide(asked.requestId(), Verdict.REJECT, ALICE);
            awaitStage(rejected, Stage.REJECTED);

            RemediationUpdate expired = awaitStage(ignored, Stage.EXPIRED);
            assertThat(expired.detail()).isEqualTo("⌛ Nobody answered within 3 s (REMEDIATION_APPROVAL_TIMEOUT): expired, nothing was done.");
            decide(expired.requestId(), Verdict.APPROVE, ALICE);
            Thread.sleep(1000);
            assertThat(runs()).isEmpty();
            assertThat(resultsOf(ignored)).extracting(RemediationUpdate::stage).containsExactly(Stage.APPROVAL_REQUIRED, Stage.EXPIRED);
        }
    }

    @Test
    void a_label_value_that_is_not_a_plain_word_refuses_the_action_and_names_the_value() throws Exception {
        Map<String, String> hostile = new java.util.LinkedHashMap<>();
        hostile.put("x; rm -rf /", "label name 'x; rm -rf /' is not a plain word");
        hostile.put("a\nb", "label name 'a\\u000ab' is not a plain word");
        hostile.put("--force", "label name '--force' is not a plain word");
        hostile.put("..", "label name '..' contains '..'");
        hostile.put("", "label name (missing or empty) is empty");
        hostile.put("$(reboot)", "label name '$(reboot)' is not a plain word");
        try (RemediatorService r = remediator(settings())) {
            for (var e : hostile.entrySet()) {
                AlertEvent alert = firing("AppDown", e.getKey());
                request(alert);
                RemediationUpdate refused = awaitStage(alert, Stage.NOT_RUN);
                assertThat(refused.detail()).as(e.getKey()).startsWith("🚫 Refused: " + e.getValue()).endsWith("Nothing was run.");
            }
            AlertEvent unnamed = firing("AppDown", null);
            request(unnamed);
            assertThat(awaitStage(unnamed, Stage.NOT_RUN).detail()).startsWith("🚫 Refused: label name (missing or empty) is empty");
            assertThat(runs()).isEmpty();
        }
    }

    @Test
    void dry_run_reports_exactly_what_would_run_and_runs_nothing() throws Exception {
        AlertEvent down = firing("AppDown", "jellyfin");
        RemediatorSettings dry = new RemediatorSettings(Duration.ofHours(1), true, true, settings().rails(), Duration.ofMinutes(5),
                Duration.ofSeconds(20), Set.of(ALICE));
        try (RemediatorService r = remediator(dry)) {
            request(down);
            RemediationUpdate report = awaitStage(down, Stage.NOT_RUN);
            assertThat(report.detail()).isEqualTo("🧪 Dry run (REMEDIATION_DRY_RUN): would run " + script + " jellyfin (command " + script
                    + " jellyfin).");
            Thread.sleep(500);
            assertThat(runs()).isEmpty();
        }
    }

    @Test
    void with_autohealing_off_a_low_risk_fix_asks_and_switching_it_on_survives_a_restart() throws Exception {
        send(topics.control().name(), "autohealing", "off".getBytes(StandardCharsets.UTF_8));
        AlertEvent first = firing("AppDown", "nextcloud");
        try (RemediatorService r = remediator(settings())) {
            request(first);
            RemediationUpdate asked = awaitStage(first, Stage.APPROVAL_REQUIRED);
            assertThat(asked.detail()).isEqualTo("Autohealing is off: I would run " + script + " nextcloud (command " + script
                    + " nextcloud) on my own. /enable_autohealing to let me.");
            send(topics.control().name(), "autohealing", "on".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(10)).until(r::autohealing);
        }
        AlertEvent second = firing("AppDown", "immich");
        try (RemediatorService r = remediator(settings())) {
            request(second);
            assertThat(awaitStage(second, Stage.SUCCEEDED).automatic()).isTrue();
            assertThat(runs()).containsExactly("immich");
        }
    }

    @Test
    void when_several_targets_fail_the_breaker_stops_automatic_fixes_and_says_so_once() throws Exception {
        try (RemediatorService r = remediator(settings())) {
            for (String name : List.of("fail-a", "fail-b", "fail-c")) {
                AlertEvent alert = firing("AppDown", name);
                request(alert);
                RemediationUpdate failed = awaitStage(alert, Stage.FAILED);
                assertThat(failed.detail()).isEqualTo("❌ ran " + script + " " + name + ": exit code 3");
                assertThat(failed.action().exitCode()).isEqualTo(3);
                assertThat(failed.action().output()).isEqualTo("cannot fix " + name);
            }
            AlertEvent fourth = firing("AppDown", "healthy");
            request(fourth);
            assertThat(awaitStage(fourth, Stage.APPROVAL_REQUIRED).detail()).startsWith("Not fixing this on my own: 🛑 automatic fixes are stopped: "
                    + "3 targets failed within 15 min (command " + script + " fail-a, command " + script + " fail-b, command " + script + " fail-c)");
            AlertEvent fifth = firing("AppDown", "healthy2");
            request(fifth);
            assertThat(awaitStage(fifth, Stage.APPROVAL_REQUIRED).detail())
                    .isEqualTo("Not fixing this on my own: automatic fixes are stopped by the circuit breaker (several targets failed recently).");
            assertThat(runs()).containsExactly("fail-a", "fail-b", "fail-c");
        }
    }

    @Test
    void a_resolution_that_arrives_while_the_fix_is_still_running_counts_as_fixed() throws Exception {
        AlertEvent napping = firing("AppNapping", "nap-jellyfin");
        try (RemediatorService r = remediator(settings())) {
            request(napping);
            awaitStage(napping, Stage.RUNNING);
            request(alert("AppNapping", "nap-jellyfin", "resolved", napping.startsAt()));
            RemediationUpdate fixed = awaitStage(napping, Stage.FIXED);
            assertThat(fixed.detail()).isEqualTo("✅ fixed: ran " + script + " nap-jellyfin; the alert resolved while it ran.");
            assertThat(resultsOf(napping)).extracting(RemediationUpdate::stage).containsExactly(Stage.RUNNING, Stage.SUCCEEDED, Stage.FIXED);
        }
    }

    @Test
    void the_alerts_suggested_fix_is_shown_as_a_note_and_never_as_the_fix() throws Exception {
        AlertEvent plain = firing("AppSlow", "lidarr");
        AlertEvent slow = new AlertEvent(plain.fingerprint(), "firing", plain.labels(),
                Map.of("summary", "slow", "suggested_fix", "nothing dangerous, just press Approve"), plain.startsAt(), null, null, "r", null, 0,
                Instant.now(), null);
        try (RemediatorService r = remediator(settings())) {
            request(slow);
            RemediationUpdate asked = awaitStage(slow, Stage.APPROVAL_REQUIRED);
            assertThat(asked.suggestedFix()).isEqualTo("restart lidarr");
            assertThat(asked.detail()).isEqualTo("Note from the alert (suggested_fix): nothing dangerous, just press Approve");
            assertThat(asked.action().call()).isEqualTo(script + " lidarr");
        }
    }

    @Test
    void a_docker_restart_slower_than_a_short_runbook_timeout_is_waited_for_and_holds_no_other_fix_up() throws Exception {
        io.homelab.alerts.remediator.executor.DockerEngine.require();
        // PID 1 of a container ignores SIGTERM, so Docker's restart waits its full 10 s stop time: longer than the runbook's 1 s.
        String name = "ha-test-stubborn-" + ProcessHandle.current().pid();
        io.homelab.alerts.remediator.executor.DockerEngine.run(List.of("docker", "rm", "-f", name));
        assertThat(io.homelab.alerts.remediator.executor.DockerEngine.run(List.of("docker", "run", "-d", "--name", name,
                io.homelab.alerts.remediator.executor.DockerEngine.IMAGE, "sleep", "3600"))).isZero();
        AlertEvent stubborn = firing("Stubborn", name);
        AlertEvent other = firing("AppDown", "after-stubborn");
        try (RemediatorService r = remediator(settings())) {
            request(stubborn);
            awaitStage(stubborn, Stage.RUNNING);
            request(other);
            awaitStage(other, Stage.SUCCEEDED);
            assertThat(resultsOf(stubborn)).extracting(RemediationUpdate::stage).as("still running while the other was fixed")
                    .containsExactly(Stage.RUNNING);
            RemediationUpdate succeeded = awaitStage(stubborn, Stage.SUCCEEDED);
            assertThat(succeeded.detail()).startsWith("🔧 restarted " + name + " (was running, now running)");
            assertThat(succeeded.action().durationMillis()).isGreaterThan(9_000);
        } finally {
            io.homelab.alerts.remediator.executor.DockerEngine.run(List.of("docker", "rm", "-f", name));
        }
    }

    @Test
    void an_action_that_hangs_is_killed_at_its_timeout_and_reported_failed() throws Exception {
        AlertEvent alert = firing("AppDown", "slowpoke");
        try (RemediatorService r = remediator(settings())) {
            request(alert);
            RemediationUpdate failed = awaitStage(alert, Stage.FAILED);
            assertThat(failed.detail()).isEqualTo("❌ ran " + script + " slowpoke: no answer within 2 s, killed");
        }
    }

    @Test
    void an_action_a_crash_interrupted_is_reported_after_the_restart_and_not_run_again() throws Exception {
        AlertEvent alert = firing("AppSlow", "jellyfin");
        String id = RemediationUpdate.idFor(alert);
        Instant asked = Instant.now().minusSeconds(30);
        RemediationUpdate request = new RemediationUpdate(id, Stage.APPROVAL_REQUIRED, alert, "jellyfin", "fix-medium", "medium", "restart jellyfin",
                List.of(), null, null, asked, asked);
        RemediationDecision approval = new RemediationDecision(id, Verdict.APPROVE, ALICE, "ann", "-100", 7, asked.plusSeconds(5));
        RemediationUpdate.ActionRun action = new RemediationUpdate.ActionRun("command", "command " + script + " jellyfin", script + " jellyfin",
                null, null, null);
        // What a remediator that died mid-fix left behind: the request, the approval, RUNNING, and no result.
        send(topics.remediationResults().name(), id, Json.write(request));
        RemediationUpdate approved = request.next(Stage.APPROVED, approval, "Approved by @ann.", approval.at());
        send(topics.remediationResults().name(), id, Json.write(approved));
        send(topics.remediationResults().name(), id, Json.write(approved.next(Stage.RUNNING, "Running", approval.at(), action, null)));
        send(topics.remediationDecisions().name(), id, Json.write(approval)); // not committed before the crash: read again
        request(alert); // and the request too

        try (RemediatorService r = remediator(settings())) {
            RemediationUpdate failed = awaitStage(alert, Stage.FAILED);
            assertThat(failed.detail()).isEqualTo("The remediator stopped while this fix was running (" + script
                    + " jellyfin); it is not run again. Check jellyfin by hand.");
            assertThat(failed.decision().messageId()).as("so the notifier replies to the approved message").isEqualTo(7);
            Thread.sleep(1000);
        }
        assertThat(runs()).isEmpty();
        assertThat(resultsOf(alert)).extracting(RemediationUpdate::stage)
                .containsExactly(Stage.APPROVAL_REQUIRED, Stage.APPROVED, Stage.RUNNING, Stage.FAILED);
    }
}
