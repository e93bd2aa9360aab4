package io.homelab.alerts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every class of bad input gets a 4xx naming the problem, and nothing reaches the raw topic. */
class WebhookRejectionTest {
    @TempDir
    static Path dataDir;
    static IngestHarness ingest;

    @BeforeAll
    static void start() throws Exception {
        ingest = new IngestHarness(dataDir, Optional.empty(), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    static String fixture() {
        return new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8);
    }

    static Stream<Arguments> badBodies() {
        String nested = "[".repeat(5000) + "]".repeat(5000);
        byte[] invalidUtf8 = fixture().replace("CPU usage is 93.2%", "CPU \u0000").getBytes(StandardCharsets.UTF_8);
        invalidUtf8 = replace(invalidUtf8, "CPU \u0000".getBytes(StandardCharsets.UTF_8), new byte[] {'C', 'P', 'U', ' ', (byte) 0xC3, (byte) 0x28});
        return Stream.of(
                Arguments.of("empty body", new byte[0], 400, "empty body: expected an Alertmanager webhook JSON object"),
                Arguments.of("not JSON", bytes("alertname=HighCPU"), 400, "body is not valid JSON: Unrecognized token 'alertname'"),
                Arguments.of("truncated JSON", bytes(fixture().substring(0, 200)), 400, "body is not valid JSON: Unexpected end-of-input"),
                Arguments.of("JSON followed by garbage", bytes(fixture() + "}"), 400, "body is not valid JSON: Unexpected close marker '}'"),
                Arguments.of("a JSON array", bytes("[]"), 400, "body must be a JSON object (an Alertmanager webhook), got an array"),
                Arguments.of("no alerts array", bytes("{\"version\":\"4\",\"status\":\"firing\"}"), 400,
                        "alerts: missing (expected an array of alerts)"),
                Arguments.of("alerts not an array", bytes("{\"version\":\"4\",\"alerts\":{}}"), 400, "alerts: must be an array, got an object"),
                Arguments.of("empty alerts", bytes("{\"version\":\"4\",\"alerts\":[]}"), 400, "alerts: is empty (a webhook carries at least one alert)"),
                Arguments.of("alert without labels", bytes(fixture().replaceFirst("\"labels\": \\{[^}]*},", "")), 400,
                        "alerts[0].labels: missing (an object of label names to string values)"),
                Arguments.of("alert status of the wrong type", bytes(fixture().replace("\"status\": \"firing\",\n      \"labels\"", "\"status\": 1,\n      \"labels\"")), 400,
                        "alerts[0].status: must be \"firing\" or \"resolved\", got 1"),
                Arguments.of("label value of the wrong type", bytes(fixture().replace("\"severity\": \"warning\"\n      }", "\"severity\": 3\n      }")), 400,
                        "alerts[0].labels.severity: must be a string, got a number"),
                Arguments.of("unknown alert status", bytes(fixture().replace("\"status\": \"firing\",\n      \"labels\"", "\"status\": \"pending\",\n      \"labels\"")), 400,
                        "alerts[0].status: must be \"firing\" or \"resolved\", got \"pending\""),
                Arguments.of("bad timestamp", bytes(fixture().replace("\"startsAt\": \"2026-11-25T21:59:50Z\"", "\"startsAt\": \"yesterday\"")), 400,
                        "alerts[0].startsAt: not an RFC 3339 time: \"yesterday\""),
                Arguments.of("a time beyond year 9999 (overflows arithmetic)", bytes(fixture().replace("\"startsAt\": \"2026-11-25T21:59:50Z\"",
                        "\"startsAt\": \"+999999999-01-01T00:00:00Z\"")), 400,
                        "alerts[0].startsAt: must be between year 0001 and 9999, got \"+999999999-01-01T00:00:00Z\""),
                Arguments.of("truncatedAlerts beyond an int", bytes(fixture().replaceFirst("\"truncatedAlerts\": \\d+", "\"truncatedAlerts\": 3000000000")),
                        400, "truncatedAlerts: must be a whole number from 0 to 2147483647, got 3000000000"),
                Arguments.of("unsupported version", bytes(fixture().replace("\"version\": \"4\"", "\"version\": \"3\"")), 400,
                        "version: unsupported payload version \"3\", only \"4\" (Alertmanager) or \"1\" (Grafana) is supported"),
                Arguments.of("a version that is a number", bytes(fixture().replace("\"version\": \"4\"", "\"version\": 4")), 400,
                        "version: unsupported payload version 4, only \"4\" (Alertmanager) or \"1\" (Grafana) is supported"),
                Arguments.of("a null version", bytes(fixture().replace("\"version\": \"4\"", "\"version\": null")), 400,
                        "version: unsupported payload version null, only \"4\" (Alertmanager) or \"1\" (Grafana) is supported"),
                Arguments.of("deeply nested JSON", bytes("{\"version\":\"4\",\"alerts\":" + nested + "}"), 400,
                        "JSON nested too deeply or too large: Document nesting depth (33) exceeds the maximum allowed (32"),
                Arguments.of("invalid UTF-8", invalidUtf8, 400, "body is not valid UTF-8 (bad byte sequence near byte "),
                Arguments.of("a fingerprint that is not 16 hex digits", bytes(fixture().replace("\"bfcfce9889d1664b\"", "\"bfcfce9889d1664b:x\"")),
                        400, "alerts[0].fingerprint: must be 16 hex digits (Alertmanager's fingerprint), got \"bfcfce9889d1664b:x\""),
                Arguments.of("a fingerprint of the wrong type", bytes(fixture().replace("\"bfcfce9889d1664b\"", "42")), 400,
                        "alerts[0].fingerprint: must be a string, got a number"),
                Arguments.of("a label value over the limit", bytes(fixture().replaceFirst("\"192\\.168\\.1\\.101:9100\"", "\"" + "i".repeat(4097) + "\"")),
                        413, "alerts[0].labels.instance: 4097 characters, over the limit of 4096"),
                Arguments.of("an annotation over the limit", bytes(fixture().replaceFirst("\"CPU usage is 93\\.2%\"", "\"" + "d".repeat(16385) + "\"")),
                        413, "alerts[0].annotations.description: 16385 characters, over the limit of 16384"),
                Arguments.of("too many labels", bytes(fixture().replace("\"severity\": \"warning\"\n      }", manyLabels(101) + "\n      }")),
                        413, "alerts[0].labels: 105 entries, over the limit of 100"),
                Arguments.of("a label name over the limit", bytes(fixture().replace("\"severity\": \"warning\"\n      }",
                        "\"severity\": \"warning\", \"" + "n".repeat(257) + "\": \"v\"\n      }")),
                        413, "alerts[0].labels: a name of 257 characters (" + "n".repeat(57) + "...), over the limit of 256"),
                Arguments.of("a groupKey over the limit", bytes(fixture().replace("\"groupKey\": \"{}:{alertname=\\\"HighCPU\\\"}\"", "\"groupKey\": \"" + "g".repeat(4097) + "\"")),
                        413, "groupKey: 4097 characters, over the limit of 4096"),
                Arguments.of("an externalURL over the limit", bytes(fixture().replaceFirst("\"externalURL\": \"[^\"]*\"",
                        "\"externalURL\": \"http://" + "u".repeat(1100) + "\"")), 413, "externalURL: 1107 characters, over the limit of 1024"),
                Arguments.of("too many alerts", bytes(alerts(1001)), 413,
                        "alerts: 1001 alerts, over the limit of 1000 (INGEST_MAX_ALERTS; set max_alerts in Alertmanager's webhook_config to send fewer)"),
                Arguments.of("a control character in a bad label name", bytes(fixture().replace("\"severity\": \"warning\"\n      }",
                        "\"severity\": \"warning\", \"evil\\n\\u202eline\": 1\n      }")), 400,
                        "alerts[0].labels.evil\\u000a\\u202eline: must be a string, got a number"),
                Arguments.of("body over the limit", bytes(EXTRA(IngestHarness.MAX_BODY + 1)), 413,
                        "body is " + (IngestHarness.MAX_BODY + 1) + " bytes, over the limit of " + IngestHarness.MAX_BODY
                                + " bytes (INGEST_MAX_BODY_BYTES)"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badBodies")
    void rejects_bad_bodies_with_a_4xx_naming_the_problem_and_writes_nothing(String name, byte[] body, int status, String error)
            throws Exception {
        long before = written();
        HttpResponse<String> response = ingest.post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.body()).startsWith("{\"status\":\"error\",\"error\":\"" + escape(error));
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void rejects_a_wrong_content_type_with_415() throws Exception {
        long before = written();
        HttpResponse<String> response = ingest.send(ingest.webhook("application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(fixture())).build());
        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(response.body()).isEqualTo(
                "{\"status\":\"error\",\"error\":\"Content-Type must be application/json, got 'application/x-www-form-urlencoded'\"}");
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void rejects_a_charset_other_than_utf8_with_415() throws Exception {
        HttpResponse<String> response = ingest.send(ingest.webhook("application/json; charset=iso-8859-1")
                .POST(HttpRequest.BodyPublishers.ofString(fixture())).build());
        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void rejects_a_chunked_body_over_the_limit_with_413_without_reading_it_all() throws Exception {
        long before = written();
        byte[] big = new byte[IngestHarness.MAX_BODY * 4];
        java.util.Arrays.fill(big, (byte) ' ');
        // ofInputStream sends no Content-Length: the limit must hold for chunked bodies too.
        HttpResponse<String> response = ingest.send(ingest.webhook()
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("over the limit of " + IngestHarness.MAX_BODY + " bytes");
        assertThat(written()).isEqualTo(before);
    }

    @Test
    void names_several_problems_at_once() throws Exception {
        HttpResponse<String> response = ingest.post(bytes(
                "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\"},{\"labels\":{\"a\":\"b\"},\"status\":\"resolved\",\"annotations\":[]}]}"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"status\":\"error\",\"error\":\"alerts[0].labels: missing (an object of label names to string values); "
                + "alerts[1].annotations: must be an object of strings, got an array\"}");
    }

    private static String manyLabels(int n) {
        StringBuilder sb = new StringBuilder("\"severity\": \"warning\"");
        for (int i = 0; i < n; i++) {
            sb.append(", \"l").append(i).append("\": \"v\"");
        }
        return sb.toString();
    }

    private static String alerts(int n) {
        StringBuilder sb = new StringBuilder("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"status\":\"firing\",\"labels\":{\"alertname\":\"A").append(i).append("\"}}");
        }
        return sb.append("]}").toString();
    }

    @Test
    void every_rejection_is_logged_at_info_with_the_same_text_as_the_answer() throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(IngestApp.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            ingest.send(ingest.webhook("text/plain").POST(HttpRequest.BodyPublishers.ofString(fixture())).build());
            ingest.post(bytes(EXTRA(IngestHarness.MAX_BODY + 1)));
            ingest.post(bytes(alerts(1001)));
            assertThat(lines.list).extracting(e -> e.getLevel() + " " + e.getFormattedMessage()).containsExactly(
                    "INFO Answered 415 to a webhook from 127.0.0.1: Content-Type must be application/json, got 'text/plain'",
                    "INFO Answered 413 to a webhook from 127.0.0.1: body is " + (IngestHarness.MAX_BODY + 1) + " bytes, over the limit of "
                            + IngestHarness.MAX_BODY + " bytes (INGEST_MAX_BODY_BYTES)",
                    "INFO Answered 413 to a webhook from 127.0.0.1: alerts: 1001 alerts, over the limit of 1000 (INGEST_MAX_ALERTS; "
                            + "set max_alerts in Alertmanager's webhook_config to send fewer)");
        } finally {
            logger.detachAppender(lines);
        }
    }

    private static long written() {
        return KafkaTestClients.endOffsetSum(ingest.kafka.bootstrapServers(), ingest.topics.webhooks().name());
    }

    private static String EXTRA(int size) {
        String empty = padded("");
        return padded("p".repeat(size - empty.getBytes(StandardCharsets.UTF_8).length));
    }

    private static String padded(String pad) {
        return fixture().replace("\"receiver\"", "\"pad\": \"" + pad + "\",\n  \"receiver\"");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static byte[] replace(byte[] haystack, byte[] needle, byte[] with) {
        String h = new String(haystack, StandardCharsets.ISO_8859_1);
        return h.replace(new String(needle, StandardCharsets.ISO_8859_1), new String(with, StandardCharsets.ISO_8859_1))
                .getBytes(StandardCharsets.ISO_8859_1);
    }
}
