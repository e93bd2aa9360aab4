package io.homelab.alerts.common.logging;

/**
 * A value from outside (a label, a user name, callback data) made safe for one log line: control,
 * line-separator and bidi/format characters shown as {@code \\uXXXX}, and at most {@value #MAX_CHARS}
 * characters, so no sender can forge log lines, hide text or flood the log with one value.
 */
public final class Printable {
    public static final int MAX_CHARS = 200;

    private Printable() {}

    public static String of(String value) {
        if (value == null) {
            return "null";
        }
        String s = value;
        if (s.length() > MAX_CHARS) {
            int end = Character.isHighSurrogate(s.charAt(MAX_CHARS - 1)) ? MAX_CHARS - 1 : MAX_CHARS;
            s = s.substring(0, end) + "…(" + value.length() + " chars)";
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
}
