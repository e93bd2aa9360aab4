package io.homelab.alerts.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latency at 1 alert/s, beside Alertmanager's own Telegram integration in the same run.
 * A real Alertmanager 0.25 has one receiver that both posts the webhook to the real executable (a
 * child process, embedded Kafka) and sends to Telegram itself; both reach the same Bot API stand-in,
 * in different chats. For each alert posted to Alertmanager's API: when Alertmanager's own message
 * came, when ours came, and the difference (what the webhook, Kafka, the processor and the notifier
 * add). Then our pipeline alone: an Alertmanager webhook (the bench's copy of the 0.25 fixture
 * firing-single.json, as alert {@link #ALERTNAME} and a new instance each) posted straight to ingest, to its message.
 */
public final class EndToEndBenchmark {
    static final String TOKEN = "123456:E2E-token";
    /** The stand-in tells the two paths apart by chat: ours is TELEGRAM_CHAT_ID, Alertmanager's its telegram_configs chat_id. */
    static final String OUR_CHAT = "1000";
    static final String NATIVE_CHAT = "2002";
    /**
     * Our alerts go to ten chats, 1000 to 1009, by the last digit of their instance (routes in HOMELAB_CONFIG): Telegram
     * allows a chat one message a second, so at 1 alert/s into one chat each message would wait for the one before and what
     * is measured would be that pacing, not the pipeline. Alertmanager's own integration does not pace at all.
     */
    static final int OUR_CHATS = 10;
    static final java.util.function.Predicate<String> OURS = id -> id.length() == 4 && id.startsWith("100");
    static final java.util.function.Predicate<String> NATIVE = NATIVE_CHAT::equals;

    /** The routes that spread our alerts over {@link #OUR_CHATS} chats. */
    static String routes() {
        StringBuilder yaml = new StringBuilder("routes:\n");
        for (int d = 0; d < OUR_CHATS; d++) {
            yaml.append("  - name: chat-").append(d).append("\n    matchers: ['instance=~\".*").append(d).append("\"']\n")
                    .append("    notify: [{chat: ").append(1000 + d).append("}]\n");
        }
        return yaml.toString();
    }
    /**
     * The alertname of every measured alert, on both paths, one that no built-in runbook matches. The fixture's HighCPU
     * matches high-cpu (medium risk): each alert would bring an approval request too, a message of its own in the same chat,
     * and at 1 alert/s the chat's one message a second would be what is measured.
     */
    static final String ALERTNAME = "E2E";
    /** How long after the last post a message may still come before it counts as missing. */
    static final Duration PATIENCE = Duration.ofSeconds(30);

    /** What one run does: {@code warmup} alerts not counted, then {@code alerts} measured, on each path. */
    record Options(int alerts, int warmup, AllInOneProcess.Launch launch, Path alertmanager, String groupWait, boolean trace, int settleSeconds) {
        Options(int alerts, int warmup, AllInOneProcess.Launch launch, Path alertmanager, String groupWait, boolean trace) {
            this(alerts, warmup, launch, alertmanager, groupWait, trace, 0);
        }
    }

    /**
     * One path's latencies in milliseconds over {@code count} alerts; {@code missing}: alerts whose message never came;
     * {@code messages}: how many sendMessage requests carried the rest (fewer than alerts: some went out gathered in a list).
     */
    record Series(long count, int missing, int messages, double minMs, double p50Ms, double p99Ms, double maxMs) {
        static Series median(List<Series> runs) {
            return new Series(runs.stream().mapToLong(Series::count).sum(), runs.stream().mapToInt(Series::missing).sum(),
                    runs.stream().mapToInt(Series::messages).sum(), median(runs, Series::minMs), median(runs, Series::p50Ms),
                    median(runs, Series::p99Ms), median(runs, Series::maxMs));
        }

        private static double median(List<Series> runs, java.util.function.ToDoubleFunction<Series> field) {
            double[] v = runs.stream().mapToDouble(field).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }
    }

    /**
     * What one run measured. {@code amNative}: POST to Alertmanager to its own sendMessage (group_wait
     * included); {@code amOurs}: the same POST to our sendMessage; {@code overhead}: ours minus
     * Alertmanager's own, per alert; {@code direct}: webhook POST to ingest to our sendMessage.
     */
    record Result(Series amNative, Series amOurs, Series overhead, Series direct) {
        /** Per path and figure, the median over runs (counts and missing added up): what a suite reports. */
        static Result median(List<Result> runs) {
            return new Result(Series.median(runs.stream().map(Result::amNative).toList()), Series.median(runs.stream().map(Result::amOurs).toList()),
                    Series.median(runs.stream().map(Result::overhead).toList()), Series.median(runs.stream().map(Result::direct).toList()));
        }
    }

    public static void main(String[] args) throws Exception {
        int alerts = 60;
        int warmup = 5;
        int runs = 1;
        Path jar = Path.of("app/target/homelab-alerts.jar");
        Path launcher = null;
        List<String> jvmArgs = new ArrayList<>();
        Path alertmanager = Path.of("/usr/bin/prometheus-alertmanager");
        String groupWait = "0s";
        boolean trace = false;
        int settle = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--alerts" -> alerts = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--launcher" -> launcher = Path.of(args[++i]);
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                case "--alertmanager" -> alertmanager = Path.of(args[++i]);
                case "--group-wait" -> groupWait = args[++i];
                case "--trace" -> trace = true;
                case "--settle" -> settle = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: EndToEndBenchmark [--alerts N] [--warmup N] [--runs R] [--jar app/target/homelab-alerts.jar | "
                            + "--launcher bin/homelab-alerts] [--jvm-arg ARG]... [--alertmanager /usr/bin/prometheus-alertmanager] [--group-wait 0s] [--trace] [--settle SECONDS]");
                    System.exit(2);
                }
            }
        }
        if (launcher == null ? !Files.isRegularFile(jar) : !Files.isExecutable(launcher)) {
            System.err.println(launcher == null ? jar + " not found: build it with ./mvnw -B package -DskipTests -pl app -am" : launcher + " is not executable");
            System.exit(2);
        }
        if (!Files.isExecutable(alertmanager)) {
            System.err.println(alertmanager + " not found: apt-get install -y prometheus-alertmanager");
            System.exit(2);
        }
        Options options = new Options(alerts, warmup, new AllInOneProcess.Launch(jar, launcher, List.copyOf(jvmArgs)), alertmanager, groupWait, trace, settle);
        System.out.printf("homelab-alerts end-to-end benchmark: %d alerts at 1/s after %d s settling and %d warm-up, %d run(s), %d cores, Java %s%n", alerts, settle, warmup,
                runs, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        System.out.printf("ours: %s; %s: group_by [alertname, instance], group_wait %s, webhook + telegram_configs in one receiver%n",
                options.launch().describe(), AlertmanagerProcess.version(alertmanager), groupWait);
        List<Result> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            Result result = run(options);
            print(runs == 1 ? "" : "run " + r + " of " + runs, result);
            results.add(result);
        }
        if (runs > 1) {
            print("median of " + runs + " runs", Result.median(results));
        }
        System.exit(0);
    }

    /** One run from scratch: a new stand-in, all-in-one (fresh DATA_DIR) and Alertmanager, stopped and deleted at the end. */
    static Result run(Options o) throws Exception {
        int total = o.warmup() + o.alerts();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        try (TelegramBotApiStandIn telegram = new TelegramBotApiStandIn(TOKEN);
                AllInOneProcess ours = AllInOneProcess.start(o.launch(), telegram.url(), TOKEN, OUR_CHAT, routes());
                AlertmanagerProcess am = AlertmanagerProcess.start(o.alertmanager(),
                        new AlertmanagerProcess.Config(ours.webhook(), telegram.url(), TOKEN, NATIVE_CHAT, o.groupWait()))) {
            // Ready is not settled: for tens of seconds after start the JIT compilers still work through the start-up code.
            Thread.sleep(o.settleSeconds() * 1000L);
            // With --trace, when each alert is readable in our raw topic: Alertmanager's webhook leg apart from our pipeline.
            Map<Integer, Instant> rawFromAm = new java.util.concurrent.ConcurrentHashMap<>();
            Map<Integer, Instant> rawDirect = new java.util.concurrent.ConcurrentHashMap<>();
            List<Thread> watchers = o.trace() ? List.of(
                    PipelineTrace.watch(ours.bootstrapServers(), "homelab.alerts.webhooks", java.util.regex.Pattern.compile("(?<![A-Za-z0-9])i-(\\d+)(?!\\d)"), rawFromAm),
                    PipelineTrace.watch(ours.bootstrapServers(), "homelab.alerts.webhooks", java.util.regex.Pattern.compile("(?<![A-Za-z0-9])d-(\\d+)(?!\\d)"), rawDirect))
                    : List.of();
            if (o.trace()) {
                Thread.sleep(3000); // the watchers join their groups
            }
            Instant[] toAlertmanager = warmThenMeasure(o, (i, now) -> post(http, am.alertsApi(), alertmanagerAlert("i-" + i, now)),
                    n -> awaitMessages(telegram, "i", n, NATIVE, OURS));
            Map<Integer, TelegramBotApiStandIn.Call> nativeAt = firstSeen(telegram, NATIVE, "i");
            Map<Integer, TelegramBotApiStandIn.Call> oursAt = firstSeen(telegram, OURS, "i");

            ObjectNode template = template();
            Instant[] toIngest = warmThenMeasure(o, (i, now) -> post(http, ours.webhook(), webhook(template, ALERTNAME, "d-" + i, now)),
                    n -> awaitMessages(telegram, "d", n, OURS));
            Map<Integer, TelegramBotApiStandIn.Call> directAt = firstSeen(telegram, OURS, "d");

            Latencies amNative = new Latencies();
            Latencies amOurs = new Latencies();
            Latencies overhead = new Latencies();
            Latencies direct = new Latencies();
            for (int i = o.warmup(); i < total; i++) {
                amNative.add(toAlertmanager[i], nativeAt.get(i));
                amOurs.add(toAlertmanager[i], oursAt.get(i));
                overhead.add(nativeAt.containsKey(i) ? nativeAt.get(i).at() : null, oursAt.get(i));
                direct.add(toIngest[i], directAt.get(i));
            }
            if (o.trace()) {
                watchers.forEach(Thread::interrupt);
                Histogram amLeg = new Histogram(3);
                Histogram directLeg = new Histogram(3);
                for (int i = o.warmup(); i < total; i++) {
                    if (rawFromAm.containsKey(i)) {
                        amLeg.recordValue(Math.max(0, Duration.between(toAlertmanager[i], rawFromAm.get(i)).toNanos() / 1000));
                    }
                    if (rawDirect.containsKey(i)) {
                        directLeg.recordValue(Math.max(0, Duration.between(toIngest[i], rawDirect.get(i)).toNanos() / 1000));
                    }
                }
                System.out.printf("%nreadable in our raw topic (p50 / p99 ms): POST to Alertmanager -> %.1f / %.1f (%d alerts); POST to ingest -> %.1f / %.1f (%d)%n",
                        amLeg.getValueAtPercentile(50) / 1000.0, amLeg.getValueAtPercentile(99) / 1000.0, amLeg.getTotalCount(),
                        directLeg.getValueAtPercentile(50) / 1000.0, directLeg.getValueAtPercentile(99) / 1000.0, directLeg.getTotalCount());
                System.out.printf("%n%5s %10s %10s %10s%n", "alert", "AM own ms", "ours ms", "direct ms");
                for (int i = 0; i < total; i++) {
                    System.out.printf("%5d %10s %10s %10s%s%n", i, millis(toAlertmanager[i], nativeAt.get(i)), millis(toAlertmanager[i], oursAt.get(i)),
                            millis(toIngest[i], directAt.get(i)), i < o.warmup() ? "  (warm-up)" : "");
                }
            }
            Result result = new Result(amNative.series(), amOurs.series(), overhead.series(), direct.series());
            if (result.amNative().missing() + result.amOurs().missing() + result.direct().missing() > 0) {
                System.err.println("messages missing; Alertmanager's log ends:\n" + am.logTail(20) + "\nthe all-in-one's log ends:\n" + ours.logTail(30));
            }
            return result;
        }
    }

    /** One post; {@code now} is when it starts, what latencies count from. */
    interface Post {
        void send(int i, Instant now) throws Exception;
    }

    /** Waits until the messages of alerts 0 to n - 1 have come (or gives up). */
    interface Await {
        void upTo(int n) throws InterruptedException;
    }

    /**
     * The warm-up alerts at 1/s and their messages, a quiet second, then the measured alerts at 1/s and theirs; returns when
     * each post started. At 1/s to one chat our notifier keeps a second from the end of its previous send, a little more
     * than the alerts' spacing, so each alert waits a few ms longer than the one before until two go out as one list: after
     * the quiet second every run measures the same stretch of that ramp, from an open send slot.
     */
    static Instant[] warmThenMeasure(Options o, Post post, Await await) throws Exception {
        Instant[] started = new Instant[o.warmup() + o.alerts()];
        onePerSecond(started, 0, o.warmup(), post);
        await.upTo(o.warmup());
        Thread.sleep(1100);
        onePerSecond(started, o.warmup(), started.length, post);
        await.upTo(started.length);
        return started;
    }

    /** Posts alerts {@code from} to {@code to - 1} on a fixed 1 s schedule (a late post does not shift the next). */
    static void onePerSecond(Instant[] started, int from, int to, Post post) throws Exception {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long wait = start + (i - from) * 1_000_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            started[i] = Instant.now();
            post.send(i, started[i]);
        }
    }

    static void post(HttpClient http, URI uri, byte[] body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + uri + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    /** A new alert as Prometheus posts it to Alertmanager's API v2 (no endsAt: Alertmanager's resolve_timeout applies). */
    static byte[] alertmanagerAlert(String instance, Instant now) {
        ArrayNode alerts = Json.MAPPER.createArrayNode();
        ObjectNode alert = alerts.addObject();
        alert.putObject("labels").put("alertname", ALERTNAME).put("instance", instance).put("severity", "warning");
        alert.putObject("annotations").put("summary", "end-to-end probe " + instance);
        alert.put("startsAt", now.truncatedTo(ChronoUnit.MILLIS).toString());
        return Json.write(alerts);
    }

    static ObjectNode template() throws Exception {
        try (InputStream in = EndToEndBenchmark.class.getResourceAsStream("/payloads/single-alert.json")) {
            return (ObjectNode) Json.MAPPER.readTree(in);
        }
    }

    /** The fixture's webhook for a new alert: its own group and fingerprint, as Alertmanager would send it. */
    static byte[] webhook(ObjectNode template, String alertname, String instance, Instant now) {
        ObjectNode webhook = template.deepCopy();
        ObjectNode alert = (ObjectNode) webhook.get("alerts").get(0);
        ObjectNode labels = ((ObjectNode) alert.get("labels")).put("alertname", alertname).put("instance", instance);
        ((ObjectNode) alert.get("annotations")).put("summary", "High CPU usage on " + instance);
        alert.put("startsAt", now.truncatedTo(ChronoUnit.MILLIS).toString());
        Map<String, String> labelMap = new HashMap<>();
        labels.fields().forEachRemaining(e -> labelMap.put(e.getKey(), e.getValue().asText()));
        alert.put("fingerprint", Fingerprint.of(labelMap));
        ((ObjectNode) webhook.get("commonLabels")).put("alertname", alertname).put("instance", instance);
        ((ObjectNode) webhook.get("commonAnnotations")).put("summary", "High CPU usage on " + instance);
        ((ObjectNode) webhook.get("groupLabels")).put("alertname", alertname).put("instance", instance);
        webhook.put("groupKey", "{}:{alertname=\"" + alertname + "\", instance=\"" + instance + "\"}");
        return Json.write(webhook);
    }

    /** Waits until each chat has had a message for every alert {@code prefix-0} to {@code prefix-(total-1)}, or {@link #PATIENCE}. */
    @SafeVarargs
    static void awaitMessages(TelegramBotApiStandIn telegram, String prefix, int total, java.util.function.Predicate<String>... chats)
            throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (java.util.function.Predicate<String> chat : chats) {
                all &= firstSeen(telegram, chat, prefix).size() >= total;
            }
            if (all) {
                return;
            }
            Thread.sleep(50);
        }
    }

    private static String millis(Instant from, TelegramBotApiStandIn.Call to) {
        return to == null ? "missing" : String.format("%.1f", Duration.between(from, to.at()).toNanos() / 1e6);
    }

    /**
     * The first sendMessage the stand-in accepted for {@code chat} that names instance {@code prefix-<n>}, by n: Alertmanager's
     * text ({@code - instance = i-7}) and ours, an alert alone or a line of a gathered list, alike.
     */
    static Map<Integer, TelegramBotApiStandIn.Call> firstSeen(TelegramBotApiStandIn telegram, java.util.function.Predicate<String> chat,
            String prefix) {
        Pattern instance = Pattern.compile("(?<![\\w-])" + Pattern.quote(prefix) + "-(\\d+)(?!\\d)");
        Map<Integer, TelegramBotApiStandIn.Call> seen = new HashMap<>();
        for (TelegramBotApiStandIn.Call c : telegram.calls()) {
            if (c.method().equals("sendmessage") && c.body().has("__ok") && chat.test(c.body().path("chat_id").asText())) {
                Matcher m = instance.matcher(c.body().path("text").asText());
                while (m.find()) {
                    seen.merge(Integer.parseInt(m.group(1)), c, (a, b) -> a.at().isAfter(b.at()) ? b : a);
                }
            }
        }
        return seen;
    }

    /** Latencies of one path, in microseconds, and the messages that carried them; a message that never came is counted, not timed. */
    static final class Latencies {
        private final Histogram histogram = new Histogram(3);
        private final Set<TelegramBotApiStandIn.Call> messages = Collections.newSetFromMap(new IdentityHashMap<>());
        private int missing;

        void add(Instant from, TelegramBotApiStandIn.Call to) {
            if (from == null || to == null) {
                missing++;
                return;
            }
            messages.add(to);
            // Never negative in practice (the webhook leaves Alertmanager with its own message); clamped for the histogram.
            histogram.recordValue(Math.max(0, Duration.between(from, to.at()).toNanos() / 1000));
        }

        Series series() {
            if (histogram.getTotalCount() == 0) {
                return new Series(0, missing, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            return new Series(histogram.getTotalCount(), missing, messages.size(), histogram.getMinValue() / 1000.0,
                    histogram.getValueAtPercentile(50) / 1000.0,
                    histogram.getValueAtPercentile(99) / 1000.0, histogram.getMaxValue() / 1000.0);
        }
    }

    static void print(String title, Result r) {
        if (!title.isEmpty()) {
            System.out.printf("%n%s:", title);
        }
        System.out.printf("%n%-58s %6s %7s %8s %9s %9s %9s %9s%n", "path, 1 alert/s (each to its sendMessage at the stand-in)", "alerts",
                "missing", "messages", "min ms", "p50 ms", "p99 ms", "max ms");
        row("Alertmanager's own telegram_configs (POST to AM)", r.amNative());
        row("ours, webhook from Alertmanager (POST to AM)", r.amOurs());
        row("  overhead: ours - Alertmanager's own, per alert", r.overhead());
        row("ours direct (webhook POST to ingest)", r.direct());
    }

    private static void row(String name, Series s) {
        System.out.printf("%-58s %6d %7d %8d %9.1f %9.1f %9.1f %9.1f%n", name, s.count(), s.missing(), s.messages(), s.minMs(), s.p50Ms(),
                s.p99Ms(), s.maxMs());
    }
}
