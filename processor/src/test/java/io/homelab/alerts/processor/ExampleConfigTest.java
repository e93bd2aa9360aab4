package io.homelab.alerts.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.processor.route.DefaultRoutes;
import io.homelab.alerts.processor.route.RouteTable;
import io.homelab.alerts.processor.route.RouteTableLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The example the README points to must load. */
class ExampleConfigTest {
    @Test
    void the_shipped_example_routes_file_is_valid() {
        RouteTable table = RouteTableLoader.load(Path.of("../examples/homelab.yml"),
                new DefaultRoutes());
        assertThat(table.routes()).extracting(r -> r.name())
                .containsExactly("ignore-watchdog", "media-containers", "page-on-critical", "critical-everywhere", "info-quietly");
    }
}
