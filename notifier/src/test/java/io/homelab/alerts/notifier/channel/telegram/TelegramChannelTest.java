package io.homelab.alerts.notifier.channel.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.DeliveryResult.Failure;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.delivery.ServerWait;
import io.homelab.alerts.notifier.telegram.TelegramBotApiStandIn;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What each answer of the Bot API (or of whatever stands between us and it) means, over real HTTP. */
class TelegramChannelTest {
    static final String TOKEN = "123456:CHANNEL-token";
    static final String NGINX_502 = """
            <html>
            <head><title>502 Bad Gateway</title></head>
            <body>
            <center><h1>502 Bad Gateway</h1></center>
            <hr><center>nginx</center>
            </body>
            </html>""";

    TelegramBotApiStandIn telegram;
    TelegramChannel channel;

    @BeforeEach
    void start() throws Exception {
        telegram = new TelegramBotApiStandIn(TOKEN);
        channel = new TelegramChannel(TOKEN, telegram.url());
    }

    @AfterEach
    void stop() {
        channel.close();
        telegram.close();
    }

    DeliveryResult sendAfter(int status, String contentType, String body) {
        telegram.failNext(status, contentType, body);
        return channel.send(new OutgoingMessage("-1001", null, "<b>x</b>"));
    }

    static Stream<Arguments> retryable() {
        return Stream.of(
                Arguments.of("nginx 502 page", 502, "text/html", NGINX_502, Failure.SERVER),
                Arguments.of("Bot API 502 JSON", 502, "application/json", "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}",
                        Failure.SERVER),
                Arguments.of("empty 503", 503, "text/plain", "", Failure.SERVER),
                Arguments.of("a proxy's 403 page", 403, "text/html", "<h1>Forbidden</h1>", Failure.NETWORK),
                Arguments.of("a proxy's 400 page", 400, "text/html", "<h1>400 Bad Request</h1><p>Request Header Or Cookie Too Large</p>",
                        Failure.NETWORK),
                Arguments.of("JSON 400 that names another code", 400, "application/json",
                        "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}", Failure.NETWORK),
                Arguments.of("404", 404, "application/json", "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}", Failure.NETWORK),
                Arguments.of("401", 401, "application/json", "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}", Failure.AUTH));
    }

    @ParameterizedTest(name = "{0} is retried")
    @MethodSource("retryable")
    void answers_that_are_not_the_bot_api_refusing_the_message_are_retried(String name, int status, String type, String body, Failure failure) {
        assertThat(sendAfter(status, type, body)).isInstanceOfSatisfying(DeliveryResult.Retryable.class,
                r -> assertThat(r.failure()).isEqualTo(failure));
    }

    @Test
    void the_html_error_page_is_reported_by_its_status_and_text() {
        DeliveryResult result = sendAfter(502, "text/html", NGINX_502);
        assertThat(((DeliveryResult.Retryable) result).reason())
                .isEqualTo("Telegram answered 502: [not from the Bot API] HTTP 502 from 127.0.0.1: 502 Bad Gateway 502 Bad Gateway nginx");
    }

    @Test
    void only_a_real_400_or_403_from_the_bot_api_is_permanent() {
        assertThat(sendAfter(400, "application/json", "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}"))
                .isInstanceOfSatisfying(DeliveryResult.Permanent.class, p -> assertThat(p.failure()).isEqualTo(Failure.CLIENT));
        assertThat(sendAfter(403, "application/json",
                "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was kicked from the group chat\"}"))
                .isInstanceOfSatisfying(DeliveryResult.Permanent.class, p -> assertThat(p.failure()).isEqualTo(Failure.AUTH));
    }

    @Test
    void a_huge_retry_after_is_capped() {
        assertThat(sendAfter(429, "application/json", TelegramBotApiStandIn.tooManyRequests(Integer.MAX_VALUE)))
                .isInstanceOfSatisfying(DeliveryResult.Retryable.class, r -> assertThat(r.retryAfter()).contains(ServerWait.MAX));
        assertThat(sendAfter(429, "application/json", TelegramBotApiStandIn.tooManyRequests(7)))
                .isInstanceOfSatisfying(DeliveryResult.Retryable.class, r -> assertThat(r.retryAfter()).contains(Duration.ofSeconds(7)));
        assertThat(sendAfter(429, "text/html", "<h1>Too Many Requests</h1>"))
                .isInstanceOfSatisfying(DeliveryResult.Retryable.class, r -> assertThat(r.retryAfter()).isEqualTo(Optional.empty()));
    }
}
