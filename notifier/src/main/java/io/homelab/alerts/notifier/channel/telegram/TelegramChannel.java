package io.homelab.alerts.notifier.channel.telegram;

import io.homelab.alerts.notifier.channel.Channel;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.DeliveryResult.Failure;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.delivery.ServerWait;
import java.net.URI;
import java.util.List;
import org.telegram.telegrambots.meta.api.methods.AnswerCallbackQuery;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageReplyMarkup;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.objects.ReplyParameters;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.ParseMode;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;
import org.telegram.telegrambots.meta.generics.TelegramClient;

/**
 * Sends through the Telegram Bot API (TelegramBots' client) in HTML parse mode. Failures are
 * classified by the HTTP status, whatever the body says: only a 400 or 403 that really comes from
 * the Bot API (its JSON error) is permanent; a proxy's HTML error page, a 5xx, a 401 or a network
 * error is retried.
 */
public final class TelegramChannel implements Channel {
    /** Starts the description of an error answer that did not come from the Bot API (see {@link BotApiErrors}). */
    static final String NOT_FROM_BOT_API = "[not from the Bot API]";

    private final TelegramClient client;
    private final OkHttpClient http;

    public TelegramChannel(String botToken, URI apiUrl) {
        this.http = new OkHttpClient.Builder()
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(30, TimeUnit.SECONDS)
                .addInterceptor(new BotApiErrors())
                .build();
        int port = apiUrl.getPort() != -1 ? apiUrl.getPort() : ("https".equals(apiUrl.getScheme()) ? 443 : 80);
        this.client = new OkHttpTelegramClient(http, botToken, new TelegramUrl(apiUrl.getScheme(), apiUrl.getHost(), port, false));
    }

    @Override
    public String name() {
        return "telegram";
    }

    @Override
    public DeliveryResult send(OutgoingMessage message) {
        SendMessage request = SendMessage.builder()
                .chatId(message.chatId())
                .text(message.html())
                .parseMode(ParseMode.HTML)
                .disableWebPagePreview(true)
                .messageThreadId(message.threadId())
                .replyMarkup(message.buttons().isEmpty() ? null : keyboard(message.buttons()))
                // Still send when the message replied to was deleted meanwhile.
                .replyParameters(message.replyTo() == null ? null
                        : ReplyParameters.builder().messageId(message.replyTo()).allowSendingWithoutReply(true).build())
                .build();
        try {
            client.execute(request);
            return new DeliveryResult.Delivered();
        } catch (TelegramApiRequestException e) {
            return classify(e);
        } catch (TelegramApiException e) {
            return new DeliveryResult.Retryable(Failure.NETWORK, "Telegram unreachable: " + e.getMessage(), Optional.empty());
        }
    }

    static InlineKeyboardMarkup keyboard(List<OutgoingMessage.Button> buttons) {
        InlineKeyboardRow row = new InlineKeyboardRow();
        for (OutgoingMessage.Button b : buttons) {
            row.add(InlineKeyboardButton.builder().text(b.text()).callbackData(b.data()).build());
        }
        return new InlineKeyboardMarkup(buttons.isEmpty() ? List.of() : List.of(row));
    }

    /** Our bot's username, from {@code getMe}. */
    public String botUsername() throws TelegramApiException {
        return client.execute(new org.telegram.telegrambots.meta.api.methods.GetMe()).getUserName();
    }

    /** Answers a button press at once (Telegram shows {@code text} as a small notice). */
    public void answerButton(String callbackId, String text) {
        try {
            client.execute(AnswerCallbackQuery.builder().callbackQueryId(callbackId).text(text).build());
        } catch (TelegramApiException e) {
            throw new IllegalStateException("answerCallbackQuery failed: " + e.getMessage(), e);
        }
    }

    /** Replaces the buttons under a sent message (none: removes them). */
    public void editButtons(String chatId, Integer messageId, List<OutgoingMessage.Button> buttons) {
        try {
            client.execute(EditMessageReplyMarkup.builder().chatId(chatId).messageId(messageId).replyMarkup(keyboard(buttons)).build());
        } catch (TelegramApiException e) {
            throw new IllegalStateException("editMessageReplyMarkup failed: " + e.getMessage(), e);
        }
    }

    /** Replaces a sent message's text (Telegram HTML) and its buttons (none: removes them). */
    public void editText(String chatId, Integer messageId, String html, List<OutgoingMessage.Button> buttons) {
        try {
            client.execute(EditMessageText.builder().chatId(chatId).messageId(messageId).text(html).parseMode(ParseMode.HTML)
                    .disableWebPagePreview(true).replyMarkup(keyboard(buttons)).build());
        } catch (TelegramApiException e) {
            throw new IllegalStateException("editMessageText failed: " + e.getMessage(), e);
        }
    }

    /**
     * What a failed request means. {@link BotApiErrors} has made the error code the HTTP status, and
     * marked answers that are not the Bot API's own JSON; {@code retry_after} is capped at
     * {@link ServerWait#MAX}.
     */
    static DeliveryResult classify(TelegramApiRequestException e) {
        Integer code = e.getErrorCode();
        String description = String.valueOf(e.getApiResponse());
        String reason = "Telegram answered " + (code == null || code == 0 ? "without a code" : code) + ": " + description;
        boolean fromBotApi = !description.startsWith(NOT_FROM_BOT_API);
        if (code == null || code == 0) {
            return new DeliveryResult.Retryable(Failure.NETWORK, reason, Optional.empty());
        }
        if (code == 400 && fromBotApi && e.getParameters() != null && e.getParameters().getMigrateToChatId() != null) {
            return new DeliveryResult.Moved(Long.toString(e.getParameters().getMigrateToChatId()));
        }
        if (code == 429) {
            Integer after = e.getParameters() == null ? null : e.getParameters().getRetryAfter();
            return new DeliveryResult.Retryable(Failure.RATE_LIMITED, reason,
                    Optional.ofNullable(after).map(s -> ServerWait.cappedSeconds(s)));
        }
        if (code == 401) {
            // A wrong token fails every message alike: wait for the operator to fix it rather than drop them all.
            return new DeliveryResult.Retryable(Failure.AUTH, reason + " (check TELEGRAM_BOT_TOKEN)", Optional.empty());
        }
        if (code == 403 && fromBotApi) {
            return new DeliveryResult.Permanent(Failure.AUTH, reason + " (is the bot a member of the chat?)");
        }
        if (code == 400 && fromBotApi && description.toLowerCase(java.util.Locale.ROOT).contains("message is too long")) {
            return new DeliveryResult.TooLong(reason);
        }
        if (code == 400 && fromBotApi) {
            return new DeliveryResult.Permanent(Failure.CLIENT, reason);
        }
        // 5xx, a proxy's error page, or anything else the Bot API does not answer for a bad message: try again.
        return new DeliveryResult.Retryable(code >= 500 ? Failure.SERVER : Failure.NETWORK, reason, Optional.empty());
    }

    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
