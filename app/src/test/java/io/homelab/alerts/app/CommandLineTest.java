package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.config.Setting;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandLineTest {
    @TempDir
    Path workDir;

    @Test
    void help_lists_every_setting_with_its_default() {
        StringWriter out = new StringWriter();
        CommandLine cli = HomelabAlerts.commandLine();
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("--help")).isZero();
        String help = out.toString();
        assertThat(help).contains("run", "Settings (environment variables");
        for (Setting s : HomelabConfig.SETTINGS) {
            assertThat(help).contains(s.name() + " (default: " + (s.defaultValue() == null ? "unset" : s.defaultValue()) + ")");
        }
    }

    record Result(int exit, String stdout, String stderr) {}

    /** Runs the real executable's main class as a child process with exactly {@code env}. */
    Result run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HomelabAlerts.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> HomelabConfig.SETTINGS.stream().anyMatch(s -> s.name().equals(k)));
        pb.environment().putAll(env);
        File out = workDir.resolve("out.txt").toFile();
        File err = workDir.resolve("err.txt").toFile();
        pb.redirectOutput(out).redirectError(err);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process ended").isTrue();
        return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath(), StandardCharsets.UTF_8),
                java.nio.file.Files.readString(err.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void refuses_to_start_with_every_configuration_problem_listed_at_once() throws Exception {
        Result r = run(Map.of("PROMETHEUS_WEBHOOK_PORT", "99999", "ALERT_TIME_ZONE", "Nowhere/City", "TELEGRAM_CHAT_ID", "alerts"), "run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains(
                "homelab-alerts: cannot start, 3 problem(s) in the configuration:",
                "  - PROMETHEUS_WEBHOOK_PORT: must be between 0 and 65535, got 99999",
                "  - TELEGRAM_CHAT_ID: 'alerts' is neither a numeric chat id nor an @channel name",
                "  - ALERT_TIME_ZONE: unknown time zone 'Nowhere/City'");
    }

    @Test
    void reads_a_dot_env_file_in_the_working_directory() throws Exception {
        java.nio.file.Files.writeString(workDir.resolve(".env"), "KAFKA_TOPIC_PARTITIONS=zero\n");
        Result r = run(Map.of(), "run");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("  - KAFKA_TOPIC_PARTITIONS: must be a whole number, got 'zero'");
    }

    @Test
    void rejects_an_unknown_target() throws Exception {
        Result r = run(Map.of(), "run", "--target", "ingest,pager");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("--target: unknown target 'pager': use all, or any of ingest, processor, notifier, remediator");
    }

    @Test
    void says_why_it_cannot_start_when_the_webhook_port_is_taken() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("0.0.0.0"))) {
            Result r = run(Map.of("PROMETHEUS_WEBHOOK_PORT", Integer.toString(taken.getLocalPort()), "KAFKA_EMBEDDED_PORT", "0",
                    "PROCESSOR_HTTP_PORT", "0",
                    "DATA_DIR", workDir.resolve("data").toString()), "run");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.stdout() + r.stderr()).contains("homelab-alerts could not start: HTTP server could not start");
        }
    }

    @Test
    void check_config_validates_homelab_config_and_names_file_and_line() throws Exception {
        Path good = workDir.resolve("good.yml");
        java.nio.file.Files.writeString(good, "routes:\n  - name: drop-watchdog\n    matchers: ['alertname=\"Watchdog\"']\n    drop: true\n");
        Result ok = run(Map.of("HOMELAB_CONFIG", good.toString()), "check-config");
        assertThat(ok.exit()).isZero();
        assertThat(ok.stdout()).contains("configuration OK: 1 route(s), 0 webhook(s) and 0 runbook(s) from " + good + ", 6 built-in runbook(s)");

        Path bad = workDir.resolve("bad.yml");
        java.nio.file.Files.writeString(bad, "routes:\n  - matchers: ['severity critical']\n    remediate: no-such-runbook\n"
                + "runbooks:\n  - name: x\n    matchers: []\n    risk: low\n    action: {command: [\"/bin/echo\", \"{{labels.a | bogus}}\"]}\n");
        Result broken = run(Map.of("HOMELAB_CONFIG", bad.toString()), "check-config");
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.stderr()).contains("homelab-alerts: check-config found 3 problem(s) in the configuration:",
                bad + ":2: routes[0].matchers[0]: 'severity critical': expected one of =, !=, =~, !~",
                bad + ":3: routes[0].remediate: no runbook named 'no-such-runbook' under the top-level 'runbooks:' nor built in",
                bad + ":8: runbooks[0].action.command[1]: unknown filter 'bogus'");

        Result start = run(Map.of("HOMELAB_CONFIG", bad.toString()), "run");
        assertThat(start.exit()).as("a broken routes file stops the start").isEqualTo(2);
        assertThat(start.stderr()).contains("homelab-alerts: cannot start, 3 problem(s)", bad + ":2:");
    }

    @Test
    void a_second_instance_on_the_same_data_dir_stops_at_once_with_one_line_and_touches_nothing() throws Exception {
        Path data = workDir.resolve("data");
        Map<String, String> env = Map.of("PROMETHEUS_WEBHOOK_PORT", "0", "KAFKA_EMBEDDED_PORT", "0", "PROCESSOR_HTTP_PORT", "0",
                "DATA_DIR", data.toString());
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HomelabAlerts.class.getName(), "run");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> HomelabConfig.SETTINGS.stream().anyMatch(s -> s.name().equals(k)));
        pb.environment().putAll(env);
        File firstOut = workDir.resolve("first.txt").toFile();
        Process first = pb.redirectErrorStream(true).redirectOutput(firstOut).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> java.nio.file.Files.readString(firstOut.toPath()).contains("homelab-alerts started"));
            Path quorum = data.resolve("kafka/__cluster_metadata-0/quorum-state");
            String quorumBefore = java.nio.file.Files.readString(quorum);
            List<String> metadataBefore = list(data.resolve("kafka/__cluster_metadata-0"));

            Result second = run(env, "run");
            assertThat(second.exit()).isEqualTo(1);
            String said = (second.stdout() + second.stderr()).strip();
            assertThat(said.lines().toList()).as(said).singleElement().asString()
                    .endsWith("homelab-alerts could not start: DATA_DIR " + data + " is in use by process " + first.pid()
                            + " (another homelab-alerts): stop it, or give this one another DATA_DIR");
            assertThat(java.nio.file.Files.readString(quorum)).isEqualTo(quorumBefore);
            assertThat(list(data.resolve("kafka/__cluster_metadata-0")).stream().filter(f -> f.endsWith(".checkpoint")))
                    .as("no snapshot written into the running broker's metadata")
                    .containsExactlyElementsOf(metadataBefore.stream().filter(f -> f.endsWith(".checkpoint")).toList());
            assertThat(first.isAlive()).isTrue();
        } finally {
            first.destroy();
            first.waitFor(30, TimeUnit.SECONDS);
        }
    }

    static List<String> list(Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
