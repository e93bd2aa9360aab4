package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 mutated real Alertmanager payloads posted over real HTTP to the whole system: every answer
 * is a 200 or a 4xx with a JSON error, nothing crashes, DATA_DIR grows by a bounded amount, and a
 * valid alert sent afterwards still arrives. The mutations are seeded, so a failure can be replayed
 * ({@code -Dfuzz.seed=N}).
 */
class WebhookFuzzTest {
    static final int PAYLOADS = Integer.getInteger("fuzz.payloads", 10_000);
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    /** Characters a hostile or broken sender might put anywhere. */
    static final String[] ODD = {"\u0000", "\u0007", "\n", "\r\n", "\t", "\u202e", "\u2066", "\u200b", "\ufeff", "\u2028", "\ud83d\udd25",
            "<b>", "</a>", "<a href=\"javascript:alert(1)\">", "&amp;", "&", "\"", "\\", "%00", "%s%n", "${jndi:ldap://x}",
            "{{labels}}", "../../etc/passwd", ":", "=~", "' OR 1=1 --", "ＡＢＣ", "ǅ", "\u0301"};

    @TempDir
    Path dataDir;

    /** Keeps only the end of what the console printed, so 10,000 messages do not fill the heap. */
    static final class Tail extends OutputStream {
        private final StringBuilder tail = new StringBuilder();

        @Override
        public synchronized void write(int b) {
            tail.append((char) b);
            trim();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            tail.append(new String(b, off, len, StandardCharsets.UTF_8));
            trim();
        }

        private void trim() {
            if (tail.length() > 512 * 1024) {
                tail.delete(0, tail.length() - 256 * 1024);
            }
        }

        synchronized String text() {
            return tail.toString();
        }
    }

