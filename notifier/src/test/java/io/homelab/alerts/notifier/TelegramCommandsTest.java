package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.commands.CommandHandler;
import io.homelab.alerts.notifier.commands.ProcessorApiClient;
import io.homelab.alerts.notifier.commands.TelegramCommands;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.notifier.silence.AlertmanagerSilences;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.common.testing.KafkaTestClients;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.commands.Publisher;
import io.homelab.alerts.notifier.pipeline.PipelineView;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands arrive by real long polling of getUpdates on the Bot API stand-in; history comes from a
 * real HTTP server; settings and decisions go to, and pipeline state comes from, a real broker.
 */
class TelegramCommandsTest {
    @TempDir
    static Path kafkaDir;
    static EmbeddedKafka kafka;
    static int testNumber;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start(kafkaDir, 0, fault -> {});
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    static final String TOKEN = "123456:COMMANDS-token";
    static final long CHAT = -1001234L;
    static final long ADMIN = 42L;
    static final long STRANGER = 666L;
    static final Instant NOW = Instant.parse("2026-11-25T22:00:00Z");
    /** What Alertmanager 0.25's GET /api/v2/silences returns (trimmed). */
    static final String SILENCES = """
            [{"id":"a1","status":{"state":"active"},"updatedAt":"2026-11-25T21:00:00Z","comment":"maintenance",
              "createdBy":"telegram:@ann","startsAt":"2026-11-25T21:00:00Z","endsAt":"2026-11-25T23:30:00Z",
              "matchers":[{"name":"alertname","value":"HighCPU","isRegex":false,"isEqual":true},
                          {"name":"instance","value":"192.168.1.101:9100","isRegex":false,"isEqual":true}]},
             {"id":"b2","status":{"state":"expired"},"updatedAt":"2026-11-25T20:00:00Z","comment":"old","createdBy":"bob",
              "startsAt":"2026-11-25T19:00:00Z","endsAt":"2026-11-25T20:00:00Z","matchers":[]}]""";

    TelegramBotApiStandIn telegram;
    HttpServer processorApi;
    HttpServer alertmanager;
    final List<String> amCalls = new CopyOnWriteArrayList<>();
    TelegramChannel channel;
    TelegramCommands commands;
    Topics topics;
    Publisher publisher;
    PipelineView pipeline;

