package io.homelab.alerts.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a {@code .env} file: {@code NAME=value} lines, {@code #} comments, an optional
 * {@code export } prefix, and values optionally in single or double quotes (docker compose's rules
 * for the simple cases). A malformed line is reported with its number, never with its text.
 */
public final class DotEnv {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private DotEnv() {}

    public static Map<String, String> read(Path file, List<String> problems) {
        Map<String, String> values = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return values;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ": cannot be read: " + e.getMessage());
            return values;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            String where = file + " line " + (i + 1);
            if (eq <= 0) {
                // Never the line itself: it may be a secret with a typo (TELEGRAM_BOT_TOKEN 123:abc).
                problems.add(where + ": expected NAME=value (the line is not shown, it may hold a secret)");
                continue;
            }
            String name = line.substring(0, eq).strip();
            if (!NAME.matcher(name).matches()) {
                problems.add(where + ": the text before '=' is not a variable name (letters, digits and _, not starting with a digit)");
                continue;
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.charAt(0) == '"' || value.charAt(0) == '\'')) {
                char quote = value.charAt(0);
                int end = value.indexOf(quote, 1);
                if (end < 0) {
                    problems.add(where + ": value of " + name + " has no closing " + quote);
                    continue;
                }
                value = value.substring(1, end);
            } else if (value.startsWith("\"") || value.startsWith("'")) {
                problems.add(where + ": value of " + name + " has no closing " + value.charAt(0));
                continue;
            } else {
                int comment = value.indexOf(" #");
                if (comment >= 0) {
                    value = value.substring(0, comment).strip();
                }
            }
            values.put(name, value);
        }
        return values;
    }
}
