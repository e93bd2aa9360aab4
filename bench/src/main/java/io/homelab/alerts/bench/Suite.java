package io.homelab.alerts.bench;

import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The whole benchmark suite, each part several times, and one table: every figure with its goal,
 * its median and range over the runs, and the anchor measured in the same runs. A benchmark, not a
 * test: numbers depend on the machine (and on what else it does), so it is run by hand.
 */
public final class Suite {
    /** One run's figures. */
    record Run(FootprintProbe.Result footprint, FootprintProbe.Result plainJava, EndToEndBenchmark.Result e2e, double[] processorEventsPerSecond,
            IngestBenchmark.Ratio ingest, NotifierBenchmark.Burst burst, NotifierBenchmark.Backlog backlog) {}

    public static void main(String[] args) throws Exception {
        // The JDK's HTTP server (the bare anchor, and the Bot API stand-in) would otherwise write the head and the
        // body of an answer in two packets and wait out the client's delayed ACK: 40 ms an answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int runs = 3;
        int alerts = 30;
        int webhooks = 10_000;
        Path jar = Path.of("app/target/homelab-alerts.jar");
        Path launcher = Path.of("bin/homelab-alerts");
        Path alertmanager = Path.of("/usr/bin/prometheus-alertmanager");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--alerts" -> alerts = Integer.parseInt(args[++i]);
                case "--webhooks" -> webhooks = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--alertmanager" -> alertmanager = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: Suite [--runs 3] [--alerts 30] [--webhooks 10000] [--jar app/target/homelab-alerts.jar] "
                            + "[--launcher bin/homelab-alerts] [--alertmanager /usr/bin/prometheus-alertmanager]");
                    System.exit(2);
                }
            }
        }
        for (Path p : List.of(jar, launcher, alertmanager)) {
            if (!Files.exists(p)) {
                System.err.println(p + " not found" + (p == alertmanager ? ": apt-get install -y prometheus-alertmanager"
                        : ": build with ./mvnw -q -DskipTests package"));
                System.exit(2);
            }
        }
        byte[] payload;
        try (InputStream in = Suite.class.getResourceAsStream("/payloads/single-alert.json")) {
            payload = in.readAllBytes();
        }
        System.out.printf("homelab-alerts benchmark suite: %d run(s), %d cores, Java %s%n", runs, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        Path cds = Files.createTempDirectory("homelab-bench-cds");
        List<String> launch = List.of(launcher.toAbsolutePath().toString());
        Map<String, String> withCds = Map.of("HOMELAB_CDS", cds.toString());
        // The launcher's first run writes the class-data archive when it stops; every later start uses it, as at a user's.
        FootprintProbe.Result first = FootprintProbe.measure("first start", launch, payload, false, withCds);
        System.out.printf("first start ever (no class-data archive yet): webhook 200 after %.2f s%n", first.readySeconds());

        List<Run> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            System.out.printf("%n--- run %d of %d ---%n", r, runs);
            FootprintProbe.Result footprint = FootprintProbe.measure("launcher", launch, payload, false, withCds);
            FootprintProbe.Result plain = FootprintProbe.measure("java -jar",
                    List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toAbsolutePath().toString()),
                    payload, false);
            EndToEndBenchmark.Result e2e = EndToEndBenchmark.run(new EndToEndBenchmark.Options(alerts, 5,
                    new AllInOneProcess.Launch(jar, launcher.toAbsolutePath(), List.of()), alertmanager, "0s", false));
            double[] processor = ProcessorBenchmark.inFreshJvm(webhooks, PROCESSOR_ROUNDS, 1);
            IngestBenchmark.Ratio ingest = IngestBenchmark.ratio(payload, 10, 32);
            NotifierBenchmark.Burst burst;
            NotifierBenchmark.Backlog backlog;
            Path ndir = Files.createTempDirectory("homelab-bench-suite-n");
            try (EmbeddedKafka kafka = EmbeddedKafka.start(ndir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
                burst = NotifierBenchmark.burst(kafka);
                backlog = NotifierBenchmark.backlog(kafka);
            }
            results.add(new Run(footprint, plain, e2e, processor, ingest, burst, backlog));
        }
        ChildProcesses.deleteTree(cds);
        print(results, jar, first);
        System.exit(0);
    }

    static void print(List<Run> runs, Path jar, FootprintProbe.Result first) throws Exception {
        System.out.printf("%n%-40s %-12s %-26s %s%n", "figure (median of " + runs.size() + ", range)", "goal", "measured", "anchor, same runs");
        row("RSS after 20 s of webhooks, launcher", "<= 384 MiB", stat(runs, r -> (double) r.footprint().rssMiB(), "%.0f MiB"),
                "plain java -jar: " + stat(runs, r -> (double) r.plainJava().rssMiB(), "%.0f MiB"));
        row("start to first webhook 200", "<= 5 s", stat(runs, r -> r.footprint().readySeconds(), "%.2f s"),
                "plain java -jar: " + stat(runs, r -> r.plainJava().readySeconds(), "%.2f s") + String.format("; first start ever %.2f s",
                        first.readySeconds()));
        row("jar size", "<= 60 MB", String.format("%.1f MB", Files.size(jar) / 1e6), "");
        row("e2e overhead over AM at 1/s, p50", "<= 30 ms", stat(runs, r -> r.e2e().overhead().p50Ms(), "%.1f ms"),
                "AM's own telegram_configs p50: " + stat(runs, r -> r.e2e().amNative().p50Ms(), "%.1f ms"));
        row("e2e overhead over AM at 1/s, p99", "<= 100 ms", stat(runs, r -> r.e2e().overhead().p99Ms(), "%.1f ms"),
                "AM's own p99: " + stat(runs, r -> r.e2e().amNative().p99Ms(), "%.1f ms"));
        row("e2e webhook POST -> sendMessage, p50", "", stat(runs, r -> r.e2e().direct().p50Ms(), "%.1f ms"),
                "p99 " + stat(runs, r -> r.e2e().direct().p99Ms(), "%.1f ms"));
        row("processor backlog, " + ordinal(PROCESSOR_ROUNDS) + " in one JVM", ">= 20,000/s",
                stat(runs, r -> r.processorEventsPerSecond()[PROCESSOR_ROUNDS - 1], "%,.0f/s"), "events in, exactly-once");
        row("processor backlog, 1st (just started)", "", stat(runs, r -> r.processorEventsPerSecond()[0], "%,.0f/s"),
                "the first backlog in a fresh JVM: the JIT compiler takes most of a core");
        row("ingest durable / bare JDK, 32 conns", ">= 0.50", stat(runs, r -> r.ingest().ratio(), "%.2f"),
                "JDK " + stat(runs, r -> r.ingest().jdkBare(), "%,.0f/s") + "; Spark, no Kafka " + stat(runs, r -> r.ingest().sparkBare(), "%,.0f/s")
                        + "; durable " + stat(runs, r -> r.ingest().durable(), "%,.0f/s"));
        row("ingest Spark without Kafka / bare JDK", "", stat(runs, r -> r.ingest().sparkBare() / r.ingest().jdkBare(), "%.2f"),
                "the ceiling Spark on Jetty 9.4 sets");
        row("burst of 40 to one group: messages", "", stat(runs, r -> (double) r.burst().messages(), "%.0f"),
                "p99 " + stat(runs, r -> r.burst().p99Ms(), "%.0f ms") + ", later than 1.5 s: " + stat(runs, r -> (double) r.burst().late(), "%.0f"));
        row("backlog of 1,000 in an outage: messages", "", stat(runs, r -> (double) r.backlog().messages(), "%.0f"),
                "drained in " + stat(runs, r -> r.backlog().drainSeconds(), "%.1f s"));
        System.out.printf("%nmissing e2e messages over all runs: %d (AM's own) and %d (ours)%n",
                runs.stream().mapToInt(r -> r.e2e().amNative().missing()).sum(), runs.stream().mapToInt(r -> r.e2e().amOurs().missing()).sum());
    }

    /** Backlogs per processor run: the rate climbs for three (4,300, 7,400, 10,700/s) and holds from the fourth on (13,300, 11,500, 13,600, 13,300/s over seven). */
    static final int PROCESSOR_ROUNDS = 4;

    private static String ordinal(int n) {
        return n + (n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th");
    }

    private static void row(String figure, String goal, String measured, String anchor) {
        System.out.printf("%-40s %-12s %-26s %s%n", figure, goal, measured, anchor);
    }

    /** "median (min – max)" of one figure over the runs. */
    static String stat(List<Run> runs, Function<Run, Double> figure, String format) {
        double[] v = runs.stream().map(figure).mapToDouble(Double::doubleValue).sorted().toArray();
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        String m = String.format(format, median);
        return v.length == 1 ? m : m + " (" + String.format(format, v[0]).replaceAll("[^0-9.,]+$", "") + "-" + String.format(format, v[v.length - 1]) + ")";
    }
}
