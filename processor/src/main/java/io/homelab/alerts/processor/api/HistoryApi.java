package io.homelab.alerts.processor.api;

import com.fasterxml.jackson.core.type.TypeReference;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.auth.ApiKeyAuth;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.WebhookLimits;
import io.homelab.alerts.processor.history.AlertHistory;
import io.homelab.alerts.processor.history.HistoryProcessor;
import io.homelab.alerts.processor.history.HistoryStats;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
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
 *   <li>{@code GET /api/alerts[?limit=N][&after=CURSOR][&dropped=true]} — alerts firing now, newest
 *       change first, one page at a time: {@code {"alerts":[…],"total":N,"next":CURSOR|null}}; alerts a
 *       {@code drop} route matched are left out unless {@code dropped=true}</li>
 *   <li>{@code GET /api/alerts/<fingerprint>} — one alert's history (400 if not 16 hex digits, 404 if unknown)</li>
 *   <li>{@code GET /api/stats?from=<ISO instant>&to=<ISO instant>} — per alertname: fired, resolved,
 *       mean time to resolve, flapping alerts, counts per day, noisiest instances (default: last 7 days)</li>
 * </ul>
 * {@code ?scope=local} answers from this instance only (what instances use to ask each other).
 * With a key set, every {@code /api} request must carry it (X-API-Key, Bearer, or basic-auth
 * password, as the webhook), and instances send it to each other. {@code GET /metrics} serves the
 * processor's metrics in Prometheus text format (no key: counts and Kafka client figures only).
 */
