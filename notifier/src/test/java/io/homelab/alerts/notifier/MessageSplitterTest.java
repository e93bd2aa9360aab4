package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.notifier.format.MessageSplitter;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {
    @Test
    void leaves_a_short_message_whole() {
        assertThat(new MessageSplitter(4096).split("<b>Alert:</b> X\n<b>Severity:</b> WARNING")).containsExactly(
                "<b>Alert:</b> X\n<b>Severity:</b> WARNING");
    }

    @Test
    void splits_on_line_boundaries_counting_entities_as_one_character() {
        // Each line is 10 characters after entity parsing ("&amp;" counts 1), 11 with its newline.
        String html = "<b>a:</b> &amp;&amp;&amp;&amp;&amp;&amp;&amp;\n<b>b:</b> 1234567\n<b>c:</b> 1234567";
        List<String> parts = new MessageSplitter(22).split(html);
        assertThat(parts).containsExactly("<b>a:</b> &amp;&amp;&amp;&amp;&amp;&amp;&amp;\n<b>b:</b> 1234567", "<b>c:</b> 1234567");
    }

    @Test
    void cuts_a_line_longer_than_the_limit_without_breaking_tags_or_entities() {
        String html = "<b>Description: " + "x&lt;".repeat(10) + "</b>";
        List<String> parts = new MessageSplitter(12).split(html);
        assertThat(parts).allSatisfy(p -> {
            assertThat(MessageSplitter.plainLength(p)).isLessThanOrEqualTo(12);
            assertThat(p).startsWith("<b>").endsWith("</b>");
            assertThat(p.replaceAll("&lt;", "")).doesNotContain("&");
        });
        assertThat(String.join("", parts).replace("</b><b>", "")).isEqualTo(html);
    }

    @Test
    void never_splits_an_emoji() {
        String html = "🔴".repeat(10);
        List<String> parts = new MessageSplitter(3).split(html);
        assertThat(parts).allSatisfy(p -> assertThat(p.codePoints().allMatch(cp -> cp == "🔴".codePointAt(0))).isTrue());
        assertThat(String.join("", parts)).isEqualTo(html);
    }
}
