package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system (embedded broker, ingest, processor, notifier) against the Bot API stand-in,
 * which enforces Telegram's limits: the senders people really use, and a webhook of many alerts.
 */
class SendersAndBurstsEndToEndTest {
    static final String TOKEN = "123456:SENDERS-token";
    @TempDir
    Path dataDir;
    final HttpClient http = HttpClient.newHttpClient();

    HomelabSystem start(TelegramBotApiStandIn telegram) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PROMETHEUS_WEBHOOK_PORT", "0", "KAFKA_EMBEDDED_PORT", "0", "PROCESSOR_HTTP_PORT", "0",
                "DATA_DIR", dataDir.toString(), "TELEGRAM_BOT_TOKEN", TOKEN, "TELEGRAM_CHAT_ID", "-1001",
                "TELEGRAM_API_URL", telegram.url().toString()));
        return HomelabSystem.start(HomelabConfig.load(env, dataDir.resolve(".env")), EnumSet.allOf(Target.class), System.out, fault -> {});
    }

    HttpResponse<String> post(HomelabSystem system, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void the_old_docs_test_curl_and_grafanas_webhook_reach_the_chat() throws Exception {
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN); HomelabSystem system = start(telegram)) {
            // The old documentation's command, verbatim, as a user pastes it (a real curl).
            Process curl = new ProcessBuilder("bash", Fixtures.oldDocsTestCurl().toString(), "http://127.0.0.1:" + system.webhookPort())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"accepted\",\"alerts\":1}");
            assertThat(curl.waitFor()).isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("TestAlert")));
            assertThat(telegram.sentTexts().get(0)).contains("<b>Alert:</b> TestAlert", "<b>Instance:</b> test-instance",
                    "<b>Summary:</b> This is a test alert", "<b>Description:</b> Testing Prometheus integration");

            assertThat(post(system, Fixtures.grafana()).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> TelegramBotApiStandIn.alertnames(telegram.sentTexts()).size() == 3);
            assertThat(TelegramBotApiStandIn.alertnames(telegram.sentTexts())).containsExactly("TestAlert", "NAS volume almost full",
                    "UPS on battery");
        }
    }

    @Test
    void one_webhook_of_15_alerts_for_one_chat_arrives_in_at_most_two_messages() throws Exception {
        StringBuilder alerts = new StringBuilder();
        for (int i = 0; i < 15; i++) {
            alerts.append(i == 0 ? "" : ",").append("""
                    {"status":"firing","labels":{"alertname":"NfsMountStale","instance":"client-%d:9100","severity":"warning"},
                     "annotations":{"summary":"NFS mount /mnt/nas stale on client-%d"},"startsAt":"2026-12-03T01:00:00Z"}""".formatted(i, i));
        }
        byte[] webhook = ("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"NfsMountStale\\\"}\",\"status\":\"firing\",\"receiver\":\"r\","
                + "\"groupLabels\":{\"alertname\":\"NfsMountStale\"},\"alerts\":[" + alerts + "]}").getBytes(StandardCharsets.UTF_8);
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN); HomelabSystem system = start(telegram)) {
            telegram.enforceLimits();
            assertThat(post(system, webhook).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(60)).until(() -> TelegramBotApiStandIn.alertnames(telegram.sentTexts()).size() >= 15);
            Thread.sleep(2000);
            List<String> texts = telegram.sentTexts();
            assertThat(TelegramBotApiStandIn.alertnames(texts)).hasSize(15);
            assertThat(texts).as("the processor releases a webhook in several transactions; the chat still gets one or two messages")
                    .hasSizeLessThanOrEqualTo(2);
            assertThat(telegram.violations()).isZero();
        }
    }
}
