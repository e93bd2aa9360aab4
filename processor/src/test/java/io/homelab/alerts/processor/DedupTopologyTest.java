package io.homelab.alerts.processor;

import static io.homelab.alerts.common.model.DedupReason.FIRST;
import static io.homelab.alerts.common.model.DedupReason.REMINDER;
import static io.homelab.alerts.common.model.DedupReason.STATUS_CHANGED;
import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationRequest;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.DefaultRoutes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dedup, reminders and flapping through the production topology (TopologyTestDriver, production topics). */
class DedupTopologyTest {
    /** How events reach the state; DedupTopologyDirectTest runs every test again without the re-key. */
    AlertTopology.Layout layout() {
        return AlertTopology.Layout.REKEY;
    }

    static final Topics TOPICS = Topics.withPrefix(Topics.DEFAULT_PREFIX);
    static final Duration WINDOW = DedupPolicy.DEFAULT_WINDOW;
    static final Duration FLAP_WINDOW = DedupPolicy.DEFAULT_FLAP_WINDOW;
    static final Instant T0 = Instant.parse("2026-11-25T22:00:00Z");

    @TempDir
    Path stateDir;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> webhooks;
    TestOutputTopic<String, Notification> notifications;
    TestOutputTopic<String, Notification> priority;
    TestOutputTopic<String, RemediationRequest> remediation;

    void start(DedupPolicy policy) {
        ProcessorConfig config = new ProcessorConfig(TOPICS, "unused:9092", stateDir, policy,
                new DefaultRoutes(), ProcessorConfig.DEFAULT_COMMIT_INTERVAL, 1024 * 1024, "127.0.0.1", 0);
        driver = new TopologyTestDriver(AlertTopology.build(config, reason -> { }, layout()), AlertTopology.streamsProperties(config), T0);
        webhooks = driver.createInputTopic(TOPICS.webhooks().name(), TOPICS.webhooks().keySerde().serializer(),
                TOPICS.webhooks().valueSerde().serializer());
        notifications = driver.createOutputTopic(TOPICS.notifications().name(), TOPICS.notifications().keySerde().deserializer(),
                TOPICS.notifications().valueSerde().deserializer());
        priority = driver.createOutputTopic(TOPICS.priorityNotifications().name(), TOPICS.notifications().keySerde().deserializer(),
                TOPICS.notifications().valueSerde().deserializer());
        remediation = driver.createOutputTopic(TOPICS.remediationRequests().name(),
                TOPICS.remediationRequests().keySerde().deserializer(), TOPICS.remediationRequests().valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    static DedupPolicy policy(boolean reminders, int flapChanges) {
        return new DedupPolicy(WINDOW, reminders, flapChanges, FLAP_WINDOW);
    }

    void send(String fixture, Instant at) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RawWebhookHeaders.RECEIVED_AT, at.toString().getBytes(StandardCharsets.UTF_8));
        webhooks.pipeInput(new TestRecord<>("g", Fixtures.alertmanager(fixture), headers, at));
    }

    List<String> reasons() {
        return sent().stream().map(n -> n.alert().status() + ":" + n.reason() + (n.flapping() ? ":flapping" : ""))
                .toList();
    }

    /** What both lanes got (each test's alerts share one severity, so one lane holds them in order). */
    List<Notification> sent() {
        List<Notification> out = new java.util.ArrayList<>(notifications.readValuesToList());
        out.addAll(priority.readValuesToList());
        return out;
    }

    @Test
    void drops_repeats_inside_the_window_and_reminds_one_ms_after_it() {
        start(policy(true, 0));
        send("firing-single.json", T0);
        send("firing-single.json", T0.plusSeconds(30));          // Alertmanager's group_interval re-send
        send("firing-single.json", T0.plus(WINDOW));              // last millisecond of the window
        send("firing-single.json", T0.plus(WINDOW).plusMillis(1));
        assertThat(reasons()).containsExactly("firing:FIRST", "firing:REMINDER");
    }

    @Test
    void without_reminders_a_still_firing_alert_is_sent_once() {
        start(policy(false, 0));
        send("firing-single.json", T0);
        send("firing-single.json", T0.plus(WINDOW).plusMillis(1));
        send("firing-single.json", T0.plus(WINDOW.multipliedBy(3)));
        assertThat(reasons()).containsExactly("firing:FIRST");
    }

    @Test
    void a_status_change_passes_at_once_even_inside_the_window() {
        start(policy(true, 0));
        send("firing-single.json", T0);
        send("resolved-single.json", T0.plusSeconds(4));
        send("resolved-single.json", T0.plusSeconds(40));         // repeated resolved: dropped
        assertThat(reasons()).containsExactly("firing:FIRST", "resolved:STATUS_CHANGED");
    }

    @Test
    void two_alerts_with_the_same_alertname_and_instance_but_other_labels_do_not_collapse() {
        start(policy(true, 0));
        send("firing-group.json", T0);     // jellyfin and pihole on docker-host:8080
        send("firing-group.json", T0.plusSeconds(10));
        List<Notification> out = sent();
        assertThat(out).extracting(n -> n.alert().labels().get("name")).containsExactlyInAnyOrder("jellyfin", "pihole");
        assertThat(out).extracting(Notification::reason).containsOnly(FIRST);
    }

