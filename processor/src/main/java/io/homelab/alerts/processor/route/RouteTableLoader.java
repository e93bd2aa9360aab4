package io.homelab.alerts.processor.route;

import io.homelab.alerts.common.config.ConfigException;
import io.homelab.alerts.common.match.LabelMatcher;
import io.homelab.alerts.common.model.ChatTarget;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads the {@code routes:} of the HOMELAB_CONFIG YAML file. Every problem is reported at once,
 * each with the file, the line and the reason, e.g.
 * {@code homelab.yml:7: routes[1].matchers[0]: 'severity critical': expected one of =, !=, =~, !~}.
 *
 * <pre>
 * routes:
 *   - name: ignore-watchdog
 *     matchers: ['alertname="Watchdog"']
 *     drop: true
 *   - name: media
 *     matchers: ['alertname=~"Container.*"', 'name=~"jellyfin|plex"']
 *     notify:                 # omitted: the default chats; false: no message
 *       - chat: "-1001234567890"
 *         topic: 42           # forum topic (message_thread_id), optional
 *     remediate: restart-container
 *     continue: true
 * </pre>
 */
public final class RouteTableLoader {
    private static final Set<String> TOP_LEVEL = Set.of("routes", "runbooks", "webhooks");
    private static final Set<String> ROUTE_KEYS = Set.of("name", "matchers", "drop", "notify", "remediate", "continue", "webhooks");

    private final String file;
    private final List<String> problems = new ArrayList<>();
    /** Names defined under the top-level {@code webhooks:} (the notifier reads the rest of each definition). */
    private final Set<String> webhookNames = new java.util.HashSet<>();
    /** Names defined under the top-level {@code runbooks:} (the remediator reads the rest). */
    private final Set<String> runbookNames = new java.util.HashSet<>(io.homelab.alerts.common.model.RemediationRequest.BUILT_IN_RUNBOOKS);
    /** Route references to runbooks: (node, where, name). */
    private final List<Object[]> runbookRefs = new ArrayList<>();
    /** Route references to webhooks, checked once the whole file is read: (node, where, name). */
    private final List<Object[]> webhookRefs = new ArrayList<>();

    private RouteTableLoader(String file) {
        this.file = file;
    }

    /** The routes in {@code path}, falling back to {@code fallback} for alerts none matches. */
    public static RouteTable load(Path path, Router fallback) {
        RouteTableLoader loader = new RouteTableLoader(path.toString());
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
        List<Route> routes = loader.routes(root);
        for (Object[] ref : loader.webhookRefs) {
            if (!loader.webhookNames.contains((String) ref[2])) {
                loader.problem((Node) ref[0], (String) ref[1], "no webhook named '" + ref[2] + "' under the top-level 'webhooks:'");
            }
        }
        for (Object[] ref : loader.runbookRefs) {
            if (!loader.runbookNames.contains((String) ref[2])) {
                loader.problem((Node) ref[0], (String) ref[1], "no runbook named '" + ref[2] + "' under the top-level 'runbooks:' nor built in ("
                        + String.join(", ", io.homelab.alerts.common.model.RemediationRequest.BUILT_IN_RUNBOOKS) + ")");
            }
        }
        if (!loader.problems.isEmpty()) {
            throw new ConfigException(loader.problems);
        }
        return new RouteTable(routes, fallback);
    }

    private List<Route> routes(Node root) {
        List<Route> routes = new ArrayList<>();
        if (root == null) {
            return routes; // an empty file: defaults only
        }
        if (!(root instanceof MappingNode top)) {
            problem(root, "", "expected a mapping with 'routes:' at the top");
            return routes;
        }
        for (NodeTuple entry : top.getValue()) {
            String key = scalar(entry.getKeyNode());
            if (!TOP_LEVEL.contains(key)) {
                problem(entry.getKeyNode(), key, "unknown key (expected one of " + String.join(", ", TOP_LEVEL.stream().sorted().toList()) + ")");
            } else if (key.equals("runbooks")) {
                if (entry.getValueNode() instanceof SequenceNode list) {
                    for (Node item : list.getValue()) {
                        if (item instanceof MappingNode m) {
                            m.getValue().stream().filter(t -> scalar(t.getKeyNode()).equals("name"))
                                    .forEach(t -> runbookNames.add(scalar(t.getValueNode())));
                        }
                    }
                }
            } else if (key.equals("webhooks")) {
                if (entry.getValueNode() instanceof SequenceNode list) {
                    for (Node item : list.getValue()) {
                        if (item instanceof MappingNode m) {
                            m.getValue().stream().filter(t -> scalar(t.getKeyNode()).equals("name"))
                                    .forEach(t -> webhookNames.add(scalar(t.getValueNode())));
                        }
                    }
                }
            } else if (key.equals("routes")) {
                if (!(entry.getValueNode() instanceof SequenceNode list)) {
                    problem(entry.getValueNode(), "routes", "expected a list of routes");
                    continue;
                }
                for (int i = 0; i < list.getValue().size(); i++) {
                    Route r = route(list.getValue().get(i), "routes[" + i + "]", i);
                    if (r != null) {
                        routes.add(r);
                    }
                }
            }
        }
        return routes;
    }

