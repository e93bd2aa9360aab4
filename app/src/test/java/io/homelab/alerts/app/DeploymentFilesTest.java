package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Keeps .env.example and docker-compose.yml true: .env.example lists every setting with its
 * default and help, and every variable the compose file sets or reads is one the app knows or
 * one .env.example explains.
 */
class DeploymentFilesTest {
    /** Variables only docker-compose reads (image, ports, groups, JVM), with their help. */
    static final Map<String, String[]> COMPOSE_ONLY = new LinkedHashMap<>();

    static {
        COMPOSE_ONLY.put("INGEST_PUBLISH", new String[] {"9095", "host port (or 127.0.0.1:PORT) Alertmanager posts to; the container listens on PROMETHEUS_WEBHOOK_PORT"});
        COMPOSE_ONLY.put("DOCKER_GID", new String[] {"", "required: group id of /var/run/docker.sock on the host (stat -c %g /var/run/docker.sock), lets the remediator use it"});
        COMPOSE_ONLY.put("HOMELAB_IMAGE", new String[] {"homelab-alerts:latest", "name of the image built from this repository"});
        COMPOSE_ONLY.put("JDK_IMAGE", new String[] {"eclipse-temurin:17-jdk", "base image of the build stage (any with a JDK 17)"});
        COMPOSE_ONLY.put("DEMO_BASE_IMAGE", new String[] {"debian:bookworm-slim", "demo profile: Debian bookworm base of its Prometheus / Alertmanager / node-exporter image"});
        COMPOSE_ONLY.put("DEMO_IMAGE", new String[] {"homelab-alerts-demo:latest", "demo profile: name of that image"});
        COMPOSE_ONLY.put("DEMO_PROMETHEUS_PUBLISH", new String[] {"9090", "demo profile: port of Prometheus on 127.0.0.1"});
        COMPOSE_ONLY.put("DEMO_ALERTMANAGER_PUBLISH", new String[] {"9093", "demo profile: port of Alertmanager on 127.0.0.1"});
        COMPOSE_ONLY.put("JRE_IMAGE", new String[] {"eclipse-temurin:17-jre", "base image of the runtime (any with a JRE 17 and bash)"});
    }

    /** Set per container by docker-compose.yml, so a value in .env is overridden there. */
    static final Set<String> SET_BY_COMPOSE = Set.of("KAFKA_EMBEDDED_BIND", "KAFKA_ADVERTISED_HOST", "PROCESSOR_HTTP_BIND", "PROCESSOR_HTTP_HOST",
            "PROCESSOR_API_URL", "DOCKER_HOST");

    static String expectedEnvExample() {
        StringBuilder sb = new StringBuilder("""
                # homelab-alerts settings for docker-compose: cp .env.example .env, then edit .env.
                # Every setting the app reads, with its default; a commented line keeps the default.
                # Generated from the code's list of settings (DeploymentFilesTest keeps it true).

                # Required by docker-compose.yml: the shared secret Alertmanager sends to ingest.
                PROMETHEUS_API_KEY=
                # Required by docker-compose.yml: the secret of the processor's history API.
                PROCESSOR_API_KEY=

                """);
        for (Setting s : HomelabConfig.SETTINGS) {
            if (s.name().equals("PROMETHEUS_API_KEY") || s.name().equals("PROCESSOR_API_KEY")) {
                continue;
            }
            sb.append("# ").append(s.description());
            if (s.name().equals("KAFKA_BOOTSTRAP_SERVERS")) {
                sb.append(" (docker-compose: broker:9092, the broker container)");
            } else if (SET_BY_COMPOSE.contains(s.name())) {
                sb.append(" (docker-compose sets this per container)");
            }
            sb.append('\n').append('#').append(s.name()).append('=').append(s.defaultValue() == null ? "" : s.defaultValue()).append("\n\n");
        }
        sb.append("# --- read by docker-compose only ---\n\n");
        sb.append("# the project name, the same for Compose 1.29 and v2, so both find the same volumes\nCOMPOSE_PROJECT_NAME=homelab-alerts\n\n");
        COMPOSE_ONLY.forEach((name, v) -> sb.append("# ").append(v[1]).append('\n').append('#').append(name).append('=').append(v[0]).append("\n\n"));
        return sb.toString().stripTrailing() + "\n";
    }

