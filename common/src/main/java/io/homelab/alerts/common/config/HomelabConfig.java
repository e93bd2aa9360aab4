package io.homelab.alerts.common.config;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The whole typed configuration, read once at start-up from the environment and a
 * {@code .env} file in the working directory (the environment wins). Every problem is
 * reported at once, each naming the variable and the reason.
 */
public record HomelabConfig(
        int webhookPort,
        String webhookPath,
        Optional<String> apiKey,
        int maxBodyBytes,
        int maxAlerts,
        Duration kafkaAckTimeout,
        Duration kafkaLinger,
        Duration dedupWindow,
        boolean reminders,
        int flapChanges,
        Duration flapWindow,
        int stormThreshold,
        Optional<String> kafkaBootstrapServers,
        int embeddedKafkaPort,
        String topicPrefix,
        int topicPartitions,
        Optional<Short> topicReplicationFactor,
        int webhookRetentionDays,
        Optional<String> telegramBotToken,
        List<String> telegramChatIds,
        Set<Long> telegramAllowedUsers,
        URI telegramApiUrl,
        ZoneId timeZone,
        Path dataDir,
        Optional<Path> homelabConfig,
        int processorHttpPort,
        String processorHttpBind,
        String processorHttpHost,
        Optional<String> processorApiKey,
        Duration historyRetention,
        URI processorApiUrl,
        Optional<URI> alertmanagerUrl,
        Duration approvalTimeout,
        String logLevel,
        Remediation remediation,
        Deployment deployment,
        String watchdogAlertname,
        Duration watchdogSilence) {

    /**
     * How the process is reached when its services run in separate containers.
     *
     * @param embeddedKafkaBind the address the embedded broker listens on (0.0.0.0 for {@code run --target broker} in a container)
     * @param kafkaAdvertisedHost the host name clients are told to reach the embedded broker at (the compose service name)
     * @param managementBind the address of /health, /ready and /metrics of a process that runs no ingest
     * @param managementPort their port (0: any free port)
     */
    public record Deployment(String embeddedKafkaBind, String kafkaAdvertisedHost, String managementBind, int managementPort) {
    }

    /**
     * The remediator's settings.
     *
     * @param autohealing AUTOHEALING_ENABLED, until /enable_autohealing or /disable_autohealing sets it
     * @param breakerFailures how many different targets failing within breakerWindow stop automatic fixes (0: never)
     */
    public record Remediation(boolean autohealing, boolean dryRun, Duration cooldown, int hourlyCap, Duration verifyWithin,
            Duration actionTimeout, int breakerFailures, Duration breakerWindow, String dockerHost) {
    }

    /** Every setting, in the order --help and the README list them. */
    public static final List<Setting> SETTINGS = List.of(
            new Setting("PROMETHEUS_WEBHOOK_PORT", "9095", "HTTP port of the webhook receiver, 0 to 65535 (0: any free port)"),
            new Setting("PROMETHEUS_WEBHOOK_PATH", "/prometheus/webhook", "path Alertmanager posts to"),
            new Setting("PROMETHEUS_API_KEY", null, "shared secret: X-API-Key, Authorization: Bearer, or basic-auth password (unset: no auth, warned at start)"),
            new Setting("PROMETHEUS_API_KEY_FILE", null, "read PROMETHEUS_API_KEY from this file instead"),
            new Setting("INGEST_MAX_BODY_BYTES", "4194304", "largest webhook body accepted, in bytes, 1024 to 67108864 (413 above)"),
            new Setting("INGEST_MAX_ALERTS", "1000", "most alerts one webhook may carry, 1 to 100000 (413 above; set Alertmanager's max_alerts to stay below)"),
            new Setting("INGEST_KAFKA_TIMEOUT_MS", "5000", "how long a webhook waits for Kafka's acknowledgement before answering 503, 100 to 120000"),
            new Setting("INGEST_KAFKA_LINGER_MS", "1", "how long the webhook producer waits to batch concurrent webhooks, 0 to 1000 and below INGEST_KAFKA_TIMEOUT_MS (latency/throughput trade-off)"),
            new Setting("ALERT_DEDUP_WINDOW", "300", "seconds within which a repeated alert with the same status is not sent again, 1 to 604800"),
            new Setting("ALERT_REMINDERS", "true", "send a still-firing alert again once the dedup window has passed (true/false)"),
            new Setting("ALERT_FLAP_CHANGES", "4", "status changes within ALERT_FLAP_WINDOW that make an alert flapping, 0 to 1000 (0: no flapping detection)"),
            new Setting("ALERT_FLAP_WINDOW", "600", "seconds, 1 to 604800: how far back status changes count, and how long a flapping alert must be stable"),
            new Setting("ALERT_STORM_THRESHOLD", "25", "more alerts than this gathered for one chat become one summary message instead of a list, 0 to 100000 (0: always a list)"),
            new Setting("KAFKA_BOOTSTRAP_SERVERS", null, "external Kafka cluster (unset: start an embedded broker in-process)"),
            new Setting("KAFKA_EMBEDDED_PORT", "9092", "loopback port of the embedded broker, 0 to 65535 (0: any free port)"),
            new Setting("KAFKA_EMBEDDED_BIND", "127.0.0.1", "address the embedded broker listens on (0.0.0.0: every interface, as run --target broker does in docker-compose; it has no authentication)"),
            new Setting("KAFKA_ADVERTISED_HOST", "127.0.0.1", "host name clients are told to reach the embedded broker at (docker-compose: the broker's service name)"),
            new Setting("KAFKA_TOPIC_PREFIX", "homelab.", "prefix of every topic name"),
            new Setting("KAFKA_TOPIC_PARTITIONS", "1", "partitions of keyed topics created at start, 1 to 1000; with 1 the processor skips the re-key hop"),
            new Setting("KAFKA_REPLICATION_FACTOR", null, "replication factor of created topics, 1 to 32 (unset: the broker's default)"),
            new Setting("WEBHOOK_RETENTION_DAYS", "30", "days raw webhooks are kept, 1 to 3650 (they are the replayable record)"),
            new Setting("TELEGRAM_BOT_TOKEN", null, "bot token from @BotFather (unset: print messages on the console instead)"),
            new Setting("TELEGRAM_BOT_TOKEN_FILE", null, "read TELEGRAM_BOT_TOKEN from this file instead"),
            new Setting("TELEGRAM_CHAT_ID", null, "chat id(s) to notify, comma-separated (required with a bot token)"),
            new Setting("TELEGRAM_ALLOWED_USERS", null, "Telegram user ids allowed to press buttons and run commands that change something, comma-separated"),
            new Setting("TELEGRAM_API_URL", "https://api.telegram.org", "Bot API base URL (a local Bot API server, or a test stand-in)"),
            new Setting("WATCHDOG_ALERTNAME", "Watchdog", "name of Alertmanager's always-firing heartbeat alert; once seen, its silence is reported as a blind pipeline"),
            new Setting("WATCHDOG_SILENCE", "600", "seconds the heartbeat alert may stay away before \"alerting pipeline is blind\" is sent, 60 to 86400"),
            new Setting("ALERT_TIME_ZONE", "UTC", "time zone of times in messages (an IANA name such as Europe/Berlin)"),
            new Setting("DATA_DIR", "./data", "where the embedded broker and the stream state keep their data"),
            new Setting("HOMELAB_CONFIG", null, "YAML file with routes and outgoing webhooks; see examples/homelab.yml"),
            new Setting("PROCESSOR_HTTP_PORT", "9096", "port of the alert history API (/api/alerts, /api/stats) of the process running the processor, 0 to 65535 (0: any free port)"),
            new Setting("PROCESSOR_HTTP_BIND", "127.0.0.1", "address the history API listens on (0.0.0.0: every interface; anything but loopback needs PROCESSOR_API_KEY)"),
            new Setting("PROCESSOR_HTTP_HOST", "127.0.0.1", "host name other processor instances reach this one's history API at"),
            new Setting("PROCESSOR_API_KEY", null, "shared secret of the history API, the same forms as PROMETHEUS_API_KEY; instances and the notifier send it"),
            new Setting("PROCESSOR_API_KEY_FILE", null, "read PROCESSOR_API_KEY from this file instead"),
            new Setting("HISTORY_RETENTION_DAYS", "30", "alerts resolved, or not seen at all, for this many days are forgotten by the history (1 to 3650)"),
            new Setting("PROCESSOR_API_URL", "http://127.0.0.1:9096", "where the notifier's /alerts, /history and /health commands read the history API, when the processor runs in another process"),
            new Setting("ALERTMANAGER_URL", null, "Alertmanager's address (e.g. http://alertmanager:9093): enables the 🔕 Silence buttons (API v2)"),
            new Setting("REMEDIATION_APPROVAL_TIMEOUT", "3600", "seconds an Approve / Reject request stays open, 60 to 604800; then it expires and a later press is refused"),
            new Setting("AUTOHEALING_ENABLED", "true", "whether low-risk runbooks run on their own (true/false) until /enable_autohealing or /disable_autohealing sets it"),
            new Setting("REMEDIATION_DRY_RUN", "false", "report exactly which argv or API call would run, and run nothing (true/false)"),
            new Setting("REMEDIATION_COOLDOWN", "600", "seconds after a fix of a target before another automatic fix of it, 0 to 604800 (a runbook's cooldown wins)"),
            new Setting("REMEDIATION_HOURLY_CAP", "3", "automatic fixes of one target per hour, 1 to 1000; past it a fix asks first (a runbook's hourly_cap wins)"),
            new Setting("REMEDIATION_VERIFY_TIME", "300", "seconds the alert has to resolve after a fix for it to count as fixed, 5 to 86400 (a runbook's verify_within wins)"),
            new Setting("REMEDIATION_ACTION_TIMEOUT", "120", "seconds one action may run before it is killed, 1 to 240 (a runbook's timeout wins)"),
            new Setting("REMEDIATION_BREAKER_FAILURES", "3", "different targets whose fixes fail within REMEDIATION_BREAKER_WINDOW that stop every automatic fix, 0 to 100 (0: never)"),
            new Setting("REMEDIATION_BREAKER_WINDOW", "900", "seconds the circuit breaker looks back, and stays open after the last failure, 60 to 86400"),
            new Setting("DOCKER_HOST", "unix:///var/run/docker.sock", "Docker Engine the docker actions use, as the docker CLI reads it (unix:// or tcp://)"),
            new Setting("MANAGEMENT_PORT", "9097", "port of /health, /ready and /metrics of a process that runs no ingest (with ingest they are on PROMETHEUS_WEBHOOK_PORT), 0 to 65535"),
            new Setting("MANAGEMENT_BIND", "127.0.0.1", "address /health, /ready and /metrics listen on when there is no ingest (0.0.0.0 in a container)"),
            new Setting("LOG_LEVEL", "INFO", "log level of homelab-alerts' own loggers"));

    private static final Pattern TOPIC_PREFIX = Pattern.compile("[a-zA-Z0-9._-]{0,200}");
    private static final Pattern CHAT_ID = Pattern.compile("-?\\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,}");

    /** Reads the process environment and {@code ./.env}. */
    public static HomelabConfig fromEnvironment() {
        return load(System.getenv(), Path.of(".env"));
    }

    /** Reads {@code env} over the values of {@code dotEnv} (when the file exists). */
    public static HomelabConfig load(Map<String, String> env, Path dotEnv) {
        List<String> problems = new ArrayList<>();
        Map<String, String> merged = new HashMap<>(DotEnv.read(dotEnv, problems));
        env.forEach((k, v) -> merged.put(k, v));
        Reader r = new Reader(merged, problems);

        int port = r.integer("PROMETHEUS_WEBHOOK_PORT", 0, 65535);
        String path = r.string("PROMETHEUS_WEBHOOK_PATH");
        if (!path.startsWith("/") || path.contains(" ") || path.contains(":") || path.contains("*")) {
            problems.add("PROMETHEUS_WEBHOOK_PATH: must be a URL path starting with '/', without spaces, ':' or '*', got '" + path + "'");
        }
        Optional<String> apiKey = r.secret("PROMETHEUS_API_KEY");
        int maxBody = r.integer("INGEST_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024);
        int maxAlerts = r.integer("INGEST_MAX_ALERTS", 1, 100_000);
        int ackTimeoutMs = r.integer("INGEST_KAFKA_TIMEOUT_MS", 100, 120_000);
        int lingerMs = r.integer("INGEST_KAFKA_LINGER_MS", 0, 1000);
        if (lingerMs >= ackTimeoutMs) {
            problems.add("INGEST_KAFKA_LINGER_MS: must be shorter than INGEST_KAFKA_TIMEOUT_MS (" + ackTimeoutMs + "), got " + lingerMs);
        }
        int dedupSeconds = r.integer("ALERT_DEDUP_WINDOW", 1, 7 * 24 * 3600);
        boolean reminders = r.bool("ALERT_REMINDERS");
        int flapChanges = r.integer("ALERT_FLAP_CHANGES", 0, 1000);
        int flapSeconds = r.integer("ALERT_FLAP_WINDOW", 1, 7 * 24 * 3600);
        int stormThreshold = r.integer("ALERT_STORM_THRESHOLD", 0, 100_000);
        Optional<String> bootstrap = r.optional("KAFKA_BOOTSTRAP_SERVERS");
        bootstrap.ifPresent(b -> {
            for (String server : b.split(",")) {
                if (!server.strip().matches("[^:\\s]+:\\d{1,5}") && !server.strip().matches("\\[[0-9a-fA-F:]+]:\\d{1,5}")) {
                    problems.add("KAFKA_BOOTSTRAP_SERVERS: '" + server.strip() + "' is not host:port");
                }
            }
        });
        int embeddedPort = r.integer("KAFKA_EMBEDDED_PORT", 0, 65535);
        String embeddedBind = r.string("KAFKA_EMBEDDED_BIND");
        String advertisedHost = r.string("KAFKA_ADVERTISED_HOST");
        if (!advertisedHost.matches("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})|\\[[0-9a-fA-F:]+]")) {
            problems.add("KAFKA_ADVERTISED_HOST: expected a host name or address, got '" + shown(advertisedHost) + "'");
        }
        if (!embeddedBind.matches("[A-Za-z0-9.:-]{1,253}")) {
            problems.add("KAFKA_EMBEDDED_BIND: expected an address such as 127.0.0.1 or 0.0.0.0, got '" + shown(embeddedBind) + "'");
        }
        int managementPort = r.integer("MANAGEMENT_PORT", 0, 65535);
        String watchdogName = r.string("WATCHDOG_ALERTNAME");
        if (!watchdogName.matches("[a-zA-Z_][a-zA-Z0-9_]{0,200}")) {
            problems.add("WATCHDOG_ALERTNAME: expected an alert name (letters, digits, _), got '" + shown(watchdogName) + "'");
        }
        int watchdogSeconds = r.integer("WATCHDOG_SILENCE", 60, 86_400);
        String managementBind = r.string("MANAGEMENT_BIND");
        if (!managementBind.matches("[A-Za-z0-9.:-]{1,253}")) {
            problems.add("MANAGEMENT_BIND: expected an address such as 127.0.0.1 or 0.0.0.0, got '" + shown(managementBind) + "'");
        }
        String prefix = r.string("KAFKA_TOPIC_PREFIX");
        if (!TOPIC_PREFIX.matcher(prefix).matches()) {
            problems.add("KAFKA_TOPIC_PREFIX: only letters, digits, '.', '_' and '-' are allowed in topic names, got '" + prefix + "'");
        }
        int partitions = r.integer("KAFKA_TOPIC_PARTITIONS", 1, 1000);
        Optional<Short> rf = r.optional("KAFKA_REPLICATION_FACTOR").map(v -> (short) r.parseInt("KAFKA_REPLICATION_FACTOR", v, 1, 32));
        int retentionDays = r.integer("WEBHOOK_RETENTION_DAYS", 1, 3650);
        if (bootstrap.isEmpty() && rf.isPresent() && rf.get() > 1) {
            problems.add("KAFKA_REPLICATION_FACTOR: the embedded broker is a single node, so " + rf.get()
                    + " replicas cannot be placed; set KAFKA_BOOTSTRAP_SERVERS to a cluster or leave KAFKA_REPLICATION_FACTOR unset");
        }

        Optional<String> token = r.secret("TELEGRAM_BOT_TOKEN");
        token.ifPresent(t -> {
            if (!t.matches("\\d+:[A-Za-z0-9_-]+")) {
                problems.add("TELEGRAM_BOT_TOKEN: does not look like a bot token (digits:letters, as @BotFather gives it)");
            }
        });
        List<String> chats = r.list("TELEGRAM_CHAT_ID");
        for (String chat : chats) {
            if (!CHAT_ID.matcher(chat).matches()) {
                problems.add("TELEGRAM_CHAT_ID: '" + (chat.contains(":") ? chat.substring(0, chat.indexOf(':')) + ":…" : chat)
                        + "' is neither a numeric chat id nor an @channel name" + (chat.contains(":") ? " (is that the bot token?)" : ""));
            }
        }
        if (token.isPresent() && chats.isEmpty()) {
            problems.add("TELEGRAM_CHAT_ID: required when TELEGRAM_BOT_TOKEN is set (the chat to send alerts to)");
        }
        Set<Long> allowed = new LinkedHashSet<>();
        for (String user : r.list("TELEGRAM_ALLOWED_USERS")) {
            try {
                allowed.add(Long.parseLong(user));
            } catch (NumberFormatException e) {
                problems.add("TELEGRAM_ALLOWED_USERS: '" + user + "' is not a numeric Telegram user id");
            }
        }
        URI apiUrl = r.httpUrl("TELEGRAM_API_URL", r.string("TELEGRAM_API_URL")).orElse(URI.create("https://api.telegram.org"));
        if (apiUrl.getPath() != null && !apiUrl.getPath().isEmpty() && !apiUrl.getPath().equals("/")) {
            problems.add("TELEGRAM_API_URL: give only scheme://host[:port], without a path, got '" + shown(apiUrl.toString()) + "'");
        }
        ZoneId zone = ZoneId.of("UTC");
        String zoneText = r.string("ALERT_TIME_ZONE");
        try {
            zone = ZoneId.of(zoneText);
        } catch (DateTimeException e) {
            problems.add("ALERT_TIME_ZONE: unknown time zone '" + zoneText + "' (use an IANA name such as Europe/Berlin)");
        }
        Path dataDir = Path.of(r.string("DATA_DIR"));
        if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
            problems.add("DATA_DIR: " + dataDir + " exists and is not a directory");
        }
        Optional<Path> homelabConfig = r.optional("HOMELAB_CONFIG").map(Path::of);
        homelabConfig.ifPresent(p -> {
            if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                problems.add("HOMELAB_CONFIG: " + p + " is not a readable file");
            }
        });
        int processorPort = r.integer("PROCESSOR_HTTP_PORT", 0, 65535);
        String processorBind = r.string("PROCESSOR_HTTP_BIND");
        String processorHost = r.string("PROCESSOR_HTTP_HOST");
        Optional<String> processorKey = r.secret("PROCESSOR_API_KEY");
        if (!isLoopback(processorBind) && processorKey.isEmpty()) {
            problems.add("PROCESSOR_API_KEY: required when PROCESSOR_HTTP_BIND is not a loopback address (got '" + processorBind
                    + "'): the history API shows every alert's labels");
        }
        int historyDays = r.integer("HISTORY_RETENTION_DAYS", 1, 3650);
        URI processorApi = r.httpUrl("PROCESSOR_API_URL", r.string("PROCESSOR_API_URL")).orElse(URI.create("http://127.0.0.1:9096"));
        Optional<URI> alertmanager = r.optional("ALERTMANAGER_URL").flatMap(text -> r.httpUrl("ALERTMANAGER_URL", text));
        int approvalSeconds = r.integer("REMEDIATION_APPROVAL_TIMEOUT", 60, 7 * 24 * 3600);
        boolean autohealing = r.bool("AUTOHEALING_ENABLED");
        boolean dryRun = r.bool("REMEDIATION_DRY_RUN");
        int cooldown = r.integer("REMEDIATION_COOLDOWN", 0, 7 * 24 * 3600);
        int cap = r.integer("REMEDIATION_HOURLY_CAP", 1, 1000);
        int verify = r.integer("REMEDIATION_VERIFY_TIME", 5, 86_400);
        int actionTimeout = r.integer("REMEDIATION_ACTION_TIMEOUT", 1, 240);
        int breakerFailures = r.integer("REMEDIATION_BREAKER_FAILURES", 0, 100);
        int breakerWindow = r.integer("REMEDIATION_BREAKER_WINDOW", 60, 86_400);
        String dockerHost = r.string("DOCKER_HOST");
        if (!dockerHost.matches("(unix|tcp|npipe)://\\S*")) {
            problems.add("DOCKER_HOST: expected unix:///path/to/docker.sock or tcp://host:port, got '" + shown(dockerHost) + "'");
        }
        String level = r.string("LOG_LEVEL").toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level)) {
            problems.add("LOG_LEVEL: must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF, got '" + level + "'");
        }

        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new HomelabConfig(port, path, apiKey, maxBody, maxAlerts, Duration.ofMillis(ackTimeoutMs), Duration.ofMillis(lingerMs),
                Duration.ofSeconds(dedupSeconds), reminders, flapChanges, Duration.ofSeconds(flapSeconds),
                stormThreshold,
                bootstrap, embeddedPort, prefix, partitions, rf, retentionDays, token, chats, Set.copyOf(allowed), apiUrl, zone,
                dataDir, homelabConfig, processorPort, processorBind, processorHost, processorKey, Duration.ofDays(historyDays),
                processorApi, alertmanager,
                Duration.ofSeconds(approvalSeconds), level,
                new Remediation(autohealing, dryRun, Duration.ofSeconds(cooldown), cap, Duration.ofSeconds(verify), Duration.ofSeconds(actionTimeout),
                        breakerFailures, Duration.ofSeconds(breakerWindow), dockerHost),
                new Deployment(embeddedBind, advertisedHost, managementBind, managementPort), watchdogName, Duration.ofSeconds(watchdogSeconds));
    }

    /** Whether {@code host} names this machine's loopback interface only. */
    public static boolean isLoopback(String host) {
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        return h.equals("localhost") || h.equals("::1") || h.equals("[::1]") || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** A URL for an error message: without user and password, never longer than 200 characters. */
    static String shown(String url) {
        String s = url.replaceAll("//[^/@]*@", "//…@");
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** Reads typed values, recording a problem (and returning the default) for each bad one. */
    private static final class Reader {
        private final Map<String, String> values;
        private final List<String> problems;
        private final Map<String, String> defaults = new HashMap<>();

        Reader(Map<String, String> values, List<String> problems) {
            this.values = values;
            this.problems = problems;
            for (Setting s : SETTINGS) {
                if (s.defaultValue() != null) {
                    defaults.put(s.name(), s.defaultValue());
                }
            }
        }

        Optional<String> optional(String name) {
            String v = values.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
        }

        String string(String name) {
            return optional(name).orElse(defaults.get(name));
        }

        int integer(String name, int min, int max) {
            return parseInt(name, string(name), min, max);
        }

        int parseInt(String name, String text, int min, int max) {
            try {
                int v = Integer.parseInt(text);
                if (v < min || v > max) {
                    problems.add(name + ": must be between " + min + " and " + max + ", got " + v);
                    return defaultInt(name, min);
                }
                return v;
            } catch (NumberFormatException e) {
                problems.add(name + ": must be a whole number, got '" + text + "'");
                return defaultInt(name, min);
            }
        }

        private int defaultInt(String name, int min) {
            String d = defaults.get(name);
            return d == null ? min : Integer.parseInt(d);
        }

        /** An http(s) URL with a host; empty (and a problem recorded) otherwise. */
        Optional<URI> httpUrl(String name, String text) {
            try {
                URI u = URI.create(text);
                if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
                    return Optional.of(u);
                }
                problems.add(name + ": must be an http(s) URL with a host, got '" + shown(text) + "'");
            } catch (IllegalArgumentException e) {
                String why = e.getCause() instanceof java.net.URISyntaxException syntax
                        ? syntax.getReason() + " at index " + syntax.getIndex() : "unreadable";
                problems.add(name + ": not a URL (" + why + ")");
            }
            return Optional.empty();
        }

        boolean bool(String name) {
            String v = string(name).toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "true", "yes", "on", "1" -> true;
                case "false", "no", "off", "0" -> false;
                default -> {
                    problems.add(name + ": must be true or false, got '" + string(name) + "'");
                    yield Boolean.parseBoolean(defaults.get(name));
                }
            };
        }

        List<String> list(String name) {
            return optional(name).map(v -> java.util.Arrays.stream(v.split(","))
                    .map(String::strip).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        }

        /** A secret given directly or as NAME_FILE (Docker secrets), never both. */
        Optional<String> secret(String name) {
            Optional<String> direct = optional(name);
            Optional<String> file = optional(name + "_FILE");
            if (direct.isPresent() && file.isPresent()) {
                problems.add(name + ": set at most one of " + name + " and " + name + "_FILE");
                return direct;
            }
            if (file.isPresent()) {
                try {
                    String v = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
                    if (v.isEmpty()) {
                        problems.add(name + "_FILE: " + file.get() + " is empty");
                        return Optional.empty();
                    }
                    return Optional.of(v);
                } catch (IOException e) {
                    problems.add(name + "_FILE: cannot read " + file.get() + ": " + e.getMessage());
                    return Optional.empty();
                }
            }
            return direct;
        }
    }
}