    @Test
    void only_new_incidents_go_to_the_remediator_never_reminders() {
        start(policy(true, 0));
        send("firing-single.json", T0);                              // warning: remediate
        send("firing-single.json", T0.plus(WINDOW).plusMillis(1));   // reminder: notify only
        assertThat(remediation.readValuesToList()).extracting(RemediationRequest::reason).containsExactly(FIRST);
        assertThat(sent()).extracting(Notification::reason).containsExactly(FIRST, REMINDER);
    }

    @Test
    void a_flapping_alert_is_sent_once_as_flapping_then_held_until_stable_then_its_resolution_is_sent() {
        start(policy(true, 4));
        Instant t = T0;
        for (int i = 0; i < 3; i++) {
            send("firing-single.json", t);
            send("resolved-single.json", t.plusSeconds(30));
            t = t.plusSeconds(60);
        }
        // firing, resolved (1 change), firing (2), resolved (3), firing (4: flapping), resolved: held
        assertThat(reasons()).containsExactly("firing:FIRST", "resolved:STATUS_CHANGED", "firing:STATUS_CHANGED",
                "resolved:STATUS_CHANGED", "firing:STATUS_CHANGED:flapping");
        // Firing incidents only until flapping (resolutions go too, to verify fixes); nothing once flapping.
        assertThat(remediation.readValuesToList()).filteredOn(r -> r.alert().isFiring()).extracting(r -> r.reason())
                .as("no remediation once flapping").containsExactly(FIRST, STATUS_CHANGED);

        // The last change was the resolved at T0 + 150 s; the driver's wall clock starts at T0.
        Instant lastChange = T0.plusSeconds(150);
        driver.advanceWallClockTime(Duration.between(T0, lastChange.plus(FLAP_WINDOW).minusSeconds(30)));
        assertThat((notifications.isEmpty() && priority.isEmpty())).as("not yet stable for the whole flap window").isTrue();
        driver.advanceWallClockTime(Duration.ofSeconds(60));
        assertThat(reasons()).containsExactly("resolved:STATUS_CHANGED");
    }

    @Test
    void with_flapping_detection_off_every_change_passes() {
        start(policy(true, 0));
        for (int i = 0; i < 3; i++) {
            send("firing-single.json", T0.plusSeconds(60L * i));
            send("resolved-single.json", T0.plusSeconds(60L * i + 30));
        }
        assertThat(sent()).hasSize(6).noneMatch(Notification::flapping);
    }

    @Test
    void a_resolved_alert_is_forgotten_once_both_windows_passed_so_it_starts_over_as_first() {
        start(policy(true, 0));
        send("firing-single.json", T0);
        send("resolved-single.json", T0.plusSeconds(5));
        driver.advanceWallClockTime(WINDOW.plusSeconds(30));
        send("resolved-single.json", T0.plus(WINDOW).plusSeconds(40));   // still remembered: the flap window has not passed
        driver.advanceWallClockTime(FLAP_WINDOW);
        send("resolved-single.json", T0.plus(FLAP_WINDOW).plus(WINDOW));
        assertThat(reasons()).containsExactly("firing:FIRST", "resolved:STATUS_CHANGED", "resolved:FIRST");
    }

    @Test
    void a_slow_flapper_is_caught_even_though_its_resolved_state_outlives_the_dedup_window() {
        // Changes every 6 minutes: the dedup window (5 min) passes between them, the flap window (15 min) does not.
        start(new DedupPolicy(WINDOW, true, 3, Duration.ofMinutes(15)));
        for (int cycle = 0; cycle < 2; cycle++) {
            Instant t = T0.plus(Duration.ofMinutes(12L * cycle));
            driver.advanceWallClockTime(Duration.between(driverNow, t));
            driverNow = t;
            send("firing-single.json", t);
            Instant r = t.plus(Duration.ofMinutes(6));
            driver.advanceWallClockTime(Duration.between(driverNow, r));
            driverNow = r;
            send("resolved-single.json", r);
        }
        // changes at 6 (resolved), 12 (firing), 18 (resolved): three within 15 minutes
        assertThat(reasons()).containsExactly("firing:FIRST", "resolved:STATUS_CHANGED", "firing:STATUS_CHANGED",
                "resolved:STATUS_CHANGED:flapping");
    }

    @Test
    void an_older_event_arriving_late_does_not_turn_a_resolved_alert_back_to_firing() {
        start(policy(true, 0));
        send("firing-single.json", T0);
        send("resolved-single.json", T0.plusSeconds(11));
        send("firing-single.json", T0.plusSeconds(10)); // the same alert's older copy from another group
        assertThat(reasons()).containsExactly("firing:FIRST", "resolved:STATUS_CHANGED");
        assertThat(remediation.readValuesToList()).filteredOn(r -> r.alert().isFiring()).hasSize(1);
    }

    Instant driverNow = T0;
}
