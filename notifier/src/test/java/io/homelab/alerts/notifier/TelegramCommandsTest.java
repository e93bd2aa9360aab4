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
import io.homelab.alerts.notifier.pipeline.NotificationRecords;
import io.homelab.alerts.notifier.pipeline.PipelineView;
import io.homelab.alerts.notifier.pipeline.RemediationView;
import io.homelab.alerts.notifier.delivery.RateLimiter;
import io.homelab.alerts.notifier.commands.ButtonData;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.Notification;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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
    /** A chat that only a route names (not in TELEGRAM_CHAT_ID). */
    static final long ROUTE_CHAT = -1009999L;
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
    volatile String activeAlerts = """
            {"alerts":[{"fingerprint":"bfcfce9889d1664b","labels":{"alertname":"HighCPU","instance":"192.168.1.101:9100","severity":"warning"},
              "status":"firing","firingSince":"2026-11-25T21:00:00Z","lastSeen":"2026-11-25T21:59:00Z"}],"total":1,"next":null}""";
    volatile String silencesJson = SILENCES;
    TelegramChannel channel;
    TelegramCommands commands;
    Topics topics;
    Publisher publisher;
    PipelineView pipeline;
    RemediationView remediations;
    NotificationRecords records;

    @BeforeEach
    void start() throws Exception {
        telegram = new TelegramBotApiStandIn(TOKEN);
        processorApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        processorApi.createContext("/api/alerts", exchange -> {
            byte[] body = activeAlerts.getBytes(StandardCharsets.UTF_8);
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
            amCalls.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath() + " " + new String(in, StandardCharsets.UTF_8));
            byte[] body = exchange.getRequestMethod().equals("POST")
                    ? "{\"silenceID\":\"7f1c2a9e-0000-4000-8000-000000000001\"}".getBytes(StandardCharsets.UTF_8)
                    : exchange.getRequestMethod().equals("GET") ? silencesJson.getBytes(StandardCharsets.UTF_8) : new byte[0];
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
        pipeline = new PipelineView(topics, kafka.bootstrapServers(), true);
        remediations = new RemediationView(topics, kafka.bootstrapServers()).start();
        records = new NotificationRecords(topics, kafka.bootstrapServers());
        commands = commands(Set.of(Long.toString(CHAT), Long.toString(ROUTE_CHAT)), processorApiUrl());
    }

    URI processorApiUrl() {
        return URI.create("http://127.0.0.1:" + processorApi.getAddress().getPort());
    }

    TelegramCommands commands(Set<String> chats, URI historyApi) {
        CommandHandler handler = new CommandHandler(chats, Set.of(ADMIN), new ProcessorApiClient(historyApi),
                publisher.control(), publisher.decisions(), pipeline, remediations, records, Duration.ofHours(1),
                new AlertmanagerSilences(URI.create("http://127.0.0.1:" + alertmanager.getAddress().getPort())), ZoneOffset.UTC,
                Clock.fixed(NOW, ZoneOffset.UTC));
        return new TelegramCommands(TOKEN, telegram.url(), handler, channel, new RateLimiter(Clock.systemUTC()), Clock.systemUTC()).start();
    }

    @AfterEach
    void stop() {
        commands.close();
        publisher.close();
        pipeline.close();
        remediations.close();
        records.close();
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
        assertThat(replyTo(CHAT, STRANGER, "/health")).contains("🤖 autohealing: off (last set by /enable_autohealing or /disable_autohealing)\n");
    }

    @Test
    void health_shows_each_service_its_backlog_the_last_webhook_and_open_approvals() {
        assertThat(replyTo(CHAT, STRANGER, "/health")).isEqualTo("""
                🩺 <b>Pipeline health</b>
                ❌ processor: not running, 0 record(s) behind
                ❌ notifier: not running, 0 record(s) behind
                ❌ remediator: not running, 0 record(s) behind
                🕑 last webhook received: never
                🤖 autohealing: on (AUTOHEALING_ENABLED; nobody has switched it yet)
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

    /** A message in {@code chat} showing {@code buttons}, sent through the real channel; its Telegram message id. */
    int shownWith(long chat, String html, List<OutgoingMessage.Button> buttons) {
        int before = (int) telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok")).count();
        assertThat(channel.send(new OutgoingMessage(Long.toString(chat), null, html, buttons)))
                .isInstanceOf(io.homelab.alerts.notifier.channel.DeliveryResult.Delivered.class);
        return telegram.sentMessageId(before);
    }

    static final Map<String, String> HIGH_CPU = Map.of("alertname", "HighCPU", "instance", "192.168.1.101:9100", "severity", "warning");

    /** Publishes the notification a firing message is made from; its offset (partition 0). */
    long notificationOf(Map<String, String> labels) throws Exception {
        AlertEvent alert = new AlertEvent(Fingerprint.of(labels), "firing", labels, Map.of("summary", "s"), NOW.minusSeconds(60), null,
                null, "r", null, 0, NOW, null);
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            return producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.notifications().name(), 0, alert.fingerprint(),
                    Json.write(new Notification(alert, DedupReason.FIRST, false, List.of(), "default")))).get().offset();
        }
    }

    @Test
    void silence_buttons_name_the_notification_record_in_fixed_length_data_well_within_64_bytes() {
        List<OutgoingMessage.Button> buttons = NotifierService.silenceButtons(true, 2, Long.MAX_VALUE);
        assertThat(buttons).extracting(OutgoingMessage.Button::text).containsExactly("🔕 1h", "🔕 4h", "🔕 24h");
        assertThat(buttons).extracting(OutgoingMessage.Button::data)
                .containsExactly("silence:p00027fffffffffffffff:01", "silence:p00027fffffffffffffff:04", "silence:p00027fffffffffffffff:24");
        assertThat(NotifierService.silenceButtons(false, 0, 0)).extracting(OutgoingMessage.Button::data)
                .allSatisfy(d -> assertThat(d).hasSize(32));
        assertThat(ButtonData.parse("silence:p00027fffffffffffffff:24"))
                .contains(new ButtonData.Silence(ButtonData.Lane.PRIORITY, 2, Long.MAX_VALUE, 24));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"silence:bfcfce9889d1664b:1", "silence:n0000000000000000000a:2", "silence:n0000000000000000000a:24:x",
            "silence:x0000000000000000000a:24", "unsilence:../../api/v2/silences", "unsilence:7f1c2a9e-0000-4000-8000-00000000000%",
            "approve:f6e94e35cf045285:x", "approve:ZZZZZZZZZZZZZZZZZZZZZZZZ", "reject:", "", "noop "})
    void callback_data_that_is_not_exactly_one_of_our_forms_is_refused(String data) {
        assertThat(ButtonData.parse(data)).isEmpty();
    }

    @Test
    void an_allowed_user_silences_exactly_the_labels_of_the_alert_the_message_showed_and_can_undo_it() throws Exception {
        long offset = notificationOf(HIGH_CPU);
        // A later record under the same fingerprint with other labels (a forged one, say) must not matter.
        notificationOf(Map.of("severity", "critical"));
        String alert = "🟡 <b>Prometheus Alert</b>\n\n<b>Alert:</b> HighCPU\n<b>Summary:</b> a &lt;b&gt; &amp; co\n<a href=\"http://vm:9090/graph?a=1&amp;b=2\">Source</a>";
        int shown = shownWith(CHAT, alert, NotifierService.silenceButtons(false, 0, offset));
        telegram.userPresses(CHAT, shown, ADMIN, "ann", new ButtonData.Silence(ButtonData.Lane.NORMAL, 0, offset, 1).encode());
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
                .contains("{\"name\":\"severity\",\"value\":\"warning\",\"isRegex\":false,\"isEqual\":true}")
                .contains("\"startsAt\":\"2026-11-25T22:00:00Z\",\"endsAt\":\"2026-11-25T23:00:00Z\",\"createdBy\":\"telegram:@ann\"")
                .doesNotContain("critical");

        telegram.userPresses(CHAT, shown, ADMIN, "ann", "unsilence:7f1c2a9e-0000-4000-8000-000000000001");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Silence removed");
        TelegramBotApiStandIn.Call undo = awaitCall("editmessagetext", 1);
        assertThat(undo.body().get("text").asText())
                .isEqualTo(alert + "\n\n🔕 <b>Silenced</b> by @ann until 23:00\n\n🔔 <b>Silence removed</b> by @ann at 22:00");
        assertThat(undo.body().at("/reply_markup/inline_keyboard").size()).as("buttons removed").isZero();
        assertThat(amCalls).last().asString().isEqualTo("DELETE /api/v2/silence/7f1c2a9e-0000-4000-8000-000000000001 ");
    }

    @Test
    void silence_all_under_a_gathered_message_silences_each_alert_it_showed_and_undo_expires_exactly_those() throws Exception {
        long cpu = notificationOf(HIGH_CPU);
        long disk = notificationOf(Map.of("alertname", "DiskFull", "instance", "nas:9100", "severity", "critical"));
        long pack;
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, byte[]>(
                Map.of("bootstrap.servers", kafka.bootstrapServers()), new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            pack = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.packs().name(), 0, null,
                    NotificationRecords.packRecord(List.of(new NotificationRecords.Ref(false, 0, cpu), new NotificationRecords.Ref(false, 0, disk)))))
                    .get().offset();
        }
        ButtonData.SilenceAll button = new ButtonData.SilenceAll(0, pack, 4);
        assertThat(button.encode()).hasSizeLessThanOrEqualTo(ButtonData.MAX_BYTES);
        assertThat(ButtonData.parse(button.encode())).contains(button);
        String list = "🔔 <b>2 alerts</b> (2 firing, 0 resolved)\n\n🔴 <b>DiskFull</b> · nas:9100\n🟡 <b>HighCPU</b> · 192.168.1.101:9100";
        int shown = shownWith(CHAT, list, List.of(new OutgoingMessage.Button("🔕 4h", button.encode())));

        telegram.userPresses(CHAT, shown, ADMIN, "ann", button.encode());
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("Silenced 2 alerts for 4h");
        TelegramBotApiStandIn.Call edit = awaitCall("editmessagetext", 0);
        assertThat(edit.body().get("text").asText()).isEqualTo(list + "\n\n🔕 <b>Silenced</b> 2 alerts by @ann until 02:00");
        String undo = new ButtonData.UnsilenceAll(0, pack).encode();
        assertThat(edit.body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText()).isEqualTo(undo);
        assertThat(amCalls).hasSize(2).allSatisfy(c -> assertThat(c).startsWith("POST /api/v2/silences ").contains(button.tag())
                .contains("\"endsAt\":\"2026-11-26T02:00:00Z\""));
        assertThat(amCalls.get(0) + amCalls.get(1)).contains("\"value\":\"HighCPU\"", "\"value\":\"DiskFull\"");

        // Undo expires the active silences this 🔕 all made (its tag, made from Telegram, exactly one shown alert's labels), nothing else.
        String tag = button.tag();
        String cpuMatchers = matchers(HIGH_CPU);
        String diskMatchers = matchers(Map.of("alertname", "DiskFull", "instance", "nas:9100", "severity", "critical"));
        silencesJson = """
                [{"id":"11111111-0000-4000-8000-000000000001","status":{"state":"active"},"comment":"Silenced from Telegram by @ann %1$s",
                  "createdBy":"telegram:@ann","matchers":%2$s},
                 {"id":"11111111-0000-4000-8000-000000000002","status":{"state":"active"},"comment":"Silenced from Telegram by @ann %1$s",
                  "createdBy":"telegram:@ann","matchers":%3$s},
                 {"id":"11111111-0000-4000-8000-000000000003","status":{"state":"expired"},"comment":"Silenced from Telegram by @ann %1$s",
                  "createdBy":"telegram:@ann","matchers":%2$s},
                 {"id":"11111111-0000-4000-8000-000000000004","status":{"state":"active"},"comment":"maintenance [pack 0000000000000000000f]",
                  "createdBy":"telegram:@ann","matchers":%2$s},
                 {"id":"11111111-0000-4000-8000-000000000005","status":{"state":"active"},"comment":"copied from the UI %1$s",
                  "createdBy":"human","matchers":%2$s},
                 {"id":"11111111-0000-4000-8000-000000000006","status":{"state":"active"},"comment":"another deployment's pack %1$s",
                  "createdBy":"telegram:@bob","matchers":[{"name":"alertname","value":"Important","isRegex":false,"isEqual":true}]},
                 {"id":"11111111-0000-4000-8000-000000000007","status":{"state":"active"},"comment":"wider %1$s",
                  "createdBy":"telegram:@bob","matchers":[{"name":"alertname","value":"HighCPU|DiskFull","isRegex":true,"isEqual":true}]},
                 {"id":"a1","status":{"state":"active"},"comment":"maintenance"}]""".formatted(tag, cpuMatchers, diskMatchers);
        telegram.userPresses(CHAT, shown, ADMIN, "ann", undo);
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("2 silences removed");
        assertThat(amCalls.subList(2, amCalls.size())).containsExactly("GET /api/v2/silences ",
                "DELETE /api/v2/silence/11111111-0000-4000-8000-000000000001 ", "DELETE /api/v2/silence/11111111-0000-4000-8000-000000000002 ");
    }

    /** Alertmanager's matchers for exactly these labels, as its API lists them. */
    static String matchers(Map<String, String> labels) {
        StringBuilder b = new StringBuilder("[");
        new java.util.TreeMap<>(labels).forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append("{\"name\":\"").append(k)
                .append("\",\"value\":\"").append(v).append("\",\"isRegex\":false,\"isEqual\":true}"));
        return b.append("]").toString();
    }

    @Test
    void a_user_who_is_not_allowed_cannot_silence_and_a_double_press_creates_one_silence() throws Exception {
        long offset = notificationOf(HIGH_CPU);
        String data = new ButtonData.Silence(ButtonData.Lane.NORMAL, 0, offset, 4).encode();
        int shown = shownWith(CHAT, "<b>HighCPU</b>", NotifierService.silenceButtons(false, 0, offset));
        telegram.userPresses(CHAT, shown, STRANGER, "mallory", data);
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("⛔ Not authorized");
        assertThat(amCalls).isEmpty();

        telegram.userPresses(CHAT, shown, ADMIN, "ann", data);
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Silenced for 4h");
        telegram.userPresses(CHAT, shown, ADMIN, "ann", data);
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText())
                .as("the first press replaced the buttons, so the second is no longer on the message")
                .isEqualTo("⛔ This button is not on this message any more");
        assertThat(amCalls).hasSize(1);
    }

    @Test
    void a_press_with_data_that_is_not_on_the_pressed_message_is_refused_and_does_nothing() throws Exception {
        long other = notificationOf(Map.of("alertname", "Watchdog"));
        long offset = notificationOf(HIGH_CPU);
        int shown = shownWith(CHAT, "<b>HighCPU</b>", NotifierService.silenceButtons(false, 0, offset));
        remediatorSays(approvalRequest("a1a1a1a1a1a1a1a1a1a1a1a1", NOW.minusSeconds(60)));
        // A modified client sends data the message never had: another alert's silence, an Undo of any
        // silence, an approval shown elsewhere.
        for (String forged : List.of(new ButtonData.Silence(ButtonData.Lane.NORMAL, 0, other, 24).encode(),
                "unsilence:00000000-0000-4000-8000-000000000000", "approve:a1a1a1a1a1a1a1a1a1a1a1a1")) {
            telegram.userPresses(CHAT, shown, ADMIN, "ann", forged);
        }
        await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> telegram.calls().stream().filter(c -> c.method().equals("answercallbackquery")).count() == 3);
        assertThat(telegram.calls()).filteredOn(c -> c.method().equals("answercallbackquery"))
                .extracting(c -> c.body().get("text").asText()).containsOnly("⛔ This button is not on this message any more");
        assertThat(amCalls).isEmpty();
        assertThat(decisions()).isEmpty();
    }

    @Test
    void presses_and_commands_in_a_chat_that_only_a_route_names_are_answered() throws Exception {
        long offset = notificationOf(HIGH_CPU);
        int shown = shownWith(ROUTE_CHAT, "<b>HighCPU</b>", NotifierService.silenceButtons(false, 0, offset));
        telegram.userPresses(ROUTE_CHAT, shown, ADMIN, "ann", new ButtonData.Silence(ButtonData.Lane.NORMAL, 0, offset, 1).encode());
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("Silenced for 1h");
        assertThat(replyTo(ROUTE_CHAT, STRANGER, "/help")).contains("/alerts");
    }

    @Test
    void silences_lists_the_active_ones() {
        assertThat(replyTo(CHAT, STRANGER, "/silences")).isEqualTo(
                "🔕 <b>1 active silence(s)</b>\n• HighCPU, 192.168.1.101:9100 until 11-25 23:30 by telegram:@ann");
    }

    static RemediationUpdate approvalRequest(String requestId, Instant requestedAt) {
        AlertEvent alert = new AlertEvent("f6e94e35cf045285", "firing", java.util.Map.of("alertname", "ContainerDown", "name", "jellyfin",
                "severity", "critical"), java.util.Map.of("summary", "Container jellyfin is down"), requestedAt, null, null, "r", null, 0,
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
        remediatorSays(approvalRequest("a1a1a1a1a1a1a1a1a1a1a1a1", NOW.minusSeconds(60)));
        String request = "⚠️ <b>Action Approval Required</b>\n\n<b>Component:</b> jellyfin\n\nShould I proceed with this action?";
        channel.send(new OutgoingMessage(Long.toString(CHAT), null, request, List.of(
                new OutgoingMessage.Button("✅ Approve", "approve:a1a1a1a1a1a1a1a1a1a1a1a1"), new OutgoingMessage.Button("❌ Reject", "reject:a1a1a1a1a1a1a1a1a1a1a1a1"))));
        awaitCall("sendmessage", 0);
        int shown = telegram.sentMessageId(0);

        telegram.userPresses(CHAT, shown, STRANGER, "mallory", "approve:a1a1a1a1a1a1a1a1a1a1a1a1");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("⛔ Not authorized");
        telegram.userPresses(CHAT, shown, ADMIN, "ann", "approve:a1a1a1a1a1a1a1a1a1a1a1a1");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Approved");
        TelegramBotApiStandIn.Call edit = awaitCall("editmessagetext", 0);
        assertThat(edit.body().get("text").asText()).isEqualTo(request + "\n\n✅ <b>Approved</b> by @ann at 22:00");
        assertThat(edit.body().at("/reply_markup/inline_keyboard").size()).isZero();
        telegram.userPresses(CHAT, shown, ADMIN, "ben", "reject:a1a1a1a1a1a1a1a1a1a1a1a1");
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText()).as("the buttons are gone from the message")
                .isEqualTo("⛔ This button is not on this message any more");
        // Another copy of the request (in another chat) still has its buttons: the first decision stands.
        int copy = shownWith(ROUTE_CHAT, request, approveReject("a1a1a1a1a1a1a1a1a1a1a1a1"));
        telegram.userPresses(ROUTE_CHAT, copy, ADMIN, "ben", "reject:a1a1a1a1a1a1a1a1a1a1a1a1");
        assertThat(awaitCall("answercallbackquery", 3).body().get("text").asText()).isEqualTo("Already decided by @ann");

        assertThat(decisions()).singleElement().satisfies(d -> {
            assertThat(d.requestId()).isEqualTo("a1a1a1a1a1a1a1a1a1a1a1a1");
            assertThat(d.verdict()).isEqualTo(RemediationDecision.Verdict.APPROVE);
            assertThat(d.userId()).isEqualTo(ADMIN);
            assertThat(d.chatId()).isEqualTo(Long.toString(CHAT));
            assertThat(d.messageId()).isEqualTo(shown);
        });
    }

    static List<OutgoingMessage.Button> approveReject(String requestId) {
        return List.of(new OutgoingMessage.Button("✅ Approve", "approve:" + requestId), new OutgoingMessage.Button("❌ Reject", "reject:" + requestId));
    }

    @Test
    void a_press_on_a_request_that_is_decided_unknown_or_expired_is_answered_without_a_new_decision() throws Exception {
        RemediationUpdate asked = approvalRequest("d1d1d1d1d1d1d1d1d1d1d1d1", NOW.minusSeconds(60));
        remediatorSays(asked);
        remediatorSays(asked.next(RemediationUpdate.Stage.REJECTED,
                new RemediationDecision("d1d1d1d1d1d1d1d1d1d1d1d1", RemediationDecision.Verdict.REJECT, 43, "bob", "1", 1, NOW), "Rejected", NOW));
        remediatorSays(approvalRequest("01010101010101010101010a", NOW.minus(Duration.ofHours(2))));

        telegram.userPresses(CHAT, shownWith(CHAT, "decided", approveReject("d1d1d1d1d1d1d1d1d1d1d1d1")), ADMIN, "ann",
                "approve:d1d1d1d1d1d1d1d1d1d1d1d1");
        assertThat(awaitCall("answercallbackquery", 0).body().get("text").asText()).isEqualTo("Already rejected by @bob");
        telegram.userPresses(CHAT, shownWith(CHAT, "unknown", approveReject("bbbbbbbbbbbbbbbbbbbbbbbb")), ADMIN, "ann",
                "approve:bbbbbbbbbbbbbbbbbbbbbbbb");
        assertThat(awaitCall("answercallbackquery", 1).body().get("text").asText()).isEqualTo("Unknown request");
        assertThat(decisions()).isEmpty();

        telegram.userPresses(CHAT, shownWith(CHAT, "old", approveReject("01010101010101010101010a")), ADMIN, "ann",
                "approve:01010101010101010101010a");
        assertThat(awaitCall("answercallbackquery", 2).body().get("text").asText()).isEqualTo("Too late: the request expired");
        assertThat(decisions()).as("published, so the remediator records it as expired").hasSize(1);
    }

    @Test
    void pending_lists_the_open_approvals_and_not_the_decided_or_expired_ones() throws Exception {
        assertThat(replyTo(CHAT, STRANGER, "/pending")).isEqualTo("✅ No fixes waiting for approval.");
        remediatorSays(approvalRequest("0e0e0e0e0e0e0e0e0e0e0e01", NOW.minusSeconds(300)));
        RemediationUpdate decided = approvalRequest("d2d2d2d2d2d2d2d2d2d2d2d2", NOW.minusSeconds(60));
        remediatorSays(decided);
        remediatorSays(decided.next(RemediationUpdate.Stage.APPROVED, null, "ok", NOW));
        remediatorSays(approvalRequest("02020202020202020202020b", NOW.minus(Duration.ofHours(2))));

        // The view follows the results topic in the background: wait until it has read the four updates.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(replyTo(CHAT, STRANGER, "/pending")).isEqualTo("""
                ⚠️ <b>1 fix(es) waiting for approval</b>
                • ContainerDown on jellyfin: run runbook restart-container on jellyfin, asked 5m ago
                Answer with the buttons under each request."""));
        assertThat(replyTo(CHAT, STRANGER, "/health")).contains("⚠️ approvals pending: 1\n");
    }

    @Test
    void a_command_addressed_to_another_bot_is_not_answered_and_one_addressed_to_us_is() {
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> commands.botUsername().isPresent());
        telegram.userSays(CHAT, STRANGER, "bob", "/alerts@SomeOtherBot");
        assertThat(replyTo(CHAT, STRANGER, "/help@Homelab_Bot")).contains("/alerts");
        assertThat(telegram.sentTexts()).hasSize(1);
    }

    @Test
    void a_long_list_is_capped_with_and_n_more_and_every_part_fits_telegram() {
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            many.append(i == 0 ? "" : ",").append("""
                    {"id":"s%d","status":{"state":"active"},"createdBy":"%s","endsAt":"2026-11-25T23:30:00Z",
                     "matchers":[{"name":"alertname","value":"%s","isRegex":false,"isEqual":true}]}""".formatted(i, "x".repeat(300), "A".repeat(5000)));
        }
        silencesJson = many.append("]").toString();
        String reply = replyTo(CHAT, STRANGER, "/silences");
        await().atMost(java.time.Duration.ofSeconds(10)).pollDelay(java.time.Duration.ofSeconds(2)).until(() -> true);
        List<String> sent = telegram.sentTexts();
        assertThat(reply).startsWith("🔕 <b>500 active silence(s)</b>");
        assertThat(String.join("", sent)).contains("… and 470 more");
        assertThat(sent).allSatisfy(t -> assertThat(t.length()).isLessThanOrEqualTo(4096));
        assertThat(telegram.calls()).filteredOn(c -> c.method().equals("sendmessage")).allSatisfy(c -> assertThat(c.body().has("__ok")).isTrue());
    }

    @Test
    void command_spam_gets_a_few_answers_within_telegrams_limits_and_one_request_to_slow_down() {
        telegram.enforceLimits();
        for (int i = 0; i < 15; i++) {
            telegram.userSays(CHAT, STRANGER, "spammer", "/help");
        }
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 7);
        await().pollDelay(java.time.Duration.ofSeconds(2)).atMost(java.time.Duration.ofSeconds(5)).until(() -> true);
        assertThat(telegram.sentTexts()).hasSize(7);
        assertThat(telegram.sentTexts()).filteredOn(t -> t.startsWith("⏳ Too many commands")).hasSize(1);
        assertThat(telegram.violations()).as("paced like alerts: no 429").isZero();
    }

    @Test
    void when_the_history_api_is_down_the_answer_says_what_failed_and_where() throws Exception {
        commands.close();
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);
        commands = commands(Set.of(Long.toString(CHAT)), nowhere);
        assertThat(replyTo(CHAT, STRANGER, "/alerts")).isEqualTo("⚠️ The processor's history API at " + nowhere
                + " is not answering: connection refused (is it running, and is the address right?). Try again shortly.");
        assertThat(replyTo(CHAT, STRANGER, "/health")).endsWith("❌ history API at " + nowhere
                + ": connection refused (is it running, and is the address right?)").doesNotContain("null");
    }
}
