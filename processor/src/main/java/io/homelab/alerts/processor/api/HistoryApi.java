package io.homelab.alerts.processor.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.processor.history.AlertHistory;
import io.homelab.alerts.processor.history.HistoryProcessor;
import io.homelab.alerts.processor.history.HistoryStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert history over HTTP, answered by any processor instance (each asks the others for
 * what it does not hold):
 * <ul>
 *   <li>{@code GET /api/alerts} — alerts firing now, newest change first</li>
 *   <li>{@code GET /api/alerts/<fingerprint>} — one alert's history (404 if unknown)</li>
 *   <li>{@code GET /api/stats?from=<ISO instant>&to=<ISO instant>} — per alertname: fired, resolved,
 *       mean time to resolve, flapping alerts, counts per day, noisiest instances (default: last 7 days)</li>
 * </ul>
 * {@code ?scope=local} answers from this instance only (what instances use to ask each other).
 * {@code GET /metrics} serves the processor's metrics in Prometheus text format.
 */
public final class HistoryApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryApi.class);
    private static final TypeReference<List<AlertHistory>> HISTORIES = new TypeReference<>() {};

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Clock clock;
    private final int flapChanges;
    private final Duration flapWindow;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    /** Binds {@code port} (0: any free one) now, so the address can be given to Streams as {@code application.server}. */
    public HistoryApi(String bindHost, int port, Clock clock, int flapChanges, Duration flapWindow, PrometheusMeterRegistry registry)
            throws IOException {
        this.clock = clock;
        this.flapChanges = flapChanges;
        this.flapWindow = flapWindow;
        this.server = HttpServer.create(new InetSocketAddress(bindHost, port), 0);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "history-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/api/alerts", this::alerts);
        server.createContext("/api/stats", this::stats);
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] bytes = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Starts answering, on the given streams instance known to others as {@code self}. */
    public void start(KafkaStreams streams, HostInfo self) {
        this.streams = streams;
        this.self = self;
        server.start();
        log.info("Alert history API on :{} (advertised as {}:{})", port(), self.host(), self.port());
    }

    private void alerts(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, Map.of("error", "use GET"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            boolean local = "local".equals(query(exchange).get("scope"));
            if (path.equals("/api/alerts") || path.equals("/api/alerts/")) {
                List<AlertHistory> all = local ? localHistories() : allHistories();
                if (local) {
                    respond(exchange, 200, all);
                    return;
                }
                respond(exchange, 200, all.stream().filter(h -> "firing".equals(h.status()))
                        .sorted(Comparator.comparing(AlertHistory::lastChange).reversed()).toList());
                return;
            }
            String fingerprint = path.substring("/api/alerts/".length());
            AlertHistory found = find(fingerprint, local);
            if (found == null) {
                respond(exchange, 404, Map.of("error", "no alert with fingerprint " + fingerprint));
            } else {
                respond(exchange, 200, found);
            }
        } catch (InvalidStateStoreException e) {
            respondQuietly(exchange, 503, Map.of("error", "the processor is not ready (" + e.getMessage() + "), try again"));
        } catch (RuntimeException | Error e) {
            log.warn("History API error", e);
            respondQuietly(exchange, 500, Map.of("error", e.toString()));
        }
    }

    private void stats(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> q = query(exchange);
            Instant to;
            Instant from;
            try {
                to = q.containsKey("to") ? Instant.parse(q.get("to")) : clock.instant();
                from = q.containsKey("from") ? Instant.parse(q.get("from")) : to.minus(Duration.ofDays(7));
            } catch (DateTimeParseException e) {
                respond(exchange, 400, Map.of("error", "from and to must be ISO-8601 instants such as 2026-11-25T00:00:00Z"));
                return;
            }
            if (from.isAfter(to)) {
                respond(exchange, 400, Map.of("error", "from is after to"));
                return;
            }
            respond(exchange, 200, HistoryStats.summarize(allHistories(), from, to, flapChanges, flapWindow));
        } catch (InvalidStateStoreException e) {
            respondQuietly(exchange, 503, Map.of("error", "the processor is not ready (" + e.getMessage() + "), try again"));
        } catch (RuntimeException e) {
            log.warn("History API error", e);
            respondQuietly(exchange, 500, Map.of("error", e.toString()));
        }
    }

    private AlertHistory find(String fingerprint, boolean localOnly) {
        if (!localOnly) {
            KeyQueryMetadata owner = streams.queryMetadataForKey(HistoryProcessor.STORE, fingerprint, Serdes.String().serializer());
            if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null
                    || owner.activeHost().port() == -1) {
                // Partitions are moving between instances: say so rather than answer 404 for an alert that exists.
                throw new InvalidStateStoreException("the owner of " + fingerprint + " is not known right now (rebalancing)");
            }
            if (!owner.activeHost().equals(self)) {
                String body = fetch(owner.activeHost(), "/api/alerts/" + fingerprint + "?scope=local");
                return body == null ? null : Json.read(body.getBytes(StandardCharsets.UTF_8), AlertHistory.class);
            }
        }
        return store().get(fingerprint);
    }

    private List<AlertHistory> allHistories() {
        List<AlertHistory> all = new ArrayList<>(localHistories());
        for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
            if (other.hostInfo().equals(self) || !other.stateStoreNames().contains(HistoryProcessor.STORE)) {
                continue;
            }
            String body = fetch(other.hostInfo(), "/api/alerts?scope=local");
            if (body == null) {
                throw new InvalidStateStoreException("instance " + other.hostInfo() + " did not answer");
            }
            try {
                all.addAll(Json.MAPPER.readValue(body, HISTORIES));
            } catch (IOException e) {
                throw new InvalidStateStoreException("instance " + other.hostInfo() + " answered something unreadable: " + e.getMessage());
            }
        }
        return all;
    }

    private List<AlertHistory> localHistories() {
        List<AlertHistory> out = new ArrayList<>();
        try (KeyValueIterator<String, AlertHistory> it = store().all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, AlertHistory> store() {
        KafkaStreams s = streams;
        if (s == null) {
            throw new InvalidStateStoreException("not started");
        }
        if (s.state() != KafkaStreams.State.RUNNING) {
            throw new InvalidStateStoreException("processor is " + s.state());
        }
        return s.store(StoreQueryParameters.fromNameAndType(HistoryProcessor.STORE, QueryableStoreTypes.keyValueStore()));
    }

    /** Body of a 200 from another instance; null for 404; throws when it cannot be reached. */
    private String fetch(HostInfo host, String pathAndQuery) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            if (r.statusCode() == 404) {
                return null;
            }
            throw new InvalidStateStoreException("instance " + host + " answered " + r.statusCode());
        } catch (IOException e) {
            throw new InvalidStateStoreException("instance " + host + " unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InvalidStateStoreException("interrupted");
        }
    }

    private static Map<String, String> query(HttpExchange exchange) {
        Map<String, String> q = new HashMap<>();
        String raw = exchange.getRequestURI().getRawQuery();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private static void respond(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void respondQuietly(HttpExchange exchange, int status, Object body) {
        try {
            respond(exchange, status, body);
        } catch (IOException | RuntimeException ignored) {
            // the client went away
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
