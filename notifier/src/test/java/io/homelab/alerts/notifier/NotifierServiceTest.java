package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.kafka.DeadLetterHeaders;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notifier on a real broker, sending over real HTTP to a stand-in of the Telegram Bot API. */
class NotifierServiceTest {
    static final String TOKEN = "123456:TEST-token_x";
    static final String CHAT = "-1001234567890";

    @TempDir
    static Path dataDir;
    static EmbeddedKafka kafka;

    Topics topics;
    TelegramBotApiStandIn telegram;
    TelegramChannel channel;
    NotifierService notifier;
    KafkaProducer<String, Notification> producer;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start(dataDir, 0, fault -> {});
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @BeforeEach
    void start() throws Exception {
        topics = Topics.withPrefix("t" + UUID.randomUUID().toString().substring(0, 8) + ".");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        telegram = new TelegramBotApiStandIn(TOKEN);
        channel = new TelegramChannel(TOKEN, telegram.url());
        notifier = new NotifierService(new NotifierConfig(topics, kafka.bootstrapServers(), List.of(CHAT), ZoneId.of("UTC"), 1024 * 1024, 25, false),
                channel, fault -> {}).start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                topics.notifications().keySerde().serializer(), topics.notifications().valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        notifier.close();
        channel.close();
        telegram.close();
        producer.close();
    }

    static AlertEvent alert(String name) {
        return new AlertEvent("fp-" + name, "firing", Map.of("alertname", name, "severity", "critical", "instance", "docker-host:8080"),
                Map.of("summary", name + " <is> down"), Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", null, 0,
                Instant.parse("2026-11-25T21:59:51Z"), null);
    }

    void publish(AlertEvent... events) throws Exception {
        for (AlertEvent e : events) {
            producer.send(new ProducerRecord<>(topics.notifications().name(), e.fingerprint(),
                    new Notification(e, DedupReason.FIRST, false, List.of(), "default"))).get();
        }
    }

    static List<String> delivered(List<String> texts) {
        return TelegramBotApiStandIn.alertnames(texts);
    }

    @Test
    void sends_the_formatted_message_to_the_configured_chat_in_html_mode() throws Exception {
        publish(alert("ContainerDown"));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        TelegramBotApiStandIn.Call call = telegram.calls().get(0);
        assertThat(call.method()).isEqualTo("sendmessage");
        assertThat(call.body().get("chat_id").asText()).isEqualTo(CHAT);
        assertThat(call.body().get("parse_mode").asText()).isEqualToIgnoringCase("HTML");
        assertThat(call.body().get("text").asText()).isEqualTo("""
                🔴 <b>Prometheus Alert</b>

                <b>Alert:</b> ContainerDown
                <b>Severity:</b> CRITICAL
                <b>Instance:</b> docker-host:8080
                <b>Summary:</b> ContainerDown &lt;is&gt; down
                <b>Time:</b> 2026-11-25 21:59:50 UTC""");
    }

