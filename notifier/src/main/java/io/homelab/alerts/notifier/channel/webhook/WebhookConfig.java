package io.homelab.alerts.notifier.channel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.json.Json;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * One outgoing webhook from the top-level {@code webhooks:} of HOMELAB_CONFIG: where to POST, with
 * which headers, and the JSON body template. {@code ${VAR}} in the URL, headers and body is
 * replaced by the environment variable at start-up, so secrets (a PagerDuty routing key, a
 * Grafana token) stay out of the file.
 *
 * <pre>
 * webhooks:
 *   - name: pagerduty
 *     url: https://events.pagerduty.com/v2/enqueue
 *     send_resolved: true          # default true
 *     headers: {X-Source: homelab}  # optional
 *     body:
 *       routing_key: ${PAGERDUTY_ROUTING_KEY}
 *       event_action: '{{status | map firing=trigger resolved=resolve}}'
 *       dedup_key: '{{fingerprint}}'
 * </pre>
 */
public record WebhookConfig(String name, URI url, Map<String, String> headers, boolean sendResolved, WebhookTemplate body) {
    private static final Set<String> KEYS = Set.of("name", "url", "headers", "send_resolved", "body");
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** Every webhook in {@code file} (none when it has no {@code webhooks:}); all problems at once. */
    public static List<WebhookConfig> load(Path file, Map<String, String> env) {
        Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new LoaderOptions()).load(reader);
        } catch (IOException | YAMLException e) {
            throw new ConfigException(List.of(file + ": cannot be read as YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        List<WebhookConfig> out = new ArrayList<>();
        Object hooks = root instanceof Map<?, ?> map ? map.get("webhooks") : null;
        if (hooks == null) {
            return out;
        }
        if (!(hooks instanceof List<?> list)) {
            throw new ConfigException(List.of(file + ": webhooks: expected a list of {name, url, body}"));
        }
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String where = file + ": webhooks[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> hook)) {
                problems.add(where + ": expected {name, url, body}");
                continue;
            }
            for (Object key : hook.keySet()) {
                if (!KEYS.contains(String.valueOf(key))) {
                    problems.add(where + "." + key + ": unknown key (expected one of " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
                }
            }
            String name = hook.get("name") == null ? null : String.valueOf(hook.get("name"));
            if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
                problems.add(where + ".name: required, letters, digits, '.', '_' and '-' only");
            } else if (!names.add(name)) {
                problems.add(where + ".name: '" + name + "' is defined twice");
            }
            URI url = null;
            String written = String.valueOf(hook.get("url"));
            String urlText = expand(written, env, where + ".url", problems);
            // Errors show the URL as written in the file, never with ${VAR}s filled in or a password.
            String shown = written.replaceAll("//[^/@]*@", "//…@");
            try {
                url = URI.create(urlText);
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                    problems.add(where + ".url: expected an http:// or https:// URL, got '" + shown + "'");
                }
            } catch (IllegalArgumentException e) {
                problems.add(where + ".url: not a URL: '" + shown + "'" + (written.contains("${") ? " (after filling in its ${VAR}s)" : ""));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (hook.get("headers") instanceof Map<?, ?> h) {
                h.forEach((k, v) -> {
                    String value = expand(String.valueOf(v), env, where + ".headers." + k, problems);
                    try {
                        // The JDK refuses some headers (Host, Content-Length, …) and line breaks: find out now, not per alert.
                        java.net.http.HttpRequest.newBuilder(URI.create("http://check")).setHeader(String.valueOf(k), value);
                        headers.put(String.valueOf(k), value);
                    } catch (IllegalArgumentException e) {
                        // Never the value: it is often a token.
                        String why = value.chars().anyMatch(c -> c == '\r' || c == '\n' || c < 0x20 && c != '\t')
                                ? "the value contains a line break or control character" + (String.valueOf(v).contains("${")
                                        ? " (check the environment variable it comes from)" : "")
                                : "the header name is not allowed or not valid";
                        problems.add(where + ".headers." + k + ": cannot be sent: " + why);
                    }
                });
            } else if (hook.get("headers") != null) {
                problems.add(where + ".headers: expected a mapping of header names to values");
            }
            Object resolved = hook.containsKey("send_resolved") ? hook.get("send_resolved") : Boolean.TRUE;
            if (!(resolved instanceof Boolean)) {
                problems.add(where + ".send_resolved: expected true or false, got '" + resolved + "'");
            }
            if (hook.get("body") == null) {
                problems.add(where + ".body: required (the JSON to POST, with {{placeholders}})");
                continue;
            }
            JsonNode body = expandTree(Json.MAPPER.valueToTree(hook.get("body")), env, where + ".body", problems);
            WebhookTemplate template = WebhookTemplate.parse(body, where + ".body", problems);
            out.add(new WebhookConfig(name, url, headers, Boolean.TRUE.equals(resolved), template));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return out;
    }

    private static String expand(String text, Map<String, String> env, String where, List<String> problems) {
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                problems.add(where + ": ${" + m.group(1) + "} is not set in the environment");
                value = "";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode expandTree(JsonNode node, Map<String, String> env, String where, List<String> problems) {
        if (node.isObject()) {
            var out = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), expandTree(e.getValue(), env, where + "." + e.getKey(), problems)));
            return out;
        }
        if (node.isArray()) {
            var out = Json.MAPPER.createArrayNode();
            for (int i = 0; i < node.size(); i++) {
                out.add(expandTree(node.get(i), env, where + "[" + i + "]", problems));
            }
            return out;
        }
        return node.isTextual() ? Json.MAPPER.getNodeFactory().textNode(expand(node.asText(), env, where, problems)) : node;
    }
}
