package io.homelab.alerts.common.match;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Map;

/**
 * One Alertmanager label matcher: {@code name=value}, {@code name!=value}, {@code name=~regex},
 * {@code name!~regex}. Values may be double-quoted (with {@code \"}, {@code \\}, {@code \n}
 * escapes). Regexes are anchored at both ends and a missing label counts as the empty string,
 * as in Alertmanager. They run on RE2/J, which like Alertmanager's Go regexp takes time linear in
 * the input (no backtracking), so no label value can stall routing; RE2 syntax, so a pattern
 * Alertmanager refuses (backreferences, lookaround) is refused here too.
 */
public record LabelMatcher(String name, Op op, String value, Pattern regex) {
    /** The four operators. */
    public enum Op {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    public boolean matches(Map<String, String> labels) {
        String actual = labels.getOrDefault(name, "");
        return switch (op) {
            case EQUAL -> actual.equals(value);
            case NOT_EQUAL -> !actual.equals(value);
            case REGEX -> regex.matcher(actual).matches();
            case NOT_REGEX -> !regex.matcher(actual).matches();
        };
    }

    @Override
    public String toString() {
        return name + op.symbol + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Parses one matcher; the message of the exception says what is wrong with it. */
    public static LabelMatcher parse(String text) {
        String s = text.strip();
        int i = 0;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
            i++;
        }
        String name = s.substring(0, i);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + text + "': expected a label name (letters, digits, _) before the operator");
        }
        String rest = s.substring(i).stripLeading();
        Op op;
        if (rest.startsWith("=~")) {
            op = Op.REGEX;
        } else if (rest.startsWith("!~")) {
            op = Op.NOT_REGEX;
        } else if (rest.startsWith("!=")) {
            op = Op.NOT_EQUAL;
        } else if (rest.startsWith("=")) {
            op = Op.EQUAL;
        } else {
            throw new IllegalArgumentException("'" + text + "': expected one of =, !=, =~, !~ after '" + name + "'");
        }
        String raw = rest.substring(op.symbol.length()).strip();
        String value = raw.startsWith("\"") ? unquote(raw, text) : raw;
        Pattern regex = null;
        if (op == Op.REGEX || op == Op.NOT_REGEX) {
            try {
                regex = Pattern.compile("(?:" + value + ")");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "': bad regular expression: " + e.getDescription()
                        + " (RE2 syntax, as Alertmanager's)");
            }
        }
        return new LabelMatcher(name, op, value, regex);
    }

    private static String unquote(String quoted, String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (c == '"') {
                if (i != quoted.length() - 1) {
                    throw new IllegalArgumentException("'" + text + "': unexpected text after the closing quote");
                }
                return sb.toString();
            }
            if (c == '\\' && i + 1 < quoted.length()) {
                char next = quoted.charAt(++i);
                sb.append(next == 'n' ? '\n' : next);
            } else {
                sb.append(c);
            }
        }
        throw new IllegalArgumentException("'" + text + "': the value has no closing quote");
    }
}