    private Route route(Node node, String path, int index) {
        if (!(node instanceof MappingNode map)) {
            problem(node, path, "expected a mapping (name, matchers, notify, remediate, drop, continue)");
            return null;
        }
        String name = "route " + (index + 1);
        List<LabelMatcher> matchers = new ArrayList<>();
        boolean drop = false;
        List<ChatTarget> notify = null;
        String runbook = null;
        boolean cont = false;
        List<String> webhooks = new ArrayList<>();
        boolean ok = true;
        boolean hasMatchers = false;
        for (NodeTuple entry : map.getValue()) {
            String key = scalar(entry.getKeyNode());
            Node value = entry.getValueNode();
            String where = path + "." + key;
            switch (key) {
                case "name" -> name = text(value, where);
                case "matchers" -> {
                    hasMatchers = true;
                    ok &= matchers(value, where, matchers);
                }
                case "drop" -> drop = bool(value, where);
                case "continue" -> cont = bool(value, where);
                case "remediate" -> {
                    if (value instanceof ScalarNode s && (s.getValue().equals("false") || s.getValue().equals("no"))) {
                        runbook = Route.NO_REMEDIATION;
                    } else {
                        runbook = text(value, where);
                        if (runbook != null && !runbook.matches("[A-Za-z0-9._-]+")) {
                            problem(value, where, "runbook name '" + runbook + "' may use only letters, digits, '.', '_' and '-'");
                        } else if (runbook != null) {
                            runbookRefs.add(new Object[] {value, where, runbook});
                        }
                    }
                }
                case "notify" -> notify = notify(value, where);
                case "webhooks" -> {
                    if (!(value instanceof SequenceNode list)) {
                        problem(value, where, "expected a list of webhook names, such as [pagerduty]");
                        continue;
                    }
                    for (int i = 0; i < list.getValue().size(); i++) {
                        String hook = text(list.getValue().get(i), where + "[" + i + "]");
                        if (hook != null) {
                            webhooks.add(hook);
                            webhookRefs.add(new Object[] {list.getValue().get(i), where + "[" + i + "]", hook});
                        }
                    }
                }
                default -> problem(entry.getKeyNode(), where, "unknown key (expected one of "
                        + String.join(", ", ROUTE_KEYS.stream().sorted().toList()) + ")");
            }
        }
        if (!hasMatchers) {
            // A forgotten line must not turn a route into a catch-all (a 'drop' one would drop everything).
            problem(node, path, "'matchers' is required (write matchers: [] for a route that matches every alert)");
            ok = false;
        }
        if (drop && (cont || (runbook != null && !runbook.isEmpty()) || (notify != null && !notify.isEmpty()) || !webhooks.isEmpty())) {
            problem(node, path, "a route with 'drop: true' cannot also notify, remediate, call webhooks or continue");
        }
        return ok ? new Route(name, matchers, drop, drop ? List.of() : notify, drop ? Route.NO_REMEDIATION : runbook, cont, webhooks) : null;
    }

    private boolean matchers(Node value, String where, List<LabelMatcher> out) {
        if (!(value instanceof SequenceNode list)) {
            problem(value, where, "expected a list of matchers such as ['severity=~\"critical|warning\"']");
            return false;
        }
        boolean ok = true;
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String text = text(item, where + "[" + i + "]");
            if (text == null) {
                ok = false;
                continue;
            }
            try {
                out.add(LabelMatcher.parse(text));
            } catch (IllegalArgumentException e) {
                problem(item, where + "[" + i + "]", e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    /** null: default chats; empty: no message; else the listed chats. */
    private List<ChatTarget> notify(Node value, String where) {
        if (value instanceof ScalarNode s) {
            return switch (s.getValue()) {
                case "true", "yes", "default" -> null;
                case "false", "no" -> List.of();
                default -> {
                    problem(value, where, "expected true, false, or a list of {chat, topic}");
                    yield null;
                }
            };
        }
        if (!(value instanceof SequenceNode list)) {
            problem(value, where, "expected true, false, or a list of {chat, topic}");
            return null;
        }
        List<ChatTarget> chats = new ArrayList<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            String at = where + "[" + i + "]";
            if (!(item instanceof MappingNode m)) {
                problem(item, at, "expected {chat: <id>, topic: <forum topic id>}");
                continue;
            }
            String chat = null;
            Integer topic = null;
            for (NodeTuple t : m.getValue()) {
                String k = scalar(t.getKeyNode());
                if (k.equals("chat")) {
                    chat = text(t.getValueNode(), at + ".chat");
                    if (chat != null && !chat.matches("-?\\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,}")) {
                        problem(t.getValueNode(), at + ".chat", "'" + chat + "' is neither a numeric chat id nor an @channel name");
                    }
                } else if (k.equals("topic")) {
                    String v = text(t.getValueNode(), at + ".topic");
                    try {
                        topic = v == null ? null : Integer.valueOf(v);
                    } catch (NumberFormatException e) {
                        problem(t.getValueNode(), at + ".topic", "expected a forum topic id (a whole number), got '" + v + "'");
                    }
                } else {
                    problem(t.getKeyNode(), at + "." + k, "unknown key (expected chat, topic)");
                }
            }
            if (chat == null) {
                problem(item, at, "missing 'chat'");
            } else {
                chats.add(new ChatTarget(chat, topic));
            }
        }
        return chats;
    }

    private boolean bool(Node value, String where) {
        String v = text(value, where);
        if ("true".equals(v) || "yes".equals(v)) {
            return true;
        }
        if (!"false".equals(v) && !"no".equals(v) && v != null) {
            problem(value, where, "expected true or false, got '" + v + "'");
        }
        return false;
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
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        problems.add(file + ":" + line + ": " + (where.isEmpty() ? "" : where + ": ") + reason);
    }
}
