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
            case REGEX -> regexMatches(actual);
            case NOT_REGEX -> !regexMatches(actual);
        };
    }

    private boolean regexMatches(String actual) {
        try {
            return regex.matcher(actual).matches();
        } catch (StackOverflowError e) {
            // RE2/J recurses on some huge programs; parse() refuses those, but never let one kill a stream thread.
            return false;
        }
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
            if (value.length() > MAX_REGEX_CHARS) {
                throw new IllegalArgumentException("'" + abbreviate(text) + "': regular expression longer than " + MAX_REGEX_CHARS + " characters");
            }
            long repeat = repetitionProduct(value);
            if (repeat > MAX_REPETITION) {
                // Counted repetitions multiply the compiled program ((a{1000}){1000} is a million states): refuse before compiling.
                throw new IllegalArgumentException("'" + abbreviate(text) + "': counted repetitions ({n}) multiply to " + repeat
                        + ", at most " + MAX_REPETITION + " (RE2 syntax, as Alertmanager's)");
            }
            try {
                regex = Pattern.compile("(?:" + value + ")");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("'" + text + "': bad regular expression: " + e.getDescription()
                        + " (RE2 syntax, as Alertmanager's)");
            }
        }
        return new LabelMatcher(name, op, value, regex);
    }

    /** Longest regular expression accepted in a matcher. */
    public static final int MAX_REGEX_CHARS = 4096;
    /** Largest product of the counted repetitions ({n}, {n,m}) in one regular expression. */
    public static final long MAX_REPETITION = 1000;

    /** The product of every {n} / {n,m} / {n,} upper bound in the expression (escaped braces and classes skipped). */
    static long repetitionProduct(String re) {
        long product = 1;
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
                continue;
            }
            if (inClass) {
                inClass = c != ']';
                continue;
            }
            if (c == '[') {
                inClass = true;
            } else if (c == '{') {
                int close = re.indexOf('}', i);
                if (close < 0) {
                    break;
                }
                String inside = re.substring(i + 1, close);
                if (inside.matches("\\d{1,9}(,\\d{0,9})?")) {
                    String[] parts = inside.split(",", -1);
                    long n = parts.length == 2 && !parts[1].isEmpty() ? Long.parseLong(parts[1]) : Long.parseLong(parts[0]);
                    product = Math.min(Long.MAX_VALUE / 2, product * Math.max(1, n));
                    i = close;
                }
            }
        }
        return product;
    }

    private static String abbreviate(String text) {
        return text.length() > 120 ? text.substring(0, 120) + "…" : text;
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