public final class HistoryApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HistoryApi.class);
    private static final TypeReference<List<AlertHistory>> HISTORIES = new TypeReference<>() {};
    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    /** Newest change first; the fingerprint orders alerts that changed in the same millisecond. */
    static final Comparator<AlertHistory> NEWEST_FIRST = Comparator.comparing(AlertHistory::lastChange).reversed()
            .thenComparing(AlertHistory::fingerprint);

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService executor;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Clock clock;
    private final int flapChanges;
    private final Duration flapWindow;
    private final Optional<String> key;
    private final Optional<ApiKeyAuth> auth;
    private volatile KafkaStreams streams;
    private volatile HostInfo self;

    /** One page of firing alerts. */
    public record Page(List<AlertHistory> alerts, int total, String next) {}

    /**
     * Binds {@code bindHost}:{@code port} (0: any free one) now, so the address can be given to Streams
     * as {@code application.server}.
     *
     * @param key the key every /api request must carry, and that this instance sends to the others; empty: none
     */
    public HistoryApi(String bindHost, int port, Optional<String> key, Clock clock, int flapChanges, Duration flapWindow,
            PrometheusMeterRegistry registry) throws IOException {
        this.clock = clock;
        this.flapChanges = flapChanges;
        this.flapWindow = flapWindow;
        this.key = key;
        this.auth = key.map(ApiKeyAuth::new);
        this.server = HttpServer.create(new InetSocketAddress(bindHost, port), 0);
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "history-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/api/alerts", exchange -> guarded(exchange, this::alerts));
        server.createContext("/api/stats", exchange -> guarded(exchange, this::stats));
        server.createContext("/api/internal/histories", exchange -> guarded(exchange, this::localAll));
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
        log.info("Alert history API on {}:{} (advertised as {}:{}; {})", server.getAddress().getHostString(), port(), self.host(),
                self.port(), auth.isPresent() ? "PROCESSOR_API_KEY required" : "no key");
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void guarded(HttpExchange exchange, Handler handler) throws IOException {
        // The catches are inside the try-with-resources on purpose: Java closes the resource before
        // running an outer catch, so an error answered there would never reach the client.
        try (exchange) {
            try {
                if (!"GET".equals(exchange.getRequestMethod())) {
                    respond(exchange, 405, Map.of("error", "use GET"));
                    return;
                }
                if (auth.isPresent()) {
                    Optional<String> refused = auth.get().refuse(exchange.getRequestHeaders().getFirst("X-API-Key"),
                            exchange.getRequestHeaders().getFirst("Authorization"));
                    if (refused.isPresent()) {
                        log.warn("Refused a history API request from {}: {}", exchange.getRemoteAddress().getAddress().getHostAddress(),
                                refused.get());
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"homelab-alerts\"");
                        respond(exchange, 401, Map.of("error", refused.get() + " (PROCESSOR_API_KEY)"));
                        return;
                    }
                }
                handler.handle(exchange);
            } catch (BadRequest e) {
                respondQuietly(exchange, 400, Map.of("error", e.getMessage()));
            } catch (InvalidStateStoreException e) {
                respondQuietly(exchange, 503, Map.of("error", "the processor is not ready (" + e.getMessage() + "), try again"));
            } catch (RuntimeException | Error e) {
                log.warn("History API error", e);
                respondQuietly(exchange, 500, Map.of("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
    }

    /** A request we cannot answer as asked: 400 with the reason. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }

    private void alerts(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        Map<String, String> q = query(exchange);
        boolean local = "local".equals(q.get("scope"));
        if (path.equals("/api/alerts") || path.equals("/api/alerts/")) {
            int limit = limit(q.get("limit"));
            Cursor after = Cursor.parse(q.get("after"));
            boolean withDropped = "true".equals(q.get("dropped"));
            respond(exchange, 200, local ? localPage(limit, after, withDropped) : page(limit, after, withDropped));
            return;
        }
        String fingerprint = path.substring("/api/alerts/".length());
        if (!WebhookLimits.FINGERPRINT.matcher(fingerprint).matches()) {
            throw new BadRequest("not a fingerprint: expected 16 hex digits, as in /api/alerts/bfcfce9889d1664b");
        }
        fingerprint = fingerprint.toLowerCase(Locale.ROOT);
        AlertHistory found = find(fingerprint, local);
        if (found == null) {
            respond(exchange, 404, Map.of("error", "no alert with fingerprint " + fingerprint));
        } else {
            respond(exchange, 200, found);
        }
    }

    private void stats(HttpExchange exchange) throws IOException {
        Map<String, String> q = query(exchange);
        Instant to;
        Instant from;
        try {
            to = q.containsKey("to") ? Instant.parse(q.get("to")) : clock.instant();
            from = q.containsKey("from") ? Instant.parse(q.get("from")) : to.minus(Duration.ofDays(7));
        } catch (DateTimeParseException e) {
            throw new BadRequest("from and to must be ISO-8601 instants such as 2026-11-25T00:00:00Z");
        }
        if (from.isAfter(to)) {
            throw new BadRequest("from is after to");
        }
        List<AlertHistory> shown = allHistories().stream().filter(h -> !h.dropped()).toList();
        respond(exchange, 200, HistoryStats.summarize(shown, from, to, flapChanges, flapWindow));
    }

    private void localAll(HttpExchange exchange) throws IOException {
        List<AlertHistory> out = new ArrayList<>();
        try (KeyValueIterator<String, AlertHistory> it = store().all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        respond(exchange, 200, out);
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_PAGE;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_PAGE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new BadRequest("limit must be a whole number from 1 to " + MAX_PAGE);
    }

    /** Where a page ends: the last alert's change time and fingerprint, in {@link #NEWEST_FIRST} order. */
    record Cursor(long lastChangeMillis, String fingerprint) {
        static Cursor parse(String text) {
            if (text == null || text.isEmpty()) {
                return null;
            }
            int dash = text.indexOf('-');
            try {
                String fp = text.substring(dash + 1);
                if (dash > 0 && WebhookLimits.FINGERPRINT.matcher(fp).matches()) {
                    return new Cursor(Long.parseLong(text.substring(0, dash)), fp.toLowerCase(Locale.ROOT));
                }
            } catch (NumberFormatException e) {
                // fall through
            }
            throw new BadRequest("after must be the 'next' value of the page before");
        }

        static Cursor of(AlertHistory h) {
            return new Cursor(h.lastChange().toEpochMilli(), h.fingerprint());
        }

        /** Whether {@code h} comes after this cursor in {@link #NEWEST_FIRST} order. */
        boolean isBefore(AlertHistory h) {
            long change = h.lastChange().toEpochMilli();
            return change < lastChangeMillis || change == lastChangeMillis && h.fingerprint().compareTo(fingerprint) > 0;
        }

        @Override
        public String toString() {
            return lastChangeMillis + "-" + fingerprint;
        }
    }

    /**
     * This instance's page: the first {@code limit} firing alerts after the cursor, found in one pass
     * over the store that keeps only {@code limit} of them in memory, whatever the store holds.
     */
    private Page localPage(int limit, Cursor after, boolean withDropped) {
        PriorityQueue<AlertHistory> best = new PriorityQueue<>(NEWEST_FIRST.reversed());
        int total = 0;
        int candidates = 0;
        try (KeyValueIterator<String, AlertHistory> it = store().all()) {
            while (it.hasNext()) {
                AlertHistory h = it.next().value;
                if (h == null || !"firing".equals(h.status()) || (h.dropped() && !withDropped)) {
                    continue;
                }
                total++;
                if (after != null && !after.isBefore(h)) {
                    continue;
                }
                candidates++;
                best.add(h);
                if (best.size() > limit) {
                    best.poll(); // the oldest of those kept
                }
            }
        }
        List<AlertHistory> page = new ArrayList<>(best);
        page.sort(NEWEST_FIRST);
        return new Page(page, total, candidates > limit ? Cursor.of(page.get(page.size() - 1)).toString() : null);
    }

    /** Every instance's page, merged: the first {@code limit} of all of them. */
    private Page page(int limit, Cursor after, boolean withDropped) {
        List<AlertHistory> merged = new ArrayList<>();
        Page mine = localPage(limit, after, withDropped);
        merged.addAll(mine.alerts());
        int total = mine.total();
        boolean more = mine.next() != null;
        String query = "?scope=local&limit=" + limit + (after == null ? "" : "&after=" + after) + (withDropped ? "&dropped=true" : "");
        for (HostInfo other : others()) {
            String body = fetch(other, "/api/alerts" + query);
            if (body == null) {
                throw new InvalidStateStoreException("instance " + other + " has no history store");
            }
            Page theirs = Json.read(body.getBytes(StandardCharsets.UTF_8), Page.class);
            merged.addAll(theirs.alerts());
            total += theirs.total();
            more |= theirs.next() != null;
        }
        merged.sort(NEWEST_FIRST);
        more |= merged.size() > limit;
        List<AlertHistory> page = merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged;
        return new Page(page, total, more && !page.isEmpty() ? Cursor.of(page.get(page.size() - 1)).toString() : null);
    }

    private List<HostInfo> others() {
        List<HostInfo> out = new ArrayList<>();
        for (StreamsMetadata other : streams.metadataForAllStreamsClients()) {
            if (!other.hostInfo().equals(self) && other.stateStoreNames().contains(HistoryProcessor.STORE)) {
                out.add(other.hostInfo());
            }
        }
        return out;
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
                String body = fetch(owner.activeHost(), "/api/alerts/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8)
                        + "?scope=local");
                return body == null ? null : Json.read(body.getBytes(StandardCharsets.UTF_8), AlertHistory.class);
            }
        }
        return store().get(fingerprint);
    }

    private List<AlertHistory> allHistories() {
        List<AlertHistory> all = new ArrayList<>();
        try (KeyValueIterator<String, AlertHistory> it = store().all()) {
            it.forEachRemaining(kv -> all.add(kv.value));
        }
        for (HostInfo other : others()) {
            String body = fetch(other, "/api/internal/histories");
            if (body == null) {
                throw new InvalidStateStoreException("instance " + other + " did not answer");
            }
            try {
                all.addAll(Json.MAPPER.readValue(body, HISTORIES));
            } catch (IOException e) {
                throw new InvalidStateStoreException("instance " + other + " answered something unreadable: " + e.getMessage());
            }
        }
        return all;
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

    /** Body of a 200 from another instance (sent our key); null for 404; throws when it cannot be reached. */
    private String fetch(HostInfo host, String pathAndQuery) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                    .timeout(Duration.ofSeconds(5)).GET();
            key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return r.body();
            }
            if (r.statusCode() == 404) {
                return null;
            }
            throw new InvalidStateStoreException("instance " + host + " answered " + r.statusCode()
                    + (r.statusCode() == 401 ? " (PROCESSOR_API_KEY differs between instances)" : ""));
        } catch (IOException e) {
            throw new InvalidStateStoreException("instance " + host + " unreachable: " + e);
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
                    try {
                        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                                URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                    } catch (IllegalArgumentException e) {
                        throw new BadRequest("the query is not URL-encoded properly");
                    }
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
