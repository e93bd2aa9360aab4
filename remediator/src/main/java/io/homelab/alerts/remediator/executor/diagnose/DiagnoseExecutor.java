package io.homelab.alerts.remediator.executor.diagnose;

import io.homelab.alerts.remediator.executor.Prepared;
import io.homelab.alerts.remediator.executor.ProcessRunner;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Looks at an alert's instance and reports; changes nothing. ping (the system {@code ping}, one
 * packet), a TCP connect to its port, and an HTTP GET of it, each with a short timeout.
 */
public final class DiagnoseExecutor {
    private final String ping;

    public DiagnoseExecutor(String ping) {
        this.ping = ping;
    }

    public Prepared prepare(String host, String port, List<String> checks) {
        String shown = host + (port.isEmpty() ? "" : ":" + port);
        return new Prepared() {
            @Override
            public String executor() {
                return "diagnose";
            }

            @Override
            public String target() {
                return "host " + host.toLowerCase(java.util.Locale.ROOT).replaceFirst("\\.$", "");
            }

            @Override
            public String call() {
                return "diagnose " + shown + " (" + String.join(", ", checks) + ")";
            }

            @Override
            public boolean readOnly() {
                return true;
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                List<String> lines = new ArrayList<>();
                for (String check : checks) {
                    lines.add(switch (check) {
                        case "ping" -> ping(host);
                        case "tcp" -> port.isEmpty() ? "tcp: no port in the instance label" : tcp(host, Integer.parseInt(port));
                        case "http" -> port.isEmpty() ? "http: no port in the instance label" : http(host, port);
                        default -> check + ": unknown check";
                    });
                }
                String report = String.join("\n", lines);
                return new Outcome(true, null, report, "diagnosed " + shown + ":\n" + report);
            }
        };
    }

    private String ping(String host) {
        try {
            ProcessRunner.Result r = ProcessRunner.run(List.of(ping, "-c", "1", "-W", "2", "--", host), Duration.ofSeconds(5), Map.of());
            String last = r.output().lines().filter(l -> l.contains("packet") || l.contains("rtt") || l.contains("round-trip"))
                    .reduce((a, b) -> a + "; " + b).orElse(r.output().lines().reduce((a, b) -> b).orElse(""));
            return "ping: " + (r.ok() ? "answers" : "no answer") + (last.isEmpty() ? "" : " (" + last.strip() + ")");
        } catch (Exception e) {
            return "ping: could not run " + ping + " (" + e.getMessage() + ")";
        }
    }

    private static String tcp(String host, int port) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            return "tcp " + port + ": open (" + (System.nanoTime() - start) / 1_000_000 + " ms)";
        } catch (Exception e) {
            return "tcp " + port + ": " + describe(e);
        }
    }

    private static String http(String host, String port) {
        String url = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
            HttpResponse<Void> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return "http " + url + ": " + r.statusCode();
        } catch (Exception e) {
            return "http " + url + ": " + describe(e);
        }
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        if (e instanceof java.net.ConnectException) {
            return "refused" + (m == null ? "" : " (" + m + ")");
        }
        if (e instanceof java.net.SocketTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "no answer (timeout)";
        }
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host";
        }
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }
}
