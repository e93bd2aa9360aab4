package io.homelab.alerts.notifier.channel.webhook;

import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.DeliveryResult.Failure;
import io.homelab.alerts.notifier.delivery.ServerWait;
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
 * 2xx delivered; 429 and 503 retry after {@code Retry-After} when given (at most {@link ServerWait#MAX}); 408, 5xx and network
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
                    retryAfter(response.headers().firstValue("Retry-After").orElse(null), java.time.Instant.now()));
        }
        if (status == 408 || status >= 500) {
            return new DeliveryResult.Retryable(Failure.SERVER, reason, Optional.empty());
        }
        return new DeliveryResult.Permanent(status == 401 || status == 403 ? Failure.AUTH : Failure.CLIENT, reason);
    }

    /**
     * Retry-After: seconds, or an HTTP date (RFC 9110), at most {@link ServerWait#MAX} whatever the
     * server says (a huge number of seconds, a date in the year 9999); unreadable: empty (backoff).
     */
    static Optional<Duration> retryAfter(String header, java.time.Instant now) {
        if (header == null || header.isBlank() || header.length() > 100) {
            return Optional.empty();
        }
        String value = header.strip();
        if (value.chars().allMatch(Character::isDigit)) {
            // Digits only: seconds. More than fit a long is still just "very long": the cap.
            return Optional.of(value.length() > 12 ? ServerWait.MAX : ServerWait.cappedSeconds(Long.parseLong(value)));
        }
        try {
            java.time.Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Optional.of(ServerWait.capped(Duration.between(now, at)));
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
    }
}
