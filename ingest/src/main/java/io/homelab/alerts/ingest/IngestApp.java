package io.homelab.alerts.ingest;

import io.homelab.alerts.common.auth.ApiKeyAuth;
import io.homelab.alerts.ingest.http.RequestBodies;
import io.homelab.alerts.ingest.http.SparkServers;
import io.homelab.alerts.ingest.sink.RawWebhook;
import io.homelab.alerts.ingest.sink.StoreResult;
import io.homelab.alerts.ingest.sink.WebhookSink;
import io.homelab.alerts.ingest.validate.Validation;
import io.homelab.alerts.ingest.validate.WebhookValidator;
import io.homelab.alerts.common.health.Readiness;
import io.homelab.alerts.common.logging.LogLimiter;
import java.util.List;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import spark.Request;
import spark.Response;
import spark.Service;

/**
 * The webhook receiver: {@code POST <webhook path>}, {@code GET /health}, {@code GET /ready},
 * {@code GET /metrics}. A webhook is answered 200 only after the sink has stored it; 503 when the
 * sink is unavailable (Alertmanager retries); 4xx with a JSON error naming the problem for a
 * body that can never be accepted (Alertmanager does not retry those).
 */
public final class IngestApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestApp.class);
    private static final String JSON = "application/json";

    private final IngestConfig config;
    private final WebhookSink sink;
    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final WebhookValidator validator;
    private final Optional<ApiKeyAuth> auth;
    private final DistributionSummary bodySizes;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    static final int REJECTIONS_LOGGED_PER_MINUTE = 60;
    private final LogLimiter rejections;
    private Service http;
    private final List<Readiness> others;

    public IngestApp(IngestConfig config, WebhookSink sink, PrometheusMeterRegistry registry, Clock clock) {
        this(config, sink, registry, clock, List.of());
    }

    /** @param others other parts of this process that {@code /ready} reports on (Telegram at start-up, say) */
    public IngestApp(IngestConfig config, WebhookSink sink, PrometheusMeterRegistry registry, Clock clock, List<Readiness> others) {
        this.others = others;
        this.config = config;
        this.sink = sink;
        this.registry = registry;
        this.clock = clock;
        this.validator = new WebhookValidator(config.maxBodyBytes(), config.limits());
        this.rejections = new LogLimiter(REJECTIONS_LOGGED_PER_MINUTE, java.time.Duration.ofMinutes(1), clock);
        this.auth = config.apiKey().map(ApiKeyAuth::new);
        this.bodySizes = DistributionSummary.builder("homelab_ingest_body_bytes")
                .description("size of webhook bodies received").baseUnit("bytes").register(registry);
    }

    /** Starts listening; returns once the port is bound. */
    public IngestApp start() {
        if (auth.isEmpty()) {
            log.warn("PROMETHEUS_API_KEY is not set: the webhook at {} accepts requests from ANYONE who can reach it. "
                    + "Set PROMETHEUS_API_KEY and configure Alertmanager's http_config (see README).", config.webhookPath());
        }
        SparkServers.Http server = SparkServers.create(config.port());
        http = server.service();
        http.post(config.webhookPath(), this::receive);
        http.get("/health", (req, res) -> {
            res.type("text/plain");
            return "OK";
        });
        http.get("/ready", (req, res) -> {
            res.type("text/plain");
            StringBuilder problems = new StringBuilder();
            if (!sink.isReady()) {
                problems.append("\nkafka: not reachable (webhooks are answered 503)");
            }
            for (Readiness part : others) {
                part.problem().ifPresent(p -> problems.append('\n').append(part.name()).append(": ").append(p));
            }
            res.status(problems.length() == 0 ? 200 : 503);
            return problems.length() == 0 ? "READY" : "NOT READY" + problems;
        });
        http.get("/metrics", (req, res) -> {
            res.type("text/plain; version=0.0.4; charset=utf-8");
            return registry.scrape();
        });
        http.notFound((req, res) -> {
            res.type(JSON);
            return error("no such endpoint: " + req.requestMethod() + " " + req.pathInfo());
        });
        http.exception(Exception.class, (e, req, res) -> {
            log.error("Unexpected error handling {} {}", req.requestMethod(), req.pathInfo(), e);
            res.status(500);
            res.type(JSON);
            res.body(error("internal error: " + e.getClass().getSimpleName()));
        });
        server.start();
        log.info("Webhook receiver listening on :{}{}", http.port(), config.webhookPath());
        return this;
    }

    public int port() {
        return http.port();
    }

    private Object receive(Request req, Response res) {
        res.type(JSON);
        if (auth.isPresent()) {
            Optional<String> refused = auth.get().refuse(req.headers("X-API-Key"), req.headers("Authorization"));
            if (refused.isPresent()) {
                res.header("WWW-Authenticate", "Bearer realm=\"homelab-alerts\", Basic realm=\"homelab-alerts\"");
                return reject(res, 401, "unauthorized", refused.get(), req);
            }
        }
        String contentType = req.contentType();
        if (!isJson(contentType)) {
            return reject(res, 415, "unsupported_media_type",
                    "Content-Type must be application/json, got " + (contentType == null ? "none" : "'" + abbreviate(contentType) + "'"), req);
        }
        long declared = req.raw().getContentLengthLong();
        if (declared > config.maxBodyBytes()) {
            return reject(res, 413, "too_large", tooLarge(declared + " bytes"), req);
        }
        byte[] body;
        try {
            body = RequestBodies.readAtMost(req.raw(), config.maxBodyBytes());
        } catch (IOException e) {
            if (isTimeout(e)) {
                // A stalled network is transient: let Alertmanager retry rather than lose the notification.
                res.header("Retry-After", "5");
                return reject(res, 503, "read_timeout", "timed out reading the request body, try again: " + e.getMessage(), req);
            }
            return reject(res, 400, "unreadable", "could not read the request body: " + e.getMessage(), req);
        }
        bodySizes.record(body.length);
        if (body.length > config.maxBodyBytes()) {
            return reject(res, 413, "too_large", tooLarge("more than " + config.maxBodyBytes() + " bytes"), req);
        }
        Validation verdict = validator.validate(body);
        if (verdict instanceof Validation.Invalid invalid) {
            return reject(res, 400, "invalid", invalid.message(), req);
        }
        if (verdict instanceof Validation.TooLarge tooLarge) {
            return reject(res, 413, "too_large", tooLarge.message(), req);
        }
        Validation.Valid valid = (Validation.Valid) verdict;
        RawWebhook webhook = new RawWebhook(body, valid.groupKey(), clock.instant(), req.ip(), req.userAgent(), contentType);
        StoreResult stored = sink.store(webhook);
        if (stored instanceof StoreResult.Stored) {
            count("accepted");
            return "{\"status\":\"accepted\",\"alerts\":" + valid.alertCount() + "}";
        }
        if (stored instanceof StoreResult.Rejected rejected) {
            return reject(res, 413, "too_large", rejected.reason(), req);
        }
        res.header("Retry-After", "5");
        return reject(res, 503, "unavailable", "not stored, try again: " + ((StoreResult.Unavailable) stored).reason(), req);
    }

    private static boolean isTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException || t instanceof java.net.SocketTimeoutException
                    || t instanceof org.eclipse.jetty.http.BadMessageException bad && bad.getCode() == 408) {
                return true;
            }
        }
        return false;
    }

    private String tooLarge(String size) {
        return "body is " + size + ", over the limit of " + config.maxBodyBytes() + " bytes (INGEST_MAX_BODY_BYTES)";
    }

    /**
     * Answers {@code status} with the JSON error, and logs the same line (401 and 503 at WARN, the
     * rest at INFO; at most {@value #REJECTIONS_LOGGED_PER_MINUTE} a minute, then one line saying how many
     * were not logged).
     */
    private String reject(Response res, int status, String outcome, String message, Request req) {
        if (rejections.next() instanceof LogLimiter.Verdict.Log logIt) {
            if (logIt.suppressedBefore() > 0) {
                log.info("{} more rejected webhook(s) in the minute before were not logged one by one", logIt.suppressedBefore());
            }
            if (status == 401 || status == 503) {
                log.warn("Answered {} to a webhook from {}: {}", status, req.ip(), message);
            } else {
                log.info("Answered {} to a webhook from {}: {}", status, req.ip(), message);
            }
        }
        count(outcome);
        res.status(status);
        if (status == 401 || status == 413 || status == 415) {
            // The body was not read (or not all of it): close the connection after the answer
            // rather than have Jetty drain an unwanted upload, which can cut the answer short.
            res.header("Connection", "close");
        }
        return error(message);
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("homelab_ingest_requests")
                .description("webhook requests by outcome").tag("outcome", o).register(registry)).increment();
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        String mime = parts[0].strip().toLowerCase(Locale.ROOT);
        if (!(mime.equals(JSON) || (mime.startsWith("application/") && mime.endsWith("+json")))) {
            return false;
        }
        return Arrays.stream(parts).skip(1).map(p -> p.strip().toLowerCase(Locale.ROOT))
                .filter(p -> p.startsWith("charset="))
                .allMatch(p -> p.equals("charset=utf-8") || p.equals("charset=\"utf-8\""));
    }

    private static String abbreviate(String value) {
        String s = value.length() > 100 ? value.substring(0, 100) + "…" : value;
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    static String error(String message) {
        StringBuilder sb = new StringBuilder("{\"status\":\"error\",\"error\":\"");
        for (char c : message.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append("\"}").toString();
    }

    @Override
    public void close() {
        if (http != null) {
            http.stop();
            http.awaitStop();
        }
    }
}
