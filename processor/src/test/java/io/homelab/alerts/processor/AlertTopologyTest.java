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
                new DefaultRoutes(ProcessorConfig.DEFAULT_REMEDIATE_SEVERITIES), ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, "127.0.0.1", 0);
        driver = new TopologyTestDriver(AlertTopology.build(config), AlertTopology.streamsProperties(config));
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
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, RECEIVED.toString().getBytes(StandardCharsets.UTF_8));
        webhooks.pipeInput(new TestRecord<>(groupKey, body, headers, RECEIVED));
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
                Instant.parse("2026-11-25T21:59:50Z"), null, null, "homelab-telegram", "{}:{alertname=\"ContainerDown\"}",
                "http://vm:19094", 0, RECEIVED, null));
        assertThat(out.get("df7215318b6ae9b9").annotations()).isEqualTo(Map.of("summary", "Container pihole is down"));
    }

    @Test
    void critical_and_warning_firing_alerts_also_go_to_the_remediator_resolved_and_info_do_not() {
        pipe("g1", Fixtures.alertmanager("firing-group.json"));      // 2 critical
        pipe("g2", Fixtures.alertmanager("firing-single.json"));     // 1 warning
        pipe("g3", Fixtures.alertmanager("firing-truncated.json"));  // 2 info
        pipe("g4", Fixtures.alertmanager("resolved-single.json"));   // resolved warning

        assertThat(notifications.readKeyValuesToList()).hasSize(4);
        assertThat(priority.readKeyValuesToList()).hasSize(2);
        assertThat(remediation.readValuesToList()).extracting(r -> r.alert().fingerprint())
                .containsExactly("f6e94e35cf045285", "df7215318b6ae9b9", "bfcfce9889d1664b");
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
}
