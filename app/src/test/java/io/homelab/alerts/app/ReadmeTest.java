package io.homelab.alerts.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.common.config.HomelabConfig;
import io.homelab.alerts.common.config.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Keeps the README true: its configuration table lists every setting with the default the code uses. */
class ReadmeTest {
    @Test
    void the_configuration_table_lists_every_setting_with_its_default() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        for (Setting s : HomelabConfig.SETTINGS) {
            String row = "| `" + s.name() + "` | `" + (s.defaultValue() == null ? "unset" : s.defaultValue()) + "` | " + s.description() + " |";
            assertThat(readme).as("README row for " + s.name()).contains(row);
        }
    }

    @Test
    void the_quick_start_commands_are_the_ones_ci_and_the_tests_use() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String ci = Files.readString(Path.of("../.ci/run"));
        assertThat(readme).contains("./mvnw -B verify").contains("./mvnw -q -DskipTests package && bin/homelab-alerts run")
                .contains("--data-binary @examples/test-alert.json");
        assertThat(ci).contains("\n./mvnw -B verify\n");
    }
}
