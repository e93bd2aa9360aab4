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
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.homelab.alerts.common.model.WebhookLimits;

/**
 * Checks that a body is an Alertmanager webhook, payload version 4, as every Alertmanager from
 * 0.25 on sends it, or Grafana alerting's (version 1, the same shape). Lenient where it costs
 * nothing: fields only Alertmanager fills in ({@code version}, {@code groupKey}, {@code startsAt},
 * {@code fingerprint}, an alert's {@code status} …) may be missing, as in a hand-written test.
 * Fields we do not know (such as {@code notification_reason}, Grafana's {@code orgId}) are
 * allowed: the body is stored as received, not rewritten. Problems name the field, e.g.
 * {@code alerts[1].labels.severity: must be a string}.
 */
public final class WebhookValidator {
    public static final String SUPPORTED_VERSION = "4";
    /** Grafana alerting's webhook contact point sends Alertmanager's shape under this version. */
    public static final String GRAFANA_VERSION = "1";
    private static final Set<String> ACCEPTED_VERSIONS = Set.of(SUPPORTED_VERSION, GRAFANA_VERSION);
    /** Alertmanager's payload nests 4 deep; anything far deeper is not a webhook. */
    public static final int MAX_NESTING_DEPTH = 32;
    private static final int MAX_PROBLEMS = 10;
    private static final Set<String> STATUSES = Set.of("firing", "resolved");

    private final ObjectMapper mapper;
    private final WebhookLimits limits;

    public WebhookValidator(int maxBodyBytes) {
        this(maxBodyBytes, WebhookLimits.DEFAULTS);
    }

