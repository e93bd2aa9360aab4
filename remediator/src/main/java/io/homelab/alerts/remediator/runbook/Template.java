package io.homelab.alerts.remediator.runbook;

import io.homelab.alerts.common.logging.Printable;
import io.homelab.alerts.common.model.AlertEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runbook parameter with placeholders over the alert, as the outgoing webhook bodies have:
 * {@code {{labels.name}}}, {@code {{instance | host}}}, {@code {{labels.name | or labels.container}}},
 * {@code {{labels.unit | default nginx.service}}}. Every value a placeholder inserts is checked
 * against the parameter's {@link ParamKind} before anything runs, and so is the whole result
 * when the parameter names one thing (a container, a unit, a host).
 */
public final class Template {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^}|]+?)\\s*((?:\\|[^}|]*)*)}}");
    static final Set<String> NAMES = Set.of("alertname", "severity", "instance", "fingerprint", "status", "summary");
    private static final Pattern LABEL_NAME = Pattern.compile("(labels|annotations)\\.[A-Za-z_][A-Za-z0-9_]*");

    private final String text;

    private Template(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    public boolean hasPlaceholders() {
        return PLACEHOLDER.matcher(text).find();
    }

    /** Checks every placeholder and filter; problems are appended with {@code where} in front. */
    public static Template parse(String text, String where, List<String> problems) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            checkName(m.group(1), where, problems);
            for (String filter : filters(m.group(2))) {
                if (filter.startsWith("or ")) {
                    checkName(filter.substring(3).strip(), where, problems);
                } else if (!filter.equals("host") && !filter.equals("port") && !filter.equals("lower") && !filter.equals("upper")
                        && !filter.startsWith("default ")) {
                    problems.add(where + ": unknown filter '" + filter + "' (use host, port, lower, upper, default <text>, or <name>)");
                }
            }
        }
        if (text.contains("{{") && !PLACEHOLDER.matcher(text).find()) {
            problems.add(where + ": '{{' without a matching '}}'");
        }
        return new Template(text);
    }

    public static Template literal(String text) {
        return new Template(text);
    }

    private static void checkName(String name, String where, List<String> problems) {
        if (!NAMES.contains(name) && !LABEL_NAME.matcher(name).matches()) {
            problems.add(where + ": unknown placeholder {{" + name + "}} (use one of " + String.join(", ", NAMES.stream().sorted().toList())
                    + ", labels.<name>, annotations.<name>)");
        }
    }

    /** The text for display: no checks (descriptions are shown, never run). */
    public String display(AlertEvent alert) {
        try {
            return render(alert, ParamKind.TEXT, "description");
        } catch (Refusal e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The value for {@code alert}; refuses when an inserted value (or, for one-thing kinds, the
     * result) does not fit {@code kind}, naming the parameter and the value.
     */
    public String render(AlertEvent alert, ParamKind kind, String param) throws Refusal {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        boolean any = false;
        while (m.find()) {
            any = true;
            String source = m.group(1);
            String value = value(alert, source);
            for (String filter : filters(m.group(2))) {
                if (filter.startsWith("or ")) {
                    if (value.isEmpty()) {
                        source = filter.substring(3).strip();
                        value = value(alert, source);
                    }
                } else {
                    value = apply(filter, value);
                }
            }
            if (kind != ParamKind.TEXT) {
                var problem = kind.problem(value);
                if (problem.isPresent()) {
                    throw new Refusal(describe(source, value) + " " + problem.get() + ", so " + param + " cannot be filled");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        String result = out.toString();
        if (any && (kind == ParamKind.CONTAINER || kind == ParamKind.UNIT || kind == ParamKind.HOST)) {
            var problem = kind.problem(result);
            if (problem.isPresent()) {
                throw new Refusal(param + " '" + Printable.of(result) + "' " + problem.get());
            }
        }
        return result;
    }

    private static String describe(String source, String value) {
        String name = source.startsWith("labels.") ? "label " + source.substring(7)
                : source.startsWith("annotations.") ? "annotation " + source.substring(12) : source;
        return value.isEmpty() ? name + " (missing or empty)" : name + " '" + Printable.of(value) + "'";
    }

    private static String value(AlertEvent alert, String name) {
        String v;
        if (name.startsWith("labels.")) {
            v = alert.labels().get(name.substring(7));
        } else if (name.startsWith("annotations.")) {
            v = alert.annotations().get(name.substring(12));
        } else {
            v = switch (name) {
                case "alertname" -> alert.alertname();
                case "severity" -> alert.severity();
                case "instance" -> alert.instance();
                case "fingerprint" -> alert.fingerprint();
                case "status" -> alert.status();
                case "summary" -> alert.annotations().get("summary");
                default -> null;
            };
        }
        return v == null ? "" : v;
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

    /** {@code host}: "nas:9100" → "nas", "http://[::1]:80/x" → "::1"; {@code port}: "nas:9100" → "9100". */
    static String apply(String filter, String value) {
        return switch (filter) {
            case "lower" -> value.toLowerCase(Locale.ROOT);
            case "upper" -> value.toUpperCase(Locale.ROOT);
            case "host" -> hostPort(value)[0];
            case "port" -> hostPort(value)[1];
            default -> value.isEmpty() ? filter.substring("default ".length()).strip() : value;
        };
    }

    /** "nas:9100" → [nas, 9100], "http://[::1]:80/x" → [::1, 80], "nas" → [nas, ""]. */
    public static String[] hostPort(String value) {
        String v = value;
        int scheme = v.indexOf("://");
        if (scheme >= 0) {
            v = v.substring(scheme + 3);
        }
        int slash = v.indexOf('/');
        if (slash >= 0) {
            v = v.substring(0, slash);
        }
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close > 0) {
                String rest = v.substring(close + 1);
                return new String[] {v.substring(1, close), rest.startsWith(":") ? rest.substring(1) : ""};
            }
        }
        int colon = v.lastIndexOf(':');
        if (colon > 0 && v.indexOf(':') == colon) {
            return new String[] {v.substring(0, colon), v.substring(colon + 1)};
        }
        return new String[] {v, ""};
    }

    @Override
    public String toString() {
        return text;
    }
}
