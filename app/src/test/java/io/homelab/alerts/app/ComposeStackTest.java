package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import io.homelab.alerts.remediator.executor.DockerEngine;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker-compose.yml as a user runs it: Compose 1.29 (Debian's docker-compose) builds the image on
 * locally made bases (deploy/local-base-images.sh; no registry is reachable here), starts the
 * stack from .env.example with its two secrets and a Telegram bot filled in, waits for every health
 * check, posts a webhook to the ingest port published on 127.0.0.1 and sees the message reach a
 * Telegram Bot API stand-in (on the host's Docker bridge address, where the notifier container can
 * reach it). Then a processor restart and a down / up: nothing lost, nothing twice.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackTest {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String PROJECT = "hatest" + ProcessHandle.current().pid();
    static final List<String> SERVICES = List.of("broker", "ingest", "processor", "notifier", "remediator");
    static Path envFile;
    static int port;
    static int prometheusPort;
    static TelegramBotApiStandIn telegram;
    static final String TOKEN = "4242:compose-stack-test";

    @BeforeAll
    static void stack() throws Exception {
        DockerEngine.require();
        boolean compose = run(List.of("docker-compose", "version"), Duration.ofSeconds(30)).exit() == 0;
        boolean bases = run(List.of("docker", "image", "inspect", "homelab-local/jdk17", "homelab-local/jre17"), Duration.ofSeconds(30)).exit() == 0;
        if (!compose || !bases) {
            String why = (compose ? "" : "docker-compose is not installed; ") + (bases ? "" : "no local base images (run deploy/local-base-images.sh); ");
            if (System.getenv("CI") == null) {
                Assumptions.abort(why + "under CI this test must run");
            }
            throw new AssertionError("CI is set but " + why + ".ci/run must prepare them");
        }
        try (ServerSocket free = new ServerSocket(0); ServerSocket free2 = new ServerSocket(0)) {
            port = free.getLocalPort();
            prometheusPort = free2.getLocalPort();
        }
        // Containers reach the host on the default bridge's gateway; the stand-in listens there only.
        String gateway = run(List.of("docker", "network", "inspect", "bridge", "-f", "{{(index .IPAM.Config 0).Gateway}}"),
                Duration.ofSeconds(30)).output().strip();
        if (!gateway.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            // Some Docker installs list no IPAM config for the default bridge: the host's docker0 address is the gateway.
            gateway = java.util.Collections.list(java.net.NetworkInterface.getByName("docker0").getInetAddresses()).stream()
                    .filter(a -> a instanceof java.net.Inet4Address).map(java.net.InetAddress::getHostAddress).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no IPv4 address on docker0"));
        }
        telegram = new TelegramBotApiStandIn(TOKEN, gateway, 0);
        // What a user does: copy .env.example, fill in the two secrets and the bot's token and chat.
        envFile = REPO.resolve(".env");
        assertThat(Files.exists(envFile)).as("a .env of the developer's own is in the way of this test").isFalse();
        String env = Files.readString(REPO.resolve(".env.example"));
        env = uncomment(env, "PROMETHEUS_API_KEY", "test-ingest-key");
        env = uncomment(env, "PROCESSOR_API_KEY", "test-history-key");
        env = uncomment(env, "TELEGRAM_BOT_TOKEN", TOKEN);
        env = uncomment(env, "TELEGRAM_CHAT_ID", "-1001");
        env = uncomment(env, "TELEGRAM_API_URL", telegram.url().toString());
        Files.writeString(envFile, env);
        Result up = compose(Duration.ofMinutes(15), "up", "-d", "--build");
        assertThat(up.exit()).as("docker-compose up:\n" + up.output()).isZero();
        awaitHealthy();
    }

    @AfterAll
    static void down() throws Exception {
        if (envFile != null) {
            compose(Duration.ofMinutes(2), "--profile", "demo", "down", "-v", "--remove-orphans");
            Files.deleteIfExists(envFile);
        }
        if (telegram != null) {
            telegram.close();
        }
    }

    /** Sets KEY=value on the line .env.example has for it, commented out or empty. */
    static String uncomment(String env, String key, String value) {
        String changed = env.replaceFirst("(?m)^#?" + key + "=.*$", java.util.regex.Matcher.quoteReplacement(key + "=" + value));
        assertThat(changed).as(".env.example has a line for " + key).isNotEqualTo(env);
        return changed;
    }

    static Map<String, String> composeEnv() {
        return Map.of("JDK_IMAGE", "homelab-local/jdk17", "JRE_IMAGE", "homelab-local/jre17", "HOMELAB_IMAGE", "homelab-alerts:compose-test",
                "INGEST_PUBLISH", "127.0.0.1:" + port, "DOCKER_GID", gid(), "DEMO_BASE_IMAGE", "homelab-local/jre17",
                "DEMO_IMAGE", "homelab-alerts-demo:compose-test", "DEMO_PROMETHEUS_PUBLISH", Integer.toString(prometheusPort),
                "DEMO_ALERTMANAGER_PUBLISH", "0");
    }

    static String gid() {
        try {
            return Files.getAttribute(Path.of("/var/run/docker.sock"), "unix:gid").toString();
        } catch (Exception e) {
            return "999";
        }
    }

    static Result compose(Duration timeout, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("docker-compose", "-p", PROJECT));
        argv.addAll(List.of(args));
        return run(argv, timeout);
    }

    record Result(int exit, String output) {
    }

    static Result run(List<String> argv, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(REPO.toFile()).redirectErrorStream(true).redirectInput(new File("/dev/null"));
        if (argv.get(0).equals("docker-compose")) {
            pb.environment().putAll(composeEnv());
        }
        Path out = Files.createTempFile("compose", ".log");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, Files.readString(out) + "\n(timed out)");
        }
        String text = Files.readString(out);
        Files.delete(out);
        return new Result(p.exitValue(), text);
    }

    static void awaitHealthy() throws Exception {
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
                for (String service : SERVICES) {
                    String id = compose(Duration.ofSeconds(30), "ps", "-q", service).output().strip();
                    assertThat(id).as(service + " container").isNotEmpty();
                    String health = run(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", id), Duration.ofSeconds(30)).output().strip();
                    assertThat(health).as(service + " health").isEqualTo("healthy");
                }
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // Say why: each service's last health check output and the end of its log.
            for (String service : SERVICES) {
                String id = compose(Duration.ofSeconds(30), "ps", "-q", service).output().strip();
                if (!id.isEmpty()) {
                    System.out.println("== " + service + " health: " + run(List.of("docker", "inspect", "-f",
                            "{{.State.Status}} {{.State.Health.Status}} {{range .State.Health.Log}}[{{.ExitCode}}: {{.Output}}]{{end}}", id),
                            Duration.ofSeconds(30)).output());
                    String log = compose(Duration.ofSeconds(60), "logs", "--no-color", "--tail", "40", service).output();
                    System.out.println("== " + service + " log:\n" + log);
                }
            }
            throw e;
        }
    }

    static HttpResponse<String> post(String fixture) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/prometheus/webhook"))
                .header("Content-Type", "application/json").header("X-API-Key", "test-ingest-key")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.alertmanager(fixture))).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String notifierLog() throws Exception {
        return compose(Duration.ofSeconds(60), "logs", "--no-color", "notifier").output();
    }

    /** Every message the chat received, joined; a failure shows the notifier's log too. */
    static String chat() {
        return String.join("\n----\n", telegram.sentTexts());
    }

    static long sent(String part) {
        return telegram.sentTexts().stream().filter(t -> t.contains(part)).count();
    }

    /**
     * Messages that carry this alert summary: alone in the full layout, or as a line of a list when
     * the alerts of one webhook reach the chat's queue together (which depends on timing).
     */
    static long sentAlert(String summary) {
        return telegram.sentTexts().stream().filter(t -> t.contains("<b>Summary:</b> " + summary) || t.contains(" — " + summary)).count();
    }

    static void awaitChat(Duration within, String why, String part) {
        awaitChat(within, why, part, () -> sent(part));
    }

    static void awaitAlert(Duration within, String why, String summary) {
        awaitChat(within, why, summary, () -> sentAlert(summary));
    }

    static void awaitChat(Duration within, String why, String part, java.util.function.LongSupplier count) {
        try {
            await().atMost(within).pollInterval(Duration.ofSeconds(2)).until(() -> count.getAsLong() > 0);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String log;
            try {
                log = notifierLog();
            } catch (Exception f) {
                log = f.toString();
            }
            throw new AssertionError(why + ": no message containing \"" + part + "\"\nchat:\n" + chat() + "\nnotifier log:\n" + log, e);
        }
    }

    @Test
    @Order(1)
    void a_webhook_posted_to_the_published_port_reaches_the_notifier() throws Exception {
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/prometheus/webhook")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).as("the API key from .env is required").isEqualTo(401);
        assertThat(post("firing-single.json").statusCode()).isEqualTo(200);
        awaitChat(Duration.ofSeconds(90), "ingest -> broker -> processor -> notifier -> Telegram", "<b>Summary:</b> High CPU usage on 192.168.1.101:9100");
        assertThat(telegram.calls().stream().filter(c -> c.method().equals("sendmessage")).findFirst().orElseThrow().body().get("chat_id").asText())
                .as("the chat from .env").isEqualTo("-1001");
    }

    @Test
    @Order(2)
    void a_processor_restart_and_a_down_and_up_lose_nothing_and_send_nothing_twice() throws Exception {
        String summary = "Container pihole is down";
        assertThat(compose(Duration.ofMinutes(2), "restart", "processor").exit()).isZero();
        awaitHealthy();
        assertThat(post("firing-group.json").statusCode()).isEqualTo(200);
        awaitAlert(Duration.ofSeconds(90), "a webhook after the processor's restart", summary);
        // The same webhook again (Alertmanager repeats itself): deduplicated by the processor.
        assertThat(post("firing-group.json").statusCode()).isEqualTo(200);

        Result down = compose(Duration.ofMinutes(2), "down");
        assertThat(down.exit()).as(down.output()).isZero();
        Result up = compose(Duration.ofMinutes(5), "up", "-d");
        assertThat(up.exit()).as(up.output()).isZero();
        awaitHealthy();
        assertThat(post("firing-group.json").statusCode()).isEqualTo(200);
        Thread.sleep(10_000);
        // The broker's and processor's volumes keep what was seen: both repeats are deduplicated.
        assertThat(sentAlert(summary)).as("a repeat, before and after down / up, is still a repeat:\n" + chat()).isEqualTo(1);
        assertThat(sent("<b>Summary:</b> High CPU usage on 192.168.1.101:9100")).as("nothing replayed after down / up:\n" + chat()).isEqualTo(1);
    }

    @Test
    @Order(3)
    void the_demo_fires_a_real_container_down_the_remediator_restarts_it_and_the_alert_resolves() throws Exception {
        // What the README tells users: docker compose --profile demo up -d, then docker stop demo-victim.
        run(List.of("docker", "rm", "-f", "demo-victim"), Duration.ofSeconds(30));
        Result up = compose(Duration.ofMinutes(10), "--profile", "demo", "up", "-d", "--build");
        assertThat(up.exit()).as("docker-compose --profile demo up:\n" + up.output()).isZero();
        HttpClient http = HttpClient.newHttpClient();
        URI query = URI.create("http://127.0.0.1:" + prometheusPort + "/api/v1/query?query=up%7Bjob%3D%22containers%22%7D");
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions().untilAsserted(() ->
                assertThat(http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .as("Prometheus scrapes the victim").contains("\"name\":\"demo-victim\"").contains(",\"1\"]"));
        String startedBefore = run(List.of("docker", "inspect", "-f", "{{.State.StartedAt}}", "demo-victim"), Duration.ofSeconds(30)).output().strip();

        assertThat(run(List.of("docker", "stop", "demo-victim"), Duration.ofSeconds(60)).exit()).isZero();
        awaitChat(Duration.ofMinutes(3), "Prometheus -> Alertmanager -> ingest -> the chat", "<b>Summary:</b> Container demo-victim is down");
        awaitChat(Duration.ofMinutes(2), "the remediator restarted it through the socket", "restarted demo-victim (was exited");
        assertThat(run(List.of("docker", "inspect", "-f", "{{.State.Running}}", "demo-victim"), Duration.ofSeconds(30)).output().strip())
                .isEqualTo("true");
        assertThat(run(List.of("docker", "inspect", "-f", "{{.State.StartedAt}}", "demo-victim"), Duration.ofSeconds(30)).output().strip())
                .isNotEqualTo(startedBefore);
        awaitChat(Duration.ofMinutes(3), "the alert resolved, and the fix counts as verified", "✅ fixed: restarted demo-victim");
        assertThat(telegram.sentTexts().stream().anyMatch(t -> t.startsWith("✅ <b>Alert Resolved</b>") && t.contains("Container demo-victim is down")))
                .as("the resolved message:\n" + chat()).isTrue();
    }
}