    public WebhookValidator(int maxBodyBytes, WebhookLimits limits) {
        this.limits = limits;
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
        List<String> tooLarge = new ArrayList<>();
        JsonNode version = root.get("version");
        // No version: what people type by hand (and the old docs' test curl); taken as Alertmanager's 4.
        // "1": Grafana's webhook contact point, the same shape with a few extra fields (kept as received).
        if (version != null && !(version.isTextual() && ACCEPTED_VERSIONS.contains(version.asText()))) {
            problems.add("version: unsupported payload version " + abbreviate(version) + ", only \"" + SUPPORTED_VERSION
                    + "\" (Alertmanager) or \"" + GRAFANA_VERSION + "\" (Grafana) is supported");
        }
        for (String field : List.of("groupKey", "receiver", "externalURL")) {
            optionalText(root, field, field, WebhookLimits.maxChars(field), problems, tooLarge);
        }
        JsonNode status = root.get("status");
        if (status != null && !(status.isTextual() && STATUSES.contains(status.asText()))) {
            problems.add("status: must be \"firing\" or \"resolved\", got " + abbreviate(status));
        }
        JsonNode truncated = root.get("truncatedAlerts");
        if (truncated != null && !(truncated.isIntegralNumber() && truncated.canConvertToInt() && truncated.asInt() >= 0)) {
            problems.add("truncatedAlerts: must be a whole number from 0 to " + Integer.MAX_VALUE + ", got " + abbreviate(truncated));
        }
        for (String map : List.of("groupLabels", "commonLabels", "commonAnnotations")) {
            JsonNode node = root.get(map);
            if (node != null && !node.isNull()) {
                stringMap(node, map, map.equals("commonAnnotations") ? WebhookLimits.MAX_ANNOTATION_VALUE_CHARS
                        : WebhookLimits.MAX_LABEL_VALUE_CHARS, problems, tooLarge);
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
        } else if (alerts.size() > limits.maxAlerts()) {
            tooLarge.add(limits.tooManyAlerts(alerts.size()));
        } else {
            count = alerts.size();
            for (int i = 0; i < alerts.size() && problems.size() + tooLarge.size() < MAX_PROBLEMS; i++) {
                alert(alerts.get(i), "alerts[" + i + "]", problems, tooLarge);
            }
        }
        if (!problems.isEmpty()) {
            return new Validation.Invalid(first(problems));
        }
        if (!tooLarge.isEmpty()) {
            return new Validation.TooLarge(first(tooLarge));
        }
        JsonNode groupKey = root.get("groupKey");
        return new Validation.Valid(groupKey == null || groupKey.isNull() || groupKey.asText().isEmpty()
                ? groupKeyOf(root.get("groupLabels")) : groupKey.asText(), count);
    }

    /**
     * What Alertmanager would call the group when the sender did not say (a hand-written test):
     * {@code {}:{name="value",…}} of its group labels, sorted; only the record's key, the body stays as sent.
     */
    static String groupKeyOf(JsonNode groupLabels) {
        java.util.TreeMap<String, String> labels = new java.util.TreeMap<>();
        if (groupLabels != null && groupLabels.isObject()) {
            groupLabels.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        }
        StringBuilder key = new StringBuilder("{}:{");
        labels.forEach((name, value) -> key.append(key.length() > 4 ? "," : "").append(name).append("=\"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"'));
        key.append('}');
        if (key.length() > io.homelab.alerts.common.model.WebhookLimits.MAX_GROUP_KEY_CHARS) {
            // Group labels of many kilobytes: the record key stays small, and the same labels still make the same key.
            return "{}:sha256:" + sha256(key.toString());
        }
        return key.toString();
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static List<String> first(List<String> problems) {
        return problems.size() > MAX_PROBLEMS ? problems.subList(0, MAX_PROBLEMS) : problems;
    }

    private static void alert(JsonNode alert, String path, List<String> problems, List<String> tooLarge) {
        if (!alert.isObject()) {
            problems.add(path + ": must be an object, got " + kind(alert));
            return;
        }
        // Missing: the group's status, else what endsAt says (the processor applies the same rule).
        JsonNode status = alert.get("status");
        if (status != null && !status.isNull() && !(status.isTextual() && STATUSES.contains(status.asText()))) {
            problems.add(path + ".status: must be \"firing\" or \"resolved\", got " + abbreviate(status));
        }
        JsonNode labels = alert.get("labels");
        if (labels == null) {
            problems.add(path + ".labels: missing (an object of label names to string values)");
        } else {
            stringMap(labels, path + ".labels", WebhookLimits.MAX_LABEL_VALUE_CHARS, problems, tooLarge);
        }
        JsonNode annotations = alert.get("annotations");
        if (annotations != null && !annotations.isNull()) {
            stringMap(annotations, path + ".annotations", WebhookLimits.MAX_ANNOTATION_VALUE_CHARS, problems, tooLarge);
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
                Instant at = io.homelab.alerts.common.time.Rfc3339.fastParse(t.asText());
                int year = (at != null ? at : OffsetDateTime.parse(t.asText()).toInstant()).atOffset(java.time.ZoneOffset.UTC).getYear();
                if (year < 1 || year > 9999) {
                    // Alertmanager's zero time is year 1; nothing real lies beyond 9999 (and such times overflow arithmetic).
                    problems.add(path + "." + time + ": must be between year 0001 and 9999, got " + abbreviate(t));
                }
            } catch (DateTimeParseException e) {
                problems.add(path + "." + time + ": not an RFC 3339 time: " + abbreviate(t));
            }
        }
        optionalText(alert, "generatorURL", path + ".generatorURL", WebhookLimits.MAX_GENERATOR_URL_CHARS, problems, tooLarge);
        JsonNode fingerprint = alert.get("fingerprint");
        if (fingerprint != null && !fingerprint.isNull()) {
            // Kept only as information: the alert's identity is computed from its labels. A value
            // that cannot be Alertmanager's says the sender is not what it claims to be.
            if (!fingerprint.isTextual()) {
                problems.add(path + ".fingerprint: must be a string, got " + kind(fingerprint));
            } else if (!fingerprint.asText().isEmpty() && !WebhookLimits.FINGERPRINT.matcher(fingerprint.asText()).matches()) {
                problems.add(path + ".fingerprint: must be 16 hex digits (Alertmanager's fingerprint), got " + abbreviate(fingerprint));
            }
        }
    }

    private static void stringMap(JsonNode node, String path, int maxValueChars, List<String> problems, List<String> tooLarge) {
        if (!node.isObject()) {
            problems.add(path + ": must be an object of strings, got " + kind(node));
            return;
        }
        if (node.size() > WebhookLimits.MAX_LABELS) {
            tooLarge.add(path + ": " + node.size() + " entries, over the limit of " + WebhookLimits.MAX_LABELS);
            return;
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!e.getValue().isTextual()) {
                problems.add(path + "." + abbreviate(e.getKey()) + ": must be a string, got " + kind(e.getValue()));
            } else if (e.getKey().length() > WebhookLimits.MAX_NAME_CHARS) {
                tooLarge.add(path + ": a name of " + e.getKey().length() + " characters (" + abbreviate(e.getKey())
                        + "), over the limit of " + WebhookLimits.MAX_NAME_CHARS);
            } else if (e.getValue().asText().length() > maxValueChars) {
                tooLarge.add(WebhookLimits.tooLong(path + "." + abbreviate(e.getKey()), e.getValue().asText().length(), maxValueChars));
            }
        }
    }

    private static void optionalText(JsonNode parent, String field, String path, int maxChars, List<String> problems,
            List<String> tooLarge) {
        JsonNode node = parent.get(field);
        if (node != null && !node.isNull() && !node.isTextual()) {
            problems.add(path + ": must be a string, got " + kind(node));
        } else if (node != null && node.isTextual() && node.asText().length() > maxChars) {
            tooLarge.add(WebhookLimits.tooLong(path, node.asText().length(), maxChars));
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

    /** At most 60 characters, control and bidi characters shown as escapes, so a value cannot forge log lines or hide text. */
    static String abbreviate(Object value) {
        String s = String.valueOf(value);
        if (s.length() > 60) {
            int cut = Character.isHighSurrogate(s.charAt(56)) ? 56 : 57;
            s = s.substring(0, cut) + "...";
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
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
