package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole system in one process on the embedded broker, tried the way the README tells a new user to. */
class HomelabSystemEndToEndTest {
    static final String TEST_ALERT_MESSAGE = """
            🟡 <b>Prometheus Alert</b>

            <b>Alert:</b> TestAlert
            <b>Severity:</b> WARNING
            <b>Instance:</b> test-host:9100
            <b>Summary:</b> This is a test alert
            <b>Description:</b> Sent by hand to check the pipeline end to end
            <b>Time:</b> 2026-11-25 10:00:00 UTC
            <a href="http://localhost:9090/graph">Source</a>""";

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

    HttpResponse<String> postWebhook(HomelabSystem system, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static byte[] readmeTestAlert() throws Exception {
        return Files.readAllBytes(Path.of("../examples/test-alert.json"));
    }

    @Test
    void the_readme_test_alert_comes_out_on_the_console_and_a_restart_keeps_topics_and_offsets() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (HomelabSystem system = HomelabSystem.start(config(Map.of()), EnumSet.allOf(Target.class),
                new PrintStream(console, true, StandardCharsets.UTF_8), fault -> {})) {
            HttpResponse<String> response = postWebhook(system, readmeTestAlert());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(console.toString(StandardCharsets.UTF_8)).contains(TEST_ALERT_MESSAGE));
        }

