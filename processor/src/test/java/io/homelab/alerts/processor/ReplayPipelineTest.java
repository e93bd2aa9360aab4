package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.model.WebhookLimits;
import io.homelab.alerts.processor.dedup.Decision;
import io.homelab.alerts.processor.replay.ReplayPipeline;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.processor.watchdog.WatchdogSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay decides exactly what the live topology decides: the same generated hours of webhooks
 * (duplicates, flapping and its release by the sweep, resolved alerts forgotten, a Watchdog that goes
 * silent and comes back) through {@link AlertTopology} on TopologyTestDriver, with its wall clock moved
 * along with the records, and through {@link ReplayPipeline}: the same notifications on each lane, at the
 * same times, with the same reasons, and the same remediation requests.
 */
class ReplayPipelineTest {
    @TempDir
    Path dir;

    record Sent(long at, String fingerprint, String alertname, String status, String reason, boolean flapping) {}

    record Input(long at, String body) {}

    static List<Input> generate(long seed, Instant start) {
        Random random = new Random(seed);
        List<Input> out = new ArrayList<>();
        String[] names = {"HighCPU", "ContainerDown", "DiskFull", "NodeDown", "Flappy"};
        String[] severities = {"warning", "critical", "warning", "critical", "warning"};
        boolean[] firing = new boolean[names.length];
        long t = start.toEpochMilli();
        for (int step = 0; step < 600; step++) {
            t += 1_000L * (5 + random.nextInt(40));
            StringBuilder alerts = new StringBuilder();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                int a = random.nextInt(names.length);
                // "Flappy" changes often in its first hour, then stays put; the others now and then.
                boolean flip = a == 4 ? t - start.toEpochMilli() < 3_600_000 && random.nextInt(2) == 0 : random.nextInt(8) == 0;
                if (flip) {
                    firing[a] = !firing[a];
                }
                alerts.append(i == 0 ? "" : ",").append("""
                        {"status":"%s","labels":{"alertname":"%s","instance":"host-%d:9100","severity":"%s"},
                         "annotations":{"summary":"%s"},"startsAt":"2026-12-01T00:00:00Z"}"""
                        .formatted(firing[a] ? "firing" : "resolved", names[a], a, severities[a], names[a]));
            }
            boolean watchdogAlive = t - start.toEpochMilli() < 7_200_000 || t - start.toEpochMilli() > 9_000_000;
            if (watchdogAlive) {
                alerts.append(",{\"status\":\"firing\",\"labels\":{\"alertname\":\"Watchdog\",\"severity\":\"none\"},\"annotations\":{}}");
            }
            out.add(new Input(t, "{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"r\",\"groupLabels\":{},\"alerts\":[" + alerts + "]}"));
        }
        return out;
    }

    static RecordHeaders headers(long at) {
        RecordHeaders h = new RecordHeaders();
        h.add(RawWebhookHeaders.RECEIVED_AT, Instant.ofEpochMilli(at).toString().getBytes(StandardCharsets.UTF_8));
        return h;
    }

    static Sent sent(long at, Notification n) {
        return new Sent(at, n.alert().fingerprint(), n.alert().alertname(), n.alert().status(), n.reason().name(), n.flapping());
    }

    static Sent sent(long at, RemediationRequest r) {
        return new Sent(at, r.alert().fingerprint(), r.alert().alertname(), r.alert().status(), r.reason().name(), false);
    }

    static List<Sent> sorted(List<Sent> s) {
        return s.stream().sorted(java.util.Comparator.comparingLong(Sent::at).thenComparing(Sent::fingerprint).thenComparing(Sent::status)).toList();
    }

    @Test
    void replay_decides_exactly_what_the_live_topology_decides() {
        Instant start = Instant.parse("2026-12-01T10:00:00Z");
        List<Input> inputs = generate(42, start);
        ProcessorConfig config = new ProcessorConfig(AlertTopologyTest.TOPICS, "unused:9092", dir.resolve("state"), AlertTopologyTest.POLICY,
                new DefaultRoutes(), ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, WebhookLimits.DEFAULTS, Duration.ofHours(2),
                new ProcessorConfig.HistoryApiSettings("127.0.0.1", "127.0.0.1", 0, Optional.empty()),
                new WatchdogSettings("Watchdog", Duration.ofMinutes(10), ZoneId.of("UTC")));
        long end = inputs.get(inputs.size() - 1).at() + 1_800_000;

        List<Sent> liveNormal = new ArrayList<>();
        List<Sent> livePriority = new ArrayList<>();
        List<Sent> liveRemediation = new ArrayList<>();
        try (TopologyTestDriver driver = new TopologyTestDriver(AlertTopology.build(config), AlertTopology.streamsProperties(config),
                Instant.ofEpochMilli(inputs.get(0).at()))) {
            var topics = AlertTopologyTest.TOPICS;
            TestInputTopic<String, byte[]> in = driver.createInputTopic(topics.webhooks().name(), topics.webhooks().keySerde().serializer(),
                    topics.webhooks().valueSerde().serializer());
            var normal = driver.createOutputTopic(topics.notifications().name(), topics.notifications().keySerde().deserializer(),
                    topics.notifications().valueSerde().deserializer());
            var priority = driver.createOutputTopic(topics.priorityNotifications().name(), topics.notifications().keySerde().deserializer(),
                    topics.notifications().valueSerde().deserializer());
            var remediation = driver.createOutputTopic(topics.remediationRequests().name(), topics.remediationRequests().keySerde().deserializer(),
                    topics.remediationRequests().valueSerde().deserializer());
            long clock = inputs.get(0).at();
            for (Input i : inputs) {
                for (; clock + 1_000 <= i.at(); clock += 1_000) {
                    driver.advanceWallClockTime(Duration.ofSeconds(1));
                }
                in.pipeInput(new TestRecord<>("g", i.body().getBytes(StandardCharsets.UTF_8), headers(i.at()), Instant.ofEpochMilli(i.at())));
            }
            for (; clock + 1_000 <= end; clock += 1_000) {
                driver.advanceWallClockTime(Duration.ofSeconds(1));
            }
            normal.readRecordsToList().forEach(r -> liveNormal.add(sent(r.timestamp(), r.value())));
            priority.readRecordsToList().forEach(r -> livePriority.add(sent(r.timestamp(), r.value())));
            remediation.readRecordsToList().forEach(r -> liveRemediation.add(sent(r.timestamp(), r.value())));
        }

        List<Sent> replayNormal = new ArrayList<>();
        List<Sent> replayPriority = new ArrayList<>();
        List<Sent> replayRemediation = new ArrayList<>();
        ReplayPipeline.Listener listener = new ReplayPipeline.Listener() {
            void passed(Decision d, long at) {
                if (ReplayPipeline.notifies(d)) {
                    (ReplayPipeline.priority(d) ? replayPriority : replayNormal).add(sent(at, ReplayPipeline.notification(d)));
                }
                if (ReplayPipeline.remediates(d)) {
                    replayRemediation.add(sent(at, ReplayPipeline.remediationRequest(d)));
                }
            }

            @Override public void decided(ReplayPipeline.Origin origin, io.homelab.alerts.common.model.AlertEvent event,
                    io.homelab.alerts.common.model.DedupReason reason, Decision d) {
                if (d != null) {
                    passed(d, origin.timestamp());
                }
            }

            @Override public void released(Decision d, long at) {
                passed(d, at);
            }

            @Override public void watchdog(Notification n, long at) {
                replayPriority.add(sent(at, n));
            }
        };
        ReplayPipeline replay = new ReplayPipeline(config, listener);
        long offset = 0;
        for (Input i : inputs) {
            replay.accept(0, offset++, i.at(), "g", i.body().getBytes(StandardCharsets.UTF_8), headers(i.at()));
        }
        replay.finish(end);

        assertThat(liveNormal).as("the sequence exercises the pipeline").hasSizeGreaterThan(50);
        assertThat(livePriority.stream().filter(s -> s.alertname().equals(io.homelab.alerts.processor.watchdog.WatchdogProcessor.BLIND))
                .map(Sent::status)).as("the Watchdog went silent, came back, and went silent after the last webhook").containsExactly("firing", "resolved", "firing");
        assertThat(liveNormal.stream().filter(s -> s.alertname().equals("Flappy") && s.reason().equals("STATUS_CHANGED") && !s.flapping()
                && liveNormal.stream().anyMatch(f -> f.flapping() && f.fingerprint().equals(s.fingerprint()) && f.at() < s.at())))
                .as("Flappy released by the sweep after it stopped flapping").isNotEmpty();
        assertThat(sorted(replayNormal)).isEqualTo(sorted(liveNormal));
        assertThat(sorted(replayPriority)).isEqualTo(sorted(livePriority));
        assertThat(sorted(replayRemediation)).isEqualTo(sorted(liveRemediation));
    }
}
