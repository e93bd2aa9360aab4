package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.WebhookLimits;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.processor.route.RouteTableLoader;
import io.homelab.alerts.processor.watchdog.WatchdogProcessor;
import io.homelab.alerts.processor.watchdog.WatchdogSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dead man's switch on Alertmanager's Watchdog, on wall-clock time (TopologyTestDriver's). */
class WatchdogTopologyTest {
    @TempDir
    Path dir;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> webhooks;
    TestOutputTopic<String, Notification> priority;
    Instant now;

    void start(io.homelab.alerts.processor.route.Router router) {
        ProcessorConfig config = new ProcessorConfig(AlertTopologyTest.TOPICS, "unused:9092", dir.resolve("state"), AlertTopologyTest.POLICY,
                router, ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, WebhookLimits.DEFAULTS, ProcessorConfig.DEFAULT_HISTORY_RETENTION,
                new ProcessorConfig.HistoryApiSettings("127.0.0.1", "127.0.0.1", 0, Optional.empty()),
                new WatchdogSettings("Watchdog", Duration.ofMinutes(10), ZoneId.of("Europe/Berlin")));
        now = Instant.parse("2026-12-02T09:42:00Z");
        driver = new TopologyTestDriver(AlertTopology.build(config), AlertTopology.streamsProperties(config), now);
        webhooks = driver.createInputTopic(AlertTopologyTest.TOPICS.webhooks().name(), AlertTopologyTest.TOPICS.webhooks().keySerde().serializer(),
                AlertTopologyTest.TOPICS.webhooks().valueSerde().serializer());
        priority = driver.createOutputTopic(AlertTopologyTest.TOPICS.priorityNotifications().name(),
                AlertTopologyTest.TOPICS.notifications().keySerde().deserializer(), AlertTopologyTest.TOPICS.notifications().valueSerde().deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    void watchdog() {
        String body = """
                {"version":"4","groupKey":"{}:{alertname=\\"Watchdog\\"}","status":"firing","receiver":"homelab","groupLabels":{"alertname":"Watchdog"},
                 "commonLabels":{"alertname":"Watchdog","severity":"none"},"commonAnnotations":{},"externalURL":"http://am:9093",
                 "alerts":[{"status":"firing","labels":{"alertname":"Watchdog","severity":"none","prometheus":"homelab"},
                 "annotations":{"summary":"heartbeat"},"startsAt":"2026-12-01T00:00:00Z","endsAt":"0001-01-01T00:00:00Z",
                 "generatorURL":"http://prom:9090","fingerprint":"abcdef0123456789"}]}""";
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, now.toString().getBytes(StandardCharsets.UTF_8));
        webhooks.pipeInput(new TestRecord<>("g", body.getBytes(StandardCharsets.UTF_8), headers, now));
    }

    void advance(Duration d) {
        now = now.plus(d);
        driver.advanceWallClockTime(d);
    }

    List<Notification> blindNotices() {
        return priority.readValuesToList().stream().filter(n -> WatchdogProcessor.BLIND.equals(n.alert().alertname())).toList();
    }

    @Test
    void a_silent_watchdog_is_said_once_and_its_return_once() {
        start(new DefaultRoutes());
        advance(Duration.ofHours(1));
        assertThat(blindNotices()).as("never seen: nothing to miss").isEmpty();

        watchdog();
        advance(Duration.ofMinutes(5));
        watchdog();
        advance(Duration.ofMinutes(9));
        assertThat(blindNotices()).as("within the limit").isEmpty();

        advance(Duration.ofMinutes(2));
        List<Notification> blind = blindNotices();
        assertThat(blind).hasSize(1);
        AlertEvent alert = blind.get(0).alert();
        assertThat(alert.isFiring()).isTrue();
        assertThat(alert.severity()).isEqualTo("critical");
        assertThat(alert.labels()).containsEntry("prometheus", "homelab");
        assertThat(alert.annotations().get("summary")).isEqualTo("⚠️ alerting pipeline is blind: no Watchdog since 2026-12-02 11:47 CET");
        assertThat(blind.get(0).chats()).as("the default chats").isEmpty();

        advance(Duration.ofHours(2));
        assertThat(blindNotices()).as("said once").isEmpty();

        watchdog();
        List<Notification> back = blindNotices();
        assertThat(back).hasSize(1);
        assertThat(back.get(0).alert().isFiring()).isFalse();
        assertThat(back.get(0).alert().fingerprint()).as("resolves the same alert").isEqualTo(alert.fingerprint());
        assertThat(back.get(0).alert().annotations().get("summary")).startsWith("✅ alerting pipeline works again");
        watchdog();
        assertThat(blindNotices()).as("all clear once").isEmpty();
    }

    @Test
    void it_works_when_routes_drop_watchdog_from_the_chats() throws Exception {
        Path routes = dir.resolve("routes.yml");
        Files.writeString(routes, "routes:\n  - name: drop-watchdog\n    matchers: ['alertname=\"Watchdog\"']\n    drop: true\n");
        start(RouteTableLoader.load(routes, new DefaultRoutes()));
        watchdog();
        assertThat(priority.readValuesToList()).as("Watchdog itself is not sent").isEmpty();
        advance(Duration.ofMinutes(11));
        assertThat(blindNotices()).hasSize(1);
    }
}
