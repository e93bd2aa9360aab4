package io.homelab.alerts.remediator.runbook;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.match.LabelMatcher;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the {@code runbooks:} of the HOMELAB_CONFIG YAML file (the processor reads {@code routes:},
 * the notifier {@code webhooks:}). Every problem is reported at once with file, line and reason.
 *
 * <pre>
 * runbooks:
 *   - name: restart-jellyfin
 *     matchers: ['alertname="ContainerDown"', 'name="jellyfin"']
 *     risk: low                       # low runs on its own (autohealing on); medium, high ask first
 *     description: "restart {{labels.name}}"
 *     action:
 *       docker: restart               # recover, restart, start, stop, prune, restart-worst
 *       container: "{{labels.name}}"
 *     cooldown: 10m                   # optional: REMEDIATION_COOLDOWN
 *     hourly_cap: 3                   # optional: REMEDIATION_HOURLY_CAP
 *     verify_within: 5m               # optional: REMEDIATION_VERIFY_TIME
 *     timeout: 2m                     # optional: REMEDIATION_ACTION_TIMEOUT
 * </pre>
 */
public final class RunbookLoader {
    static final Set<String> RUNBOOK_KEYS = Set.of("name", "matchers", "risk", "description", "action", "cooldown", "hourly_cap",
            "verify_within", "timeout");
    static final List<String> EXECUTORS = List.of("docker", "systemd", "service", "ssh", "command", "http", "diagnose", "suggest");
    static final Set<String> DOCKER_VERBS = Set.of("recover", "restart", "start", "stop", "prune", "restart-worst");
    private static final Map<String, Set<String>> ACTION_KEYS = Map.of(
            "docker", Set.of("container", "by"),
            "systemd", Set.of("unit"),
            "service", Set.of("container", "unit"),
            "ssh", Set.of("host", "user", "key", "known_hosts", "port"),
            "command", Set.of(),
            "http", Set.of("method", "headers", "body"),
            "diagnose", Set.of("checks"),
            "suggest", Set.of());
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)?");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    private final String file;
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    private RunbookLoader(String file, Map<String, String> env) {
        this.file = file;
        this.env = env;
    }

    /** The built-in runbooks alone (no HOMELAB_CONFIG). */
    public static Runbooks builtIn() {
        return new Runbooks(List.of(), BuiltInRunbooks.all());
    }

    /**
     * The runbooks of {@code path}, then the built-in ones it does not replace. {@code env} is where
     * {@code ${VAR}} secrets of HTTP actions come from; an unset one is a problem now, not at 3 am.
     */
    public static Runbooks load(Path path, Map<String, String> env) {
        RunbookLoader loader = new RunbookLoader(path.toString(), env);
        Node root;
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
            throw new ConfigException(List.of(path + ":" + line + ": not valid YAML: " + e.getProblem()));
        } catch (IOException e) {
            throw new ConfigException(List.of(path + ": cannot be read: " + e.getMessage()));
        } catch (RuntimeException e) {
            throw new ConfigException(List.of(path + ": not valid YAML: " + e.getMessage()));
        }
        List<Runbook> runbooks = new ArrayList<>();
        if (root instanceof MappingNode top) {
            for (NodeTuple entry : top.getValue()) {
                if (scalar(entry.getKeyNode()).equals("runbooks")) {
                    loader.runbooks(entry.getValueNode(), runbooks);
                }
            }
        }
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(loader.problems);
        }
        return new Runbooks(runbooks, BuiltInRunbooks.all());
    }

    private void runbooks(Node value, List<Runbook> out) {
        if (!(value instanceof SequenceNode list)) {
            problem(value, "runbooks", "expected a list of runbooks");
            return;
        }
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Runbook r = runbook(list.getValue().get(i), "runbooks[" + i + "]");
            if (r != null) {
                if (!names.add(r.name())) {
                    problem(list.getValue().get(i), "runbooks[" + i + "]", "a second runbook named '" + r.name() + "'");
                } else {
                    out.add(r);
                }
            }
        }
    }

    private Runbook runbook(Node node, String path) {
        if (!(node instanceof MappingNode map)) {
            problem(node, path, "expected a mapping (name, matchers, risk, description, action, ...)");
            return null;
        }
        int before = problems.size();
        String name = null;
        List<LabelMatcher> matchers = null;
        Risk risk = null;
        Template description = null;
        ActionSpec action = null;
        Duration cooldown = null;
        Duration verify = null;
        Duration timeout = null;
        Integer cap = null;
        for (NodeTuple entry : map.getValue()) {
            String key = scalar(entry.getKeyNode());
            Node value = entry.getValueNode();
            String where = path + "." + key;
            switch (key) {
                case "name" -> {
                    name = text(value, where);
                    if (name != null && !name.matches("[A-Za-z0-9._-]{1,64}")) {
                        problem(value, where, "runbook name '" + name + "' may use only letters, digits, '.', '_' and '-' (at most 64)");
                    }
                }
                case "matchers" -> matchers = matchers(value, where);
                case "risk" -> {
                    String v = text(value, where);
                    risk = Risk.parse(v).orElse(null);
                    if (v != null && risk == null) {
                        problem(value, where, "expected low, medium or high, got '" + v + "'");
                    }
                }
                case "description" -> {
                    String v = text(value, where);
                    description = v == null ? null : template(value, v, where);
                }
                case "action" -> action = action(value, where);
                case "cooldown" -> cooldown = duration(value, where, Duration.ZERO, Duration.ofDays(7));
                case "verify_within" -> verify = duration(value, where, Duration.ofSeconds(1), Duration.ofDays(1));
                case "timeout" -> timeout = duration(value, where, Duration.ofSeconds(1), Duration.ofMinutes(4));
                case "hourly_cap" -> {
                    String v = text(value, where);
                    try {
                        cap = v == null ? null : Integer.valueOf(v);
                        if (cap != null && (cap < 1 || cap > 1000)) {
                            problem(value, where, "expected 1 to 1000, got " + cap);
                        }
                    } catch (NumberFormatException e) {
                        problem(value, where, "expected a whole number, got '" + v + "'");
                    }
                }
                default -> problem(entry.getKeyNode(), where, "unknown key (expected one of "
                        + String.join(", ", RUNBOOK_KEYS.stream().sorted().toList()) + ")");
            }
        }
        for (String required : List.of("name", "matchers", "risk", "action")) {
            boolean present = map.getValue().stream().anyMatch(t -> scalar(t.getKeyNode()).equals(required));
            if (!present) {
                problem(node, path, "'" + required + "' is required" + (required.equals("matchers")
                        ? " (write matchers: [] for a runbook any alert may use; routes pick it with remediate: NAME)" : ""));
            }
        }
        if (action != null && action.executor().equals("ssh") && risk != null && risk != Risk.HIGH) {
            problem(node, path, "an ssh action runs on another machine: its risk must be high");
        }
        if (problems.size() > before) {
            return null;
        }
        if (description == null) {
            description = Template.literal(action.executor() + " " + action.verb());
        }
        return new Runbook(name, matchers, action, risk, description, cooldown, cap, verify, timeout, false);
    }

    private ActionSpec action(Node value, String where) {
        if (!(value instanceof MappingNode map)) {
            problem(value, where, "expected a mapping with one of " + String.join(", ", EXECUTORS) + " (e.g. docker: restart)");
            return null;
        }
        String executor = null;
        Node verbNode = null;
        for (NodeTuple t : map.getValue()) {
            String k = scalar(t.getKeyNode());
            if (EXECUTORS.contains(k)) {
                if (executor != null) {
                    problem(t.getKeyNode(), where, "one executor per action, got " + executor + " and " + k);
                    return null;
                }
                executor = k;
                verbNode = t.getValueNode();
            }
        }
        if (executor == null) {
            problem(value, where, "expected one of " + String.join(", ", EXECUTORS) + " (e.g. docker: restart)");
            return null;
        }
        Map<String, Template> params = new LinkedHashMap<>();
        Map<String, Template> headers = new LinkedHashMap<>();
        List<Template> argv = new ArrayList<>();
        String verb = "";
        String at = where + "." + executor;
        switch (executor) {
            case "docker" -> {
                verb = text(verbNode, at);
                if (verb != null && !DOCKER_VERBS.contains(verb)) {
                    problem(verbNode, at, "expected one of " + String.join(", ", DOCKER_VERBS.stream().sorted().toList()) + ", got '" + verb + "'");
                }
            }
            case "systemd", "service" -> {
                verb = text(verbNode, at);
                if (verb != null && !Set.of("restart", "start", "stop").contains(verb)) {
                    problem(verbNode, at, "expected restart, start or stop, got '" + verb + "'");
                }
            }
            case "ssh", "command" -> argv = argv(verbNode, at);
            case "http", "diagnose", "suggest" -> {
                verb = text(verbNode, at);
                if (verb != null) {
                    template(verbNode, verb, at);
                    if (executor.equals("http")) {
                        if (!verb.matches("https?://\\S+")) {
                            problem(verbNode, at, "expected an http:// or https:// URL, got '" + verb + "'");
                        }
                        envRefs(verbNode, at, verb);
                        String authority = verb.replaceFirst("^https?://", "").replaceFirst("[/?#].*", "");
                        if (authority.contains("{{") && (ENV_REF.matcher(String.valueOf(map.getValue().stream()
                                .filter(t -> !scalar(t.getKeyNode()).equals("http")).map(t -> String.valueOf(t.getValueNode())).toList())).find()
                                || ENV_REF.matcher(verb).find())) {
                            problem(verbNode, at, "the host comes from the alert, so ${VAR} secrets cannot be sent with it (a label could send them elsewhere)");
                        }
                    }
                }
            }
            default -> throw new IllegalStateException(executor);
        }
        Set<String> allowed = ACTION_KEYS.get(executor);
        for (NodeTuple t : map.getValue()) {
            String k = scalar(t.getKeyNode());
            if (k.equals(executor)) {
                continue;
            }
            String kAt = where + "." + k;
            if (!allowed.contains(k)) {
                problem(t.getKeyNode(), kAt, "unknown key for a " + executor + " action (expected "
                        + (allowed.isEmpty() ? "nothing else" : String.join(", ", allowed.stream().sorted().toList())) + ")");
            } else if (k.equals("headers")) {
                if (!(t.getValueNode() instanceof MappingNode h)) {
                    problem(t.getValueNode(), kAt, "expected a mapping of header names to values");
                    continue;
                }
                for (NodeTuple ht : h.getValue()) {
                    String hn = scalar(ht.getKeyNode());
                    String hv = text(ht.getValueNode(), kAt + "." + hn);
                    if (!hn.matches("[A-Za-z0-9-]{1,100}")) {
                        problem(ht.getKeyNode(), kAt + "." + hn, "not a valid header name");
                    } else if (hv != null) {
                        envRefs(ht.getValueNode(), kAt + "." + hn, hv);
                        headers.put(hn, template(ht.getValueNode(), hv, kAt + "." + hn));
                    }
                }
            } else if (k.equals("checks")) {
                for (Template c : argv(t.getValueNode(), kAt)) {
                    if (!Set.of("ping", "tcp", "http").contains(c.text())) {
                        problem(t.getValueNode(), kAt, "expected a list of ping, tcp, http; got '" + c.text() + "'");
                    }
                    params.put("check." + c.text(), c);
                }
            } else {
                String v = text(t.getValueNode(), kAt);
                if (v != null) {
                    if (k.equals("body")) {
                        envRefs(t.getValueNode(), kAt, v);
                    }
                    if (k.equals("by") && !Set.of("cpu", "memory").contains(v)) {
                        problem(t.getValueNode(), kAt, "expected cpu or memory, got '" + v + "'");
                    }
                    if (k.equals("method") && !Set.of("GET", "POST", "PUT", "DELETE", "PATCH").contains(v)) {
                        problem(t.getValueNode(), kAt, "expected GET, POST, PUT, DELETE or PATCH, got '" + v + "'");
                    }
                    if (k.equals("port") && !v.matches("\\d{1,5}")) {
                        problem(t.getValueNode(), kAt, "expected a port number, got '" + v + "'");
                    }
                    if ((k.equals("key") || k.equals("known_hosts")) && !v.startsWith("/")) {
                        problem(t.getValueNode(), kAt, "expected an absolute path, got '" + v + "'");
                    }
                    params.put(k, template(t.getValueNode(), v, kAt));
                }
            }
        }
        switch (executor) {
            case "docker" -> {
                if (Set.of("recover", "restart", "start", "stop").contains(verb) && !params.containsKey("container")) {
                    problem(value, where, "docker " + verb + " needs 'container' (e.g. \"{{labels.name}}\")");
                }
                if ("restart-worst".equals(verb) && !params.containsKey("by")) {
                    params.put("by", Template.literal("cpu"));
                }
            }
            case "systemd" -> {
                if (!params.containsKey("unit")) {
                    problem(value, where, "systemd needs 'unit' (e.g. \"{{labels.unit}}\")");
                }
            }
            case "service" -> {
                if (!params.containsKey("unit") && !params.containsKey("container")) {
                    problem(value, where, "service needs 'container' or 'unit' (or both: the first that the alert fills is restarted)");
                }
            }
            case "ssh" -> {
                for (String required : List.of("host", "user", "key", "known_hosts")) {
                    if (!params.containsKey(required)) {
                        problem(value, where, "ssh needs '" + required + "' (host keys are always checked: BatchMode=yes, StrictHostKeyChecking=yes)");
                    }
                }
            }
            default -> {
            }
        }
        if ((executor.equals("ssh") || executor.equals("command")) && !argv.isEmpty() && argv.get(0).hasPlaceholders()) {
            problem(verbNode, at + "[0]", "the program to run must be written out, not filled from the alert");
        }
        if (executor.equals("command") && !argv.isEmpty() && !argv.get(0).hasPlaceholders() && !argv.get(0).text().contains("/")) {
            // Found on PATH when it runs; say so early when it is not there.
            String program = argv.get(0).text();
            boolean found = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                    .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
            if (!found) {
                problem(verbNode, at + "[0]", "'" + argv.get(0).text() + "' is not on PATH (give the full path)");
            }
        }
        return new ActionSpec(executor, verb == null ? "" : verb, params, argv, headers);
    }

    private List<Template> argv(Node node, String where) {
        List<Template> out = new ArrayList<>();
        if (!(node instanceof SequenceNode list) || list.getValue().isEmpty()) {
            problem(node, where, "expected a non-empty list (an argv: the program, then each argument; no shell)");
            return out;
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            String v = text(list.getValue().get(i), where + "[" + i + "]");
            if (v != null) {
                out.add(template(list.getValue().get(i), v, where + "[" + i + "]"));
            }
        }
        return out;
    }

    /** A template, its problems reported at the node's line. */
    private Template template(Node node, String text, String where) {
        List<String> found = new ArrayList<>();
        Template t = Template.parse(text, where, found);
        int line = node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        found.forEach(p -> problems.add(file + ":" + line + ": " + p));
        return t;
    }

    private void envRefs(Node node, String where, String text) {
        Matcher m = ENV_REF.matcher(text);
        while (m.find()) {
            if (!env.containsKey(m.group(1))) {
                problem(node, where, "${" + m.group(1) + "} is not set in the environment or .env");
            }
        }
    }

    private List<LabelMatcher> matchers(Node value, String where) {
        if (!(value instanceof SequenceNode list)) {
            problem(value, where, "expected a list of matchers such as ['alertname=\"ContainerDown\"']");
            return null;
        }
        List<LabelMatcher> out = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            String text = text(list.getValue().get(i), where + "[" + i + "]");
            if (text == null) {
                continue;
            }
            try {
                out.add(LabelMatcher.parse(text));
            } catch (IllegalArgumentException e) {
                problem(list.getValue().get(i), where + "[" + i + "]", e.getMessage());
            }
        }
        return out;
    }

    private Duration duration(Node value, String where, Duration min, Duration max) {
        String v = text(value, where);
        if (v == null) {
            return null;
        }
        Matcher m = DURATION.matcher(v.strip());
        if (!m.matches()) {
            problem(value, where, "expected a duration such as 90s, 10m, 1h (or seconds), got '" + v + "'");
            return null;
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            problem(value, where, "expected " + min.toSeconds() + " s to " + max.toSeconds() + " s, got " + v);
            return null;
        }
        return d;
    }

    private String text(Node value, String where) {
        if (value instanceof ScalarNode s) {
            return s.getValue();
        }
        problem(value, where, "expected a single value");
        return null;
    }

    private static String scalar(Node node) {
        return node instanceof ScalarNode s ? s.getValue() : String.valueOf(node);
    }

    private void problem(Node node, String where, String reason) {
        int line = node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        problems.add(file + ":" + line + ": " + (where.isEmpty() ? "" : where + ": ") + reason);
    }
}
