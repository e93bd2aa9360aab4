package io.homelab.alerts.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.homelab.alerts.common.kafka.Topics;
import io.homelab.alerts.ingest.IngestApp;
import io.homelab.alerts.ingest.IngestConfig;
import io.homelab.alerts.ingest.http.RequestBodies;
import io.homelab.alerts.ingest.http.SparkServers;
import io.homelab.alerts.ingest.sink.KafkaWebhookSink;
import io.homelab.alerts.kafka.embedded.EmbeddedKafka;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import spark.Service;

/**
 * Ingest benchmark: the durable handler (validate, write to Kafka with acks=all, answer after the
 * ack) beside a bare handler on the same Spark/Jetty stack that only parses the JSON and answers
 * 200, in the same run, driven on loopback with a real ~1 KB single-alert Alertmanager payload.
 * With {@code --all-in-one JAR} it also starts the real executable and reports start-to-ready time
 * and resident memory.
 */
public final class IngestBenchmark {
    public static void main(String[] args) throws Exception {
        // The JDK's HTTP server (the bare anchor, and the Bot API stand-in) would otherwise write the head and the
        // body of an answer in two packets and wait out the client's delayed ACK: 40 ms an answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int seconds = 10;
        int concurrency = 16;
        int rate = 1000;
        String allInOne = null;
        int lingerMs = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--all-in-one" -> allInOne = args[++i];
                case "--linger-ms" -> lingerMs = Integer.parseInt(args[++i]);
                case "--ratio" -> {
                    byte[] body;
                    try (InputStream in = IngestBenchmark.class.getResourceAsStream("/payloads/single-alert.json")) {
                        body = in.readAllBytes();
                    }
                    Ratio r = ratio(body, seconds, 32);
                    System.out.printf("32 connections, %d s each: bare JDK server %,.0f/s; Spark without Kafka %,.0f/s (%.2f of JDK); durable ingest"
                            + " %,.0f/s (%.2f of JDK, %.2f of Spark)%n", seconds, r.jdkBare(), r.sparkBare(), r.sparkBare() / r.jdkBare(), r.durable(),
                            r.ratio(), r.durable() / r.sparkBare());
                    System.exit(0);
                }
                default -> {
                    System.err.println("usage: homelab-alerts-bench [--seconds N] [--concurrency N] [--rate N] [--linger-ms N] [--all-in-one app/target/homelab-alerts.jar] [--ratio]");
                    System.exit(2);
                }
            }
        }
        byte[] payload;
        try (InputStream in = IngestBenchmark.class.getResourceAsStream("/payloads/single-alert.json")) {
            payload = in.readAllBytes();
        }
        System.out.printf("homelab-alerts ingest benchmark: %d-byte single-alert payload, %d cores, Java %s%n",
                payload.length, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        List<LoadGenerator.Result> results = ingest(payload, seconds, concurrency, rate, lingerMs);
        print(results, concurrency, rate);
        if (allInOne != null) {
            FootprintProbe.Result r = FootprintProbe.measure("java -jar", List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", allInOne), payload, false);
            System.out.printf("%nall-in-one (java -jar %s run, embedded Kafka):%n", allInOne);
            System.out.printf("  start to the first webhook answered 200: %.1f s%n", r.readySeconds());
            System.out.printf("  RSS after %d webhooks: %d MiB, peak RSS: %d MiB%n", r.webhooks(), r.rssMiB(), r.peakRssMiB());
        }
        System.exit(0);
    }

    static List<LoadGenerator.Result> ingest(byte[] payload, int seconds, int concurrency, int rate, int lingerMs) throws Exception {
        Path dir = Files.createTempDirectory("homelab-bench");
        int maxBody = 4 * 1024 * 1024;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            Topics topics = BenchTopics.create(kafka, "bench", maxBody + 64 * 1024);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            IngestConfig config = new IngestConfig(0, "/prometheus/webhook", Optional.empty(), maxBody, Duration.ofSeconds(5),
                    Duration.ofMillis(lingerMs));
            try (KafkaWebhookSink sink = new KafkaWebhookSink(kafka.bootstrapServers(), topics.webhooks(), config, registry);
                    IngestApp durable = new IngestApp(config, sink, registry, Clock.systemUTC()).start()) {
                Service bare = bareHandler(maxBody);
                try {
                    URI durableUri = URI.create("http://127.0.0.1:" + durable.port() + "/prometheus/webhook");
                    URI bareUri = URI.create("http://127.0.0.1:" + bare.port() + "/prometheus/webhook");
                    LoadGenerator load = new LoadGenerator();
                    // Warm-up: JIT, connections, producer metadata.
                    load.closedLoop("warm-up", bareUri, payload, concurrency, Duration.ofSeconds(5));
                    load.closedLoop("warm-up", durableUri, payload, concurrency, Duration.ofSeconds(5));
                    List<LoadGenerator.Result> results = new ArrayList<>();
                    results.add(load.closedLoop("bare (parse JSON, 200)", bareUri, payload, concurrency, Duration.ofSeconds(seconds)));
                    results.add(load.closedLoop("durable (validate, Kafka acks=all, 200)", durableUri, payload, concurrency, Duration.ofSeconds(seconds)));
                    results.add(load.fixedRate("bare @ " + rate + "/s", bareUri, payload, rate, Duration.ofSeconds(seconds)));
                    results.add(load.fixedRate("durable @ " + rate + "/s", durableUri, payload, rate, Duration.ofSeconds(seconds)));
                    return results;
                } finally {
                    bare.stop();
                    bare.awaitStop();
                }
            }
        }
    }

    /** Closed-loop webhooks/s at {@code concurrency} connections, in one run: the bare JDK handler, Spark answering 200, durable ingest. */
    record Ratio(int concurrency, double jdkBare, double sparkBare, double durable) {
        double ratio() {
            return durable / jdkBare;
        }
    }

    static Ratio ratio(byte[] payload, int seconds, int concurrency) throws Exception {
        Path dir = Files.createTempDirectory("homelab-bench");
        int maxBody = 4 * 1024 * 1024;
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir, 0, fault -> System.err.println("KAFKA FAULT " + fault))) {
            Topics topics = BenchTopics.create(kafka, "ratio", maxBody + 64 * 1024);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            IngestConfig config = new IngestConfig(0, "/prometheus/webhook", Optional.empty(), maxBody, Duration.ofSeconds(5), Duration.ofMillis(1));
            com.sun.net.httpserver.HttpServer jdk = jdkBareHandler(maxBody);
            Service spark = bareHandler(maxBody, false);
            try (KafkaWebhookSink sink = new KafkaWebhookSink(kafka.bootstrapServers(), topics.webhooks(), config, registry);
                    IngestApp durable = new IngestApp(config, sink, registry, Clock.systemUTC()).start()) {
                URI jdkUri = URI.create("http://127.0.0.1:" + jdk.getAddress().getPort() + "/prometheus/webhook");
                URI sparkUri = URI.create("http://127.0.0.1:" + spark.port() + "/prometheus/webhook");
                URI durableUri = URI.create("http://127.0.0.1:" + durable.port() + "/prometheus/webhook");
                LoadGenerator load = new LoadGenerator();
                for (URI u : List.of(jdkUri, sparkUri, durableUri)) {
                    load.closedLoop("warm-up", u, payload, concurrency, Duration.ofSeconds(3));
                }
                Duration d = Duration.ofSeconds(seconds);
                return new Ratio(concurrency, load.closedLoop("jdk", jdkUri, payload, concurrency, d).perSecond(),
                        load.closedLoop("spark", sparkUri, payload, concurrency, d).perSecond(),
                        load.closedLoop("durable", durableUri, payload, concurrency, d).perSecond());
            } finally {
                jdk.stop(0);
                spark.stop();
                spark.awaitStop();
            }
        }
    }

    /** The JDK's own HTTP server (com.sun.net.httpserver), a thread per request from a pool, reading the body and answering 200. */
    static com.sun.net.httpserver.HttpServer jdkBareHandler(int maxBody) throws java.io.IOException {
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 128);
        byte[] answer = "{\"status\":\"accepted\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        server.createContext("/prometheus/webhook", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                in.readNBytes(maxBody);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "jdk-bare");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }

    /**
     * The same server stack as ingest, with a handler that only reads the body (the same way ingest
     * does: Spark's own bodyAsBytes() reads one byte per call and would flatter the durable path),
     * parses the JSON and answers 200.
     */
    static Service bareHandler(int maxBody) {
        return bareHandler(maxBody, true);
    }

    /** As above; without {@code parse} it only reads the body, as the JDK anchor does. */
    static Service bareHandler(int maxBody, boolean parse) {
        ObjectMapper mapper = new ObjectMapper();
        SparkServers.Http http = SparkServers.create(0);
        http.service().post("/prometheus/webhook", (req, res) -> {
            byte[] body = RequestBodies.readAtMost(req.raw(), maxBody);
            if (parse) {
                mapper.readTree(body);
            }
            res.type("application/json");
            return "{\"status\":\"accepted\"}";
        });
        http.start();
        return http.service();
    }

    static void print(List<LoadGenerator.Result> results, int concurrency, int rate) {
        System.out.printf("%n%-44s %10s %8s %10s %10s %10s%n", "run", "req/s", "errors", "p50 ms", "p99 ms", "max ms");
        for (LoadGenerator.Result r : results) {
            System.out.printf("%-44s %10.0f %8d %10.2f %10.2f %10.2f%n", r.name(), r.perSecond(), r.failed(),
                    r.p50Micros() / 1000, r.p99Micros() / 1000, r.maxMicros() / 1000);
        }
        double ratio = results.get(1).perSecond() / results.get(0).perSecond();
        System.out.printf("%ndurable / bare throughput (closed loop, %d connections): %.0f %% (target >= 70 %%)%n", concurrency, ratio * 100);
        System.out.printf("durable p99 at %d req/s: %.2f ms (target <= 25 ms)%n", rate, results.get(3).p99Micros() / 1000);
    }
}