    @Test
    void waits_exactly_retry_after_on_429_then_resends_the_same_message() throws Exception {
        telegram.failNext(429, TelegramBotApiStandIn.tooManyRequests(2));
        publish(alert("A"));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        List<TelegramBotApiStandIn.Call> calls = telegram.calls();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).body().get("text")).isEqualTo(calls.get(0).body().get("text"));
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void keeps_messages_in_kafka_through_an_outage_and_delivers_them_in_order() throws Exception {
        for (int i = 0; i < 3; i++) {
            telegram.failNext(502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
        }
        publish(alert("First"), alert("Second"), alert("Third"));

        // Gathered while the chat waits: one message or a few, all three in order, none twice.
        await().atMost(Duration.ofSeconds(60)).until(() -> delivered(telegram.sentTexts()).size() == 3);
        Thread.sleep(1500);
        assertThat(delivered(telegram.sentTexts())).containsExactly("First", "Second", "Third");
    }

    @Test
    void an_html_error_page_from_a_proxy_is_retried_not_dead_lettered() throws Exception {
        telegram.failNext(502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center>"
                + "<hr><center>nginx</center></body></html>");
        telegram.failNext(403, "text/html", "<h1>Forbidden</h1>");
        publish(alert("BehindAProxy"));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        assertThat(telegram.sentTexts().get(0)).contains("<b>Alert:</b> BehindAProxy");
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).isEmpty();
    }

    @Test
    void a_permanent_error_goes_to_the_dead_letter_topic_with_the_reason_and_the_queue_moves_on() throws Exception {
        telegram.failNext(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't parse entities: Unsupported start tag\"}");
        publish(alert("Broken"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !telegram.calls().isEmpty());
        publish(alert("Next"));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 2);
        assertThat(telegram.sentTexts().get(0)).as("reported once, in the chat, in plain words")
                .startsWith("⚠️ A message about Broken could not be delivered here: Telegram answered 400: Bad Request: can't parse entities")
                .endsWith("\nIt is kept in Kafka topic " + topics.deadLetters().name() + " (from " + topics.notifications().name()
                        + " partition 0 offset 0).");
        assertThat(telegram.sentTexts().get(1)).contains("<b>Alert:</b> Next");
        await().atMost(Duration.ofSeconds(30)).until(() -> !KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name()).isEmpty());
        ConsumerRecord<String, byte[]> dead = KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name()).get(0);
        assertThat(dead.key()).isEqualTo("fp-Broken");
        assertThat(new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .startsWith("CLIENT: Telegram answered 400:").contains("can't parse entities");
    }

    @Test
    void keeps_sending_to_a_group_that_was_upgraded_to_a_supergroup() throws Exception {
        telegram.failNext(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: group chat was upgraded to a supergroup chat\","
                + "\"parameters\":{\"migrate_to_chat_id\":-1009999}}");
        publish(alert("First"));
        await().atMost(Duration.ofSeconds(30)).until(() -> !telegram.calls().isEmpty());
        publish(alert("Second"));

        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(telegram.sentTexts()).size() == 2);
        List<TelegramBotApiStandIn.Call> calls = telegram.calls();
        assertThat(calls.get(0).body().get("chat_id").asText()).isEqualTo(CHAT);
        assertThat(calls.subList(1, calls.size())).allSatisfy(c -> assertThat(c.body().get("chat_id").asText()).isEqualTo("-1009999"));
    }

    @Test
    void paces_messages_to_one_a_second_per_chat() throws Exception {
        for (String name : List.of("A", "B", "C", "D", "E")) {
            publish(alert(name));
            Thread.sleep(400);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(telegram.sentTexts()).size() == 5);
        List<TelegramBotApiStandIn.Call> calls = telegram.calls();
        assertThat(calls.size()).as("five alerts over 1.6 s: gathered into fewer messages").isBetween(2, 4);
        for (int i = 1; i < calls.size(); i++) {
            assertThat(Duration.between(calls.get(i - 1).at(), calls.get(i).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
        }
    }

    @Test
    void splits_a_message_longer_than_4096_characters_into_parts_sent_in_order() throws Exception {
        AlertEvent base = alert("Long");
        AlertEvent longOne = new AlertEvent(base.fingerprint(), base.status(), base.labels(),
                Map.of("summary", "s".repeat(3000), "description", "d".repeat(3000)), base.startsAt(), null, null, "r", null, 0,
                base.receivedAt(), null);
        publish(longOne);

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 2);
        List<String> texts = telegram.sentTexts();
        assertThat(texts.get(0)).contains("<b>Summary:</b> sss").doesNotContain("ddd");
        assertThat(texts.get(1)).startsWith("<b>Description:</b> ddd");
    }

    @Test
    void what_gathers_while_the_chat_waits_goes_out_as_one_list_critical_first_then_by_alertname() throws Exception {
        publish(alert("Before"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !telegram.calls().isEmpty());
        // The chat's next slot is a second away: these arrive meanwhile.
        for (String name : List.of("Zeta", "Alpha", "Mid")) {
            AlertEvent warning = new AlertEvent("fp-" + name, "firing", Map.of("alertname", name, "severity", "warning", "instance", "nas:9100"),
                    Map.of("summary", name + " & <friends>"), Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", null, 0,
                    Instant.parse("2026-11-25T21:59:51Z"), null);
            publish(warning);
        }
        publish(alert("Omega"));
        AlertEvent omega = alert("Omega");
        publish(new AlertEvent(omega.fingerprint(), "resolved", omega.labels(), omega.annotations(), omega.startsAt(),
                Instant.parse("2026-11-25T22:09:50Z"), null, "r", null, 0, omega.receivedAt(), null));

        await().atMost(Duration.ofSeconds(20)).until(() -> delivered(telegram.sentTexts()).size() == 6);
        Thread.sleep(1500);
        List<String> texts = telegram.sentTexts();
        assertThat(texts).hasSize(2);
        assertThat(texts.get(0)).contains("<b>Alert:</b> Before");
        assertThat(texts.get(1)).isEqualTo("""
                🔔 <b>5 alerts</b> (4 firing, 1 resolved)

                🔴 <b>Omega</b> · docker-host:8080 — Omega &lt;is&gt; down
                ✅ <i>resolved</i> <b>Omega</b> · docker-host:8080 — Omega &lt;is&gt; down
                🟡 <b>Alpha</b> · nas:9100 — Alpha &amp; &lt;friends&gt;
                🟡 <b>Mid</b> · nas:9100 — Mid &amp; &lt;friends&gt;
                🟡 <b>Zeta</b> · nas:9100 — Zeta &amp; &lt;friends&gt;""");
        List<TelegramBotApiStandIn.Call> calls = telegram.calls();
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(990));
    }

    @Test
    void past_the_threshold_what_gathered_becomes_one_summary() throws Exception {
        telegram.failNext(429, TelegramBotApiStandIn.tooManyRequests(4));
        publish(alert("Before"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !telegram.calls().isEmpty());
        // While the notifier waits out the 429, a storm arrives.
        for (int i = 0; i < 40; i++) {
            AlertEvent e = alert(i % 5 == 0 ? "DiskFull" + i : "ContainerDown" + i);
            producer.send(new ProducerRecord<>(topics.notifications().name(), e.fingerprint(),
                    new Notification(e, DedupReason.FIRST, false, List.of(), "default")));
        }
        producer.flush();

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        Thread.sleep(1500);
        assertThat(telegram.sentTexts()).singleElement().asString()
                .startsWith("🌩 <b>41 alerts</b> (41 firing, 0 resolved)\n\n<b>Critical, firing:</b>\n🔴 <b>Before</b> · docker-host:8080\n")
                .contains("…and 29 more\n").contains("<b>By severity:</b>\ncritical ×41\n").contains("<b>By instance:</b>\ndocker-host:8080 ×41\n")
                .endsWith("/alerts shows every alert firing now.");
    }

    @Test
    void a_list_telegram_refuses_is_sent_one_by_one_and_only_what_it_cannot_take_is_dead_lettered() throws Exception {
        publish(alert("Before"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !telegram.calls().isEmpty());
        publish(alert("One"), alert("Two"));
        await().atMost(Duration.ofSeconds(10)).until(() -> telegram.sentTexts().size() == 1);
        telegram.failNext(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't parse entities: Unsupported start tag\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> delivered(telegram.sentTexts()).size() == 3);
        assertThat(delivered(telegram.sentTexts())).containsExactly("Before", "One", "Two");
        assertThat(telegram.sentTexts().get(1)).startsWith("🔴 <b>Prometheus Alert</b>");
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).isEmpty();
    }

    @Test
    void a_message_telegram_refuses_as_too_long_is_split_and_sent_never_dead_lettered() throws Exception {
        telegram.failNext(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message is too long\"}");
        AlertEvent base = alert("Wordy");
        publish(new AlertEvent(base.fingerprint(), base.status(), base.labels(), Map.of("summary", "Wordy &lt;is&gt; down " + "s".repeat(1500),
                "description", "d".repeat(1500)), base.startsAt(), null, null, "r", null, 0, base.receivedAt(), null));

        await().atMost(Duration.ofSeconds(20)).until(() -> telegram.sentTexts().size() >= 2);
        Thread.sleep(500);
        List<String> texts = telegram.sentTexts();
        assertThat(texts).hasSize(2);
        assertThat(String.join("\n", texts)).contains("<b>Alert:</b> Wordy", "<b>Summary:</b> Wordy &amp;lt;is&amp;gt; down sss", "ddd");
        assertThat(texts).allSatisfy(t -> assertThat(io.homelab.alerts.notifier.format.MessageSplitter.plainLength(t)).isLessThanOrEqualTo(2048));
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.deadLetters().name())).isEmpty();
    }

    void remediatorSays(RemediationUpdate update) throws Exception {
        try (KafkaProducer<String, RemediationUpdate> results = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                topics.remediationResults().keySerde().serializer(), topics.remediationResults().valueSerde().serializer())) {
            results.send(new ProducerRecord<>(topics.remediationResults().name(), update.requestId(), update)).get();
        }
    }

    static RemediationUpdate asked(AlertEvent alert) {
        return asked(alert, Instant.now());
    }

    static RemediationUpdate asked(AlertEvent alert, Instant at) {
        return new RemediationUpdate(RemediationUpdate.idFor(alert), RemediationUpdate.Stage.APPROVAL_REQUIRED, alert, "<jelly&fin>",
                "restart-container", "medium", "restart <jelly&fin>", List.of(), null,
                null, at, at);
    }

    @Test
    void an_approval_request_is_sent_in_the_old_format_with_approve_and_reject_buttons() throws Exception {
        RemediationUpdate update = asked(alert("ContainerDown"));
        remediatorSays(update);

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        assertThat(telegram.sentTexts().get(0)).isEqualTo("""
                ⚠️ <b>Action Approval Required</b>

                <b>Component:</b> &lt;jelly&amp;fin&gt;
                <b>Issue:</b> ContainerDown &lt;is&gt; down
                <b>Severity:</b> CRITICAL
                <b>Risk Level:</b> medium
                <b>Suggested Fix:</b> restart &lt;jelly&amp;fin&gt;

                Should I proceed with this action?""");
        TelegramBotApiStandIn.Call call = telegram.calls().get(0);
        assertThat(call.body().at("/reply_markup/inline_keyboard/0/0/text").asText()).isEqualTo("✅ Approve");
        assertThat(call.body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText()).isEqualTo("approve:" + update.requestId());
        assertThat(call.body().at("/reply_markup/inline_keyboard/0/1/callback_data").asText()).isEqualTo("reject:" + update.requestId());
    }

    @Test
    void an_approval_request_with_huge_values_is_split_and_the_buttons_stay_under_the_last_part() throws Exception {
        RemediationUpdate update = asked(alert("Huge"));
        remediatorSays(new RemediationUpdate(update.requestId(), update.stage(), update.alert(), "x".repeat(3000), update.runbook(),
                update.risk(), "y".repeat(3000), List.of(), null, null, update.requestedAt(), update.at()));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 2);
        List<TelegramBotApiStandIn.Call> sent = telegram.calls().stream().filter(c -> c.body().has("__ok")).toList();
        assertThat(sent.get(0).body().has("reply_markup")).isFalse();
        assertThat(sent.get(1).body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText()).isEqualTo("approve:" + update.requestId());
        assertThat(telegram.sentTexts().get(1)).endsWith("Should I proceed with this action?");
    }

    @Test
    void an_approval_request_older_than_the_timeout_is_not_shown_again_when_replayed() throws Exception {
        remediatorSays(asked(alert("LongAgo"), Instant.now().minus(Duration.ofHours(2))));
        remediatorSays(asked(alert("JustNow")));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        Thread.sleep(300);
        assertThat(telegram.sentTexts()).singleElement().asString().contains("<b>Issue:</b> JustNow &lt;is&gt; down");
    }

    @Test
    void the_outcome_replies_to_the_message_that_was_answered_and_an_approval_itself_sends_nothing() throws Exception {
        RemediationUpdate update = asked(alert("ContainerDown"));
        RemediationDecision decision = new RemediationDecision(update.requestId(), RemediationDecision.Verdict.APPROVE, 42, "ann", "-100777", 321,
                Instant.parse("2026-11-25T22:01:00Z"));
        remediatorSays(update.next(RemediationUpdate.Stage.APPROVED, decision, "Approved by @ann.", decision.at()));
        RemediationUpdate.ActionRun action = new RemediationUpdate.ActionRun("docker", "container jellyfin",
                "POST /containers/jellyfin/restart?t=10", null, null, null);
        RemediationUpdate approved = update.next(RemediationUpdate.Stage.APPROVED, decision, "Approved by @ann.", decision.at());
        remediatorSays(approved.next(RemediationUpdate.Stage.RUNNING, "Running", decision.at(), action, null)); // no message while it runs
        remediatorSays(approved.next(RemediationUpdate.Stage.FAILED, "❌ no container named jellyfin on unix:///var/run/docker.sock",
                Instant.parse("2026-11-25T22:01:01Z"), new RemediationUpdate.ActionRun("docker", "container jellyfin",
                        "POST /containers/jellyfin/restart?t=10", 404, "<none>", 1234L), null));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        Thread.sleep(500);
        assertThat(telegram.sentTexts()).hasSize(1);
        TelegramBotApiStandIn.Call call = telegram.calls().get(0);
        assertThat(call.body().get("chat_id").asText()).isEqualTo("-100777");
        assertThat(call.body().at("/reply_parameters/message_id").asInt()).isEqualTo(321);
        assertThat(telegram.sentTexts().get(0)).isEqualTo("""
                ❌ <b>Fix failed</b>

                <b>Alert:</b> ContainerDown
                <b>Component:</b> &lt;jelly&amp;fin&gt;
                <b>Runbook:</b> restart-container (medium risk)
                <b>Result:</b> ❌ no container named jellyfin on unix:///var/run/docker.sock
                <b>Ran:</b> <code>POST /containers/jellyfin/restart?t=10</code> (exit 404, 1.2 s)
                <pre>&lt;none&gt;</pre>
                <b>Time:</b> 2026-11-25 22:01:01 UTC""");
    }

    @Test
    void a_critical_alert_overtakes_a_backlog_of_info_ones() throws Exception {
        for (int i = 1; i <= 6; i++) {
            AlertEvent info = new AlertEvent("fp-info" + i, "firing", Map.of("alertname", "Info" + i, "severity", "info"), Map.of(),
                    Instant.parse("2026-11-25T21:59:50Z"), null, null, "r", null, 0, Instant.parse("2026-11-25T21:59:51Z"), null);
            publish(info);
        }
        // Paced at one message a second to the chat, the backlog takes about 5 s to send.
        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() >= 1);
        AlertEvent critical = alert("DiskFailing");
        producer.send(new ProducerRecord<>(topics.priorityNotifications().name(), critical.fingerprint(),
                new Notification(critical, DedupReason.FIRST, false, List.of(), "default"))).get();

        await().atMost(Duration.ofSeconds(30)).until(() -> delivered(telegram.sentTexts()).size() == 7);
        List<String> sent = telegram.sentTexts();
        int position = java.util.stream.IntStream.range(0, sent.size()).filter(i -> sent.get(i).contains("DiskFailing")).findFirst().orElseThrow();
        assertThat(position).as("in the next message or the one after, not after the whole backlog: " + sent).isLessThanOrEqualTo(2);
        assertThat(delivered(sent).stream().filter(n -> n.startsWith("Info")).toList())
                .as("the backlog itself stays in order").containsExactly("Info1", "Info2", "Info3", "Info4", "Info5", "Info6");
    }

    @Test
    void a_notification_whose_routes_name_only_webhooks_sends_no_chat_message() throws Exception {
        AlertEvent paged = alert("PagedOnly");
        producer.send(new ProducerRecord<>(topics.notifications().name(), paged.fingerprint(),
                new Notification(paged, DedupReason.FIRST, false, List.of(), "page", List.of("pagerduty"), true))).get();
        publish(alert("Shown"));

        await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 1);
        assertThat(telegram.sentTexts().get(0)).contains("<b>Alert:</b> Shown");
    }
}
