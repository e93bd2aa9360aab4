package io.homelab.alerts.app;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.config.Setting;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code homelab-alerts}: the one executable. {@code main} only parses, wires and waits. */
@Command(name = "homelab-alerts", mixinStandardHelpOptions = true, version = "homelab-alerts 0.1.0",
        description = "Turns Prometheus Alertmanager webhooks into Telegram notifications and safe automatic fixes.",
        subcommands = {HomelabAlerts.Run.class, HomelabAlerts.CheckConfig.class, ReplayCommands.Replay.class, ReplayCommands.Export.class,
                CommandLine.HelpCommand.class})
public final class HomelabAlerts implements Callable<Integer> {
    static final int EXIT_CONFIG = 2;
    static final int EXIT_START = 1;
    static final int EXIT_FATAL = 70;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /** {@code homelab-alerts run [--target ...]}. */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the services (default: all of them, on an embedded Kafka).")
    static final class Run implements Callable<Integer> {
        private static final Logger log = LoggerFactory.getLogger(Run.class);

        @Option(names = {"-t", "--target"}, defaultValue = "all", paramLabel = "TARGETS",
                description = "all, or a comma-separated list of ingest, processor, notifier, remediator (default: ${DEFAULT-VALUE})")
        String target;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Set<Target> targets;
            try {
                targets = Target.parse(target);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--target: " + e.getMessage());
            }
            HomelabConfig config;
            try {
                config = HomelabConfig.fromEnvironment();
                HomelabSystem.validate(config); // HOMELAB_CONFIG problems stop the start too, with the others' exit code
            } catch (ConfigException e) {
                printProblems(spec.commandLine().getErr(), "cannot start,", e);
                return EXIT_CONFIG;
            }
            // logback.xml reads LOG_LEVEL from the environment only; this applies a .env value too.
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.homelab"))
                    .setLevel(ch.qos.logback.classic.Level.toLevel(config.logLevel()));
            CountDownLatch stop = new CountDownLatch(1);
            HomelabSystem system;
            try {
                system = HomelabSystem.start(config, targets, System.out, fault -> {
                    log.error("FATAL: {}. Stopping so the supervisor can restart homelab-alerts.", fault);
                    // exit() from a fresh thread: the caller may be a Kafka thread that shutdown waits for.
                    Thread exit = new Thread(() -> System.exit(EXIT_FATAL), "fatal-exit");
                    exit.setDaemon(true);
                    exit.start();
                });
            } catch (Exception e) {
                log.debug("Start-up failure", e);
                log.error("homelab-alerts could not start: {}", rootMessage(e));
                return EXIT_START;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("Shutting down");
                system.close();
                if (System.getProperty("homelab.cds.started") != null) {
                    log.info("Stopped; the JVM now writes the class-data archive for faster starts (once, a few seconds)");
                }
                stop.countDown();
            }, "shutdown"));
            stop.await();
            return 0;
        }
    }

    /** The innermost cause's message: "address already in use", not three layers of wrapping. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String outer = e.getMessage();
        String inner = t.getClass().getSimpleName() + ": " + t.getMessage();
        return t == e || outer == null || outer.contains(String.valueOf(t.getMessage())) ? String.valueOf(outer) : outer + " (" + inner + ")";
    }

    static void printProblems(PrintWriter err, String what, ConfigException e) {
        err.println("homelab-alerts: " + what + " " + e.problems().size() + " problem(s) in the configuration:");
        e.problems().forEach(p -> err.println("  - " + p));
        err.println("Run 'homelab-alerts --help' for every setting and its default.");
        err.flush();
    }

    /** {@code homelab-alerts check-config}: validates the settings and HOMELAB_CONFIG without starting anything. */
    @Command(name = "check-config", mixinStandardHelpOptions = true,
            description = "Check the environment, .env and HOMELAB_CONFIG; exit 0 when valid, 2 with every problem otherwise.")
    static final class CheckConfig implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            try {
                HomelabConfig config = HomelabConfig.fromEnvironment();
                HomelabSystem.validate(config);
                var router = HomelabSystem.router(config);
                int webhooks = HomelabSystem.webhooks(config).size();
                var runbooks = HomelabSystem.runbooks(config).all();
                long own = runbooks.stream().filter(r -> !r.builtIn()).count();
                String routes = router instanceof io.homelab.alerts.processor.route.RouteTable table
                        ? table.routes().size() + " route(s), " + webhooks + " webhook(s) and " + own + " runbook(s) from "
                                + config.homelabConfig().orElseThrow() + ", " + (runbooks.size() - own) + " built-in runbook(s)"
                        : "default routes and " + runbooks.size() + " built-in runbook(s) (HOMELAB_CONFIG unset)";
                spec.commandLine().getOut().println("configuration OK: " + routes);
                spec.commandLine().getOut().flush();
                return 0;
            } catch (ConfigException e) {
                printProblems(spec.commandLine().getErr(), "check-config found", e);
                return EXIT_CONFIG;
            }
        }
    }

    static String settingsHelp() {
        StringBuilder sb = new StringBuilder("%nSettings (environment variables; a .env file in the working directory is read too, the environment wins):%n");
        for (Setting s : HomelabConfig.SETTINGS) {
            String def = s.defaultValue() == null ? "unset" : s.defaultValue();
            sb.append("  ").append(s.name()).append(" (default: ").append(def.replace("%", "%%")).append(")%n");
            sb.append("      ").append(s.description().replace("%", "%%")).append("%n");
        }
        return sb.toString();
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new HomelabAlerts());
        cli.setUsageHelpWidth(120);
        cli.getCommandSpec().usageMessage().footer(settingsHelp());
        cli.getSubcommands().get("run").getCommandSpec().usageMessage().footer(settingsHelp());
        return cli;
    }

    public static void main(String[] args) {
        // The JDK's HTTP server (history API, management port) would write an answer's head and body in two
        // packets and then wait out the client's delayed ACK: 40 ms an answer.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        System.exit(commandLine().execute(args));
    }
}
