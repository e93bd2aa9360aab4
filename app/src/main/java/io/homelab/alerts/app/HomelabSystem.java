package io.homelab.alerts.app;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.kafka.TopicProvisioner;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.ingest.IngestApp;
import io.homelab.alerts.ingest.IngestConfig;
import io.homelab.alerts.ingest.sink.KafkaWebhookSink;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.homelab.alerts.notifier.NotifierConfig;
import io.homelab.alerts.notifier.channel.Channel;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.commands.CommandHandler;
import io.homelab.alerts.notifier.commands.Publisher;
import io.homelab.alerts.common.health.Readiness;
import java.util.Optional;
import io.homelab.alerts.notifier.delivery.RateLimiter;
import io.homelab.alerts.notifier.pipeline.NotificationRecords;
import io.homelab.alerts.notifier.pipeline.PipelineView;
import io.homelab.alerts.notifier.pipeline.RemediationView;
import io.homelab.alerts.notifier.commands.ProcessorApiClient;
import io.homelab.alerts.notifier.commands.TelegramCommands;
import io.homelab.alerts.notifier.silence.AlertmanagerSilences;
import java.net.URI;
import io.homelab.alerts.notifier.channel.console.ConsoleChannel;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.NotifierService;
import io.homelab.alerts.processor.ProcessorConfig;
import io.homelab.alerts.processor.ProcessorService;
import io.homelab.alerts.processor.dedup.DedupPolicy;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.processor.route.RouteTableLoader;
import io.homelab.alerts.notifier.channel.webhook.WebhookChannel;
import io.homelab.alerts.notifier.channel.webhook.WebhookConfig;
import io.homelab.alerts.notifier.channel.webhook.WebhookDelivery;
import io.homelab.alerts.processor.route.Router;
import io.homelab.alerts.remediator.RemediatorService;
import io.homelab.alerts.remediator.RemediatorSettings;
import io.homelab.alerts.remediator.executor.Executors;
import io.homelab.alerts.remediator.rails.SafetyRails;
import io.homelab.alerts.remediator.runbook.RunbookLoader;
import io.homelab.alerts.remediator.runbook.Runbooks;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running system: builds every selected service from the configuration and starts it,
 * on the embedded broker when no external Kafka is configured. Closing stops them in reverse.
 */
