package io.homelab.alerts.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}, 0.25) as a child process: one
 * receiver that both posts the webhook to our ingest and sends to Telegram itself (another chat),
 * each alert its own group, no clustering, its config and storage in a temp dir that is deleted.
 */
final class AlertmanagerProcess implements AutoCloseable {
    /** What the generated config says. */
    record Config(URI webhook, URI telegramApi, String botToken, String chatId, String groupWait) {
        String yaml() {
            // group_interval and repeat_interval far beyond a run: each alert is notified exactly once.
            return """
                    route:
                      receiver: e2e
                      group_by: ['alertname', 'instance']
                      group_wait: %s
                      group_interval: 1h
                      repeat_interval: 4h
                    receivers:
                      - name: e2e
                        webhook_configs:
                          - url: '%s'
                            send_resolved: true
                        telegram_configs:
                          - api_url: '%s'
                            bot_token: '%s'
                            chat_id: %s
                            parse_mode: HTML
                            send_resolved: false
                    """.formatted(groupWait, webhook, telegramApi, botToken, chatId);
        }
    }

    private final Process process;
    private final ChildProcesses.Cleanup cleanup;
    private final Path dir;
    private final URI url;

    private AlertmanagerProcess(Process process, Path dir, URI url) {
        this.process = process;
        this.cleanup = new ChildProcesses.Cleanup(process, dir, 10);
        this.dir = dir;
        this.url = url;
    }

    static AlertmanagerProcess start(Path binary, Config config) throws Exception {
        Path dir = Files.createTempDirectory("homelab-bench-am");
        int port = ChildProcesses.freePort();
        Process process;
        try {
            Files.writeString(dir.resolve("alertmanager.yml"), config.yaml());
            process = new ProcessBuilder(List.of(binary.toString(),
                    "--config.file=" + dir.resolve("alertmanager.yml"),
                    "--storage.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port,
                    "--cluster.listen-address=")) // empty: no cluster, so no notification waits for gossip to settle
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("alertmanager.log").toFile())
                    .start();
        } catch (IOException e) {
            ChildProcesses.deleteTree(dir);
            throw e;
        }
        AlertmanagerProcess am = new AlertmanagerProcess(process, dir, URI.create("http://127.0.0.1:" + port));
        try {
            am.awaitReady(Duration.ofSeconds(30));
        } catch (Exception e) {
            am.close();
            throw e;
        }
        return am;
    }

    private void awaitReady(Duration timeout) throws Exception {
        ChildProcesses.awaitReady(process, url.resolve("/-/ready"), timeout, "Alertmanager", () -> logTail(20));
    }

    /** "Alertmanager 0.25.0", as the binary reports itself. */
    static String version(Path binary) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("version (\\S+)").matcher(out);
        return "Alertmanager " + (m.find() ? m.group(1) : "(version unknown)");
    }

    /** Where alerts are posted: the API v2, as Prometheus posts them. */
    URI alertsApi() {
        return url.resolve("/api/v2/alerts");
    }

    String logTail(int lines) {
        return ChildProcesses.tail(dir.resolve("alertmanager.log"), lines);
    }

    @Override
    public void close() throws InterruptedException {
        cleanup.now();
    }
}
