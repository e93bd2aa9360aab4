package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.config.HomelabConfig;
import java.io.File;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to {@code replay} and {@code export}: a clear message, a non-zero exit, and nothing written anywhere. */
class ReplayInputTest {
    @TempDir
    Path dir;

    record Result(int exit, String stdout, String stderr) {}

    Process start(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HomelabAlerts.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> HomelabConfig.SETTINGS.stream().anyMatch(s -> s.name().equals(k)));
        pb.environment().put("DATA_DIR", dir.resolve("data").toString());
        pb.environment().putAll(env);
        return pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
    }

    Result run(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("process ended").isTrue();
        return result(p);
    }

    Result result(Process p) throws Exception {
        return new Result(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    /** What the working directory holds besides the captured output: must stay empty. */
    List<String> written() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("out.txt") && !n.equals("err.txt")).sorted().toList();
        }
    }

    void refused(Result r, int exit, String... messages) throws Exception {
        assertThat(r.exit()).as(r.stderr()).isEqualTo(exit);
        assertThat(r.stderr()).contains(messages);
        assertThat(r.stdout()).as("nothing on stdout").isEmpty();
        assertThat(written()).as("nothing written").isEmpty();
    }

    @Test
    void a_range_that_ends_before_it_starts_or_starts_in_the_future() throws Exception {
        refused(run(Map.of(), "replay", "--from", "-1h", "--to", "-2h"), 2, "homelab-alerts replay: --from -1h (", ") must be before --to -2h (");
        refused(run(Map.of(), "export", "--from", "2099-01-01", "--format", "csv", "--out", "x.csv"), 2,
                "homelab-alerts export: --from 2099-01-01 is in the future (now is ");
        refused(run(Map.of(), "replay", "--from", "yesterday"), 2, "'yesterday' is not a time: use now, -7d, -24h");
        refused(run(Map.of(), "replay", "--from", "-1h", "--warmup", "soon"), 2, "--warmup soon: use a duration such as 6h");
        refused(run(Map.of(), "replay"), 2, "Missing required option: '--from=TIME'");
    }

    @Test
    void an_unknown_format() throws Exception {
        refused(run(Map.of(), "replay", "--from", "-1h", "--format", "xml"), 2, "--format xml: unknown; use text, json or csv");
        refused(run(Map.of(), "export", "--from", "-1h", "--format", "xlsx", "--out", "x.xlsx"), 2, "--format xlsx: unknown; use jsonl or csv");
    }

    @Test
    void an_invalid_or_unreadable_config_or_setting_says_where() throws Exception {
        Path bad = Files.writeString(Files.createTempDirectory("cfg").resolve("bad.yml"),
                "routes:\n  - name: x\n    matchers: ['severity=\"critical\"']\n    notify: maybe\n");
        refused(run(Map.of(), "replay", "--from", "-1h", "--config", bad.toString()), 2,
                "replay: the new settings have 1 problem(s)", bad + ":4: routes[0].notify: expected true, false, or a list of {chat, topic}");
        refused(run(Map.of(), "replay", "--from", "-1h", "--config", "/nonexistent.yml"), 2, "HOMELAB_CONFIG: /nonexistent.yml is not a readable file");
        refused(run(Map.of(), "replay", "--from", "-1h", "--set", "ALERT_DEDUP_WINDOW=soon"), 2, "ALERT_DEDUP_WINDOW: must be a whole number, got 'soon'");
        refused(run(Map.of(), "replay", "--from", "-1h", "--set", "NO_SUCH_THING=1"), 2, "NO_SUCH_THING is not a setting homelab-alerts knows");
        refused(run(Map.of("HOMELAB_CONFIG", bad.toString()), "export", "--from", "-1h", "--format", "csv"), 2,
                "export: the settings have 1 problem(s)", bad + ":4:");
    }

    @Test
    void no_data_directory_and_an_unreachable_broker() throws Exception {
        refused(run(Map.of(), "replay", "--from", "-1h"), 1, "no embedded broker data in " + dir.resolve("data").resolve("kafka"),
                "set DATA_DIR", "or KAFKA_BOOTSTRAP_SERVERS");
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        refused(run(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + free), "export", "--from", "-1h", "--format", "csv", "--out", "x.csv"), 1,
                "homelab-alerts export: cannot reach Kafka at 127.0.0.1:" + free + " within 10 s");
        refused(run(Map.of(), "export", "--from", "-1h", "--format", "csv", "--out", "missing/x.csv"), 2, "directory", "does not exist");
    }

    /** Whether this process (and so its children) ignores SIGINT: bit 2 of SigIgn in /proc/self/status. */
    static boolean sigintIgnored() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
            }
        }
        return false;
    }

    @Test
    void an_out_path_that_is_not_a_regular_file_is_refused_before_anything_is_read() throws Exception {
        Path adir = Files.createTempDirectory("adir");
        refused(run(Map.of(), "export", "--from", "-1h", "--format", "csv", "--out", adir.toString()), 2, "--out " + adir + ": not a regular file");
        try (Stream<Path> inside = Files.list(adir)) {
            assertThat(inside).as("nothing left in the directory").isEmpty();
        }
        Path target = Files.writeString(Files.createTempDirectory("t").resolve("target.csv"), "kept\n");
        Files.createSymbolicLink(dir.resolve("link.csv"), target);
        Result r = run(Map.of(), "export", "--from", "-1h", "--format", "csv", "--out", "link.csv");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("--out link.csv: not a regular file");
        assertThat(Files.isSymbolicLink(dir.resolve("link.csv"))).isTrue();
        assertThat(Files.readString(target)).isEqualTo("kept\n");
        Files.delete(dir.resolve("link.csv"));
        refused(run(Map.of(), "replay", "--from", "-999999999-01-01"), 2, "'-999999999-01-01' is before 1970");
        refused(run(Map.of(), "replay", "--from", "1900-01-01T00:00:00Z"), 2, "is before 1970");
        refused(run(Map.of("KAFKA_BOOTSTRAP_SERVERS", "nonexistent.invalid:9092"), "replay", "--from", "-1h"), 1,
                "homelab-alerts replay: KAFKA_BOOTSTRAP_SERVERS nonexistent.invalid:9092: ");
    }

    @Test
    void ctrl_c_stops_cleanly_and_leaves_nothing_behind() throws Exception {
        // A "broker" that accepts connections and never answers: the export is stuck reaching it when Ctrl-C comes.
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> held = new ArrayList<>();
            Thread accept = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            accept.setDaemon(true);
            accept.start();
            Process p = start(Map.of("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:" + silent.getLocalPort()),
                    "export", "--from", "-1h", "--format", "csv", "--out", "x.csv");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (held.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(held).as("the export connected").isNotEmpty();
            // Ctrl-C is SIGINT. A process started in the background of a shell without job control inherits SIGINT
            // ignored, and the JVM then leaves it ignored: there, SIGTERM (a service manager's stop) takes the same path.
            boolean intIgnored = sigintIgnored();
            assertThat(new ProcessBuilder("kill", intIgnored ? "-TERM" : "-INT", Long.toString(p.pid())).start().waitFor()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped after Ctrl-C").isTrue();
            Result r = result(p);
            assertThat(r.exit()).as(r.stderr()).isEqualTo(intIgnored ? 143 : 130);
            assertThat(r.stderr()).contains("homelab-alerts export: interrupted; nothing was written");
            assertThat(written()).as("no x.csv, no partial file").isEmpty();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
