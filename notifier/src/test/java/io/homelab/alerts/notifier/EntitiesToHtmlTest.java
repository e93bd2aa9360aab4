package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.notifier.format.EntitiesToHtml;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.api.objects.MessageEntity;

class EntitiesToHtmlTest {
    static MessageEntity entity(String type, int offset, int length, String url) {
        MessageEntity e = new MessageEntity(type, offset, length);
        e.setUrl(url);
        return e;
    }

    @Test
    void rebuilds_nested_bold_and_links_at_utf16_offsets_after_an_emoji_and_escapes_the_text() {
        // "🔴" is two UTF-16 units, as Telegram counts them.
        String text = "🔴 Prometheus Alert\nSummary: a <b> & co\nSource";
        List<MessageEntity> entities = List.of(
                entity("bold", 3, 16, null),
                entity("italic", 14, 5, null),
                entity("bold", 20, 8, null),
                entity("text_link", 40, 6, "http://vm:9090/graph?a=1&b=\"2\""),
                entity("url", 0, 2, null));

        assertThat(EntitiesToHtml.toHtml(text, entities)).isEqualTo(
                "🔴 <b>Prometheus <i>Alert</i></b>\n<b>Summary:</b> a &lt;b&gt; &amp; co\n"
                        + "<a href=\"http://vm:9090/graph?a=1&amp;b=&quot;2&quot;\">Source</a>");
    }

    @Test
    void a_message_without_entities_is_only_escaped() {
        assertThat(EntitiesToHtml.toHtml("1 < 2", null)).isEqualTo("1 &lt; 2");
        assertThat(EntitiesToHtml.toHtml(null, List.of())).isEmpty();
    }
}
