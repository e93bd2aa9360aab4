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

/** Reads the processor's alert history API ({@code /api/alerts}, {@code /api/stats}). */
public final class ProcessorApiClient {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();

    public ProcessorApiClient(URI base) {
        this.base = base;
    }

    public JsonNode activeAlerts() throws IOException {
        return get("/api/alerts");
    }

    /** One alert's history (labels among it). */
    public JsonNode alert(String fingerprint) throws IOException {
        return get("/api/alerts/" + URLEncoder.encode(fingerprint, StandardCharsets.UTF_8));
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
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("processor API answered " + r.statusCode() + ": " + r.body());
            }
            return Json.MAPPER.readTree(r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
