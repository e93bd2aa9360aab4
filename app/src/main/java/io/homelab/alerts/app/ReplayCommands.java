package io.homelab.alerts.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import io.homelab.alerts.app.replay.ClusterWebhookLog;
import io.homelab.alerts.app.replay.Comparison;
import io.homelab.alerts.app.replay.Exporter;
import io.homelab.alerts.app.replay.LogDirWebhookLog;
import io.homelab.alerts.app.replay.Outcome;
import io.homelab.alerts.app.replay.Progress;
import io.homelab.alerts.app.replay.ReplayRun;
import io.homelab.alerts.app.replay.ReportWriter;
import io.homelab.alerts.app.replay.TimeSpec;
import io.homelab.alerts.app.replay.WebhookLog;
import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.config.Setting;
import io.homelab.alerts.common.kafka.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code replay} and {@code export}: the raw webhook log read by time and run through the live
 * processor's decisions, in isolation (own state in memory, no consumer group, nothing written to Kafka).
 */
final class ReplayCommands {
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNAVAILABLE = 1;
    static final int EXIT_NO_DATA = 3;
    static final int EXIT_INTERRUPTED = 130;

    private ReplayCommands() {}

    /** What both commands take: the range, and the settings to decide with. */
    abstract static class RangeCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--from", required = true, paramLabel = "TIME",
                description = "start of the range: ISO-8601 (2026-11-24T10:00:00Z, 2026-11-24), or relative (-7d, -24h, -30m, now)")
        String from;

        @Option(names = "--to", defaultValue = "now", paramLabel = "TIME", description = "end of the range, excluded (default: ${DEFAULT-VALUE})")
        String to;

        @Option(names = "--warmup", defaultValue = "6h", paramLabel = "DURATION",
                description = "webhooks this long before --from are run too, unreported, so alerts already firing are not taken"
                        + " for new ones (default: ${DEFAULT-VALUE}; 0 for none)")
        String warmup;

        volatile boolean stop;
        final CountDownLatch done = new CountDownLatch(1);

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        int usage(String message) {
            err().println("homelab-alerts " + spec.name() + ": " + message);
            err().flush();
            return EXIT_USAGE;
        }

        /** Logs to stderr, warnings only: stdout is the report's (or the rows'). */
        static void quietLogs() {
            LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
            ctx.getLogger("io.homelab").setLevel(Level.ERROR); // the replayed processors' own words ("… is blind") are not news
            ctx.getLogger("org.apache.kafka").setLevel(Level.ERROR); // reconnect warnings: the command says itself what is wrong
            var appender = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("OUT");
            if (appender instanceof ConsoleAppender<?> console) {
                console.stop();
                console.setTarget("System.err");
                console.start();
            }
        }

        /** Ctrl-C: the read stops at the next record, what was started is cleaned up, then the JVM exits (130). */
        void stopOnSignal() {
            Thread main = Thread.currentThread();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop = true;
                try {
                    if (!done.await(10, TimeUnit.SECONDS)) {
                        main.interrupt();
                    }
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }, "replay-stop"));
        }

        /** Kafka or the log cannot be read: one line on stderr, exit 1. */
        int unavailable(String message) {
            err().println("homelab-alerts " + spec.name() + ": " + message);
            err().flush();
            return EXIT_UNAVAILABLE;
        }

        /** Ctrl-C came: say so; what the command wrote is already undone (no --out file, nothing on Kafka ever). */
        int interrupted() {
            err().println("homelab-alerts " + spec.name() + ": interrupted; nothing was written"
                    + (this instanceof Export e && e.out == null ? " but the rows already on stdout" : ""));
            err().flush();
            return EXIT_INTERRUPTED;
        }

        Instant[] range(HomelabConfig config, Instant now) {
            Instant f = TimeSpec.parse(from, now, config.timeZone());
            Instant t = TimeSpec.parse(to, now, config.timeZone());
            if (f.isAfter(now)) {
                throw new IllegalArgumentException("--from " + from + " is in the future (now is " + shown(now) + ")");
            }
            if (!f.isBefore(t)) {
                throw new IllegalArgumentException("--from " + from + " (" + shown(f) + ") must be before --to " + to + " (" + shown(t) + ")");
            }
            return new Instant[] {f, t.isAfter(now) ? now : t};
        }

        static String shown(Instant t) {
            return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        }

        Duration warmup() {
            String w = warmup.strip();
            if (w.equals("0")) {
                return Duration.ZERO;
            }
            Instant zero = Instant.ofEpochSecond(1_000_000_000L);
            try {
                return Duration.between(TimeSpec.parse("-" + w, zero, java.time.ZoneOffset.UTC), zero);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--warmup " + warmup + ": use a duration such as 6h, 30m, 1d or 0");
            }
        }

        static WebhookLog open(HomelabConfig config) {
            String topic = Topics.withPrefix(config.topicPrefix()).webhooks().name();
            return config.kafkaBootstrapServers().<WebhookLog>map(b -> new ClusterWebhookLog(b, topic))
                    .orElseGet(() -> new LogDirWebhookLog(config.dataDir().resolve("kafka"), topic));
        }

        static HomelabConfig settings(Map<String, String> env) {
            HomelabConfig config = HomelabConfig.load(env, Path.of(".env"));
            HomelabSystem.validate(config);
            return config;
        }

        static Map<String, String> environment() {
            return new HashMap<>(System.getenv());
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Re-run the live decisions (explode, fingerprint, dedup, flapping, routing, runbooks) over the webhooks"
                    + " received in a range, in isolation, and report what happened; with --config or --set, also what the new"
                    + " settings would have changed (a back-test).",
                    "Exit: 0 report printed, 1 Kafka unreachable, 2 bad input, 3 no webhook in the range, 130 interrupted."})
    static final class Replay extends RangeCommand {
        @Option(names = "--config", paramLabel = "FILE", description = "a new HOMELAB_CONFIG (routes, runbooks) to back-test")
        Path config;

        @Option(names = "--set", paramLabel = "NAME=VALUE", description = "a new value of a setting to back-test (repeatable), e.g. ALERT_DEDUP_WINDOW=600")
        List<String> sets = new ArrayList<>();

        @Option(names = "--format", defaultValue = "text", paramLabel = "FORMAT", description = "text, json or csv (default: ${DEFAULT-VALUE})")
        String format;

        @Override
        public Integer call() {
            try {
                return run();
            } finally {
                done.countDown();
            }
        }

        private int run() {
            if (!List.of("text", "json", "csv").contains(format)) {
                return usage("--format " + format + ": unknown; use text, json or csv");
            }
            quietLogs();
            Map<String, String> env = environment();
            Map<String, String> changed = new LinkedHashMap<>();
            for (String s : sets) {
                int eq = s.indexOf('=');
                String name = eq < 0 ? s : s.substring(0, eq).strip();
                if (eq < 0 || HomelabConfig.SETTINGS.stream().map(Setting::name).noneMatch(name::equals)) {
                    return usage("--set " + s + ": " + (eq < 0 ? "use NAME=VALUE" : name + " is not a setting homelab-alerts knows"
                            + " (homelab-alerts --help lists them)"));
                }
                changed.put(name, s.substring(eq + 1));
            }
            HomelabConfig live;
            HomelabConfig next = null;
            try {
                live = settings(env);
            } catch (ConfigException e) {
                HomelabAlerts.printProblems(err(), "replay: the settings in force have", e);
                return EXIT_USAGE;
            }
            if (config != null || !changed.isEmpty()) {
                Map<String, String> env2 = new HashMap<>(env);
                env2.putAll(changed);
                if (config != null) {
                    env2.put("HOMELAB_CONFIG", config.toString());
                }
                try {
                    next = settings(env2);
                } catch (ConfigException e) {
                    HomelabAlerts.printProblems(err(), "replay: the new settings have", e);
                    return EXIT_USAGE;
                }
            }
            Instant[] range;
            Duration warm;
            try {
                range = range(live, Instant.now());
                warm = warmup();
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            List<String> described = new ArrayList<>();
            if (config != null) {
                described.add("--config " + config);
            }
            changed.forEach((k, v) -> described.add("--set " + k + "=" + v));
            String what = String.join(" ", described);
            stopOnSignal();
            try (WebhookLog log = open(live)) {
                ReportWriter out = new ReportWriter(live.timeZone());
                ReplayRun base = run(live, range[0], out.report());
                ReplayRun alt = next == null ? null : run(next, range[0], o -> { });
                Comparison comparison = next == null ? null : new Comparison(live.timeZone());
                Progress progress = new Progress(System.err, Progress.stderrIsTerminal());
                long[] alerts = {0};
                long started = System.nanoTime();
                long from = range[0].toEpochMilli();
                log.read(from - warm.toMillis(), range[1].toEpochMilli(), r -> {
                    if (r.timestamp() >= from) {
                        out.report().webhook();
                    }
                    List<Outcome> a = base.feed(r);
                    alerts[0] += a.size();
                    progress.alerts(alerts[0]);
                    if (alt != null) {
                        comparison.record(a, alt.feed(r));
                    }
                }, progress, () -> stop);
                progress.finish();
                if (stop) {
                    return interrupted();
                }
                List<Outcome> lastBase = base.finish(range[1].toEpochMilli());
                if (alt != null) {
                    comparison.record(lastBase, alt.finish(range[1].toEpochMilli()));
                    comparison.finish();
                }
                out.report().unusable(base.unusable());
                if (out.report().webhooks() == 0) {
                    err().println("homelab-alerts replay: no webhook was received between " + range[0] + " and " + range[1] + " in "
                            + log.describe() + " (it holds " + log.size() + " in all)");
                    err().flush();
                    return EXIT_NO_DATA;
                }
                String title = "Replay of " + out.time(range[0]) + " to " + out.time(range[1]) + " from " + log.describe();
                PrintWriter stdout = spec.commandLine().getOut();
                out.ran(alerts[0], (System.nanoTime() - started) / 1e9);
                out.write(stdout, format, title, comparison, what);
                stdout.flush();
                return 0;
            } catch (org.apache.kafka.common.KafkaException e) {
                return stop ? interrupted() : unavailable("Kafka failed: " + HomelabAlerts.rootMessage(e));
            } catch (WebhookLog.Unavailable e) {
                return stop ? interrupted() : unavailable(e.getMessage());
            } catch (java.io.IOException e) {
                return unavailable("cannot read the webhook log: " + e.getMessage());
            }
        }

        private static ReplayRun run(HomelabConfig config, Instant from, Consumer<Outcome> sink) {
            String bootstrap = config.kafkaBootstrapServers().orElse("replay");
            return new ReplayRun(HomelabSystem.processorConfig(config, Topics.withPrefix(config.topicPrefix()), bootstrap),
                    HomelabSystem.runbooks(config), config.remediation().autohealing(), from.toEpochMilli(), sink);
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Write one row per alert event received in a range, with its decision and route, as JSON lines or CSV"
                    + " (columns: see the README, 'Export').",
                    "Exit: 0 written, 1 Kafka unreachable, 2 bad input, 3 no webhook in the range, 130 interrupted (--out left untouched)."})
    static final class Export extends RangeCommand {
        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "jsonl or csv")
        String format;

        @Option(names = "--out", paramLabel = "FILE", description = "write here (replaced only once the export is complete); default: stdout")
        Path out;

        @Override
        public Integer call() {
            try {
                return run();
            } finally {
                done.countDown();
            }
        }

        private int run() {
            if (!List.of("jsonl", "csv").contains(format)) {
                return usage("--format " + format + ": unknown; use jsonl or csv");
            }
            quietLogs();
            HomelabConfig live;
            try {
                live = settings(environment());
            } catch (ConfigException e) {
                HomelabAlerts.printProblems(err(), "export: the settings have", e);
                return EXIT_USAGE;
            }
            Instant[] range;
            Duration warm;
            try {
                range = range(live, Instant.now());
                warm = warmup();
            } catch (IllegalArgumentException e) {
                return usage(e.getMessage());
            }
            if (out != null && out.toAbsolutePath().getParent() != null && !java.nio.file.Files.isDirectory(out.toAbsolutePath().getParent())) {
                return usage("--out " + out + ": directory " + out.toAbsolutePath().getParent() + " does not exist");
            }
            if (out != null && (out.toString().isBlank() || java.nio.file.Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !java.nio.file.Files.isRegularFile(out, java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
                return usage("--out " + out + ": not a regular file (a directory, a device or a link); give a file's path");
            }
            stopOnSignal();
            long[] webhooks = {0};
            try (WebhookLog log = open(live); Exporter exporter = Exporter.open(out, format, live.timeZone(), spec.commandLine().getOut())) {
                ReplayRun run = Replay.run(live, range[0], exporter);
                Progress progress = new Progress(System.err, Progress.stderrIsTerminal());
                long from = range[0].toEpochMilli();
                log.read(from - warm.toMillis(), range[1].toEpochMilli(), r -> {
                    if (r.timestamp() >= from) {
                        webhooks[0]++;
                    }
                    run.feed(r);
                    progress.alerts(exporter.rows());
                }, progress, () -> stop);
                progress.finish();
                if (stop) {
                    return interrupted();
                }
                run.finish(range[1].toEpochMilli());
                if (webhooks[0] == 0) {
                    err().println("homelab-alerts export: no webhook was received between " + range[0] + " and " + range[1] + " in "
                            + log.describe() + " (it holds " + log.size() + " in all); nothing was written");
                    err().flush();
                    return EXIT_NO_DATA;
                }
                exporter.commit();
                return 0;
            } catch (org.apache.kafka.common.KafkaException e) {
                return stop ? interrupted() : unavailable("Kafka failed: " + HomelabAlerts.rootMessage(e));
            } catch (WebhookLog.Unavailable e) {
                return stop ? interrupted() : unavailable(e.getMessage());
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                return unavailable(e.getMessage());
            }
        }
    }
}
