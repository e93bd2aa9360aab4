package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole system in one process, tried the way a hostile sender or an unlucky homelab would. */
class HardeningEndToEndTest {
    static final Map<String, String> TEST_ALERT_LABELS = Map.of("alertname", "TestAlert", "instance", "test-host:9100", "severity", "warning");

    @TempDir
    Path dataDir;
    final HttpClient http = HttpClient.newHttpClient();

    HomelabConfig config(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROMETHEUS_WEBHOOK_PORT", "0",
                "KAFKA_EMBEDDED_PORT", "0",
                "PROCESSOR_HTTP_PORT", "0",
                "DATA_DIR", dataDir.toString()));
        env.putAll(extra);
        return HomelabConfig.load(env, dataDir.resolve(".env"));
    }

    HttpResponse<String> post(HomelabSystem system, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] testAlert() throws Exception {
        return Files.readAllBytes(Path.of("../examples/test-alert.json"));
    }

    /** A webhook claiming the test alert's fingerprint, with only {@code severity="critical"} as labels. */
    static byte[] forgedCritical() {
        return ("{\"version\":\"4\",\"status\":\"firing\",\"receiver\":\"x\",\"alerts\":[{\"status\":\"firing\","
                + "\"labels\":{\"severity\":\"critical\"},\"startsAt\":\"2026-11-25T10:00:00Z\",\"fingerprint\":\""
                + Fingerprint.of(TEST_ALERT_LABELS) + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    /** Alertmanager's silences API, recording what it is asked. */
    static HttpServer alertmanager(List<JsonNode> silences) throws Exception {
        HttpServer am = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        am.createContext("/api/v2/silences", exchange -> {
            silences.add(Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            byte[] body = "{\"silenceID\":\"5f2a6c1e-1111-4000-8000-00000000000a\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        am.start();
        return am;
    }

    @Test
    void a_forged_fingerprint_is_another_alert_and_the_silence_button_silences_exactly_the_alert_its_message_showed() throws Exception {
        String token = "123456:FORGED-fingerprint";
        List<JsonNode> silences = new CopyOnWriteArrayList<>();
        HttpServer am = alertmanager(silences);
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(token);
                HomelabSystem system = HomelabSystem.start(config(Map.of("TELEGRAM_BOT_TOKEN", token, "TELEGRAM_CHAT_ID", "-1001",
                        "TELEGRAM_ALLOWED_USERS", "42", "TELEGRAM_API_URL", telegram.url().toString(),
                        "ALERTMANAGER_URL", "http://127.0.0.1:" + am.getAddress().getPort())), EnumSet.allOf(Target.class), System.out,
                        fault -> {})) {
            assertThat(post(system, testAlert()).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().size() == 1);
            assertThat(post(system, forgedCritical()).statusCode()).isEqualTo(200);
            // Not a duplicate of the real alert (the old code dropped it and kept its labels under the real id): its own message.
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().size() == 2);
            assertThat(telegram.sentTexts().get(1)).contains("<b>Severity:</b> CRITICAL").doesNotContain("TestAlert");

            var first = telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok")).findFirst().orElseThrow();
            String silence1h = first.body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText();
            telegram.userPresses(-1001L, first.body().get("__message_id").asInt(), 42L, "ann", silence1h);
            await().atMost(Duration.ofSeconds(30)).until(() -> silences.size() == 1);

            Map<String, String> matchers = new HashMap<>();
            silences.get(0).path("matchers").forEach(m -> {
                assertThat(m.path("isRegex").asBoolean()).isFalse();
                assertThat(m.path("isEqual").asBoolean()).isTrue();
                matchers.put(m.path("name").asText(), m.path("value").asText());
            });
            assertThat(matchers).isEqualTo(TEST_ALERT_LABELS);

            JsonNode history = Json.MAPPER.readTree(get(system.processorApiPort(), "/api/alerts/" + Fingerprint.of(TEST_ALERT_LABELS)).body());
            assertThat(history.path("labels").path("alertname").asText()).as("the history kept the real labels").isEqualTo("TestAlert");
        } finally {
            am.stop(0);
        }
    }

    @Test
    void with_telegram_unreachable_at_boot_webhooks_are_stored_and_ready_says_why_until_telegram_comes_back() throws Exception {
        String token = "123456:UNREACHABLE-boot";
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (HomelabSystem system = HomelabSystem.start(config(Map.of("TELEGRAM_BOT_TOKEN", token, "TELEGRAM_CHAT_ID", "-1001",
                "TELEGRAM_API_URL", "http://127.0.0.1:" + port)), EnumSet.allOf(Target.class), System.out, fault -> {})) {
            assertThat(post(system, testAlert()).statusCode()).as("ingest is up whatever Telegram's state").isEqualTo(200);
            // The first attempt to reach Telegram runs in the background; until it has failed, /ready says "starting".
            await().atMost(Duration.ofSeconds(30)).until(() -> get(system.webhookPort(), "/ready").body().contains("cannot reach"));
            HttpResponse<String> ready = get(system.webhookPort(), "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).startsWith("NOT READY\n")
                    .contains("telegram commands: cannot reach the Telegram Bot API at 127.0.0.1 (connection refused");

            try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(token, port)) {
                await().atMost(Duration.ofSeconds(90)).until(() -> telegram.sentTexts().size() == 1);
                assertThat(telegram.sentTexts().get(0)).contains("<b>Alert:</b> TestAlert");
                await().atMost(Duration.ofSeconds(90)).until(() -> get(system.webhookPort(), "/ready").statusCode() == 200);
            }
        }
    }

    @Test
    void health_counts_records_not_transaction_markers_and_a_dropped_alert_is_in_no_list() throws Exception {
        String token = "123456:HEALTH-lag";
        Path routes = dataDir.resolve("homelab.yml");
        Files.writeString(routes, """
                routes:
                  - name: ignore-watchdog
                    matchers: ['alertname="Watchdog"']
                    drop: true
                """);
        byte[] watchdog = new String(testAlert(), StandardCharsets.UTF_8).replace("TestAlert", "Watchdog").getBytes(StandardCharsets.UTF_8);
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(token);
                HomelabSystem system = HomelabSystem.start(config(Map.of("TELEGRAM_BOT_TOKEN", token, "TELEGRAM_CHAT_ID", "-1001",
                        "TELEGRAM_API_URL", telegram.url().toString(), "HOMELAB_CONFIG", routes.toString())), EnumSet.allOf(Target.class),
                        System.out, fault -> {})) {
            for (int i = 0; i < 5; i++) {
                byte[] alert = new String(testAlert(), StandardCharsets.UTF_8).replace("test-host:9100", "host-" + i + ":9100")
                        .getBytes(StandardCharsets.UTF_8);
                assertThat(post(system, alert).statusCode()).isEqualTo(200);
            }
            assertThat(post(system, watchdog).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> TelegramBotApiStandIn.alertnames(telegram.sentTexts()).size() == 5);

            JsonNode page = Json.MAPPER.readTree(get(system.processorApiPort(), "/api/alerts").body());
            assertThat(page.path("total").asInt()).isEqualTo(5);
            assertThat(page.path("alerts").findValuesAsText("alertname")).doesNotContain("Watchdog");
            JsonNode withDropped = Json.MAPPER.readTree(get(system.processorApiPort(), "/api/alerts?dropped=true").body());
            assertThat(withDropped.path("total").asInt()).isEqualTo(6);

            telegram.userSays(-1001L, 7L, "ann", "/health");
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("alerts firing:")));
            assertThat(telegram.sentTexts().stream().filter(t -> t.contains("alerts firing:")).findFirst().orElseThrow()).contains(
                    "✅ processor: 1 running, 0 record(s) behind\n",
                    "✅ notifier: 1 running, 0 record(s) behind\n",
                    "🔥 alerts firing: 5");
        }
    }

    @Test
    void the_history_api_listens_on_loopback_only_by_default() throws Exception {
        List<InetAddress> outside = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .filter(i -> {
                    try {
                        return i.isUp() && !i.isLoopback();
                    } catch (java.net.SocketException e) {
                        return false;
                    }
                })
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof java.net.Inet4Address).toList();
        try (HomelabSystem system = HomelabSystem.start(config(Map.of()), EnumSet.allOf(Target.class),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), fault -> {})) {
            await().atMost(Duration.ofSeconds(60)).until(() -> get(system.processorApiPort(), "/api/alerts").statusCode() == 200);
            for (InetAddress address : outside) {
                assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(address, system.processorApiPort()), 2000);
                    }
                }).as("history API reachable on " + address).isInstanceOf(java.io.IOException.class);
            }
        }
    }
}