    @BeforeEach
    void start() throws Exception {
        telegram = new TelegramBotApiStandIn(TOKEN);
        processorApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        processorApi.createContext("/api/alerts", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().startsWith("/api/alerts/") ? """
                    {"fingerprint":"bfcfce9889d1664b","labels":{"alertname":"HighCPU","instance":"192.168.1.101:9100","severity":"warning"},
                      "status":"firing"}""".getBytes(StandardCharsets.UTF_8) : """
                    [{"fingerprint":"bfcfce9889d1664b","labels":{"alertname":"HighCPU","instance":"192.168.1.101:9100","severity":"warning"},
                      "status":"firing","firingSince":"2026-11-25T21:00:00Z","lastSeen":"2026-11-25T21:59:00Z"}]"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        processorApi.createContext("/api/stats", exchange -> {
            byte[] body = """
                    {"activeAlerts":1,"alertnames":[{"alertname":"HighCPU","fired":3,"resolved":2,"meanTimeToResolveSeconds":600,
                      "flappingAlerts":0,"firedPerDay":{},"noisiestInstances":[{"instance":"192.168.1.101:9100","fired":3}]}]}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        processorApi.start();
        alertmanager = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        alertmanager.createContext("/api/v2/", exchange -> {
            byte[] in = exchange.getRequestBody().readAllBytes();
            amCalls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + new String(in, StandardCharsets.UTF_8));
            byte[] body = exchange.getRequestMethod().equals("POST")
                    ? "{\"silenceID\":\"7f1c2a9e-0000-4000-8000-000000000001\"}".getBytes(StandardCharsets.UTF_8)
                    : exchange.getRequestMethod().equals("GET") ? SILENCES.getBytes(StandardCharsets.UTF_8) : new byte[0];
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        alertmanager.start();
        channel = new TelegramChannel(TOKEN, telegram.url());
        topics = Topics.withPrefix("commands" + (++testNumber) + ".");
        KafkaTestClients.createTopics(kafka.bootstrapServers(), topics, 1, 1024 * 1024);
        publisher = new Publisher(kafka.bootstrapServers(), topics);
        pipeline = new PipelineView(topics, kafka.bootstrapServers());
        CommandHandler handler = new CommandHandler(Set.of(Long.toString(CHAT)), Set.of(ADMIN),
                new ProcessorApiClient(URI.create("http://127.0.0.1:" + processorApi.getAddress().getPort())),
                publisher.control(), publisher.decisions(), pipeline, Duration.ofHours(1),
                new AlertmanagerSilences(URI.create("http://127.0.0.1:" + alertmanager.getAddress().getPort())), ZoneOffset.UTC,
                Clock.fixed(NOW, ZoneOffset.UTC));
        commands = new TelegramCommands(TOKEN, telegram.url(), handler, channel);
    }

    @AfterEach
    void stop() {
        commands.close();
        publisher.close();
        pipeline.close();
        channel.close();
        processorApi.stop(0);
        alertmanager.stop(0);
        telegram.close();
    }

    String replyTo(long chat, long user, String text) {
        int before = telegram.sentTexts().size();
        telegram.userSays(chat, user, "user" + user, text);
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> telegram.sentTexts().size() > before);
        return telegram.sentTexts().get(before);
    }

    @Test
    void alerts_lists_what_is_firing_from_the_processor_history_api() {
        assertThat(replyTo(CHAT, STRANGER, "/alerts")).isEqualTo(
                "🔥 <b>1 alert(s) firing</b>\n• HighCPU on 192.168.1.101:9100 (warning), for 1h 0m");
    }

    @Test
    void history_summarises_the_last_seven_days_and_help_lists_the_commands() {
        assertThat(replyTo(CHAT, STRANGER, "/history@homelab_bot HighCPU")).isEqualTo(
                "📈 <b>Last 7 days</b>\n• <b>HighCPU</b>: fired 3×, resolved 2×, mean time to resolve 10m, noisiest 192.168.1.101:9100");
        assertThat(replyTo(CHAT, STRANGER, "/help")).contains("/alerts", "/history", "/health", "/enable_autohealing");
    }

    @Test
    void only_allowed_users_may_change_autohealing_and_the_change_goes_to_the_control_topic() {
        assertThat(replyTo(CHAT, STRANGER, "/disable_autohealing"))
                .isEqualTo("⛔ Not authorized: ask the admin to add your user id (666) to TELEGRAM_ALLOWED_USERS.");
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.control().name())).isEmpty();
        assertThat(replyTo(CHAT, ADMIN, "/disable_autohealing")).isEqualTo("⏸ Autohealing disabled by @user42.");
        assertThat(KafkaTestClients.readAll(kafka.bootstrapServers(), topics.control().name()))
                .extracting(r -> r.key() + "=" + new String(r.value(), StandardCharsets.UTF_8)).containsExactly("autohealing=off");
        assertThat(replyTo(CHAT, STRANGER, "/health")).contains("🤖 autohealing: off\n");
    }

    @Test
    void health_shows_each_service_its_backlog_the_last_webhook_and_open_approvals() {
        assertThat(replyTo(CHAT, STRANGER, "/health")).isEqualTo("""
                🩺 <b>Pipeline health</b>
                ❌ processor: not running, 0 record(s) behind
                ❌ notifier: not running, 0 record(s) behind
                ❌ remediator: not running, 0 record(s) behind
                🕑 last webhook received: never
                🤖 autohealing: off (never set)
                ⚠️ approvals pending: 0
                🔥 alerts firing: 1""");
    }

    @Test
    void messages_from_chats_that_are_not_configured_are_ignored() throws Exception {
        telegram.userSays(777L, ADMIN, "intruder", "/alerts");
        assertThat(replyTo(CHAT, ADMIN, "/help")).contains("/alerts");
        assertThat(telegram.calls()).filteredOn(c -> c.method().equals("sendmessage"))
                .allSatisfy(c -> assertThat(c.body().get("chat_id").asText()).isEqualTo(Long.toString(CHAT)));
    }


    TelegramBotApiStandIn.Call awaitCall(String method, int index) {
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> telegram.calls().stream().filter(c -> c.method().equals(method)).count() > index);
        return telegram.calls().stream().filter(c -> c.method().equals(method)).toList().get(index);
    }

    @Test
    void firing_messages_carry_silence_buttons_whose_data_fits_telegrams_64_bytes() {
        List<OutgoingMessage.Button> buttons = NotifierService.silenceButtons("bfcfce9889d1664b");
        assertThat(buttons).extracting(OutgoingMessage.Button::text).containsExactly("🔕 1h", "🔕 4h", "🔕 24h");
        assertThat(buttons).allSatisfy(b -> assertThat(b.data().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64));
        channel.send(new OutgoingMessage(Long.toString(CHAT), null, "<b>x</b>", buttons));
        TelegramBotApiStandIn.Call sent = awaitCall("sendmessage", 0);
        assertThat(sent.body().at("/reply_markup/inline_keyboard/0/2/callback_data").asText()).isEqualTo("silence:bfcfce9889d1664b:24");
    }

    @Test
    void an_allowed_user_silences_an_alert_in_alertmanager_and_can_undo_it() {
        String alert = "🟡 <b>Prometheus Alert</b>\n\n<b>Alert:</b> HighCPU\n<b>Summary:</b> a &lt;b&gt; &amp; co\n<a href=\"http://vm:9090/graph?a=1&amp;b=2\">Source</a>";
        channel.send(new OutgoingMessage(Long.toString(CHAT), null, alert, NotifierService.silenceButtons("bfcfce9889d1664b")));
        awaitCall("sendmessage", 0);
        int shown = telegram.sentMessageId(0);
        telegram.userPresses(CHAT, shown, ADMIN, "ann", "silence:bfcfce9889d1664b:1");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("Silenced for 1h");
        TelegramBotApiStandIn.Call edit = awaitCall("editmessagetext", 0);
        assertThat(edit.body().get("message_id").asInt()).isEqualTo(shown);
        assertThat(edit.body().get("text").asText()).as("the message as sent, rebuilt from Telegram's entities, plus who silenced it")
                .isEqualTo(alert + "\n\n🔕 <b>Silenced</b> by @ann until 23:00");
        assertThat(edit.body().has("__ok")).isTrue();
        assertThat(edit.body().at("/reply_markup/inline_keyboard/0/0/text").asText()).isEqualTo("🔕 by @ann until 23:00 · Undo");
        assertThat(edit.body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText())
                .isEqualTo("unsilence:7f1c2a9e-0000-4000-8000-000000000001");
        assertThat(amCalls).singleElement().asString().startsWith("POST /api/v2/silences ")
                .contains("{\"name\":\"alertname\",\"value\":\"HighCPU\",\"isRegex\":false,\"isEqual\":true}")
                .contains("{\"name\":\"instance\",\"value\":\"192.168.1.101:9100\",\"isRegex\":false,\"isEqual\":true}")
                .contains("\"startsAt\":\"2026-11-25T22:00:00Z\",\"endsAt\":\"2026-11-25T23:00:00Z\",\"createdBy\":\"telegram:@ann\"");

        telegram.userPresses(CHAT, shown, ADMIN, "ann", "unsilence:7f1c2a9e-0000-4000-8000-000000000001");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Silence removed");
        TelegramBotApiStandIn.Call undo = awaitCall("editmessagetext", 1);
        assertThat(undo.body().get("text").asText())
                .isEqualTo(alert + "\n\n🔕 <b>Silenced</b> by @ann until 23:00\n\n🔔 <b>Silence removed</b> by @ann at 22:00");
        assertThat(undo.body().at("/reply_markup/inline_keyboard").size()).as("buttons removed").isZero();
        assertThat(amCalls).last().asString().isEqualTo("DELETE /api/v2/silence/7f1c2a9e-0000-4000-8000-000000000001 ");
    }

    @Test
    void a_user_who_is_not_allowed_cannot_silence_and_a_double_press_creates_one_silence() {
        telegram.userPresses(CHAT, 7, STRANGER, "mallory", "silence:bfcfce9889d1664b:4");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("⛔ Not authorized");
        assertThat(amCalls).isEmpty();

        telegram.userPresses(CHAT, 7, ADMIN, "ann", "silence:bfcfce9889d1664b:4");
        telegram.userPresses(CHAT, 7, ADMIN, "ann", "silence:bfcfce9889d1664b:4");
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText()).isEqualTo("Already silenced");
        assertThat(amCalls).hasSize(1);
    }

    @Test
    void silences_lists_the_active_ones() {
        assertThat(replyTo(CHAT, STRANGER, "/silences")).isEqualTo(
                "🔕 <b>1 active silence(s)</b>\n• HighCPU, 192.168.1.101:9100 until 11-25 23:30 by telegram:@ann");
    }

    static RemediationUpdate approvalRequest(String requestId, Instant requestedAt) {
        AlertEvent alert = new AlertEvent("f6e94e35cf045285", "firing", java.util.Map.of("alertname", "ContainerDown", "name", "jellyfin",
                "severity", "critical"), java.util.Map.of("summary", "Container jellyfin is down"), requestedAt, null, null, "r", "g", null, 0,
                requestedAt, null);
        return new RemediationUpdate(requestId, RemediationUpdate.Stage.APPROVAL_REQUIRED, alert, "jellyfin", "restart-container",
                "low", "run runbook restart-container on jellyfin", List.of(), null, null, requestedAt, requestedAt);
    }

    void remediatorSays(RemediationUpdate update) throws Exception {
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                java.util.Map.of("bootstrap.servers", kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.remediationResults().name(), update.requestId(),
                    Json.write(update))).get();
        }
    }

    List<RemediationDecision> decisions() {
        return KafkaTestClients.readAll(kafka.bootstrapServers(), topics.remediationDecisions().name()).stream()
                .map(r -> Json.read(r.value(), RemediationDecision.class)).toList();
    }

    @Test
    void approve_by_an_allowed_user_is_published_and_the_message_says_who_approved_when_with_the_buttons_gone() throws Exception {
        remediatorSays(approvalRequest("f6e94e35cf045285-abc", NOW.minusSeconds(60)));
        String request = "⚠️ <b>Action Approval Required</b>\n\n<b>Component:</b> jellyfin\n\nShould I proceed with this action?";
        channel.send(new OutgoingMessage(Long.toString(CHAT), null, request, List.of(
                new OutgoingMessage.Button("✅ Approve", "approve:f6e94e35cf045285-abc"), new OutgoingMessage.Button("❌ Reject", "reject:f6e94e35cf045285-abc"))));
        awaitCall("sendmessage", 0);
        int shown = telegram.sentMessageId(0);

        telegram.userPresses(CHAT, shown, STRANGER, "mallory", "approve:f6e94e35cf045285-abc");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("⛔ Not authorized");
        telegram.userPresses(CHAT, shown, ADMIN, "ann", "approve:f6e94e35cf045285-abc");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Approved");
        TelegramBotApiStandIn.Call edit = awaitCall("editmessagetext", 0);
        assertThat(edit.body().get("text").asText()).isEqualTo(request + "\n\n✅ <b>Approved</b> by @ann at 22:00");
        assertThat(edit.body().at("/reply_markup/inline_keyboard").size()).isZero();
        telegram.userPresses(CHAT, shown, ADMIN, "ben", "reject:f6e94e35cf045285-abc");
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText()).isEqualTo("Already decided by @ann");

        assertThat(decisions()).singleElement().satisfies(d -> {
            assertThat(d.requestId()).isEqualTo("f6e94e35cf045285-abc");
            assertThat(d.verdict()).isEqualTo(RemediationDecision.Verdict.APPROVE);
            assertThat(d.userId()).isEqualTo(ADMIN);
            assertThat(d.chatId()).isEqualTo(Long.toString(CHAT));
            assertThat(d.messageId()).isEqualTo(shown);
        });
    }

    @Test
    void a_press_on_a_request_that_is_decided_unknown_or_expired_is_answered_without_a_new_decision() throws Exception {
        RemediationUpdate asked = approvalRequest("decided-1", NOW.minusSeconds(60));
        remediatorSays(asked);
        remediatorSays(asked.next(RemediationUpdate.Stage.REJECTED,
                new RemediationDecision("decided-1", RemediationDecision.Verdict.REJECT, 43, "bob", "1", 1, NOW), "Rejected", NOW));
        remediatorSays(approvalRequest("old-1", NOW.minus(Duration.ofHours(2))));

        telegram.userPresses(CHAT, 5, ADMIN, "ann", "approve:decided-1");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("Already rejected by @bob");
        telegram.userPresses(CHAT, 5, ADMIN, "ann", "approve:nobody-asked");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Unknown request");
        assertThat(decisions()).isEmpty();

        telegram.userPresses(CHAT, 5, ADMIN, "ann", "approve:old-1");
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText()).isEqualTo("Too late: the request expired");
        assertThat(decisions()).as("published, so the remediator records it as expired").hasSize(1);
    }

    @Test
    void pending_lists_the_open_approvals_and_not_the_decided_or_expired_ones() throws Exception {
        assertThat(replyTo(CHAT, STRANGER, "/pending")).isEqualTo("✅ No fixes waiting for approval.");
        remediatorSays(approvalRequest("open-1", NOW.minusSeconds(300)));
        RemediationUpdate decided = approvalRequest("decided-2", NOW.minusSeconds(60));
        remediatorSays(decided);
        remediatorSays(decided.next(RemediationUpdate.Stage.APPROVED, null, "ok", NOW));
        remediatorSays(approvalRequest("old-2", NOW.minus(Duration.ofHours(2))));

        assertThat(replyTo(CHAT, STRANGER, "/pending")).isEqualTo("""
                ⚠️ <b>1 fix(es) waiting for approval</b>
                • ContainerDown on jellyfin: run runbook restart-container on jellyfin, asked 5m ago
                Answer with the buttons under each request.""");
        assertThat(replyTo(CHAT, STRANGER, "/health")).contains("⚠️ approvals pending: 1\n");
    }
}
