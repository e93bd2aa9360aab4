package io.homelab.alerts.notifier.format;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import org.telegram.telegrambots.meta.api.objects.MessageEntity;

/**
 * Turns a received message (plain text plus Telegram's entities) back into the HTML that makes it,
 * so a message can be edited, keeping its bold and links, without keeping a copy of what was sent.
 * Entity offsets and lengths are UTF-16 code units, as Java strings are.
 */
public final class EntitiesToHtml {
    private EntitiesToHtml() {}

    public static String toHtml(String text, List<MessageEntity> entities) {
        if (text == null) {
            return "";
        }
        List<MessageEntity> sorted = new ArrayList<>(entities == null ? List.of() : entities);
        sorted.removeIf(e -> e.getType() == null || e.getLength() == null || e.getOffset() == null || open(e) == null
                || e.getOffset() < 0 || e.getOffset() + e.getLength() > text.length());
        // Outer entities first: by start, then the longer one.
        sorted.sort(Comparator.comparing(MessageEntity::getOffset).thenComparing(MessageEntity::getLength, Comparator.reverseOrder()));
        StringBuilder out = new StringBuilder(text.length() + 32 * sorted.size());
        Deque<MessageEntity> openNow = new ArrayDeque<>();
        int next = 0;
        for (int i = 0; i <= text.length(); i++) {
            while (!openNow.isEmpty() && end(openNow.peek()) <= i) {
                out.append(close(openNow.pop()));
            }
            while (next < sorted.size() && sorted.get(next).getOffset() == i) {
                MessageEntity e = sorted.get(next++);
                out.append(open(e));
                openNow.push(e);
            }
            if (i < text.length()) {
                char c = text.charAt(i);
                switch (c) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    default -> out.append(c);
                }
            }
        }
        while (!openNow.isEmpty()) {
            out.append(close(openNow.pop()));
        }
        return out.toString();
    }

    private static int end(MessageEntity e) {
        return e.getOffset() + e.getLength();
    }

    /** The opening tag; null for entities Telegram finds by itself (URLs, mentions, hashtags). */
    private static String open(MessageEntity e) {
        return switch (e.getType()) {
            case "bold" -> "<b>";
            case "italic" -> "<i>";
            case "underline" -> "<u>";
            case "strikethrough" -> "<s>";
            case "spoiler" -> "<tg-spoiler>";
            case "code" -> "<code>";
            case "pre" -> "<pre>";
            case "blockquote" -> "<blockquote>";
            case "text_link" -> e.getUrl() == null ? null : "<a href=\"" + Html.escape(e.getUrl()) + "\">";
            default -> null;
        };
    }

    private static String close(MessageEntity e) {
        return switch (e.getType()) {
            case "spoiler" -> "</tg-spoiler>";
            case "text_link" -> "</a>";
            default -> "</" + open(e).substring(1);
        };
    }
}
