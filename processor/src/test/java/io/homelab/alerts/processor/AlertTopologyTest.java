package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.common.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production topology, driven through TopologyTestDriver with the production topic constants. */
class AlertTopologyTest {
    /** How events reach the state; AlertTopologyDirectTest runs every test again without the re-key. */
    AlertTopology.Layout layout() {
        return AlertTopology.Layout.REKEY;
    }

    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
    static final Instant RECEIVED = Instant.parse("2026-11-25T21:59:51.123Z");
    static final DedupPolicy POLICY = new DedupPolicy(DedupPolicy.DEFAULT_WINDOW, true, DedupPolicy.DEFAULT_FLAP_CHANGES,
            DedupPolicy.DEFAULT_FLAP_WINDOW);

    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> webhooks;
    TestOutputTopic<String, Notification> notifications;
    TestOutputTopic<String, Notification> priority;
    TestOutputTopic<String, RemediationRequest> remediation;
    TestOutputTopic<String, byte[]> deadLetters;

    @BeforeEach
    void setUp() {
        ProcessorConfig config = new ProcessorConfig(TOPICS, "unused:9092", stateDir, POLICY,
                new DefaultRoutes(), ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, "127.0.0.1", 0);
        driver = new TopologyTestDriver(AlertTopology.build(config, reason -> { }, layout()), AlertTopology.streamsProperties(config));
        webhooks = driver.createInputTopic(TOPICS.webhooks().name(), TOPICS.webhooks().keySerde().serializer(),
                TOPICS.webhooks().valueSerde().serializer());
        notifications = driver.createOutputTopic(TOPICS.notifications().name(), TOPICS.notifications().keySerde().deserializer(),
                TOPICS.notifications().valueSerde().deserializer());
        priority = driver.createOutputTopic(TOPICS.priorityNotifications().name(), TOPICS.notifications().keySerde().deserializer(),
                TOPICS.notifications().valueSerde().deserializer());
        remediation = driver.createOutputTopic(TOPICS.remediationRequests().name(),
                TOPICS.remediationRequests().keySerde().deserializer(), TOPICS.remediationRequests().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(TOPICS.deadLetters().name(), TOPICS.deadLetters().keySerde().deserializer(),
                TOPICS.deadLetters().valueSerde().deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    void pipe(String groupKey, byte[] body) {
        pipeAt(groupKey, body, RECEIVED);
    }

    void pipeAt(String groupKey, byte[] body, Instant received) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, received.toString().getBytes(StandardCharsets.UTF_8));
        webhooks.pipeInput(new TestRecord<>(groupKey, body, headers, received));
    }

    @Test
    void explodes_a_group_into_one_event_per_alert_keyed_by_fingerprint_with_its_group_context() {
        pipe("{}:{alertname=\"ContainerDown\"}", Fixtures.alertmanager("firing-group.json"));

        Map<String, AlertEvent> out = new java.util.HashMap<>();
        priority.readKeyValuesToList().forEach(kv -> out.put(kv.key, kv.value.alert()));
        assertThat(out).containsOnlyKeys("f6e94e35cf045285", "df7215318b6ae9b9");
        assertThat(out.get("f6e94e35cf045285")).isEqualTo(new AlertEvent("f6e94e35cf045285", "firing",
                Map.of("alertname", "ContainerDown", "instance", "docker-host:8080", "name", "jellyfin", "severity", "critical"),
                Map.of("description", "Container has not been seen for 5 minutes", "summary", "Container jellyfin is down"),
                Instant.parse("2026-11-25T21:59:50Z"), null, null, "homelab-telegram", "http://vm:19094", 0, RECEIVED, null));
        assertThat(out.get("df7215318b6ae9b9").annotations()).isEqualTo(Map.of("summary", "Container pihole is down"));
    }

    @Test
    void every_new_incident_goes_to_the_remediator_and_resolutions_too_to_verify_fixes() {
        pipe("g1", Fixtures.alertmanager("firing-group.json"));      // 2 critical
        pipe("g2", Fixtures.alertmanager("firing-single.json"));     // 1 warning
        pipe("g3", Fixtures.alertmanager("firing-truncated.json"));  // 2 info
        pipe("g4", Fixtures.alertmanager("resolved-single.json"));   // resolved warning

        assertThat(notifications.readKeyValuesToList()).hasSize(4);
        assertThat(priority.readKeyValuesToList()).hasSize(2);
        // The remediator finds the runbook (or none) for each; a resolution tells it whether a fix worked.
        assertThat(remediation.readValuesToList()).extracting(r -> r.alert().status() + " " + r.alert().severity())
                .containsExactly("firing critical", "firing critical", "firing warning", "firing info", "firing info", "resolved warning");
    }

    @Test
    void critical_alerts_take_the_priority_lane_and_everything_else_the_normal_one() {
        pipe("g1", Fixtures.alertmanager("firing-group.json"));      // 2 critical
        pipe("g3", Fixtures.alertmanager("firing-truncated.json"));  // 2 info
        pipe("g2", Fixtures.alertmanager("firing-single.json"));     // 1 warning

        assertThat(priority.readValuesToList()).extracting(n -> n.alert().severity()).containsExactly("critical", "critical");
        assertThat(notifications.readValuesToList()).extracting(n -> n.alert().severity()).containsExactly("info", "info", "warning");
    }

    @Test
    void resolved_alerts_carry_their_end_time_and_truncated_groups_their_count() {
        pipe("g", Fixtures.alertmanager("resolved-single.json"));
        AlertEvent resolved = notifications.readValue().alert();
        assertThat(resolved.status()).isEqualTo("resolved");
        assertThat(resolved.endsAt()).isEqualTo(Instant.parse("2026-11-25T21:59:54Z"));

        pipe("t", Fixtures.alertmanager("firing-truncated.json"));
        assertThat(notifications.readValuesToList()).extracting(n -> n.alert().truncatedAlerts()).containsExactly(1, 1);
    }

    @Test
    void the_old_docs_test_body_and_grafanas_webhook_become_alerts_with_sensible_defaults() {
        pipe("{}:{}", Fixtures.oldDocsTestBody().getBytes(StandardCharsets.UTF_8));
        AlertEvent typed = notifications.readValue().alert();
        assertThat(typed.alertname()).isEqualTo("TestAlert");
        assertThat(typed.status()).isEqualTo("firing");
        assertThat(typed.receiver()).isEqualTo("homelab-telegram");
        assertThat(typed.startsAt()).as("no startsAt: the message shows when it was received").isNull();
        assertThat(typed.receivedAt()).isEqualTo(RECEIVED);

        pipe("{}/{}:{}", Fixtures.grafana());
        Map<String, AlertEvent> grafana = new java.util.HashMap<>();
        priority.readValuesToList().forEach(n -> grafana.put(n.alert().alertname(), n.alert()));
        notifications.readValuesToList().forEach(n -> grafana.put(n.alert().alertname(), n.alert()));
        assertThat(grafana.get("NAS volume almost full").status()).isEqualTo("firing");
        assertThat(grafana.get("NAS volume almost full").startsAt()).isEqualTo(Instant.parse("2026-11-30T20:14:03.157076Z"));
        assertThat(grafana.get("UPS on battery").status()).isEqualTo("resolved");
        assertThat(grafana.get("UPS on battery").endsAt()).isEqualTo(Instant.parse("2026-11-30T19:09:00Z"));
    }

    @Test
    void an_alert_without_any_status_takes_its_groups_else_what_its_end_time_says() {
        pipe("g", "{\"status\":\"resolved\",\"alerts\":[{\"labels\":{\"alertname\":\"A\"}}]}".getBytes(StandardCharsets.UTF_8));
        pipe("g", ("{\"alerts\":[{\"labels\":{\"alertname\":\"B\"},\"endsAt\":\"" + RECEIVED.minusSeconds(60) + "\"},"
                + "{\"labels\":{\"alertname\":\"C\"},\"endsAt\":\"" + RECEIVED.plusSeconds(300) + "\"},"
                + "{\"labels\":{\"alertname\":\"D\"},\"endsAt\":\"0001-01-01T00:00:00Z\"}]}").getBytes(StandardCharsets.UTF_8));
        assertThat(notifications.readValuesToList()).extracting(n -> n.alert().alertname() + " " + n.alert().status())
                .containsExactly("A resolved", "B resolved", "C firing", "D firing");
    }

    @Test
    void computes_the_fingerprint_when_the_alert_has_none() {
        String body = new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8)
                .replace("\"fingerprint\": \"bfcfce9889d1664b\"", "\"fingerprint\": \"\"");
        pipe("g", body.getBytes(StandardCharsets.UTF_8));
        assertThat(notifications.readKeyValue().key).isEqualTo("bfcfce9889d1664b");
    }

