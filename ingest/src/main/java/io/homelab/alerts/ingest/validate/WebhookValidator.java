package io.homelab.alerts.ingest.validate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks that a body is an Alertmanager webhook, payload version 4, as every Alertmanager from
 * 0.25 on sends it. Fields we do not know (such as {@code notification_reason}) are allowed:
 * the body is stored as received, not rewritten. Problems name the field, e.g.
 * {@code alerts[1].labels.severity: must be a string}.
 */
public final class WebhookValidator {
    public static final String SUPPORTED_VERSION = "4";
    /** Alertmanager's payload nests 4 deep; anything far deeper is not a webhook. */
    public static final int MAX_NESTING_DEPTH = 32;
    private static final int MAX_PROBLEMS = 10;
    private static final Set<String> STATUSES = Set.of("firing", "resolved");

    private final ObjectMapper mapper;

    public WebhookValidator(int maxBodyBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(Math.max(maxBodyBytes, StreamReadConstraints.DEFAULT_MAX_STRING_LEN))
                        .build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    public Validation validate(byte[] body) {
        if (body.length == 0) {
            return invalid("empty body: expected an Alertmanager webhook JSON object");
        }
        String utf8Problem = checkUtf8(body);
        if (utf8Problem != null) {
            return invalid(utf8Problem);
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            return invalid("JSON nested too deeply or too large: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            return invalid("body is not valid JSON: " + firstLine(m));
        }
        if (root == null || root.isMissingNode()) {
            return invalid("empty body: expected an Alertmanager webhook JSON object");
        }
        if (!root.isObject()) {
            return invalid("body must be a JSON object (an Alertmanager webhook), got " + kind(root));
        }
        List<String> problems = new ArrayList<>();
        JsonNode version = root.get("version");
        if (version == null) {
            problems.add("version: missing (Alertmanager sends \"4\")");
        } else if (!version.isTextual() || !SUPPORTED_VERSION.equals(version.asText())) {
            problems.add("version: unsupported payload version " + version + ", only \"" + SUPPORTED_VERSION + "\" is supported");
        }
        optionalText(root, "groupKey", "groupKey", problems);
        optionalText(root, "receiver", "receiver", problems);
        optionalText(root, "externalURL", "externalURL", problems);
        JsonNode status = root.get("status");
        if (status != null && !(status.isTextual() && STATUSES.contains(status.asText()))) {
            problems.add("status: must be \"firing\" or \"resolved\", got " + abbreviate(status));
        }
        JsonNode truncated = root.get("truncatedAlerts");
        if (truncated != null && !(truncated.isIntegralNumber() && truncated.asLong() >= 0)) {
            problems.add("truncatedAlerts: must be a whole number >= 0, got " + abbreviate(truncated));
        }
        for (String map : List.of("groupLabels", "commonLabels", "commonAnnotations")) {
            JsonNode node = root.get(map);
            if (node != null && !node.isNull()) {
                stringMap(node, map, problems);
            }
        }
        JsonNode alerts = root.get("alerts");
        int count = 0;
        if (alerts == null) {
            problems.add("alerts: missing (expected an array of alerts)");
        } else if (!alerts.isArray()) {
            problems.add("alerts: must be an array, got " + kind(alerts));
        } else if (alerts.isEmpty()) {
            problems.add("alerts: is empty (a webhook carries at least one alert)");
        } else {
            count = alerts.size();
            for (int i = 0; i < alerts.size() && problems.size() < MAX_PROBLEMS; i++) {
                alert(alerts.get(i), "alerts[" + i + "]", problems);
            }
        }
        if (!problems.isEmpty()) {
            return new Validation.Invalid(problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems);
        }
        JsonNode groupKey = root.get("groupKey");
        return new Validation.Valid(groupKey == null || groupKey.isNull() ? null : groupKey.asText(), count);
    }

    private static void alert(JsonNode alert, String path, List<String> problems) {
        if (!alert.isObject()) {
            problems.add(path + ": must be an object, got " + kind(alert));
            return;
        }
        JsonNode status = alert.get("status");
        if (status == null) {
            problems.add(path + ".status: missing (\"firing\" or \"resolved\")");
        } else if (!(status.isTextual() && STATUSES.contains(status.asText()))) {
            problems.add(path + ".status: must be \"firing\" or \"resolved\", got " + abbreviate(status));
        }
        JsonNode labels = alert.get("labels");
        if (labels == null) {
            problems.add(path + ".labels: missing (an object of label names to string values)");
        } else {
            stringMap(labels, path + ".labels", problems);
        }
        JsonNode annotations = alert.get("annotations");
        if (annotations != null && !annotations.isNull()) {
            stringMap(annotations, path + ".annotations", problems);
        }
        for (String time : List.of("startsAt", "endsAt")) {
            JsonNode t = alert.get(time);
            if (t == null || t.isNull()) {
                continue;
            }
            if (!t.isTextual()) {
                problems.add(path + "." + time + ": must be an RFC 3339 time string, got " + kind(t));
                continue;
            }
            try {
                OffsetDateTime.parse(t.asText());
            } catch (DateTimeParseException e) {
                problems.add(path + "." + time + ": not an RFC 3339 time: " + abbreviate(t));
            }
        }
        optionalText(alert, "generatorURL", path + ".generatorURL", problems);
        optionalText(alert, "fingerprint", path + ".fingerprint", problems);
    }

    private static void stringMap(JsonNode node, String path, List<String> problems) {
        if (!node.isObject()) {
            problems.add(path + ": must be an object of strings, got " + kind(node));
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!e.getValue().isTextual()) {
                problems.add(path + "." + abbreviate(e.getKey()) + ": must be a string, got " + kind(e.getValue()));
            }
        }
    }

    private static void optionalText(JsonNode parent, String field, String path, List<String> problems) {
        JsonNode node = parent.get(field);
        if (node != null && !node.isNull() && !node.isTextual()) {
            problems.add(path + ": must be a string, got " + kind(node));
        }
    }

    private static String checkUtf8(byte[] body) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body);
        try {
            decoder.decode(in);
            return null;
        } catch (CharacterCodingException e) {
            return "body is not valid UTF-8 (bad byte sequence near byte " + in.position() + ")";
        }
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String abbreviate(Object value) {
        String s = String.valueOf(value);
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static Validation invalid(String problem) {
        return new Validation.Invalid(List.of(problem));
    }
}
