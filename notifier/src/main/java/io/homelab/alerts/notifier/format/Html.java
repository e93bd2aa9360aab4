package io.homelab.alerts.notifier.format;

/** Escaping for Telegram's HTML parse mode, which knows only {@code &lt; &gt; &amp; &quot;}. */
public final class Html {
    private Html() {}

    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
