package io.homelab.alerts.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.homelab.alerts.common.match.LabelMatcher;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LabelMatcherTest {
    static final Map<String, String> LABELS = Map.of("alertname", "ContainerDown", "severity", "critical", "name", "jellyfin");

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("alertname=\"ContainerDown\"", true),
                Arguments.of("alertname=ContainerDown", true),
                Arguments.of("alertname!=\"Watchdog\"", true),
                Arguments.of("severity=~\"critical|warning\"", true),
                Arguments.of("severity=~\"crit\"", false),               // anchored: a prefix is no match
                Arguments.of("severity!~\"info|none\"", true),
                Arguments.of("team=\"\"", true),                          // a missing label is the empty string
                Arguments.of("team!=\"\"", false),
                Arguments.of("name =~ \"jelly.*\"", true),
                Arguments.of("summary=\"say \\\"hi\\\"\"", false));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("cases")
    void matches_like_alertmanager(String matcher, boolean expected) {
        assertThat(LabelMatcher.parse(matcher).matches(LABELS)).isEqualTo(expected);
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("=critical", "'=critical': expected a label name (letters, digits, _) before the operator"),
                Arguments.of("severity critical", "'severity critical': expected one of =, !=, =~, !~ after 'severity'"),
                Arguments.of("severity=~\"(crit\"", "'severity=~\"(crit\"': bad regular expression: missing closing ) (RE2 syntax, as Alertmanager's)"),
                Arguments.of("severity=\"critical", "'severity=\"critical': the value has no closing quote"),
                Arguments.of("severity=\"a\"b", "'severity=\"a\"b': unexpected text after the closing quote"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void says_what_is_wrong_with_a_bad_matcher(String matcher, String message) {
        assertThatThrownBy(() -> LabelMatcher.parse(matcher)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void a_pattern_that_makes_a_backtracking_engine_run_for_ever_answers_at_once() {
        // java.util.regex needs about 2^40 steps here (and minutes for .*prod.*db.* on 320 KB);
        // RE2 is linear in the input. The timeout only turns a hang into a failure.
        assertThat(LabelMatcher.parse("instance=~\"(a*)*b\"").matches(Map.of("instance", "a".repeat(40)))).isFalse();
        assertThat(LabelMatcher.parse("instance=~\".*prod.*db.*\"").matches(Map.of("instance", "prod-".repeat(64_000) + "x"))).isFalse();
        assertThat(LabelMatcher.parse("instance=~\".*prod.*db.*\"").matches(Map.of("instance", "eu-prod-db-1"))).isTrue();
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void refuses_counted_repetitions_that_blow_up_the_compiled_program() {
        // (.?){1000}(.?){1000} overflowed RE2/J's stack on every match; ((a{1000}){1000}){1000} ran compilation out of memory.
        assertThatThrownBy(() -> LabelMatcher.parse("instance=~\"(.?){1000}(.?){1000}\"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'instance=~\"(.?){1000}(.?){1000}\"': counted repetitions ({n}) multiply to 1000000, at most 1000 (RE2 syntax, as Alertmanager's)");
        assertThatThrownBy(() -> LabelMatcher.parse("a=~\"((a{1000}){1000}){1000}\"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("multiply to 1000000000");
        assertThat(LabelMatcher.parse("instance=~\"[a-z]{3}-\\\\{1}\\\\d{1,4}\"").matches(Map.of("instance", "abc-{1}12"))).as("escaped braces").isTrue();
        assertThat(LabelMatcher.parse("instance=~\"(.?){1000}\"").matches(Map.of("instance", "host1"))).isTrue();
    }

    @Test
    void refuses_what_alertmanager_refuses_backreferences_and_lookaround() {
        assertThatThrownBy(() -> LabelMatcher.parse("x=~\"(a)\\\\1\"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad regular expression").hasMessageEndingWith("(RE2 syntax, as Alertmanager's)");
        assertThatThrownBy(() -> LabelMatcher.parse("x=~\"a(?=b)\"")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad regular expression");
    }
}
