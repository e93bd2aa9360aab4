package io.homelab.alerts.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real executable as a child process, as {@link AllInOneProbe} starts it (embedded Kafka, fresh
 * DATA_DIR, free ports), sending to a Bot API stand-in; waited for until /ready, stopped with
 * everything it started, its DATA_DIR deleted.
 */
final class AllInOneProcess implements AutoCloseable {
    /** {@code java [jvmArgs] -jar JAR run}, or {@code LAUNCHER run} with the JVM args in JAVA_OPTS as the image passes them. */
    record Launch(Path jar, Path launcher, List<String> jvmArgs) {
        List<String> command() {
            if (launcher != null) {
                return List.of(launcher.toAbsolutePath().toString(), "run");
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmArgs);
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "run"));
            return command;
        }

        String describe() {
            String opts = String.join(" ", jvmArgs);
            if (launcher != null) {
                return launcher + " run" + (opts.isEmpty() ? "" : " (JAVA_OPTS=" + opts + ")");
            }
            return "java " + (opts.isEmpty() ? "" : opts + " ") + "-jar " + jar + " run";
        }
    }

    /** Settings inherited from the caller's environment that would change what is measured (auth, an external broker, routes). */
    private static final List<String> NOT_INHERITED = List.of("KAFKA_BOOTSTRAP_SERVERS", "PROMETHEUS_API_KEY", "PROMETHEUS_API_KEY_FILE",
            "TELEGRAM_BOT_TOKEN_FILE", "TELEGRAM_ALLOWED_USERS", "HOMELAB_CONFIG", "ALERTMANAGER_URL");

    private final Process process;
    private final ChildProcesses.Cleanup cleanup;
    private final Path dataDir;
    private final int port;
    private int kafkaPort;

    private AllInOneProcess(Process process, Path dataDir, int port) {
        this.process = process;
        this.cleanup = new ChildProcesses.Cleanup(process, dataDir, 30);
        this.dataDir = dataDir;
        this.port = port;
    }

    /** {@code routes}: a HOMELAB_CONFIG to use (YAML), or null for the default routes. */
    static AllInOneProcess start(Launch launch, URI telegramApi, String token, String chat, String routes) throws Exception {
        Path dataDir = Files.createTempDirectory("homelab-bench-e2e");
        int port = ChildProcesses.freePort();
        ProcessBuilder pb = new ProcessBuilder(launch.command())
                .directory(dataDir.toFile()) // no .env of the caller's working directory is read
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("homelab-alerts.log").toFile());
        Map<String, String> env = pb.environment();
        NOT_INHERITED.forEach(env::remove);
        env.put("DATA_DIR", dataDir.toString());
        env.put("PROMETHEUS_WEBHOOK_PORT", Integer.toString(port));
        int kafkaPort = ChildProcesses.freePort();
        env.put("KAFKA_EMBEDDED_PORT", Integer.toString(kafkaPort));
        env.put("PROCESSOR_HTTP_PORT", "0");
        env.put("TELEGRAM_BOT_TOKEN", token);
        env.put("TELEGRAM_API_URL", telegramApi.toString());
        env.put("TELEGRAM_CHAT_ID", chat);
        if (routes != null) {
            Path config = dataDir.resolve("homelab.yml");
            Files.writeString(config, routes);
            env.put("HOMELAB_CONFIG", config.toString());
        }
        if (launch.launcher() != null && !launch.jvmArgs().isEmpty()) {
            env.put("JAVA_OPTS", String.join(" ", launch.jvmArgs()));
        }
        AllInOneProcess all;
        try {
            all = new AllInOneProcess(pb.start(), dataDir, port);
            all.kafkaPort = kafkaPort;
        } catch (IOException e) {
            ChildProcesses.deleteTree(dataDir);
            throw e;
        }
        try {
            all.awaitReady(Duration.ofSeconds(120));
        } catch (Exception e) {
            all.close();
            throw e;
        }
        return all;
    }

    private void awaitReady(Duration timeout) throws Exception {
        ChildProcesses.awaitReady(process, URI.create("http://127.0.0.1:" + port + "/ready"), timeout, "all-in-one", () -> logTail(30));
    }

    /** The embedded broker, for a benchmark that watches the topics. */
    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    URI webhook() {
        return URI.create("http://127.0.0.1:" + port + "/prometheus/webhook");
    }

    String logTail(int lines) {
        return ChildProcesses.tail(dataDir.resolve("homelab-alerts.log"), lines);
    }

    @Override
    public void close() throws InterruptedException {
        cleanup.now();
    }
}