    @Test
    void ten_thousand_mutated_payloads_get_a_200_or_a_json_4xx_and_leave_the_system_working() throws Exception {
        Random random = new Random(SEED);
        List<JsonNode> seeds = new ArrayList<>();
        for (String name : Fixtures.ALERTMANAGER_0_25) {
            seeds.add(Json.MAPPER.readTree(Fixtures.alertmanager(name)));
        }
        seeds.add(Json.MAPPER.readTree(Files.readAllBytes(Path.of("../examples/test-alert.json"))));

        Tail console = new Tail();
        List<String> faults = new CopyOnWriteArrayList<>();
        Map<String, String> env = new HashMap<>(Map.of("PROMETHEUS_WEBHOOK_PORT", "0", "KAFKA_EMBEDDED_PORT", "0", "PROCESSOR_HTTP_PORT", "0",
                "DATA_DIR", dataDir.toString()));
        HomelabConfig config = HomelabConfig.load(env, dataDir.resolve(".env"));
        // Without the remediator: thousands of fuzzed alerts would each get a remediation outcome of its own (those are never
        // gathered), and what this test checks is ingest, processor and notifier surviving the payloads.
        EnumSet<Target> targets = EnumSet.allOf(Target.class);
        targets.remove(Target.REMEDIATOR);
        try (HomelabSystem system = HomelabSystem.start(config, targets, new PrintStream(console, true, StandardCharsets.UTF_8),
                faults::add)) {
            URI webhook = URI.create("http://127.0.0.1:" + system.webhookPort() + "/prometheus/webhook");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            long before = dataDirBytes();

            Map<Integer, AtomicLong> statuses = new TreeMap<>();
            Map<String, AtomicLong> mutations = new ConcurrentHashMap<>();
            List<String> badAnswers = new CopyOnWriteArrayList<>();
            AtomicLong acceptedBytes = new AtomicLong();
            AtomicLong sentBytes = new AtomicLong();
            Semaphore inFlight = new Semaphore(8);
            // Nothing keeps a finished request (it holds its body): 10,000 of them would not fit the test's heap.
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(PAYLOADS);
            for (int i = 0; i < PAYLOADS; i++) {
                JsonNode seed = seeds.get(random.nextInt(seeds.size())).deepCopy();
                List<String> applied = new ArrayList<>();
                byte[] body = mutate(seed, random, applied);
                applied.forEach(m -> mutations.computeIfAbsent(m, k -> new AtomicLong()).incrementAndGet());
                sentBytes.addAndGet(body.length);
                inFlight.acquire();
                int n = i;
                http.sendAsync(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(60))
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                        HttpResponse.BodyHandlers.ofString())
                        .whenComplete((r, e) -> {
                            inFlight.release();
                            done.countDown();
                            if (e != null) {
                                badAnswers.add("#" + n + " " + applied + ": no answer: " + e);
                                return;
                            }
                            synchronized (statuses) {
                                statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
                            }
                            String problem = check(r);
                            if (problem != null) {
                                badAnswers.add("#" + n + " " + applied + ": " + problem);
                            } else if (r.statusCode() == 200) {
                                acceptedBytes.addAndGet(body.length);
                            }
                        });
            }
            assertThat(done.await(10, java.util.concurrent.TimeUnit.MINUTES)).as("every request answered").isTrue();
            System.out.println("fuzz: seed " + SEED + ", " + PAYLOADS + " payloads, " + sentBytes.get() / 1024 + " KiB sent, "
                    + acceptedBytes.get() / 1024 + " KiB accepted; answers " + statuses + "; mutations " + new TreeMap<>(mutations));

            assertThat(badAnswers).as("every answer is 200 or a 4xx with a JSON error").isEmpty();
            assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s == 200 || s >= 400 && s < 500).as("status " + s).isTrue());
            assertThat(statuses.get(200)).as("some payloads were still valid").isNotNull();
            assertThat(faults).as("nothing failed beyond recovery").isEmpty();

            // A valid alert after the storm still gets through: once the flood's backlog has gone out
            // (the console quiet for 3 s), it is the first alert after a quiet spell, so it goes out on its own.
            int[] lastLength = {-1};
            long[] quietSince = {System.nanoTime()};
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(250)).until(() -> {
                int length = console.text().length();
                if (length != lastLength[0]) {
                    lastLength[0] = length;
                    quietSince[0] = System.nanoTime();
                }
                return System.nanoTime() - quietSince[0] > Duration.ofSeconds(3).toNanos();
            });
            long t0 = System.nanoTime();
            byte[] survivor = Files.readString(Path.of("../examples/test-alert.json")).replace("TestAlert", "FuzzSurvivor")
                    .getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(webhook).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(survivor)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(90)).until(() -> console.text().contains("<b>Alert:</b> FuzzSurvivor"));
            System.out.println("fuzz: the alert sent afterwards was on the console " + Duration.ofNanos(System.nanoTime() - t0).toMillis()
                    + " ms after it was posted");

            long grown = dataDirBytes() - before;
            System.out.println("fuzz: DATA_DIR grew by " + grown / 1024 + " KiB for " + acceptedBytes.get() / 1024 + " KiB accepted");
            // Each accepted byte is kept a bounded number of times (raw topic, re-keyed events, two stores
            // and their changelogs, notifications, state); the old code turned 2 MB into 2.7 GB.
            assertThat(grown).isLessThan(20 * acceptedBytes.get() + 64L * 1024 * 1024);
            assertThat(faults).isEmpty();
        }
    }

    /** Why an answer breaks the promise; null when it keeps it. */
    static String check(HttpResponse<String> r) {
        int status = r.statusCode();
        if (status == 200) {
            return r.body().startsWith("{\"status\":\"accepted\"") ? null : "200 without the accepted body: " + r.body();
        }
        if (status < 400 || status >= 500) {
            return "status " + status + ": " + abbreviate(r.body());
        }
        try {
            JsonNode json = Json.MAPPER.readTree(r.body());
            if (json == null || !"error".equals(json.path("status").asText()) || !json.path("error").isTextual()
                    || json.path("error").asText().isBlank()) {
                return status + " without a JSON error: " + abbreviate(r.body());
            }
            return null;
        } catch (IOException e) {
            return status + " with a body that is not JSON: " + abbreviate(r.body());
        }
    }

    static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    /** Bytes of what the broker and the stream state keep (not Kafka's preallocated, sparse index files). */
    long dataDirBytes() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().endsWith(".index") && !p.toString().endsWith(".timeindex"))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            return 0; // deleted meanwhile (segment or RocksDB file compacted away)
                        }
                    }).sum();
        }
    }

    static byte[] mutate(JsonNode root, Random random, List<String> applied) {
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(11);
            switch (kind) {
                case 0 -> {
                    applied.add("type-swap");
                    replaceRandom(root, random, randomValue(random));
                }
                case 1 -> {
                    applied.add("delete");
                    deleteRandom(root, random);
                }
                case 2 -> {
                    applied.add("huge-string");
                    replaceRandom(root, random, JsonNodeFactory.instance.textNode(randomString(random, random.nextInt(10) == 0 ? 20_000 + random.nextInt(300_000) : 1000 + random.nextInt(20_000))));
                }
                case 3 -> {
                    applied.add("odd-string");
                    replaceRandom(root, random, JsonNodeFactory.instance.textNode(randomString(random, 1 + random.nextInt(40))));
                }
                case 4 -> {
                    applied.add("deep-nesting");
                    JsonNode deep = JsonNodeFactory.instance.textNode("bottom");
                    for (int d = random.nextInt(120); d > 0; d--) {
                        ArrayNode a = JsonNodeFactory.instance.arrayNode();
                        a.add(deep);
                        deep = a;
                    }
                    replaceRandom(root, random, deep);
                }
                case 5 -> {
                    applied.add("forged-fingerprint");
                    for (JsonNode alert : root.path("alerts")) {
                        if (alert instanceof ObjectNode o) {
                            o.put("fingerprint", random.nextBoolean() ? String.format("%016x", random.nextLong())
                                    : List.of("bfcfce9889d1664b", "f6e94e35cf045285", "", "../../x", "bfcfce9889d1664b:24",
                                            "BFCFCE9889D1664B", "0".repeat(17), "zzzzzzzzzzzzzzzz").get(random.nextInt(8)));
                        }
                    }
                }
                case 6 -> {
                    applied.add("oversized-envelope");
                    if (root instanceof ObjectNode o) {
                        String field = List.of("groupKey", "externalURL", "receiver").get(random.nextInt(3));
                        o.put(field, randomString(random, random.nextInt(10) == 0 ? 200_000 + random.nextInt(1_000_000) : 200 + random.nextInt(10_000)));
                    }
                }
                case 7 -> {
                    applied.add("many-alerts");
                    if (root.path("alerts") instanceof ArrayNode alerts && !alerts.isEmpty()) {
                        JsonNode template = alerts.get(0);
                        int n = random.nextInt(10) == 0 ? 990 + random.nextInt(30) : 1 + random.nextInt(50);
                        for (int a = 0; a < n; a++) {
                            JsonNode copy = template.deepCopy();
                            if (copy.path("labels") instanceof ObjectNode labels) {
                                labels.put("instance", "fuzz-" + random.nextInt(1_000_000) + ":9100");
                            }
                            alerts.add(copy);
                        }
                    }
                }
                case 8 -> {
                    applied.add("many-labels");
                    for (JsonNode alert : root.path("alerts")) {
                        if (alert.path("labels") instanceof ObjectNode labels) {
                            for (int l = 60 + random.nextInt(60); l > 0; l--) {
                                labels.put("l" + random.nextInt(1_000_000), randomString(random, random.nextInt(50)));
                            }
                        }
                    }
                }
                default -> applied.add("bytes"); // applied to the serialized form below
            }
        }
        byte[] bytes = Json.write(root);
        if (applied.contains("bytes")) {
            bytes = mangle(bytes, random);
        }
        return bytes;
    }

    /** Broken UTF-8, truncation or a flipped byte. */
    static byte[] mangle(byte[] bytes, Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        switch (random.nextInt(4)) {
            case 0 -> {
                out.write(bytes, 0, at);
                byte[][] broken = {{(byte) 0xC3, 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88,
                        (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}};
                byte[] b = broken[random.nextInt(broken.length)];
                out.write(b, 0, b.length);
                out.write(bytes, at, bytes.length - at);
            }
            case 1 -> out.write(bytes, 0, at); // truncated
            case 2 -> {
                out.write(bytes, 0, bytes.length);
                byte[] copy = out.toByteArray();
                copy[at] = (byte) random.nextInt(256);
                return copy;
            }
            default -> {
                out.write(bytes, 0, bytes.length);
                byte[] junk = "}]\u0000,{".getBytes(StandardCharsets.UTF_8);
                out.write(junk, 0, junk.length);
            }
        }
        return out.toByteArray();
    }

    static String randomString(Random random, int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int pick = random.nextInt(10);
            if (pick < 3) {
                sb.append(ODD[random.nextInt(ODD.length)]);
            } else if (pick < 5) {
                sb.appendCodePoint(0x20 + random.nextInt(0x2FFF));
            } else {
                sb.append((char) ('a' + random.nextInt(26)));
            }
        }
        return sb.toString();
    }

    static JsonNode randomValue(Random random) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        return switch (random.nextInt(7)) {
            case 0 -> f.numberNode(random.nextLong());
            case 1 -> f.numberNode(random.nextDouble() * 1e300);
            case 2 -> f.booleanNode(random.nextBoolean());
            case 3 -> f.nullNode();
            case 4 -> f.arrayNode().add(randomString(random, 5));
            case 5 -> f.objectNode().put("x", randomString(random, 5));
            default -> f.textNode("");
        };
    }

    /** Every (parent, key or index) in the tree, the root's own fields included. */
    static List<Object[]> places(JsonNode node) {
        List<Object[]> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<Object[]> out) {
        if (node instanceof ObjectNode o) {
            for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                out.add(new Object[] {o, name});
                collect(o.get(name), out);
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                out.add(new Object[] {a, i});
                collect(a.get(i), out);
            }
        }
    }

    static void replaceRandom(JsonNode root, Random random, JsonNode value) {
        List<Object[]> places = places(root);
        if (places.isEmpty()) {
            return;
        }
        Object[] place = places.get(random.nextInt(places.size()));
        if (place[0] instanceof ObjectNode o) {
            o.set((String) place[1], value);
        } else {
            ((ArrayNode) place[0]).set((Integer) place[1], value);
        }
    }

    static void deleteRandom(JsonNode root, Random random) {
        List<Object[]> places = places(root);
        if (places.isEmpty()) {
            return;
        }
        Object[] place = places.get(random.nextInt(places.size()));
        if (place[0] instanceof ObjectNode o) {
            o.remove((String) place[1]);
        } else {
            ((ArrayNode) place[0]).remove((int) (Integer) place[1]);
        }
    }
}
