package io.homelab.alerts.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.config.HomelabConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomelabConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaults_match_the_documented_ones() {
        HomelabConfig c = HomelabConfig.load(Map.of(), dir.resolve(".env"));
        assertThat(c.webhookPort()).isEqualTo(9095);
        assertThat(c.webhookPath()).isEqualTo("/prometheus/webhook");
        assertThat(c.apiKey()).isEmpty();
        assertThat(c.dedupWindow()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.kafkaBootstrapServers()).isEmpty();
        assertThat(c.telegramBotToken()).isEmpty();
        assertThat(c.telegramApiUrl()).isEqualTo(URI.create("https://api.telegram.org"));
        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.topicPrefix()).isEqualTo("homelab.");
        assertThat(c.webhookRetentionDays()).isEqualTo(30);
        assertThat(c.timeZone()).isEqualTo(ZoneId.of("UTC"));
        // Every default in the catalogue parses: the loop above would have thrown otherwise.
        assertThat(HomelabConfig.SETTINGS).extracting(s -> s.name()).doesNotHaveDuplicates();
    }

    @Test
    void reports_every_invalid_variable_at_once_naming_each() {
        Map<String, String> env = Map.of(
                "PROMETHEUS_WEBHOOK_PORT", "http",
                "ALERT_DEDUP_WINDOW", "-5",
                "TELEGRAM_BOT_TOKEN", "123:abc",
                "TELEGRAM_ALLOWED_USERS", "42, bob",
                "TELEGRAM_API_URL", "ftp://x",
                "ALERT_TIME_ZONE", "Mars/Olympus",
                "KAFKA_BOOTSTRAP_SERVERS", "kafka");
        assertThatThrownBy(() -> HomelabConfig.load(env, dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "PROMETHEUS_WEBHOOK_PORT: must be a whole number, got 'http'",
                        "ALERT_DEDUP_WINDOW: must be between 1 and 604800, got -5",
                        "KAFKA_BOOTSTRAP_SERVERS: 'kafka' is not host:port",
                        "TELEGRAM_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set (the chat to send alerts to)",
                        "TELEGRAM_ALLOWED_USERS: 'bob' is not a numeric Telegram user id",
                        "TELEGRAM_API_URL: must be an http(s) URL with a host, got 'ftp://x'",
                        "ALERT_TIME_ZONE: unknown time zone 'Mars/Olympus' (use an IANA name such as Europe/Berlin)"));
    }

    @Test
    void reads_dot_env_with_the_environment_winning() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, """
                # homelab settings
                export PROMETHEUS_WEBHOOK_PORT=9999
                TELEGRAM_BOT_TOKEN="123456:ABC-def_1"
                TELEGRAM_CHAT_ID=-1001234, @alerts_channel  # two chats
                ALERT_DEDUP_WINDOW='60'
                """);
        HomelabConfig c = HomelabConfig.load(Map.of("ALERT_DEDUP_WINDOW", "120", "TELEGRAM_ALLOWED_USERS", "7,8"), dotEnv);
        assertThat(c.webhookPort()).isEqualTo(9999);
        assertThat(c.telegramBotToken()).contains("123456:ABC-def_1");
        assertThat(c.telegramChatIds()).containsExactly("-1001234", "@alerts_channel");
        assertThat(c.dedupWindow()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.telegramAllowedUsers()).isEqualTo(Set.of(7L, 8L));
    }

    @Test
    void a_malformed_dot_env_line_is_reported_with_its_number() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "PROMETHEUS_WEBHOOK_PORT=9095\nthis is not a setting\nTELEGRAM_CHAT_ID=\"unterminated\n");
        assertThatThrownBy(() -> HomelabConfig.load(Map.of(), dotEnv))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        dotEnv + " line 2: expected NAME=value (the line is not shown, it may hold a secret)",
                        dotEnv + " line 3: value of TELEGRAM_CHAT_ID has no closing \""));
    }

    @Test
    void secrets_can_come_from_files_but_not_from_both_places() throws IOException {
        Path keyFile = dir.resolve("api-key");
        Files.writeString(keyFile, "s3cret-token\n");
        HomelabConfig c = HomelabConfig.load(Map.of("PROMETHEUS_API_KEY_FILE", keyFile.toString()), dir.resolve(".env"));
        assertThat(c.apiKey()).isEqualTo(Optional.of("s3cret-token"));

        assertThatThrownBy(() -> HomelabConfig.load(
                Map.of("PROMETHEUS_API_KEY_FILE", keyFile.toString(), "PROMETHEUS_API_KEY", "x"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "PROMETHEUS_API_KEY: set at most one of PROMETHEUS_API_KEY and PROMETHEUS_API_KEY_FILE"));
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("PROMETHEUS_API_KEY_FILE", dir.resolve("missing").toString()), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement()
                        .asString().startsWith("PROMETHEUS_API_KEY_FILE: cannot read " + dir.resolve("missing")));
    }

    @Test
    void a_missing_homelab_config_file_is_named() {
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("HOMELAB_CONFIG", "/nope/homelab.yml"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).isEqualTo(
                        List.of("HOMELAB_CONFIG: /nope/homelab.yml is not a readable file")));
    }

    @Test
    void refuses_a_replication_factor_the_embedded_broker_cannot_satisfy() {
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("KAFKA_REPLICATION_FACTOR", "3"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "KAFKA_REPLICATION_FACTOR: the embedded broker is a single node, so 3 replicas cannot be placed; "
                                + "set KAFKA_BOOTSTRAP_SERVERS to a cluster or leave KAFKA_REPLICATION_FACTOR unset"));
        assertThat(HomelabConfig.load(Map.of("KAFKA_REPLICATION_FACTOR", "3", "KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092"),
                dir.resolve(".env")).topicReplicationFactor()).contains((short) 3);
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("ALERT_REMINDERS", "sometimes"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "ALERT_REMINDERS: must be true or false, got 'sometimes'"));
    }

    @Test
    void a_malformed_dot_env_line_never_shows_the_secret_it_holds() throws IOException {
        Path dotEnv = dir.resolve(".env");
        Files.writeString(dotEnv, "TELEGRAM_BOT_TOKEN 123456:SECRETtoken\n123456:SECRET2=x\n");
        assertThatThrownBy(() -> HomelabConfig.load(Map.of(), dotEnv))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            dotEnv + " line 1: expected NAME=value (the line is not shown, it may hold a secret)",
                            dotEnv + " line 2: the text before '=' is not a variable name (letters, digits and _, not starting with a digit)");
                    assertThat(String.join("\n", e.problems())).doesNotContain("SECRET");
                });
    }

    @Test
    void a_token_pasted_into_the_wrong_setting_is_not_printed() {
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("TELEGRAM_CHAT_ID", "123456:SECRETtoken",
                "TELEGRAM_API_URL", "https://user:SECRETpw@example.com/path"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).contains("TELEGRAM_CHAT_ID: '123456:…' is neither a numeric chat id nor an @channel name (is that the bot token?)",
                            "TELEGRAM_API_URL: give only scheme://host[:port], without a path, got 'https://…@example.com/path'");
                    assertThat(String.join("\n", e.problems())).doesNotContain("SECRET");
                });
    }

    @Test
    void a_bad_url_is_named_without_the_password_in_it() {
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("ALERTMANAGER_URL", "ftp://admin:hunter2@am:9093",
                "TELEGRAM_API_URL", "http://user:hunter2@bad host"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactlyInAnyOrder(
                            "ALERTMANAGER_URL: must be an http(s) URL with a host, got 'ftp://…@am:9093'",
                            "TELEGRAM_API_URL: not a URL (Illegal character in authority at index 7)");
                    assertThat(String.join("\n", e.problems())).doesNotContain("hunter2");
                });
    }

    @Test
    void the_history_api_may_leave_loopback_only_with_a_key() {
        assertThatThrownBy(() -> HomelabConfig.load(Map.of("PROCESSOR_HTTP_BIND", "0.0.0.0"), dir.resolve(".env")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        "PROCESSOR_API_KEY: required when PROCESSOR_HTTP_BIND is not a loopback address (got '0.0.0.0'): "
                                + "the history API shows every alert's labels"));
        HomelabConfig c = HomelabConfig.load(Map.of("PROCESSOR_HTTP_BIND", "0.0.0.0", "PROCESSOR_API_KEY", "k"), dir.resolve(".env"));
        assertThat(c.processorHttpBind()).isEqualTo("0.0.0.0");
        assertThat(c.processorApiKey()).contains("k");
        HomelabConfig defaults = HomelabConfig.load(Map.of(), dir.resolve(".env"));
        assertThat(defaults.processorHttpBind()).isEqualTo("127.0.0.1");
        assertThat(defaults.maxAlerts()).isEqualTo(1000);
        assertThat(defaults.historyRetention()).isEqualTo(Duration.ofDays(30));
    }
}
