package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.ChatTarget;
import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.processor.route.RouteDecision;
import io.homelab.alerts.processor.route.RouteTable;
import io.homelab.alerts.processor.route.RouteTableLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteTableTest {
    static final String YAML = """
            routes:
              - name: ignore-watchdog
                matchers: ['alertname="Watchdog"']
                drop: true
              - name: media
                matchers: ['alertname=~"Container.*"', 'name=~"jellyfin|plex"']
                notify:
                  - chat: "-1001"
                    topic: 42
                remediate: restart-container
                continue: true
              - name: critical-to-ops
                matchers: ['severity="critical"']
                notify:
                  - chat: "-1002"
              - name: quiet-info
                matchers: ['severity=~"info|none"']
                notify: false
                remediate: false
            """;

    @TempDir
    static Path dir;
    static RouteTable table;

    @BeforeAll
    static void load() throws IOException {
        Path file = dir.resolve("homelab.yml");
        Files.writeString(file, YAML);
        table = RouteTableLoader.load(file, new DefaultRoutes());
    }

    static AlertEvent alert(Map<String, String> labels) {
        return new AlertEvent("fp", "firing", labels, Map.of(), Instant.EPOCH, null, null, "r", null, 0, Instant.EPOCH, null);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Watchdog is dropped", Map.of("alertname", "Watchdog", "severity", "none"),
                        new RouteDecision("ignore-watchdog", false, List.of(), false, null, List.of(), true)),
                Arguments.of("a critical media container goes to the media topic, remediates, and continues to ops",
                        Map.of("alertname", "ContainerDown", "name", "jellyfin", "severity", "critical"),
                        new RouteDecision("media,critical-to-ops", true,
                                List.of(new ChatTarget("-1001", 42), new ChatTarget("-1002", null)), true, "restart-container")),
                Arguments.of("another container only matches the critical route",
                        Map.of("alertname", "ContainerDown", "name", "pihole", "severity", "critical"),
                        new RouteDecision("critical-to-ops", true, List.of(new ChatTarget("-1002", null)), true, null)), // the first matching runbook
                Arguments.of("info is neither notified nor remediated", Map.of("alertname", "Backup", "severity", "info"),
                        new RouteDecision("quiet-info", false, List.of(), false, null)),
                Arguments.of("what no route matches falls back to the defaults", Map.of("alertname", "HighCPU", "severity", "warning"),
                        new RouteDecision("default", true, List.of(), true, null)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void routes_like_alertmanager_with_continue(String name, Map<String, String> labels, RouteDecision expected) {
        assertThat(table.route(alert(labels))).isEqualTo(expected);
    }

    @Test
    void reports_every_problem_with_file_line_and_reason() throws IOException {
        Path file = dir.resolve("broken.yml");
        Files.writeString(file, """
                routes:
                  - name: a
                    matchers: ['severity critical', 'alertname=~"(oops"']
                    notify: maybe
                  - matcher: ['x="y"']
                    drop: true
                    continue: true
                reciever: telegram
                """);
        assertThatThrownBy(() -> RouteTableLoader.load(file, new DefaultRoutes()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":3: routes[0].matchers[0]: 'severity critical': expected one of =, !=, =~, !~ after 'severity'",
                        file + ":3: routes[0].matchers[1]: 'alertname=~\"(oops\"': bad regular expression: missing closing ) (RE2 syntax, as Alertmanager's)",
                        file + ":4: routes[0].notify: expected true, false, or a list of {chat, topic}",
                        file + ":5: routes[1].matcher: unknown key (expected one of continue, drop, matchers, name, notify, remediate, webhooks)",
                        file + ":5: routes[1]: 'matchers' is required (write matchers: [] for a route that matches every alert)",
                        file + ":5: routes[1]: a route with 'drop: true' cannot also notify, remediate, call webhooks or continue",
                        file + ":8: reciever: unknown key (expected one of routes, runbooks, webhooks)"));
    }

    @Test
    void a_route_may_call_webhooks_defined_at_the_top_and_naming_an_undefined_one_is_an_error() throws IOException {
        Path file = dir.resolve("hooks.yml");
        Files.writeString(file, """
                webhooks:
                  - name: pagerduty
                    url: https://events.pagerduty.com/v2/enqueue
                routes:
                  - name: page
                    matchers: ['severity="critical"']
                    webhooks: [pagerduty]
                    notify: false
                  - name: typo
                    matchers: ['severity="warning"']
                    webhooks: [pagerduty, grafana]
                """);
        assertThatThrownBy(() -> RouteTableLoader.load(file, new DefaultRoutes()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":11: routes[1].webhooks[1]: no webhook named 'grafana' under the top-level 'webhooks:'"));

        Files.writeString(file, Files.readString(file).replace("webhooks: [pagerduty, grafana]", "webhooks: [pagerduty]"));
        RouteDecision critical = RouteTableLoader.load(file, new DefaultRoutes())
                .route(alert(Map.of("alertname", "DiskFailing", "severity", "critical")));
        assertThat(critical).isEqualTo(new RouteDecision("page", false, List.of(), true, null, List.of("pagerduty")));
    }

    @Test
    void reports_yaml_syntax_errors_with_their_line() throws IOException {
        Path file = dir.resolve("syntax.yml");
        Files.writeString(file, "routes:\n  - name: a\n    matchers: ['x=\"y\"'\n");
        assertThatThrownBy(() -> RouteTableLoader.load(file, new DefaultRoutes()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
                        .startsWith(file + ":4: not valid YAML: "));
    }

    @Test
    void a_route_without_matchers_is_refused_and_match_all_must_be_written_out() throws IOException {
        Path file = dir.resolve("forgotten.yml");
        Files.writeString(file, """
                routes:
                  - name: drop-watchdog
                    drop: true
                """);
        assertThatThrownBy(() -> RouteTableLoader.load(file, new DefaultRoutes()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        file + ":2: routes[0]: 'matchers' is required (write matchers: [] for a route that matches every alert)"));

        Files.writeString(file, """
                routes:
                  - name: everything-quiet
                    matchers: []
                    notify: false
                """);
        assertThat(RouteTableLoader.load(file, new DefaultRoutes())
                .route(alert(Map.of("alertname", "Anything"))).route()).isEqualTo("everything-quiet");
    }

    @Test
    void a_dropped_alert_is_marked_dropped_and_the_route_table_lists_the_chats_it_names() {
        assertThat(table.route(alert(Map.of("alertname", "Watchdog"))).dropped()).isTrue();
        assertThat(table.route(alert(Map.of("alertname", "HighCPU", "severity", "critical"))).dropped()).isFalse();
        assertThat(table.namedChats()).extracting(c -> c.chatId()).containsExactly("-1001", "-1002");
    }
}
