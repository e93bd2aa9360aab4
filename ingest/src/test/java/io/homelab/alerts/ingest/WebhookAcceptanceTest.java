package io.homelab.alerts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.kafka.RawWebhookHeaders;
import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class WebhookAcceptanceTest {
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

    static final List<String> FIXTURES = Fixtures.ALERTMANAGER_0_25;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void stores_every_alertmanager_fixture_byte_for_byte_before_answering_200(String fixture) throws Exception {
        byte[] body = Fixtures.alertmanager(fixture);
        Instant before = Instant.now();

        HttpResponse<String> response = ingest.post(body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"status\":\"accepted\",\"alerts\":");
        ConsumerRecord<String, byte[]> stored = lastStored(body);
        String groupKey = new String(body, StandardCharsets.UTF_8).replaceAll("(?s).*\"groupKey\": \"((?:[^\"\\\\]|\\\\.)*)\".*", "$1")
                .replace("\\\"", "\"");
        assertThat(stored.key()).isEqualTo(groupKey);
        assertThat(header(stored, RawWebhookHeaders.USER_AGENT)).isEqualTo("Alertmanager/0.25.0");
        assertThat(header(stored, RawWebhookHeaders.REMOTE_ADDR)).isEqualTo("127.0.0.1");
        assertThat(header(stored, RawWebhookHeaders.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(Instant.parse(header(stored, RawWebhookHeaders.RECEIVED_AT))).isBetween(before, Instant.now());
    }

    @Test
    void the_old_docs_test_curl_run_verbatim_is_accepted_and_kept_as_sent() throws Exception {
        // A real child process: the script users paste, with nothing but the base URL changed.
        Process curl = new ProcessBuilder("bash", Fixtures.oldDocsTestCurl().toString(), ingest.uri("").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start(); // stderr: curl's progress meter
        String output = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor()).isZero();
        assertThat(output).as("the answer curl printed").isEqualTo("{\"status\":\"accepted\",\"alerts\":1}");
        byte[] body = Fixtures.oldDocsTestBody().getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> stored = lastStored(body);
        assertThat(stored.value()).isEqualTo(body);
        assertThat(stored.key()).as("no groupKey sent: Alertmanager's form of its (empty) group labels").isEqualTo("{}:{}");
    }

    @Test
    void grafana_alertings_webhook_is_accepted_with_its_extra_fields_kept() throws Exception {
        byte[] body = Fixtures.grafana();
        HttpResponse<String> response = ingest.post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"status\":\"accepted\",\"alerts\":2");
        ConsumerRecord<String, byte[]> stored = lastStored(body);
        assertThat(stored.key()).isEqualTo("{}/{}:{}");
        assertThat(new String(stored.value(), StandardCharsets.UTF_8)).contains("\"orgId\": 1").contains("\"state\": \"alerting\"")
                .contains("\"valueString\"");
    }

    @Test
    void fields_only_alertmanager_fills_in_may_be_missing() throws Exception {
        // No version, groupKey, status anywhere, times, fingerprint, receiver or externalURL: only what a person types.
        String body = "{\"groupLabels\":{\"alertname\":\"Typed\",\"job\":\"a\\\"b\"},\"alerts\":[{\"labels\":{\"alertname\":\"Typed\"}}]}";
        HttpResponse<String> response = ingest.post(body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        ConsumerRecord<String, byte[]> stored = lastStored(body.getBytes(StandardCharsets.UTF_8));
        assertThat(stored.key()).isEqualTo("{}:{alertname=\"Typed\",job=\"a\\\"b\"}");
    }

    @Test
    void keeps_fields_it_does_not_know_such_as_notification_reason() throws Exception {
        String body = new String(Fixtures.alertmanager("firing-single.json"), StandardCharsets.UTF_8)
                .replace("\"version\": \"4\",", "\"version\": \"4\",\n  \"notification_reason\": \"repeat_interval\",\n  \"routeLabels\": {\"team\": \"home\"},");
        HttpResponse<String> response = ingest.post(body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(new String(lastStored(body.getBytes(StandardCharsets.UTF_8)).value(), StandardCharsets.UTF_8))
                .contains("\"notification_reason\": \"repeat_interval\"");
    }

    @Test
    void accepts_label_values_up_to_their_limit_unchanged() throws Exception {
        String longest = "x".repeat(io.homelab.alerts.common.model.WebhookLimits.MAX_LABEL_VALUE_CHARS);
        byte[] body = singleAlert("\"alertname\":\"Big\",\"detail\":\"" + longest + "\"").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = ingest.post(body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(lastStored(body).value()).isEqualTo(body);
    }

    @Test
    void accepts_content_type_with_utf8_charset() throws Exception {
        byte[] body = Fixtures.alertmanager("firing-single.json");
        HttpResponse<String> response = ingest.send(ingest.webhook("application/json; charset=utf-8")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void health_is_ok_ready_sees_kafka_and_metrics_count_outcomes() throws Exception {
        assertThat(ingest.get("/health").body()).isEqualTo("OK");
        HttpResponse<String> ready = ingest.get("/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        ingest.post(Fixtures.alertmanager("firing-single.json"));
        HttpResponse<String> metrics = ingest.get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(metrics.body())
                .containsPattern("homelab_ingest_requests_total\\{outcome=\"accepted\"} [1-9]")
                .contains("homelab_ingest_body_bytes_count")
                .contains("homelab_ingest_kafka_ack_seconds_count")
                .contains("kafka_producer_record_send_total");
    }

    @Test
    void unknown_paths_get_a_json_404() throws Exception {
        HttpResponse<String> response = ingest.get("/nope");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"status\":\"error\",\"error\":\"no such endpoint: GET /nope\"}");
    }

    static String singleAlert(String labels) {
        return "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"Big\\\"}\",\"status\":\"firing\",\"receiver\":\"r\","
                + "\"alerts\":[{\"status\":\"firing\",\"labels\":{" + labels + "},\"annotations\":{},"
                + "\"startsAt\":\"2026-11-25T21:59:50Z\",\"endsAt\":\"0001-01-01T00:00:00Z\"}]}";
    }

    private static ConsumerRecord<String, byte[]> lastStored(byte[] body) {
        List<ConsumerRecord<String, byte[]>> all = KafkaTestClients.readAll(ingest.kafka.bootstrapServers(), ingest.topics.webhooks().name());
        List<ConsumerRecord<String, byte[]>> same = all.stream().filter(r -> java.util.Arrays.equals(r.value(), body)).toList();
        assertThat(same).as("records on the raw topic with exactly the posted bytes").isNotEmpty();
        return same.get(same.size() - 1);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