public final class HomelabSystem implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HomelabSystem.class);
    /** How long start-up waits for an external Kafka that is still coming up (docker compose). */
    private static final Duration KAFKA_WAIT = Duration.ofSeconds(120);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private EmbeddedKafka embedded;
    private IngestApp ingest;
    private ProcessorService processor;
    private io.homelab.alerts.common.health.ManagementServer management;
    private String bootstrapServers;

    private HomelabSystem() {}

    /**
     * Starts {@code targets}. {@code console} receives messages when no Telegram token is set;
     * {@code onFatal} is told when a part fails beyond recovery (the caller decides to exit).
     */
    public static HomelabSystem start(HomelabConfig config, Set<Target> targets, PrintStream console, Consumer<String> onFatal)
            throws Exception {
        HomelabSystem system = new HomelabSystem();
        try {
            system.startAll(config, targets, console, onFatal);
            return system;
        } catch (Exception | Error e) {
            system.close();
            throw e;
        }
    }

    private void startAll(HomelabConfig config, Set<Target> targets, PrintStream console, Consumer<String> onFatal) throws Exception {
        long t0 = System.nanoTime();
        Topics topics = Topics.withPrefix(config.topicPrefix());
        boolean embed = config.kafkaBootstrapServers().isEmpty() || targets.contains(Target.BROKER);
        if (targets.contains(Target.BROKER) && config.kafkaBootstrapServers().isPresent()) {
            throw new io.homelab.alerts.common.config.ConfigException(List.of("KAFKA_BOOTSTRAP_SERVERS: --target broker runs the embedded broker,"
                    + " so it must not be set for this process (it is for the other services, pointing at this one)"));
        }
        if (embed || targets.contains(Target.PROCESSOR)) {
            // Before anything in DATA_DIR is opened: a second instance must change nothing.
            DataDirLock lock = DataDirLock.acquire(config.dataDir());
            started.push(lock);
        }
        if (!embed) {
            bootstrapServers = config.kafkaBootstrapServers().get();
            log.info("Using Kafka at {}", bootstrapServers);
        } else {
            HomelabConfig.Deployment d = config.deployment();
            embedded = EmbeddedKafka.start(config.dataDir(), d.embeddedKafkaBind(), config.embeddedKafkaPort(), d.kafkaAdvertisedHost(), onFatal);
            started.push(embedded);
            bootstrapServers = embedded.bootstrapServers();
        }
        provisionTopics(config, topics);

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        // Services count into the global registry (notifications, actions, consumer lag): this one serves them.
        io.micrometer.core.instrument.Metrics.addRegistry(registry);
        started.push(() -> io.micrometer.core.instrument.Metrics.removeRegistry(registry));
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        started.push(gc);

        // /ready lists every part; the parts are added as they start, and it says "starting" until all did.
        List<Readiness> readiness = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean allStarted = new java.util.concurrent.atomic.AtomicBoolean();
        readiness.add(Readiness.of("start-up", () -> allStarted.get() ? Optional.empty() : Optional.of("still starting")));
        io.homelab.alerts.common.health.KafkaReadiness kafkaReady = new io.homelab.alerts.common.health.KafkaReadiness(bootstrapServers);
        started.push(kafkaReady);
        readiness.add(kafkaReady);
        if (targets.contains(Target.INGEST)) {
            // First: a webhook is safe once it is in Kafka, so Alertmanager gets its 200 while the rest starts.
            IngestConfig ingestConfig = IngestConfig.from(config);
            KafkaWebhookSink sink = new KafkaWebhookSink(bootstrapServers, topics.webhooks(), ingestConfig, registry);
            started.push(sink);
            ingest = new IngestApp(ingestConfig, sink, registry, Clock.systemUTC(), readiness).start();
            started.push(ingest);
        }
        if (targets.contains(Target.PROCESSOR)) {
            ProcessorConfig processorConfig = processorConfig(config, topics, bootstrapServers);
            processor = new ProcessorService(processorConfig, registry, onFatal).start();
            started.push(processor);
        }
        if (processor != null) {
            readiness.add(processor.readiness());
        }
        if (targets.contains(Target.NOTIFIER)) {
            Channel channel;
            List<String> chats = config.telegramChatIds();
            RateLimiter limiter = new RateLimiter(Clock.systemUTC()); // shared by the alerts and the bot's replies
            if (config.telegramBotToken().isPresent()) {
                TelegramChannel telegram = new TelegramChannel(config.telegramBotToken().get(), config.telegramApiUrl());
                started.push(telegram::close);
                channel = telegram;
                log.info("Notifier sends to Telegram chat(s) {} via {}", chats, config.telegramApiUrl());
                Publisher publisher = new Publisher(bootstrapServers, topics);
                started.push(publisher);
                PipelineView pipeline = new PipelineView(topics, bootstrapServers, config.remediation().autohealing());
                started.push(pipeline);
                RemediationView remediations = new RemediationView(topics, bootstrapServers).start();
                started.push(remediations);
                NotificationRecords records = new NotificationRecords(topics, bootstrapServers);
                started.push(records);
                // The bot answers in the default chats and in every chat a route sends to.
                Set<String> answerable = new java.util.LinkedHashSet<>(chats);
                routeChats(config).forEach(answerable::add);
                CommandHandler handler = new CommandHandler(answerable, config.telegramAllowedUsers(),
                        new ProcessorApiClient(processorApi(config), config.processorApiKey()), publisher.control(), publisher.decisions(),
                        pipeline, remediations, records, config.approvalTimeout(),
                        config.alertmanagerUrl().map(AlertmanagerSilences::new).orElse(null), config.timeZone(), Clock.systemUTC());
                TelegramCommands commands = new TelegramCommands(config.telegramBotToken().get(), config.telegramApiUrl(), handler, telegram,
                        limiter, Clock.systemUTC()).start();
                started.push(commands);
                readiness.add(commands.readiness());
            } else {
                channel = new ConsoleChannel(console);
                chats = chats.isEmpty() ? List.of("console") : chats;
                log.warn("TELEGRAM_BOT_TOKEN is not set: alert messages are printed on the console instead of sent to Telegram");
            }
            List<String> reportTo = chats;
            Channel reports = channel;
            for (WebhookConfig webhook : webhooks(config)) {
                // A refused alert is said once in the default chats, directly: it is rare, and must not wait behind the queue.
                Consumer<String> report = html -> reportTo.forEach(chat -> {
                    DeliveryResult result = reports.send(new OutgoingMessage(chat, null, html));
                    if (!(result instanceof DeliveryResult.Delivered)) {
                        log.warn("Could not tell chat {} that webhook {} refused an alert: {}", chat, webhook.name(), result);
                    }
                });
                started.push(new WebhookDelivery(topics, bootstrapServers, new WebhookChannel(webhook), maxRecordBytes(config), report, onFatal)
                        .start());
                log.info("Webhook {} gets the alerts its routes send to {}", webhook.name(), webhook.url().getHost());
            }
            NotifierService notifier = new NotifierService(new NotifierConfig(topics, bootstrapServers, chats, config.timeZone(),
                    maxRecordBytes(config), config.stormThreshold(), config.telegramBotToken().isPresent() && config.alertmanagerUrl().isPresent(),
                    config.approvalTimeout()),
                    channel, limiter, onFatal).start();
            started.push(notifier);
            readiness.add(notifier.readiness());
        }
        if (targets.contains(Target.REMEDIATOR)) {
            Executors executors = new Executors(config.remediation().dockerHost(), Executors.Programs.SYSTEM, environment());
            started.push(executors);
            RemediatorService remediator = new RemediatorService(topics, bootstrapServers, remediatorSettings(config), runbooks(config), executors,
                    Clock.systemUTC(), onFatal).start();
            started.push(remediator);
            readiness.add(remediator.readiness());
        }
        if (!targets.contains(Target.INGEST)) {
            // No webhook port to share: the same answers on a port of their own, for health checks and Prometheus.
            HomelabConfig.Deployment d = config.deployment();
            management = new io.homelab.alerts.common.health.ManagementServer(d.managementBind(), d.managementPort(), readiness, registry::scrape);
            started.push(management);
        }
        allStarted.set(true);
        markStartedForClassDataArchive();
        log.info("homelab-alerts started ({}) in {} ms", targets, Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    private void provisionTopics(HomelabConfig config, Topics topics) throws Exception {
        var settings = new TopicProvisioner.TopicSettings(config.topicPartitions(), config.topicReplicationFactor(),
                config.webhookRetentionDays(), maxRecordBytes(config));
        long deadline = System.nanoTime() + KAFKA_WAIT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                try {
                    new TopicProvisioner(admin, Duration.ofSeconds(10)).provision(TopicProvisioner.specs(topics, settings));
                    return;
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    boolean transient_ = e instanceof java.util.concurrent.TimeoutException
                            || e.getCause() instanceof org.apache.kafka.common.errors.RetriableException;
                    if (!transient_) {
                        // Authorization, invalid replication factor, policy violations: waiting will not help.
                        throw new IllegalStateException("Kafka at " + bootstrapServers + " refused to create the topics: "
                                + e.getCause().getMessage(), e.getCause());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + KAFKA_WAIT.toSeconds()
                                + " s (KAFKA_BOOTSTRAP_SERVERS): " + e.getMessage(), e);
                    }
                    log.warn("Waiting for Kafka at {} to create topics: {}", bootstrapServers, e.getMessage());
                    Thread.sleep(2000);
                }
            }
        }
    }

    /** The processor's configuration from the settings: the live processor's, and the one {@code replay} re-runs with. */
    public static ProcessorConfig processorConfig(HomelabConfig config, Topics topics, String bootstrapServers) {
        return new ProcessorConfig(topics, bootstrapServers, config.dataDir().resolve("streams"),
                new DedupPolicy(config.dedupWindow(), config.reminders(), config.flapChanges(), config.flapWindow()),
                router(config), ProcessorConfig.DEFAULT_COMMIT_INTERVAL, maxRecordBytes(config),
                new io.homelab.alerts.common.model.WebhookLimits(config.maxAlerts()), config.historyRetention(),
                new ProcessorConfig.HistoryApiSettings(config.processorHttpBind(), config.processorHttpHost(),
                        config.processorHttpPort(), config.processorApiKey()),
                new io.homelab.alerts.processor.watchdog.WatchdogSettings(config.watchdogAlertname(), config.watchdogSilence(), config.timeZone()));
    }

    /**
     * The routes of HOMELAB_CONFIG, or the defaults when it is unset.
     *
     * @throws io.homelab.alerts.common.config.ConfigException with every problem in the file
     */
    public static Router router(HomelabConfig config) {
        Router defaults = new DefaultRoutes();
        return config.homelabConfig().<Router>map(path -> RouteTableLoader.load(path, defaults)).orElse(defaults);
    }

    /**
     * The outgoing webhooks of HOMELAB_CONFIG ({@code ${VAR}} from the environment, then ./.env).
     *
     * @throws io.homelab.alerts.common.config.ConfigException with every problem in their definitions
     */
    public static List<WebhookConfig> webhooks(HomelabConfig config) {
        if (config.homelabConfig().isEmpty()) {
            return List.of();
        }
        return WebhookConfig.load(config.homelabConfig().get(), environment());
    }

    /**
     * Every problem in HOMELAB_CONFIG at once: routes, webhooks and runbooks (each part is read by
     * its own service, but a person fixing the file wants the whole list).
     *
     * @throws io.homelab.alerts.common.config.ConfigException with all of them
     */
    public static void validate(HomelabConfig config) {
        List<String> problems = new ArrayList<>();
        for (Runnable part : List.<Runnable>of(() -> router(config), () -> webhooks(config), () -> runbooks(config))) {
            try {
                part.run();
            } catch (io.homelab.alerts.common.config.ConfigException e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new io.homelab.alerts.common.config.ConfigException(problems.stream().distinct().toList());
        }
    }

    /**
     * The runbooks of HOMELAB_CONFIG and the built-in ones.
     *
     * @throws io.homelab.alerts.common.config.ConfigException with every problem in their definitions
     */
    public static Runbooks runbooks(HomelabConfig config) {
        return config.homelabConfig().map(path -> RunbookLoader.load(path, environment())).orElseGet(RunbookLoader::builtIn);
    }

    static RemediatorSettings remediatorSettings(HomelabConfig config) {
        HomelabConfig.Remediation r = config.remediation();
        return new RemediatorSettings(config.approvalTimeout(), r.autohealing(), r.dryRun(),
                new SafetyRails.Settings(r.cooldown(), r.hourlyCap(), r.breakerFailures(), r.breakerWindow()), r.verifyWithin(),
                r.actionTimeout(), config.telegramAllowedUsers());
    }

    /** The environment over ./.env: where {@code ${VAR}} secrets of webhooks and HTTP actions come from. */
    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(io.homelab.alerts.common.config.DotEnv.read(Path.of(".env"), new ArrayList<>()));
        env.putAll(System.getenv());
        return env;
    }

    /** Where the notifier reads the history API: this process's own when the processor runs here, else PROCESSOR_API_URL. */
    private URI processorApi(HomelabConfig config) {
        if (processor == null) {
            return config.processorApiUrl();
        }
        String bind = config.processorHttpBind();
        String host = bind.equals("0.0.0.0") || bind.equals("::") || bind.equals("[::]") ? "127.0.0.1" : bind;
        return URI.create("http://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + processor.apiPort());
    }

    /** The chats routes name beyond the default ones (HOMELAB_CONFIG), so the bot answers presses and commands there too. */
    static List<String> routeChats(HomelabConfig config) {
        Router router = router(config);
        if (router instanceof io.homelab.alerts.processor.route.RouteTable table) {
            return table.namedChats().stream().map(io.homelab.alerts.common.model.ChatTarget::chatId).distinct().toList();
        }
        return List.of();
    }

    /** The largest record any topic takes: the largest accepted webhook, with room for key, headers and wrapping. */
    static int maxRecordBytes(HomelabConfig config) {
        return config.maxBodyBytes() + 128 * 1024;
    }

    /**
     * bin/homelab-alerts asks the JVM to write a class-data archive when this first run stops, and keeps it
     * only if this file exists: a run that stopped before everything started would leave a poor one.
     */
    private static void markStartedForClassDataArchive() {
        String marker = System.getProperty("homelab.cds.started");
        if (marker != null) {
            try {
                java.nio.file.Files.write(java.nio.file.Path.of(marker), new byte[0]);
            } catch (java.io.IOException | RuntimeException e) {
                log.debug("Could not write {}: the class-data archive of this run will not be kept", marker, e);
            }
        }
    }

    /** The port the webhook receiver listens on, when ingest runs here. */
    public int webhookPort() {
        return ingest.port();
    }

    /** The port of /health, /ready and /metrics, when ingest does not run here. */
    public int managementPort() {
        return management.port();
    }

    /** The port of the alert history API, when the processor runs here. */
    public int processorApiPort() {
        return processor.apiPort();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                log.warn("Error stopping {}: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