        // Same DATA_DIR: the broker keeps its topics and the notifier its offsets, so nothing is sent twice.
        ByteArrayOutputStream afterRestart = new ByteArrayOutputStream();
        try (HomelabSystem system = HomelabSystem.start(config(Map.of()), EnumSet.allOf(Target.class),
                new PrintStream(afterRestart, true, StandardCharsets.UTF_8), fault -> {})) {
            assertThat(postWebhook(system, Fixtures.alertmanager("resolved-single.json")).statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(afterRestart.toString(StandardCharsets.UTF_8)).contains("✅ <b>Alert Resolved</b>"));
            assertThat(afterRestart.toString(StandardCharsets.UTF_8)).doesNotContain("TestAlert");
        }
    }

    @Test
    void delivers_to_a_telegram_bot_api_when_a_token_is_set() throws Exception {
        String token = "123456:END-to-end";
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(token);
                HomelabSystem system = HomelabSystem.start(config(Map.of(
                        "TELEGRAM_BOT_TOKEN", token,
                        "TELEGRAM_CHAT_ID", "-1001",
                        "TELEGRAM_API_URL", telegram.url().toString())), EnumSet.allOf(Target.class), System.out, fault -> {})) {
            assertThat(postWebhook(system, readmeTestAlert()).statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(60)).until(() -> !telegram.sentTexts().isEmpty());
            assertThat(telegram.sentTexts()).containsExactly(TEST_ALERT_MESSAGE);
            assertThat(telegram.calls()).filteredOn(c -> c.method().equals("sendmessage"))
                    .allSatisfy(c -> assertThat(c.body().get("chat_id").asText()).isEqualTo("-1001"));
            // The bot also answers commands in its chat, by long polling the same API.
            telegram.userSays(-1001L, 42L, "ann", "/alerts");
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().size() == 2);
            assertThat(telegram.sentTexts().get(1)).startsWith("🔥 <b>1 alert(s) firing</b>\n• TestAlert on test-host:9100 (warning)");
        }
    }

    @Test
    void a_fix_is_asked_for_in_telegram_approved_with_a_button_and_its_result_replies_to_the_request() throws Exception {
        String token = "123456:APPROVE-flow";
        Path routes = dataDir.resolve("homelab.yml");
        Path ran = dataDir.resolve("ran.txt");
        Files.writeString(routes, """
                routes:
                  - name: test-fix
                    matchers: ['alertname="TestAlert"']
                    remediate: touch-marker
                runbooks:
                  - name: touch-marker
                    matchers: []
                    risk: medium
                    description: mark {{instance | host}} as fixed
                    action:
                      command: [touch, "%s"]
                """.formatted(ran));
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(token);
                HomelabSystem system = HomelabSystem.start(config(Map.of(
                        "TELEGRAM_BOT_TOKEN", token,
                        "TELEGRAM_CHAT_ID", "-1001",
                        "TELEGRAM_ALLOWED_USERS", "42",
                        "HOMELAB_CONFIG", routes.toString(),
                        "TELEGRAM_API_URL", telegram.url().toString())), EnumSet.allOf(Target.class), System.out, fault -> {})) {
            assertThat(postWebhook(system, readmeTestAlert()).statusCode()).isEqualTo(200);

            // The approval request rides the urgent lane, so it may arrive before the alert's own message.
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.startsWith("⚠️ <b>Action Approval"))
                    && telegram.sentTexts().contains(TEST_ALERT_MESSAGE));
            assertThat(telegram.sentTexts()).contains(TEST_ALERT_MESSAGE).contains("""
                    ⚠️ <b>Action Approval Required</b>

                    <b>Component:</b> test-host:9100
                    <b>Issue:</b> This is a test alert
                    <b>Severity:</b> WARNING
                    <b>Risk Level:</b> medium
                    <b>Suggested Fix:</b> mark test-host as fixed
                    <b>Would run:</b> <code>touch %s</code>

                    Should I proceed with this action?""".formatted(ran));
            assertThat(Files.exists(ran)).as("nothing runs before the Approve").isFalse();
            var request = telegram.calls().stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok")
                    && c.body().get("text").asText().startsWith("⚠️")).findFirst().orElseThrow();
            int messageId = request.body().get("__message_id").asInt();
            String approve = request.body().at("/reply_markup/inline_keyboard/0/0/callback_data").asText();
            assertThat(approve).startsWith("approve:");

            telegram.userSays(-1001L, 42L, "ann", "/pending");
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("waiting for approval")));
            assertThat(telegram.sentTexts()).anyMatch(t -> t.startsWith("⚠️ <b>1 fix(es) waiting for approval</b>\n• TestAlert on test-host:9100"));

            telegram.userPresses(-1001L, messageId, 42L, "ann", approve);
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.calls().stream().anyMatch(c -> c.method().equals("editmessagetext")));
            assertThat(telegram.calls().stream().filter(c -> c.method().equals("editmessagetext")).findFirst().orElseThrow()
                    .body().get("text").asText()).contains("\n\n✅ <b>Approved</b> by @ann at ");
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.calls().stream()
                    .anyMatch(c -> c.body().has("__ok") && c.body().at("/reply_parameters/message_id").asInt() == messageId));
            assertThat(telegram.sentTexts()).anyMatch(t -> t.startsWith("🔧 <b>Fix applied</b>") && t.contains(
                    "<b>Result:</b> 🔧 ran touch " + ran + ". Watching the alert for 5 min to see that it resolves."));
            assertThat(Files.exists(ran)).isTrue();
        }
    }

    @Test
    void a_route_can_send_an_alert_to_an_outgoing_webhook_instead_of_the_chat() throws Exception {
        java.util.List<String> posted = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/api/annotations", exchange -> {
            posted.add(exchange.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] ok = "{\"id\":1,\"message\":\"Annotation added\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, ok.length);
            exchange.getResponseBody().write(ok);
            exchange.close();
        });
        hook.start();
        Path routes = dataDir.resolve("homelab.yml");
        Files.writeString(routes, """
                routes:
                  - name: annotate-only
                    matchers: ['alertname="TestAlert"']
                    notify: false
                    webhooks: [grafana]
                webhooks:
                  - name: grafana
                    url: http://127.0.0.1:%d/api/annotations
                    headers: {Authorization: Bearer static-token}
                    body: {time: '{{startsAtMillis}}', tags: [homelab, '{{alertname}}'], text: '{{summary}}'}
                """.formatted(hook.getAddress().getPort()));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (HomelabSystem system = HomelabSystem.start(config(Map.of("HOMELAB_CONFIG", routes.toString())), EnumSet.allOf(Target.class),
                new PrintStream(console, true, StandardCharsets.UTF_8), fault -> {})) {
            assertThat(postWebhook(system, readmeTestAlert()).statusCode()).isEqualTo(200);
            assertThat(postWebhook(system, Fixtures.alertmanager("firing-single.json")).statusCode()).isEqualTo(200);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(console.toString(StandardCharsets.UTF_8)).contains("HighCPU"));
            await().atMost(Duration.ofSeconds(30)).until(() -> posted.size() == 1);
            assertThat(posted).containsExactly(
                    "Bearer static-token {\"time\":1795600800000,\"tags\":[\"homelab\",\"TestAlert\"],\"text\":\"This is a test alert\"}");
            assertThat(console.toString(StandardCharsets.UTF_8)).as("its route sends no chat message").doesNotContain("TestAlert");
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void an_alert_far_larger_than_a_telegram_message_flows_through_capped_and_does_not_stall_the_pipeline() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (HomelabSystem system = HomelabSystem.start(config(Map.of()), EnumSet.allOf(Target.class),
                new PrintStream(console, true, StandardCharsets.UTF_8), fault -> {})) {
            // A description at its limit (16 KiB), and a field we do not read that makes the body 1.5 MB:
            // over Kafka's default 1 MiB record size, under the 4 MiB body limit.
            String big = new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8)
                    .replace("CPU usage is 93.2%", "x".repeat(io.homelab.alerts.common.model.WebhookLimits.MAX_ANNOTATION_VALUE_CHARS))
                    .replace("\"receiver\"", "\"padding\": \"" + "p".repeat(1_500_000) + "\",\n  \"receiver\"");
            assertThat(postWebhook(system, big.getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(console.toString(StandardCharsets.UTF_8))
                    .contains("<b>Description:</b> " + "x".repeat(3499) + "…"));
            assertThat(postWebhook(system, Fixtures.alertmanager("firing-group.json")).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(console.toString(StandardCharsets.UTF_8))
                    .contains("Container pihole is down"));
        }
    }
}
