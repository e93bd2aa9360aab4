package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.json.Json;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.DedupReason;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.notifier.channel.webhook.WebhookConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookConfigTest {
    static final Map<String, String> ENV = Map.of("PAGERDUTY_ROUTING_KEY", "R0UTING", "GRAFANA_TOKEN", "glsa_x");

    @TempDir
    Path dir;

    static Notification critical(String status) {
        AlertEvent alert = new AlertEvent("f6e94e35cf045285", status,
                Map.of("alertname", "ContainerDown", "instance", "docker-host:8080", "name", "jellyfin", "severity", "critical"),
                Map.of("summary", "Container \"jellyfin\" is <down>"), Instant.parse("2026-11-25T21:59:50Z"),
                status.equals("resolved") ? Instant.parse("2026-11-25T22:10:00Z") : null, "http://prom:9090/graph?g0.expr=up", "r",
                null, 0, Instant.parse("2026-11-25T21:59:51Z"), null);
        return new Notification(alert, DedupReason.FIRST, false, List.of(), "page-on-critical", List.of("pagerduty", "grafana"), true);
    }

    @Test
    void the_shipped_pagerduty_example_renders_an_events_api_v2_body_with_values_kept_intact() {
        List<WebhookConfig> hooks = WebhookConfig.load(Path.of("../examples/homelab.yml"), ENV);
        assertThat(hooks).extracting(WebhookConfig::name).containsExactly("pagerduty", "grafana");
        WebhookConfig pagerduty = hooks.get(0);

        assertThat(pagerduty.body().render(critical("firing"))).isEqualTo(Json.MAPPER.<com.fasterxml.jackson.databind.JsonNode>valueToTree(Map.of(
                "routing_key", "R0UTING",
                "event_action", "trigger",
                "dedup_key", "f6e94e35cf045285",
                "payload", Map.of(
                        "summary", "ContainerDown on docker-host:8080: Container \"jellyfin\" is <down>",
                        "source", "docker-host:8080",
                        "severity", "critical",
                        "timestamp", "2026-11-25T21:59:50Z",
                        "custom_details", Map.of("alertname", "ContainerDown", "instance", "docker-host:8080", "name", "jellyfin",
                                "severity", "critical")),
                "links", List.of(Map.of("href", "http://prom:9090/graph?g0.expr=up", "text", "Prometheus")))));
        assertThat(pagerduty.body().render(critical("resolved")).get("event_action").asText()).isEqualTo("resolve");
    }

    @Test
    void the_shipped_grafana_example_sends_a_numeric_time_and_its_token_header_and_skips_resolved_alerts() {
        WebhookConfig grafana = WebhookConfig.load(Path.of("../examples/homelab.yml"), ENV).get(1);

        assertThat(grafana.headers()).containsExactly(Map.entry("Authorization", "Bearer glsa_x"));
        assertThat(grafana.sendResolved()).isFalse();
        assertThat(Json.writeString(grafana.body().render(critical("firing")))).isEqualTo(
                "{\"time\":1795643990000,\"tags\":[\"homelab\",\"ContainerDown\",\"critical\"],"
                        + "\"text\":\"ContainerDown on docker-host:8080: Container \\\"jellyfin\\\" is <down>\"}");
    }

    @Test
    void reports_every_problem_in_the_definitions_at_once() throws Exception {
        Path file = dir.resolve("hooks.yml");
        Files.writeString(file, """
                webhooks:
                  - name: pd
                    url: ftp://example
                    body: {key: '${MISSING_KEY}', a: '{{nope}}', b: '{{status | shout}}'}
                  - name: pd
                    url: http://ok
                    send_resolved: sometimes
                    header: {}
                  - name: hosted
                    url: http://ok
                    headers: {Host: elsewhere}
                    body: {}
                """);
        assertThatThrownBy(() -> WebhookConfig.load(file, Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ": webhooks[0].url: expected an http:// or https:// URL, got 'ftp://example'",
                        file + ": webhooks[0].body.key: ${MISSING_KEY} is not set in the environment",
                        file + ": webhooks[0].body.a: unknown placeholder {{nope}} (use one of alertname, annotations, description, endsAt, "
                                + "endsAtMillis, externalURL, fingerprint, generatorURL, instance, labels, reason, receiver, route, severity, "
                                + "startsAt, startsAtMillis, status, summary, labels.<name>, annotations.<name>)",
                        file + ": webhooks[0].body.b: unknown filter 'shout' (use default <text>, map a=b c=d *=e, upper, lower)",
                        file + ": webhooks[1].header: unknown key (expected one of body, headers, name, send_resolved, url)",
                        file + ": webhooks[1].name: 'pd' is defined twice",
                        file + ": webhooks[1].send_resolved: expected true or false, got 'sometimes'",
                        file + ": webhooks[1].body: required (the JSON to POST, with {{placeholders}})",
                        file + ": webhooks[2].headers.Host: cannot be sent: the header name is not allowed or not valid"));
    }

    @Test
    void a_bad_definition_is_named_without_the_secret_that_went_into_it() throws Exception {
        Path file = dir.resolve("secret.yml");
        Files.writeString(file, """
                webhooks:
                  - name: grafana
                    url: ftp://admin:${PASSWORD}@grafana/api
                    headers: {Authorization: 'Bearer ${TOKEN}'}
                    body: {}
                """);
        assertThatThrownBy(() -> WebhookConfig.load(file, Map.of("TOKEN", "glsa_S3CRET\r", "PASSWORD", "hunter2")))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).containsExactly(
                            file + ": webhooks[0].url: expected an http:// or https:// URL, got 'ftp://…@grafana/api'",
                            file + ": webhooks[0].headers.Authorization: cannot be sent: the value contains a line break or control character "
                                    + "(check the environment variable it comes from)");
                    assertThat(String.join("\n", e.problems())).doesNotContain("S3CRET").doesNotContain("hunter2");
                });
    }
}
