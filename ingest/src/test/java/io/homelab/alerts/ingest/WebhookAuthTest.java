package io.homelab.alerts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.testing.Fixtures;
import io.homelab.alerts.common.testing.KafkaTestClients;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The key works in every form Alertmanager 0.25 can send; anything else is a 401 and writes nothing. */
class WebhookAuthTest {
    static final String KEY = "s3cret-token";
    @TempDir
    static Path dataDir;
    static IngestHarness ingest;

    @BeforeAll
    static void start() throws Exception {
        ingest = new IngestHarness(dataDir, Optional.of(KEY), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        ingest.close();
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
                Arguments.of("X-API-Key header", "X-API-Key", KEY),
                Arguments.of("http_config.authorization (Bearer)", "Authorization", "Bearer " + KEY),
                Arguments.of("bearer scheme in lower case", "Authorization", "bearer " + KEY),
                Arguments.of("http_config.basic_auth with the key as password", "Authorization", basic("am", KEY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void accepts_the_key_in_every_form_alertmanager_can_send(String name, String header, String value) throws Exception {
        long before = written();
        HttpResponse<String> response = post(header, value);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(written()).isEqualTo(before + 1);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("no credentials", null, null, "missing API key: send X-API-Key, Authorization: Bearer, or basic auth with the key as password"),
                Arguments.of("wrong X-API-Key", "X-API-Key", "s3cret-tokeN", "invalid API key"),
                Arguments.of("key as a prefix", "X-API-Key", KEY + "x", "invalid API key"),
                Arguments.of("wrong bearer token", "Authorization", "Bearer nope", "invalid API key"),
                Arguments.of("key as basic-auth user, not password", "Authorization", basic(KEY, "pw"), "invalid API key"),
                Arguments.of("basic auth that is not base64", "Authorization", "Basic %%%", "invalid API key"),
                Arguments.of("unknown scheme", "Authorization", "Token " + KEY, "invalid API key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refuses_anything_else_with_401_and_writes_nothing(String name, String header, String value, String error) throws Exception {
        long before = written();
        HttpResponse<String> response = post(header, value);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).isEqualTo("{\"status\":\"error\",\"error\":\"" + error + "\"}");
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(written()).isEqualTo(before);
    }

    private static HttpResponse<String> post(String header, String value) throws Exception {
        HttpRequest.Builder request = ingest.webhook().POST(HttpRequest.BodyPublishers.ofByteArray(Fixtures.alertmanager("firing-group.json")));
        if (header != null) {
            request.header(header, value);
        }
        return ingest.send(request.build());
    }

    private static long written() {
        return KafkaTestClients.endOffsetSum(ingest.kafka.bootstrapServers(), ingest.topics.webhooks().name());
    }
}
