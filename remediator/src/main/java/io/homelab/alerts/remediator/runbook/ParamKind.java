package io.homelab.alerts.remediator.runbook;

import java.util.regex.Pattern;

/**
 * What a parameter names, and the pattern every label value that fills it must match before
 * anything runs. No kind lets a value start with '-' (an option to the command), contain '..',
 * whitespace, quotes or shell characters, or be empty.
 */
public enum ParamKind {
    CONTAINER("a container name", "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}"),
    UNIT("a systemd unit name", "[a-zA-Z0-9][a-zA-Z0-9:_.@\\\\-]{0,255}"),
    HOST("a host name or address", "[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,252})|\\[?[0-9a-fA-F:]{2,39}]?"),
    /** One argv element of a command or ssh action, or one piece of an HTTP URL, header or body. */
    WORD("a plain word", "[a-zA-Z0-9][a-zA-Z0-9_.:@=+,/-]{0,255}"),
    /** One piece of an HTTP URL: no '/', ':', '@', '?', '#' or '%', so a label cannot change where the request goes. */
    URL_PART("a URL piece (letters, digits, _ . -)", "[a-zA-Z0-9][a-zA-Z0-9_.-]{0,255}"),
    /** Shown to people only (the description): anything goes, nothing runs it. */
    TEXT("text", "(?s).*");

    private final String what;
    private final Pattern pattern;

    ParamKind(String what, String pattern) {
        this.what = what;
        this.pattern = Pattern.compile(pattern);
    }

    public String what() {
        return what;
    }

    public String pattern() {
        return pattern.pattern();
    }

    /** Empty when {@code value} is fine for this kind, else why not. */
    public java.util.Optional<String> problem(String value) {
        if (this == TEXT) {
            return java.util.Optional.empty();
        }
        if (value == null || value.isEmpty()) {
            return java.util.Optional.of("is empty");
        }
        if (value.contains("..")) {
            return java.util.Optional.of("contains '..'");
        }
        if (!pattern.matcher(value).matches()) {
            return java.util.Optional.of("is not " + what + " (allowed: " + pattern.pattern() + ")");
        }
        return java.util.Optional.empty();
    }
}
