package io.homelab.alerts.notifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.commands.CommandHandler;
import io.homelab.alerts.notifier.commands.ProcessorApiClient;
import io.homelab.alerts.notifier.commands.TelegramCommands;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Commands arrive by real long polling of getUpdates on the Bot API stand-in; history comes from a real HTTP server. */
class TelegramCommandsTest {
    static final String TOKEN = "123456:COMMANDS-token";
    static final long CHAT = -1001234L;
    static final long ADMIN = 42L;
    static final long STRANGER = 666L;
    static final Instant NOW = Instant.parse("2026-11-25T22:00:00Z");

    TelegramBotApiStandIn telegram;
    HttpServer processorApi;
    TelegramChannel channel;
    TelegramCommands commands;
    final List<String> control = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        telegram = new TelegramBotApiStandIn(TOKEN);
        processorApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        processorApi.createContext("/api/alerts", exchange -> {
            byte[] body = """
                    [{"fingerprint":"bfcfce9889d1664b","labels":{"alertname":"HighCPU","instance":"192.168.1.101:9100","severity":"warning"},
                      "status":"firing","firingSince":"2026-11-25T21:00:00Z","lastSeen":"2026-11-25T21:59:00Z"}]"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        processorApi.createContext("/api/stats", exchange -> {
            byte[] body = """
                    {"activeAlerts":1,"alertnames":[{"alertname":"HighCPU","fired":3,"resolved":2,"meanTimeToResolveSeconds":600,
                      "flappingAlerts":0,"firedPerDay":{},"noisiestInstances":[{"instance":"192.168.1.101:9100","fired":3}]}]}"""
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        processorApi.start();
        channel = new TelegramChannel(TOKEN, telegram.url());
        CommandHandler handler = new CommandHandler(Set.of(Long.toString(CHAT)), Set.of(ADMIN),
                new ProcessorApiClient(URI.create("http://127.0.0.1:" + processorApi.getAddress().getPort())),
                (k, v) -> control.add(k + "=" + v), Clock.fixed(NOW, ZoneOffset.UTC));
        commands = new TelegramCommands(TOKEN, telegram.url(), handler, channel);
    }

    @AfterEach
    void stop() {
        commands.close();
        channel.close();
        processorApi.stop(0);
        telegram.close();
    }

    String replyTo(long chat, long user, String text) {
        int before = telegram.sentTexts().size();
        telegram.userSays(chat, user, "user" + user, text);
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> telegram.sentTexts().size() > before);
        return telegram.sentTexts().get(before);
    }

    @Test
    void alerts_lists_what_is_firing_from_the_processor_history_api() {
        assertThat(replyTo(CHAT, STRANGER, "/alerts")).isEqualTo(
                "🔥 <b>1 alert(s) firing</b>\n• HighCPU on 192.168.1.101:9100 (warning), for 1h 0m");
    }

    @Test
    void history_summarises_the_last_seven_days_and_help_lists_the_commands() {
        assertThat(replyTo(CHAT, STRANGER, "/history@homelab_bot HighCPU")).isEqualTo(
                "📈 <b>Last 7 days</b>\n• <b>HighCPU</b>: fired 3×, resolved 2×, mean time to resolve 10m, noisiest 192.168.1.101:9100");
        assertThat(replyTo(CHAT, STRANGER, "/help")).contains("/alerts", "/history", "/health", "/enable_autohealing");
    }

    @Test
    void only_allowed_users_may_change_autohealing_and_the_change_goes_to_the_control_topic() {
        assertThat(replyTo(CHAT, STRANGER, "/disable_autohealing"))
                .isEqualTo("⛔ Not authorized: ask the admin to add your user id (666) to TELEGRAM_ALLOWED_USERS.");
        assertThat(control).isEmpty();
        assertThat(replyTo(CHAT, ADMIN, "/disable_autohealing")).isEqualTo("⏸ Autohealing disabled by @user42.");
        assertThat(control).containsExactly("autohealing=off");
    }

    @Test
    void messages_from_chats_that_are_not_configured_are_ignored() throws Exception {
        telegram.userSays(777L, ADMIN, "intruder", "/alerts");
        assertThat(replyTo(CHAT, ADMIN, "/help")).contains("/alerts");
        assertThat(telegram.calls()).filteredOn(c -> c.method().equals("sendmessage"))
                .allSatisfy(c -> assertThat(c.body().get("chat_id").asText()).isEqualTo(Long.toString(CHAT)));
    }

}
