package io.homelab.alerts.notifier.channel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.homelab.alerts.common.model.AlertEvent;
import io.homelab.alerts.common.model.Notification;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JSON body with placeholders in its strings: {@code {{alertname}}}, {@code {{labels.instance}}},
 * {@code {{annotations.summary | default no summary}}}, {@code {{status | map firing=trigger resolved=resolve}}}.
 * The template is a JSON tree, not text, so no label value can break the JSON: values are
 * inserted as strings; a string that is exactly one placeholder of a map ({@code {{labels}}}) or of
 * a number ({@code {{startsAtMillis}}}) becomes that object or number.
 */
public final class WebhookTemplate {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}|]+?)\\s*((?:\\|[^}|]*)*)}}");
    /** Every name a placeholder may use, besides labels.X and annotations.X. */
    static final Set<String> NAMES = Set.of("status", "alertname", "severity", "instance", "fingerprint", "summary", "description",
            "startsAt", "endsAt", "startsAtMillis", "endsAtMillis", "generatorURL", "externalURL", "receiver", "route", "reason",
            "labels", "annotations");

    private final JsonNode template;

    private WebhookTemplate(JsonNode template) {
        this.template = template;
    }

    /** Checks every placeholder; problems are named by their path in the body (e.g. "body.payload.severity"). */
    public static WebhookTemplate parse(JsonNode template, String where, List<String> problems) {
        check(template, where, problems);
        return new WebhookTemplate(template);
    }

    private static void check(JsonNode node, String where, List<String> problems) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> check(e.getValue(), where + "." + e.getKey(), problems));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                check(node.get(i), where + "[" + i + "]", problems);
            }
        } else if (node.isTextual()) {
            Matcher m = PLACEHOLDER.matcher(node.asText());
            while (m.find()) {
                String name = m.group(1);
                if (!NAMES.contains(name) && !name.matches("(labels|annotations)\\.[A-Za-z_][A-Za-z0-9_]*")) {
                    problems.add(where + ": unknown placeholder {{" + name + "}} (use one of " + String.join(", ",
                            NAMES.stream().sorted().toList()) + ", labels.<name>, annotations.<name>)");
                }
                for (String filter : filters(m.group(2))) {
                    if (!filter.equals("upper") && !filter.equals("lower") && !filter.startsWith("default ") && !filter.startsWith("map ")) {
                        problems.add(where + ": unknown filter '" + filter + "' (use default <text>, map a=b c=d *=e, upper, lower)");
                    }
                }
            }
            if (node.asText().contains("{{") && !PLACEHOLDER.matcher(node.asText()).find()) {
                problems.add(where + ": '{{' without a matching '}}'");
            }
        }
    }

    private static List<String> filters(String chain) {
        List<String> out = new ArrayList<>();
        for (String f : chain.split("\\|")) {
            if (!f.isBlank()) {
                out.add(f.strip());
            }
        }
        return out;
    }

    /** The body for one notification. */
    public JsonNode render(Notification notification) {
        return render(template, values(notification));
    }

    private static JsonNode render(JsonNode node, Map<String, Object> values) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (node.isObject()) {
            ObjectNode out = json.objectNode();
            node.fields().forEachRemaining(e -> out.set(e.getKey(), render(e.getValue(), values)));
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = json.arrayNode();
            node.forEach(item -> out.add(render(item, values)));
            return out;
        }
        if (!node.isTextual()) {
            return node;
        }
        String text = node.asText();
        Matcher whole = PLACEHOLDER.matcher(text);
        if (whole.matches() && whole.group(2).isBlank()) {
            Object value = values.get(whole.group(1));
            if (value instanceof Map<?, ?> map) {
                ObjectNode out = json.objectNode();
                map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
                return out;
            }
            if (value instanceof Long number) {
                return json.numberNode(number);
            }
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object raw = values.get(m.group(1));
            String value = raw == null ? "" : raw instanceof Map<?, ?> map ? map.toString() : String.valueOf(raw);
            for (String filter : filters(m.group(2))) {
                value = apply(filter, value);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return json.textNode(out.toString());
    }

    private static String apply(String filter, String value) {
        if (filter.equals("upper")) {
            return value.toUpperCase(Locale.ROOT);
        }
        if (filter.equals("lower")) {
            return value.toLowerCase(Locale.ROOT);
        }
        if (filter.startsWith("default ")) {
            return value.isEmpty() ? filter.substring("default ".length()).strip() : value;
        }
        // map a=b c=d *=e: the first key equal to the value, else *, else the value itself
        String fallback = value;
        for (String pair : filter.substring("map ".length()).strip().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String from = pair.substring(0, eq);
            if (from.equals(value)) {
                return pair.substring(eq + 1);
            }
            if (from.equals("*")) {
                fallback = pair.substring(eq + 1);
            }
        }
        return fallback;
    }

    private static Map<String, Object> values(Notification n) {
        AlertEvent a = n.alert();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("status", a.status());
        v.put("alertname", a.alertname());
        v.put("severity", a.severity());
        v.put("instance", a.instance());
        v.put("fingerprint", a.fingerprint());
        v.put("summary", a.annotations().getOrDefault("summary", ""));
        v.put("description", a.annotations().getOrDefault("description", ""));
        v.put("startsAt", a.startsAt() == null ? "" : a.startsAt().toString());
        v.put("endsAt", a.endsAt() == null ? "" : a.endsAt().toString());
        v.put("startsAtMillis", a.startsAt() == null ? 0L : a.startsAt().toEpochMilli());
        v.put("endsAtMillis", a.endsAt() == null ? 0L : a.endsAt().toEpochMilli());
        v.put("generatorURL", a.generatorUrl() == null ? "" : a.generatorUrl());
        v.put("externalURL", a.externalUrl() == null ? "" : a.externalUrl());
        v.put("receiver", a.receiver() == null ? "" : a.receiver());
        v.put("route", n.route() == null ? "" : n.route());
        v.put("reason", n.reason() == null ? "" : n.reason().name());
        v.put("labels", new java.util.TreeMap<>(a.labels()));
        v.put("annotations", new java.util.TreeMap<>(a.annotations()));
        a.labels().forEach((k, val) -> v.put("labels." + k, val));
        a.annotations().forEach((k, val) -> v.put("annotations." + k, val));
        return v;
    }
}
