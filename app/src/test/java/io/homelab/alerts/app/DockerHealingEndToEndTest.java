package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import io.homelab.alerts.remediator.executor.DockerEngine;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the README promises a new user: the whole system (embedded Kafka, default runbooks, no
 * config file), a real Docker Engine, a container that is stopped, a ContainerDown alert for it —
 * it runs again and the chat says so; once the alert resolves the chat says the fix worked; past
 * the hourly cap the next incident asks instead of restarting again.
 */
class DockerHealingEndToEndTest {
    static final String TOKEN = "123456:DOCKER-heal";
    @TempDir
    Path dataDir;
    final HttpClient http = HttpClient.newHttpClient();
    final String container = "ha-e2e-jellyfin-" + ProcessHandle.current().pid();

    @BeforeAll
    static void engine() throws Exception {
        DockerEngine.require();
    }

    @AfterEach
    void removeContainer() throws Exception {
        DockerEngine.run(List.of("docker", "rm", "-f", container));
    }

    HomelabConfig config(TelegramBotApiStandIn telegram) {
        Map<String, String> env = new HashMap<>(Map.of(
                "PROMETHEUS_WEBHOOK_PORT", "0", "KAFKA_EMBEDDED_PORT", "0", "PROCESSOR_HTTP_PORT", "0",
                "DATA_DIR", dataDir.toString(), "TELEGRAM_BOT_TOKEN", TOKEN, "TELEGRAM_CHAT_ID", "-1001",
                "TELEGRAM_API_URL", telegram.url().toString(), "DOCKER_HOST", DockerEngine.host(),
                "REMEDIATION_HOURLY_CAP", "1"));
        return HomelabConfig.load(env, dataDir.resolve(".env"));
    }

    String alert(String status, String startsAt) {
        return """
                {"version":"4","status":"%1$s","receiver":"telegram","groupKey":"{}:{alertname=\\"ContainerDown\\"}",
                 "alerts":[{"status":"%1$s","labels":{"alertname":"ContainerDown","name":"%2$s","severity":"critical"},
                 "annotations":{"summary":"Container %2$s is down"},"startsAt":"%3$s","endsAt":"%4$s"}]}
                """.formatted(status, container, startsAt, status.equals("resolved") ? java.time.Instant.now().toString() : "0001-01-01T00:00:00Z");
    }

    void post(HomelabSystem system, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    String state() throws Exception {
        return DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.Status}} {{.State.StartedAt}}", container));
    }

    @Test
    void a_stopped_container_comes_back_the_chat_says_so_and_past_the_cap_it_asks_first() throws Exception {
        assertThat(DockerEngine.run(List.of("docker", "run", "-d", "--name", container, DockerEngine.IMAGE, "sleep", "3600"))).isZero();
        assertThat(DockerEngine.run(List.of("docker", "stop", "-t", "1", container))).isZero();
        String stopped = state();
        assertThat(stopped).startsWith("exited ");

        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN);
                HomelabSystem system = HomelabSystem.start(config(telegram), EnumSet.allOf(Target.class), System.out, fault -> {})) {
            String firstStart = java.time.Instant.now().minusSeconds(60).toString();
            post(system, alert("firing", firstStart));

            await().atMost(Duration.ofSeconds(90)).until(() -> state().startsWith("running "));
            assertThat(state()).isNotEqualTo(stopped);
            await().atMost(Duration.ofSeconds(30)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("Fixed automatically")));
            String fixed = telegram.sentTexts().stream().filter(t -> t.contains("Fixed automatically")).findFirst().orElseThrow();
            assertThat(fixed).contains("restarted " + container + " (was exited (137), now running)")
                    .contains("POST /containers/" + container + "/restart?t=10").contains("restart-container (low risk)");

            post(system, alert("resolved", firstStart));
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("Fix verified")));
            assertThat(telegram.sentTexts().stream().filter(t -> t.contains("Fix verified")).findFirst().orElseThrow())
                    .contains("✅ fixed: restarted " + container);

            // It goes down again: a new incident, but the cap (1 per hour here) is reached: ask, do not restart.
            assertThat(DockerEngine.run(List.of("docker", "stop", "-t", "1", container))).isZero();
            post(system, alert("firing", java.time.Instant.now().toString()));
            await().atMost(Duration.ofSeconds(60)).until(() -> telegram.sentTexts().stream().anyMatch(t -> t.contains("Action Approval Required")));
            assertThat(telegram.sentTexts().stream().filter(t -> t.contains("Action Approval Required")).findFirst().orElseThrow())
                    .contains("Not fixing this on my own:").contains("REMEDIATION_");
            Thread.sleep(2000);
            assertThat(state()).startsWith("exited ");
        }
    }
}
