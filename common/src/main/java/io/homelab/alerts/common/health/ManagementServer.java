package io.homelab.alerts.common.health;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /health}, {@code /ready} and {@code /metrics} of a process that runs no webhook
 * receiver (a broker, processor, notifier or remediator container on its own): what a container
 * health check and Prometheus ask. /ready is 200 only when every part says it is ready, else 503
 * with what is missing, the same answers the webhook receiver gives.
 */
public final class ManagementServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManagementServer.class);

    private final HttpServer server;

    /**
     * @param parts what /ready asks, in order
     * @param metrics the Prometheus text of /metrics
     */
    public ManagementServer(String bind, int port, List<Readiness> parts, Supplier<String> metrics) {
        try {
            server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + bind + ":" + port + " for /health, /ready and /metrics (MANAGEMENT_PORT, MANAGEMENT_BIND): "
                    + e.getMessage(), e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "management-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getPath();
                if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                    answer(exchange, 405, "text/plain", "only GET\n");
                    return;
                }
                switch (path) {
                    case "/health" -> answer(exchange, 200, "text/plain", "OK");
                    case "/ready" -> {
                        StringBuilder problems = new StringBuilder();
                        for (Readiness part : parts) {
                            Optional<String> problem;
                            try {
                                problem = part.problem();
                            } catch (RuntimeException e) {
                                problem = Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage());
                            }
                            problem.ifPresent(p -> problems.append('\n').append(part.name()).append(": ").append(p));
                        }
                        answer(exchange, problems.length() == 0 ? 200 : 503, "text/plain", problems.length() == 0 ? "READY" : "NOT READY" + problems);
                    }
                    case "/metrics" -> answer(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
                    default -> answer(exchange, 404, "text/plain", "no such endpoint: " + path + " (try /health, /ready, /metrics)\n");
                }
            } catch (IOException | RuntimeException e) {
                log.debug("Management request failed: {}", e.toString());
            }
        });
        server.start();
        log.info("/health, /ready and /metrics on {}:{}", bind, port());
    }

    private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            exchange.getResponseBody().write(bytes);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
