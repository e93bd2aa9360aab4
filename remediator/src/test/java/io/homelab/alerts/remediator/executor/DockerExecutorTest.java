package io.homelab.alerts.remediator.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.homelab.alerts.remediator.executor.docker.DockerExecutor;
import io.homelab.alerts.remediator.runbook.Refusal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The docker executor against a real Docker Engine, with real containers. */
class DockerExecutorTest {
    final List<String> containers = new ArrayList<>();
    final DockerExecutor docker = new DockerExecutor(DockerEngine.host());

    @BeforeAll
    static void engine() throws Exception {
        DockerEngine.require();
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (String c : containers) {
            DockerEngine.run(List.of("docker", "rm", "-f", c));
        }
        docker.close();
    }

    String container(String name, String... extra) throws Exception {
        String full = "ha-test-" + name + "-" + ProcessHandle.current().pid();
        DockerEngine.run(List.of("docker", "rm", "-f", full));
        List<String> argv = new ArrayList<>(List.of("docker", "run", "-d", "--name", full));
        argv.addAll(List.of(extra));
        containers.add(full);
        assertThat(DockerEngine.run(argv)).as(String.join(" ", argv)).isZero();
        return full;
    }

    String startedAt(String name) throws Exception {
        return DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.StartedAt}}", name));
    }

    @Test
    void a_stopped_container_is_restarted_and_runs_again_with_a_new_start_time() throws Exception {
        String name = container("down", DockerEngine.IMAGE, "sleep", "3600");
        assertThat(DockerEngine.run(List.of("docker", "stop", "-t", "1", name))).isZero();
        String before = startedAt(name);

        Prepared restart = docker.container("restart", name);
        assertThat(restart.call()).isEqualTo("POST /containers/" + name + "/restart?t=10");
        assertThat(restart.target()).isEqualTo("container " + name);
        Prepared.Outcome outcome = restart.run(Duration.ofSeconds(60));

        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.summary()).startsWith("restarted " + name + " (was exited (137), now running)");
        assertThat(DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.Running}}", name))).isEqualTo("true");
        assertThat(startedAt(name)).isNotEqualTo(before);
    }

    @Test
    void an_unhealthy_container_is_restarted() throws Exception {
        String name = container("sick", "--health-cmd", "false", "--health-interval", "1s", "--health-retries", "1", DockerEngine.IMAGE,
                "sleep", "3600");
        await().atMost(Duration.ofSeconds(30)).until(() -> DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", name))
                .equals("unhealthy"));
        String before = startedAt(name);
        Prepared.Outcome outcome = docker.container("restart", name).run(Duration.ofSeconds(60));
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.summary()).startsWith("restarted " + name + " (was running, unhealthy, now running");
        assertThat(startedAt(name)).isNotEqualTo(before);
    }

    @Test
    void a_container_that_does_not_exist_is_refused_before_anything_runs() {
        assertThatThrownBy(() -> docker.container("restart", "ha-test-no-such-container")).isInstanceOf(Refusal.class)
                .hasMessage("no container named ha-test-no-such-container on " + DockerEngine.host());
        assertThatThrownBy(() -> docker.recover("ha-test-no-such-container")).isInstanceOf(Refusal.class)
                .hasMessage("no container named ha-test-no-such-container on " + DockerEngine.host());
    }

    @Test
    void an_id_prefix_is_the_same_target_as_the_name_so_the_rails_cannot_be_sidestepped() throws Exception {
        String name = container("aliased", DockerEngine.IMAGE, "sleep", "3600");
        String id = DockerEngine.output(List.of("docker", "inspect", "-f", "{{.Id}}", name));
        for (String alias : List.of(id, id.substring(0, 12), id.substring(0, 5))) {
            Prepared restart = docker.container("restart", alias);
            assertThat(restart.target()).as(alias).isEqualTo("container " + name);
            assertThat(restart.call()).as(alias).isEqualTo("POST /containers/" + name + "/restart?t=10");
        }
    }

    @Test
    void recover_restarts_a_stopped_container_and_leaves_a_running_healthy_one_alone() throws Exception {
        String name = container("recover", "--health-cmd", "true", "--health-interval", "1s", DockerEngine.IMAGE, "sleep", "3600");
        await().atMost(Duration.ofSeconds(30)).until(() -> DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", name))
                .equals("healthy"));
        String running = startedAt(name);
        assertThatThrownBy(() -> docker.recover(name)).isInstanceOf(Refusal.NothingToDo.class)
                .hasMessage(name + " is already running, healthy (started " + running + "), so it was not restarted");
        assertThat(startedAt(name)).as("not touched").isEqualTo(running);

        assertThat(DockerEngine.run(List.of("docker", "stop", "-t", "1", name))).isZero();
        Prepared recover = docker.recover(name);
        assertThat(recover.call()).isEqualTo("POST /containers/" + name + "/restart?t=10");
        Prepared.Outcome outcome = recover.run(Duration.ofSeconds(60));
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.summary()).startsWith("restarted " + name + " (was exited (137), now running");
        assertThat(startedAt(name)).isNotEqualTo(running);
    }

    @Test
    void prune_removes_a_stopped_container_and_says_which() throws Exception {
        String name = container("stopped", DockerEngine.IMAGE, "true");
        await().atMost(Duration.ofSeconds(30)).until(() -> DockerEngine.output(List.of("docker", "inspect", "-f", "{{.State.Status}}", name))
                .equals("exited"));
        Prepared.Outcome outcome = docker.prune().run(Duration.ofSeconds(60));
        assertThat(outcome.ok()).isTrue();
        assertThat(outcome.summary()).startsWith("cleaned up: removed ").contains(name).contains(", freed ");
        assertThat(DockerEngine.run(List.of("docker", "inspect", name))).as("the container is gone").isNotZero();
    }

    @Test
    void the_top_processes_of_a_container_and_the_container_using_the_most_cpu_are_found() throws Exception {
        String idle = container("idle", DockerEngine.IMAGE, "sleep", "3600");
        String busy = container("busy", DockerEngine.IMAGE, "sh", "-c", "while :; do :; done");
        assertThat(docker.containerTop(idle, true)).startsWith("Top processes of " + idle + ":").contains("sleep");

        // Other containers on this engine may be busier: the one the alert names is taken as it is.
        Prepared named = docker.restartWorst("cpu", busy);
        assertThat(named.target()).isEqualTo("container " + busy);
        assertThat(named.preview()).contains("Top processes of " + busy).contains("sh");

        Prepared worst = docker.restartWorst("cpu", null);
        assertThat(worst.preview()).startsWith("Containers by CPU:").contains(busy).contains("Top processes of this host:");
        assertThat(worst.target()).isEqualTo("container " + busy);
        String before = startedAt(busy);
        assertThat(worst.run(Duration.ofSeconds(60)).ok()).isTrue();
        assertThat(startedAt(busy)).isNotEqualTo(before);
    }
}