    @Test
    void env_example_lists_every_setting_with_its_default_and_help() throws Exception {
        Path file = Path.of("../.env.example");
        String expected = expectedEnvExample();
        if (!Files.exists(file) || !Files.readString(file).equals(expected)) {
            Path wanted = Path.of("target/env.example.expected");
            Files.writeString(wanted, expected);
            assertThat(Files.exists(file) ? Files.readString(file) : "").as(".env.example is out of date: copy app/" + wanted + " over it")
                    .isEqualTo(expected);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void every_variable_the_compose_file_sets_or_reads_is_one_the_app_or_env_example_knows() throws Exception {
        String text = Files.readString(Path.of("../docker-compose.yml"));
        Set<String> known = HomelabConfig.SETTINGS.stream().map(Setting::name).collect(Collectors.toCollection(TreeSet::new));
        known.addAll(COMPOSE_ONLY.keySet());
        known.add("JAVA_OPTS"); // more JVM flags, read by the launcher
        known.add("HOMELAB_HEAP"); // the launcher's heap size
        known.add("COMPOSE_PROJECT_NAME");

        Map<String, Object> compose = new Yaml().load(text);
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        assertThat(services).containsKeys("broker", "ingest", "processor", "notifier", "remediator");
        Set<String> set = new TreeSet<>();
        for (var e : services.entrySet()) {
            Map<String, Object> service = (Map<String, Object>) e.getValue();
            if (service.get("environment") instanceof Map<?, ?> env) {
                env.keySet().forEach(k -> set.add(k.toString()));
            }
            if (!List.of("prometheus", "alertmanager", "node-exporter", "demo-victim").contains(e.getKey())) {
                assertThat(service).as(e.getKey() + " has a health check and a restart policy").containsKeys("healthcheck", "restart");
            }
        }
        Matcher m = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(text);
        while (m.find()) {
            set.add(m.group(1));
        }
        assertThat(set).isNotEmpty();
        assertThat(known).as("variables docker-compose.yml uses that neither the app nor .env.example knows").containsAll(set);
    }

    /** A tool from a Debian package; missing outside CI skips, under CI fails. */
    static void requireTool(String tool, String pkg) {
        boolean found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
        if (!found) {
            if (System.getenv("CI") == null) {
                org.junit.jupiter.api.Assumptions.abort(tool + " is not installed (apt-get install " + pkg + "); under CI this test must run");
            }
            throw new AssertionError("CI is set but " + tool + " is missing: .ci/run must install " + pkg);
        }
    }

    static String check(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).directory(Path.of("..").toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ":\n" + out).isZero();
        return out;
    }

    @Test
    void the_alertmanager_example_is_valid_for_amtool() throws Exception {
        requireTool("amtool", "prometheus-alertmanager");
        assertThat(check(List.of("amtool", "check-config", "deploy/alertmanager.yml"))).contains("SUCCESS");
    }

    @Test
    void the_prometheus_example_and_its_rules_are_valid_for_promtool() throws Exception {
        requireTool("promtool", "prometheus");
        assertThat(check(List.of("promtool", "check", "config", "deploy/prometheus.yml"))).contains("SUCCESS");
        assertThat(check(List.of("promtool", "check", "rules", "deploy/rules.yml"))).contains("SUCCESS: 15 rules found");
    }

    @Test
    void the_rules_carry_the_labels_the_runbooks_read() throws Exception {
        String rules = Files.readString(Path.of("../deploy/rules.yml"));
        for (String alert : List.of("ContainerDown", "HighCPU", "HighMemory", "HighDiskUsage", "ServiceDown", "HostDown", "Watchdog")) {
            assertThat(rules).contains("- alert: " + alert);
        }
        assertThat(rules.lines().filter(l -> l.strip().startsWith("expr:") && l.contains("absent(")).toList())
                .as("the old absent() rule yields no name label").isEmpty();
        assertThat(rules).contains("label_replace(node_systemd_unit_state");
    }

    @Test
    void the_systemd_unit_passes_systemd_analyze_verify() throws Exception {
        requireTool("systemd-analyze", "systemd");
        Path dir = Files.createTempDirectory("unit");
        Path unit = Files.copy(Path.of("../deploy/homelab-alerts.service"), dir.resolve("homelab-alerts.service"));
        Process p = new ProcessBuilder("systemd-analyze", "verify", unit.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // Complaints about this unit name it; the host's own units (missing here) are not ours to judge.
        assertThat(out.lines().filter(l -> l.contains("homelab-alerts.service")).toList()).as(out).isEmpty();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
