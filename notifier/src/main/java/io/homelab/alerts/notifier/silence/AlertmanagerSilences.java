package io.homelab.alerts.notifier.silence;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Creates and expires silences through Alertmanager's API v2 ({@code ALERTMANAGER_URL}). */
public final class AlertmanagerSilences {
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    public AlertmanagerSilences(URI base) {
        this.base = base;
    }

    /** Where Alertmanager is, for messages that say what failed. */
    public URI base() {
        return base;
    }

    /** A silence matching exactly {@code labels} from now for {@code length}; returns its id. */
    public String create(Map<String, String> labels, Instant now, Duration length, String createdBy, String comment) throws IOException {
        List<Map<String, Object>> matchers = new ArrayList<>();
        labels.forEach((name, value) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("value", value);
            m.put("isRegex", false);
            m.put("isEqual", true);
            matchers.add(m);
        });
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("matchers", matchers);
        body.put("startsAt", now.toString());
        body.put("endsAt", now.plus(length).toString());
        body.put("createdBy", createdBy);
        body.put("comment", comment);
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/api/v2/silences")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(body))).build());
        if (r.statusCode() != 200) {
            throw new IOException("Alertmanager answered " + r.statusCode() + ": " + snippet(r.body()));
        }
        JsonNode id = Json.MAPPER.readTree(r.body()).path("silenceID");
        if (id.isMissingNode() || id.asText().isEmpty()) {
            throw new IOException("Alertmanager's answer has no silenceID: " + snippet(r.body()));
        }
        return id.asText();
    }

    /** Every silence Alertmanager knows (active, pending and expired), as its API returns them. */
    public JsonNode list() throws IOException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/api/v2/silences")).timeout(Duration.ofSeconds(10)).GET().build());
        if (r.statusCode() != 200) {
            throw new IOException("Alertmanager answered " + r.statusCode() + ": " + snippet(r.body()));
        }
        return Json.MAPPER.readTree(r.body());
    }

    /** Expires the silence {@code id}. */
    public void expire(String id) throws IOException {
        // The id is one path segment whatever it holds.
        String segment = java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        HttpResponse<String> r = send(HttpRequest.newBuilder(base.resolve("/api/v2/silence/" + segment)).timeout(Duration.ofSeconds(10))
                .DELETE().build());
        if (r.statusCode() != 200) {
            throw new IOException("Alertmanager answered " + r.statusCode() + ": " + snippet(r.body()));
        }
    }

    private static String snippet(String body) {
        return body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