    @Test
    void an_unreadable_record_goes_to_the_dead_letter_topic_with_the_reason_and_the_next_one_still_flows() {
        pipe("bad", "{not json".getBytes(StandardCharsets.UTF_8));
        pipe("g", Fixtures.alertmanager("firing-single.json"));

        List<TestRecord<String, byte[]>> dead = deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).value()).isEqualTo("{not json".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .startsWith("not an Alertmanager webhook: Unexpected character ('n'");
        assertThat(new String(dead.get(0).headers().lastHeader(DeadLetterHeaders.SOURCE_TOPIC).value(), StandardCharsets.UTF_8))
                .isEqualTo(TOPICS.webhooks().name());
        assertThat(notifications.readKeyValue().key).isEqualTo("bfcfce9889d1664b");
    }

    /** The README's test alert with these labels, claiming this fingerprint. */
    static byte[] claiming(String fingerprint, String labelsJson) {
        return ("{\"version\":\"4\",\"groupKey\":\"g\",\"status\":\"firing\",\"receiver\":\"r\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":" + labelsJson + ",\"annotations\":{},\"startsAt\":\"2026-11-25T21:59:50Z\",\"fingerprint\":\"" + fingerprint
                + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void an_alert_is_known_by_the_fingerprint_of_its_labels_never_by_the_one_it_claims() {
        pipe("g", Fixtures.alertmanager("firing-single.json")); // the real bfcfce9889d1664b
        // The same claimed fingerprint with other labels: another alert, not a duplicate of the first.
        pipe("forged", claiming("bfcfce9889d1664b", "{\"severity\":\"critical\"}"));
        pipe("forged", claiming("0000000000000000",
                "{\"alertname\":\"HighCPU\",\"instance\":\"192.168.1.101:9100\",\"job\":\"node\",\"severity\":\"warning\"}"));

        List<Notification> sent = new java.util.ArrayList<>(notifications.readValuesToList());
        sent.addAll(priority.readValuesToList());
        assertThat(sent).extracting(n -> n.alert().fingerprint() + " " + n.reason())
                .containsExactlyInAnyOrder("bfcfce9889d1664b FIRST", io.homelab.alerts.common.model.Fingerprint.of(Map.of("severity", "critical")) + " FIRST");
        var history = driver.<String, io.homelab.alerts.processor.history.AlertHistory>getKeyValueStore(
                io.homelab.alerts.processor.history.HistoryProcessor.STORE);
        assertThat(history.get("bfcfce9889d1664b").labels()).containsEntry("alertname", "HighCPU").containsEntry("severity", "warning");
        assertThat(history.get("0000000000000000")).isNull();
    }

    @Test
    void a_webhook_over_a_limit_is_dead_lettered_whole_and_the_next_one_still_flows() {
        String huge = "x".repeat(io.homelab.alerts.common.model.WebhookLimits.MAX_LABEL_VALUE_CHARS + 1);
        pipe("big", claiming("", "{\"alertname\":\"A\",\"instance\":\"" + huge + "\"}"));
        pipe("g", Fixtures.alertmanager("firing-single.json"));

        TestRecord<String, byte[]> dead = deadLetters.readRecord();
        assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("over a limit: alerts[0].labels.instance: 4097 characters, over the limit of 4096");
        assertThat(notifications.readKeyValue().key).isEqualTo("bfcfce9889d1664b");
    }

    @Test
    void the_history_forgets_alerts_not_seen_for_the_retention_and_tells_the_state_topic_with_a_tombstone() {
        TestOutputTopic<String, byte[]> state = driver.createOutputTopic(TOPICS.state().name(), TOPICS.state().keySerde().deserializer(),
                TOPICS.state().valueSerde().deserializer());
        pipe("g", Fixtures.alertmanager("firing-single.json"));
        assertThat(state.readRecord().value()).isNotNull();
        var history = driver.<String, io.homelab.alerts.processor.history.AlertHistory>getKeyValueStore(
                io.homelab.alerts.processor.history.HistoryProcessor.STORE);
        var dedup = driver.<String, io.homelab.alerts.processor.state.AlertState>getKeyValueStore(
                io.homelab.alerts.processor.dedup.DedupProcessor.STORE);

        // The driver's wall clock starts at the time the driver was made; the alert was received in 2026.
        long age = java.time.Duration.between(RECEIVED, Instant.now()).toMillis();
        driver.advanceWallClockTime(java.time.Duration.ofMillis(Math.max(0, ProcessorConfig.DEFAULT_HISTORY_RETENTION.toMillis() - age - 120_000)));
        assertThat(history.get("bfcfce9889d1664b")).as("younger than the retention").isNotNull();
        driver.advanceWallClockTime(java.time.Duration.ofMinutes(5));
        assertThat(history.get("bfcfce9889d1664b")).isNull();
        assertThat(dedup.get("bfcfce9889d1664b")).as("the dedup state forgets it too").isNull();
        TestRecord<String, byte[]> tombstone = state.readRecord();
        assertThat(tombstone.key()).isEqualTo("bfcfce9889d1664b");
        assertThat(tombstone.value()).isNull();
    }

    @Test
    void duplicates_within_a_minute_update_the_store_but_not_the_state_topic() {
        TestOutputTopic<String, byte[]> state = driver.createOutputTopic(TOPICS.state().name(), TOPICS.state().keySerde().deserializer(),
                TOPICS.state().valueSerde().deserializer());
        pipe("g", Fixtures.alertmanager("firing-single.json"));
        pipe("g", Fixtures.alertmanager("firing-single.json"));
        pipe("h", Fixtures.alertmanager("firing-single.json"));
        assertThat(state.readRecordsToList()).hasSize(1);
        var history = driver.<String, io.homelab.alerts.processor.history.AlertHistory>getKeyValueStore(
                io.homelab.alerts.processor.history.HistoryProcessor.STORE);
        Instant first = history.get("bfcfce9889d1664b").lastSeen();
        // A minute later the alert seen again is published, with its new lastSeen.
        pipeAt("g", Fixtures.alertmanager("firing-single.json"), RECEIVED.plusSeconds(61));
        var published = state.readRecordsToList();
        assertThat(published).hasSize(1);
        assertThat(history.get("bfcfce9889d1664b").lastSeen()).isAfter(first);
    }

    @Test
    void held_back_events_are_counted_in_one_info_line_a_minute() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                io.homelab.alerts.processor.dedup.DedupProcessor.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(10)); // the first sweep starts the minute
            pipe("g", Fixtures.alertmanager("firing-single.json"));
            pipe("g", Fixtures.alertmanager("firing-single.json"));
            pipe("g", Fixtures.alertmanager("firing-single.json"));
            driver.advanceWallClockTime(java.time.Duration.ofSeconds(61));
            assertThat(lines.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.INFO)
                    .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .contains("Held back in the last 61 s: 2 DUPLICATE (LOG_LEVEL=DEBUG shows each)");
        } finally {
            logger.detachAppender(lines);
        }
    }
}
