package io.homelab.alerts.notifier.format;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Splits Telegram HTML into messages of at most {@value #TELEGRAM_LIMIT} characters after entity
 * parsing, in UTF-16 code units (what Telegram counts), on line boundaries where it can; a single longer line is cut
 * between characters, never inside a tag or an entity, closing the open tags at the end of a part
 * and reopening them at the start of the next.
 */
public final class MessageSplitter {
    /** Telegram: 4096 characters of text after entity parsing. */
    public static final int TELEGRAM_LIMIT = 4096;

    private final int limit;

    public MessageSplitter(int limit) {
        this.limit = limit;
    }

    public List<String> split(String html) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        int partLength = 0;
        Deque<String[]> open = new ArrayDeque<>(); // {name, full start tag}
        String[] lines = html.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            String line = lines[li] + (li < lines.length - 1 ? "\n" : "");
            int lineLength = plainLength(line);
            if (partLength + lineLength <= limit) {
                part.append(line);
                partLength += lineLength;
                trackTags(line, open);
                continue;
            }
            if (lineLength <= limit && partLength > 0 && open.isEmpty()) {
                parts.add(part.toString());
                part.setLength(0);
                part.append(line);
                partLength = lineLength;
                trackTags(line, open);
                continue;
            }
            // Cut inside the line, token by token.
            int i = 0;
            while (i < line.length()) {
                int end = tokenEnd(line, i);
                String token = line.substring(i, end);
                boolean isTag = token.startsWith("<");
                int tokenLength = isTag ? 0 : tokenLength(token);
                if (partLength + tokenLength > limit) {
                    closeAll(part, open);
                    parts.add(part.toString());
                    part.setLength(0);
                    partLength = 0;
                    reopenAll(part, open);
                }
                part.append(token);
                partLength += tokenLength;
                if (isTag) {
                    trackTags(token, open);
                }
                i = end;
            }
        }
        if (part.length() > 0) {
            parts.add(part.toString());
        }
        return parts.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
    }

    /**
     * What Telegram counts against its limit: the text after entity parsing, in UTF-16 code units.
     * Tags count nothing, an entity ({@code &amp;}) one, an emoji or other supplementary character two.
     */
    public static int plainLength(String html) {
        int n = 0;
        for (int i = 0; i < html.length(); ) {
            int end = tokenEnd(html, i);
            if (html.charAt(i) != '<') {
                n += tokenLength(html.substring(i, end));
            }
            i = end;
        }
        return n;
    }

    /** A text token: one character, one entity (1), or a surrogate pair (2). */
    private static int tokenLength(String token) {
        return token.length() == 2 && Character.isHighSurrogate(token.charAt(0)) ? 2 : 1;
    }

    private static int tokenEnd(String s, int i) {
        char c = s.charAt(i);
        if (c == '<') {
            int close = s.indexOf('>', i);
            return close < 0 ? s.length() : close + 1;
        }
        if (c == '&') {
            int semi = s.indexOf(';', i);
            if (semi > i && semi - i <= 8) {
                return semi + 1;
            }
        }
        if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
            return i + 2;
        }
        return i + 1;
    }

    private static void trackTags(String html, Deque<String[]> open) {
        for (int i = 0; i < html.length(); ) {
            int end = tokenEnd(html, i);
            if (html.charAt(i) == '<') {
                String tag = html.substring(i, end);
                if (tag.startsWith("</")) {
                    if (!open.isEmpty()) {
                        open.pop();
                    }
                } else {
                    String name = tag.substring(1, tag.length() - 1).split("[\\s>]", 2)[0];
                    open.push(new String[] {name, tag});
                }
            }
            i = end;
        }
    }

    private static void closeAll(StringBuilder part, Deque<String[]> open) {
        for (String[] tag : open) {
            part.append("</").append(tag[0]).append('>');
        }
    }

    private static void reopenAll(StringBuilder part, Deque<String[]> open) {
        List<String[]> outerFirst = new ArrayList<>(open);
        java.util.Collections.reverse(outerFirst);
        for (String[] tag : outerFirst) {
            part.append(tag[1]);
        }
    }
}
