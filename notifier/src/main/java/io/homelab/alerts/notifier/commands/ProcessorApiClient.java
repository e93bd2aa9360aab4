package io.homelab.alerts.notifier.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Reads the processor's alert history API ({@code /api/alerts}, {@code /api/stats}), sending PROCESSOR_API_KEY when set. */
public final class ProcessorApiClient {
    private final URI base;
    private final Optional<String> key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

    public ProcessorApiClient(URI base) {
        this(base, Optional.empty());
    }

    public ProcessorApiClient(URI base, Optional<String> key) {
        this.base = base;
        this.key = key;
    }

    /** Where the API is, for messages that say what failed. */
    public URI base() {
        return base;
    }

    /** The first {@code limit} alerts firing now, newest change first: {@code {"alerts":[…],"total":N,"next":…}}. */
    public JsonNode activeAlerts(int limit) throws IOException {
        return get("/api/alerts?limit=" + limit);
    }

    public JsonNode stats(java.time.Instant from, java.time.Instant to) throws IOException {
        return get("/api/stats?from=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)
                + "&to=" + URLEncoder.encode(to.toString(), StandardCharsets.UTF_8));
    }

    private JsonNode get(String pathAndQuery) throws IOException {
        // A few quick retries: a connection the server already closed fails without a byte, and
        // the processor answers 503 for a moment while partitions move.
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return getOnce(pathAndQuery);
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(300L * (attempt + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw last;
    }

    private JsonNode getOnce(String pathAndQuery) throws IOException {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).GET();
            key.ifPresent(k -> request.header("Authorization", "Bearer " + k));
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                String body = r.body().length() > 200 ? r.body().substring(0, 200) + "…" : r.body();
                throw new IOException("it answered " + r.statusCode() + (r.statusCode() == 401 ? " (check PROCESSOR_API_KEY)" : "") + ": " + body);
            }
            return Json.MAPPER.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
