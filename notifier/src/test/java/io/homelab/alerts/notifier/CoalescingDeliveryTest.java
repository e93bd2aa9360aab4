package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.notifier.format.MessageSplitter;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coalescing delivery on the embedded broker against the Bot API stand-in, which enforces
 * Telegram's limits (1/s per chat, 20/min per group, 30/s overall: a request that breaks one gets
 * a 429 and is counted) and its length rule (4,096 UTF-16 code units after entity parsing). How
 * fast is measured by {@code NotifierBenchmark}; these tests check what makes it fast: no alert
 * waits for more than the chat's next send, and a backlog becomes a handful of messages.
 */
class CoalescingDeliveryTest {
    static final String TOKEN = "123456:COALESCE-token";
    static final String GROUP = "-1001234567890";

    @TempDir
    static Path dir;
    static EmbeddedKafka kafka;
    Topics topics;
    TelegramBotApiStandIn telegram;
    TelegramChannel channel;
    NotifierService notifier;
    KafkaProducer<String, Notification> producer;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(dir, 0, fault -> {});
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    void start(int threshold) throws Exception {
        start(threshold, false);
    }

    void start(int threshold, boolean silenceButtons) throws Exception {
        topics = Topics.withPrefix("c" + UUID.randomUUID().toString().substring(0, 8) + ".");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 3, 1024 * 1024);
        telegram = new TelegramBotApiStandIn(TOKEN);
        telegram.enforceLimits();
        channel = new TelegramChannel(TOKEN, telegram.url());
        notifier = new NotifierService(new NotifierConfig(topics, kafka.bootstrapServers(), List.of(GROUP), ZoneId.of("UTC"), 1024 * 1024,
                threshold, silenceButtons), channel, fault -> {}).start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 0),
                topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer());
        // The consumer has joined its group once a first alert went through.
        send(alert("Warmup", "warning", "warmup"), false);
        await().atMost(Duration.ofSeconds(30)).until(() -> !telegram.sentTexts().isEmpty());
        Thread.sleep(1100);
    }

    @AfterEach
    void stop() {
        if (notifier != null) {
            notifier.close();
            channel.close();
            telegram.close();
            producer.close();
        }
    }

    static AlertEvent alert(String name, String severity, String instance) {
        Instant now = Instant.now();
        return new AlertEvent("fp-" + name + "-" + instance, "firing", Map.of("alertname", name, "severity", severity, "instance", instance),
                Map.of("summary", name + " on " + instance), now, null, null, "r", null, 0, now, null);
    }

    void send(AlertEvent alert, boolean priority) {
        producer.send(new ProducerRecord<>(priority ? topics.priorityNotifications().name() : topics.notifications().name(), alert.fingerprint(),
                new Notification(alert, DedupReason.FIRST, false, List.of(), "default")));
    }

    /** Every successful sendMessage after the warm-up one. */
    List<TelegramBotApiStandIn.Call> sent() {
        List<TelegramBotApiStandIn.Call> calls = telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok"))
                .toList();
        return calls.subList(1, calls.size());
    }

    static final Pattern SUMMARY = Pattern.compile("^🌩 <b>(\\d+) alerts</b>");

    /** Alerts the chat was told about: named in full messages and lists, counted in summaries. */
    int covered() {
        int n = 0;
        for (TelegramBotApiStandIn.Call c : sent()) {
            String text = c.body().get("text").asText();
            Matcher m = SUMMARY.matcher(text);
            n += m.find() ? Integer.parseInt(m.group(1)) : TelegramBotApiStandIn.alertnames(List.of(text)).size();
        }
        return n;
    }

    @Test
    void a_burst_of_40_in_4_seconds_waits_for_no_more_than_the_chats_next_send_at_one_message_a_second() throws Exception {
        start(25);
        Instant[] produced = new Instant[40];
        for (int i = 0; i < 40; i++) {
            produced[i] = Instant.now();
            send(alert(i % 4 == 0 ? "NasVolumeGone" : "NfsMountStale", i % 8 == 0 ? "critical" : "warning", "client-" + i), i % 8 == 0);
            producer.flush();
            Thread.sleep(100);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> covered() == 40);
        Thread.sleep(1500);
        List<TelegramBotApiStandIn.Call> sent = sent();
        assertThat(covered()).as("each alert once").isEqualTo(40);
        assertThat(sent.size()).as("gathered: about one message a second, not forty").isBetween(4, 7);
        assertThat(telegram.violations()).as("no request broke Telegram's limits").isZero();
        for (int i = 1; i < sent.size(); i++) {
            assertThat(Duration.between(sent.get(i - 1).at(), sent.get(i).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        }
        for (int i = 0; i < 40; i++) {
            Instant at = produced[i];
            int first = -1;
            int before = 0;
            for (int m = 0; m < sent.size(); m++) {
                String text = sent.get(m).body().get("text").asText();
                // In a list line, or the full layout of an alert sent alone.
                if (text.contains(" client-" + i + " —") || text.contains("<b>Instance:</b> client-" + i + "\n")) {
                    first = m;
                    break;
                }
                if (sent.get(m).at().isAfter(at)) {
                    before++;
                }
            }
            assertThat(first).as("alert %d was sent", i).isNotNegative();
            // The message that was already on its way when it arrived may miss it; the next one may not.
            assertThat(before).as("messages sent after alert %d arrived but without it", i).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void a_thousand_queued_during_an_outage_become_a_handful_of_messages_without_a_429() throws Exception {
        start(25);
        // Telegram down: three 502s in a row (the notifier backs off 1, 2, 4 s) while a thousand alerts arrive.
        for (int i = 0; i < 3; i++) {
            telegram.failNext(502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
        }
        send(alert("First", "warning", "host-first"), false);
        for (int i = 0; i < 1000; i++) {
            send(alert("ContainerDown", i % 10 == 0 ? "critical" : "warning", "host-" + i), i % 10 == 0);
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> covered() == 1001);
        Thread.sleep(2000);
        assertThat(covered()).isEqualTo(1001);
        assertThat(sent().size()).as("a handful of messages").isLessThanOrEqualTo(4);
        assertThat(telegram.violations()).isZero();
        String summary = sent().stream().map(c -> c.body().get("text").asText()).filter(t -> t.startsWith("🌩")).findFirst().orElseThrow();
        assertThat(summary).contains("<b>Critical, firing:</b>\n🔴 <b>ContainerDown</b> · host-").contains("<b>By alert:</b>\nContainerDown ×");
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).isEmpty();
    }

    @Test
    void a_new_critical_alert_behind_a_backlog_of_500_is_in_the_next_message_or_the_one_after() throws Exception {
        start(25);
        for (int i = 0; i < 500; i++) {
            send(alert("Info", "info", "host-" + i), false);
        }
        producer.flush();
        AlertEvent critical = alert("DiskFailing", "critical", "nas");
        Instant produced = Instant.now();
        send(critical, true);
        producer.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent().stream().anyMatch(c -> c.body().get("text").asText().contains("DiskFailing")));
        List<TelegramBotApiStandIn.Call> sent = sent();
        long before = sent.stream().takeWhile(c -> !c.body().get("text").asText().contains("DiskFailing"))
                .filter(c -> c.at().isAfter(produced)).count();
        assertThat(before).as("messages sent after it arrived but without it").isLessThanOrEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> covered() == 501);
        assertThat(telegram.violations()).isZero();
    }

    @Test
    void lists_of_emoji_and_html_hostile_labels_stay_within_telegrams_length_and_every_alert_is_in_exactly_one() throws Exception {
        start(0); // always a list, however many
        String hostile = "<b>&amp;</i>\"'<script>";
        for (int i = 0; i < 60; i++) {
            Instant now = Instant.now();
            // Summaries of 199 emoji: 398 UTF-16 code units each, cut to fit a line.
            AlertEvent a = new AlertEvent("fp-h" + i, "firing", Map.of("alertname", "Hostile" + i + hostile, "severity", "warning",
                    "instance", hostile + "🔥".repeat(50)), Map.of("summary", "🌶".repeat(199)), now, null, null, "r", null, 0, now, null);
            send(a, false);
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> TelegramBotApiStandIn.alertnames(texts()).size() >= 60);
        Thread.sleep(1500);
        List<String> names = TelegramBotApiStandIn.alertnames(texts());
        assertThat(names).hasSize(60).doesNotHaveDuplicates()
                .allSatisfy(n -> assertThat(n).endsWith("&lt;b&gt;&amp;amp;&lt;/i&gt;&quot;'&lt;script&gt;"));
        assertThat(texts()).allSatisfy(t -> assertThat(MessageSplitter.plainLength(t)).isLessThanOrEqualTo(4096));
        assertThat(texts().size()).as("several full lists, not sixty messages").isBetween(2, 20);
        assertThat(telegram.calls().stream().filter(c -> !c.body().has("__ok")).toList()).as("nothing refused").isEmpty();
    }

    List<String> texts() {
        List<String> out = new ArrayList<>();
        sent().forEach(c -> out.add(c.body().get("text").asText()));
        return out;
    }

    @Test
    void a_gathered_message_offers_silence_all_for_exactly_the_alerts_it_shows_firing() throws Exception {
        start(25, true);
        send(alert("Busy", "warning", "a"), false); // takes the slot: what follows is gathered
        await().atMost(Duration.ofSeconds(10)).until(() -> sent().size() == 1);
        AlertEvent one = alert("NasGone", "critical", "nas");
        AlertEvent two = alert("NfsStale", "warning", "client-1");
        AlertEvent back = alert("NfsStale", "warning", "client-2");
        send(one, true);
        send(two, false);
        send(back, false);
        send(new AlertEvent(back.fingerprint(), "resolved", back.labels(), back.annotations(), back.startsAt(), Instant.now(), null, "r", null, 0,
                Instant.now(), null), false);
        producer.flush();
        await().atMost(Duration.ofSeconds(10)).until(() -> TelegramBotApiStandIn.alertnames(texts()).size() == 5);
        TelegramBotApiStandIn.Call list = sent().get(1);
        assertThat(list.body().get("text").asText()).startsWith("🔔 <b>4 alerts</b> (3 firing, 1 resolved)");
        var row = list.body().at("/reply_markup/inline_keyboard/0");
        assertThat(row.findValuesAsText("text")).containsExactly("🔕 all 1h", "🔕 4h", "🔕 24h");
        var button = (io.homelab.alerts.notifier.commands.ButtonData.SilenceAll) io.homelab.alerts.notifier.commands.ButtonData
                .parse(row.get(0).get("callback_data").asText()).orElseThrow();
        try (var records = new io.homelab.alerts.notifier.pipeline.NotificationRecords(topics, kafka.bootstrapServers())) {
            List<String> shown = new ArrayList<>();
            for (var ref : records.pack(button.partition(), button.offset()).orElseThrow()) {
                shown.add(records.at(ref.priority(), ref.partition(), ref.offset()).orElseThrow().alert().labels().get("instance"));
            }
            assertThat(shown).as("the firing ones; client-2 resolved in the same message").containsExactlyInAnyOrder("nas", "client-1");
        }
    }
    @Test
    void a_list_the_chat_itself_refuses_is_dead_lettered_once_with_one_report_not_resent_alert_by_alert() throws Exception {
        start(25);
        send(alert("Opener", "warning", "nas"), false);
        await().atMost(Duration.ofSeconds(30)).until(() -> sent().size() == 1);
        telegram.failNext(403, "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was kicked from the supergroup chat\"}");
        for (int i = 0; i < 10; i++) {
            send(alert("Gone" + i, "warning", "client-" + i), false);
        }
        producer.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> sent().stream().anyMatch(c -> c.body().get("text").asText().contains(
                "A message about 10 alerts could not be delivered here") && c.body().get("text").asText().contains("bot was kicked")));
        Thread.sleep(3000);
        long calls = telegram.calls().stream().filter(c -> c.method().equals("sendmessage")).count();
        assertThat(calls).as("warm-up, opener, the refused list, the report: no alert-by-alert retries").isEqualTo(4);
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).as("each alert kept").hasSize(10);
    }

    @Test
    void a_too_long_refusal_that_splitting_cannot_cure_is_dead_lettered_and_the_chat_goes_on() throws Exception {
        start(25);
        telegram.limitTextTo(450); // a server stricter than Telegram: even 512-character parts are refused
        AlertEvent big = alert("Verbose", "warning", "nas");
        big = new AlertEvent(big.fingerprint(), big.status(), big.labels(), Map.of("summary", "word ".repeat(600)), big.startsAt(), null, null,
                "r", null, 0, big.receivedAt(), null);
        send(big, false);
        producer.flush();
        await().atMost(Duration.ofSeconds(60)).until(() -> sent().stream().anyMatch(c -> c.body().get("text").asText().contains(
                "A message about Verbose could not be delivered here")));
        send(alert("After", "critical", "nas"), true);
        await().atMost(Duration.ofSeconds(30)).until(() -> TelegramBotApiStandIn.alertnames(telegram.sentTexts()).contains("After"));
        long refused = telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && !c.body().has("__ok")).count();
        assertThat(refused).as("halved twice, then given up: not resent every second").isLessThanOrEqualTo(8);
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).hasSize(1);
        assertThat(telegram.violations()).isZero();
    }
}
