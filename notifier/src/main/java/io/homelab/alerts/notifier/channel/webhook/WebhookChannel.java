package io.homelab.alerts.notifier.channel.webhook;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.DeliveryResult.Failure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * POSTs one notification as JSON to one webhook; one attempt, the result says whether to retry:
 * 2xx delivered; 429 and 503 retry after {@code Retry-After} when given; 408, 5xx and network
 * errors retry with backoff; 401/403 and other 4xx are permanent (dead-lettered).
 */
public final class WebhookChannel {
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    private final WebhookConfig config;
    private final HttpClient http;

    public WebhookChannel(WebhookConfig config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String name() {
        return config.name();
    }

    /** Whether this webhook wants this notification at all (resolved ones only with send_resolved). */
    public boolean wants(Notification notification) {
        return notification.webhooks().contains(config.name()) && (config.sendResolved() || notification.alert().isFiring());
    }

    public DeliveryResult send(Notification notification) {
        HttpRequest.Builder request = HttpRequest.newBuilder(config.url()).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("User-Agent", "homelab-alerts")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.write(config.body().render(notification))));
        config.headers().forEach(request::setHeader); // the configured Content-Type, if any, replaces ours
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new DeliveryResult.Retryable(Failure.NETWORK, config.name() + " unreachable: " + e, Optional.empty());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new DeliveryResult.Retryable(Failure.NETWORK, "interrupted", Optional.empty());
        }
        int status = response.statusCode();
        String body = response.body();
        String reason = config.name() + " answered " + status + ": " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
        if (status >= 200 && status < 300) {
            return new DeliveryResult.Delivered();
        }
        if (status == 429 || status == 503) {
            return new DeliveryResult.Retryable(status == 429 ? Failure.RATE_LIMITED : Failure.SERVER, reason,
                    retryAfter(response.headers().firstValue("Retry-After").orElse(null)));
        }
        if (status == 408 || status >= 500) {
            return new DeliveryResult.Retryable(Failure.SERVER, reason, Optional.empty());
        }
        return new DeliveryResult.Permanent(status == 401 || status == 403 ? Failure.AUTH : Failure.CLIENT, reason);
    }

    /** Retry-After: seconds, or an HTTP date (RFC 9110). */
    static Optional<Duration> retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(header.strip()))));
        } catch (NumberFormatException e) {
            try {
                Duration d = Duration.between(java.time.Instant.now(), ZonedDateTime.parse(header.strip(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (RuntimeException unparsable) {
                return Optional.empty();
            }
        }
    }
}
