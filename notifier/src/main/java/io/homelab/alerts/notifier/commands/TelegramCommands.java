package io.homelab.alerts.notifier.commands;

import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.format.EntitiesToHtml;
import java.util.List;
import java.net.URI;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.longpolling.BotSession;
import org.telegram.telegrambots.longpolling.TelegramBotsLongPollingApplication;
import org.telegram.telegrambots.longpolling.util.LongPollingSingleThreadUpdateConsumer;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;

/** Receives the bot's messages by long polling {@code getUpdates} and answers commands through {@link CommandHandler}. */
public final class TelegramCommands implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelegramCommands.class);
    /** Seconds Telegram holds a getUpdates request open when there is nothing new. */
    static final int POLL_TIMEOUT_SECONDS = 30;

    private final TelegramBotsLongPollingApplication application;
    // TelegramBots does not shut down the executor it is given: we do.
    private final ScheduledExecutorService executor;
    private final OkHttpClient http;
    private final String token;

    public TelegramCommands(String token, URI apiUrl, CommandHandler handler, TelegramChannel replies) throws TelegramApiException {
        this.token = token;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "telegram-updates");
            t.setDaemon(true);
            return t;
        });
        this.http = new OkHttpClient.Builder().readTimeout(POLL_TIMEOUT_SECONDS + 15, TimeUnit.SECONDS).build();
        this.application = new TelegramBotsLongPollingApplication(com.fasterxml.jackson.databind.ObjectMapper::new, () -> http, () -> executor);
        int port = apiUrl.getPort() != -1 ? apiUrl.getPort() : ("https".equals(apiUrl.getScheme()) ? 443 : 80);
        TelegramUrl url = new TelegramUrl(apiUrl.getScheme(), apiUrl.getHost(), port, false);
        BotSession session = application.registerBot(token, () -> url,
                lastUpdate -> GetUpdates.builder().offset(lastUpdate + 1).limit(100).timeout(POLL_TIMEOUT_SECONDS).build(),
                (LongPollingSingleThreadUpdateConsumer) update -> answer(update, handler, replies));
        log.info("Listening for bot commands (long polling, running: {})", session.isRunning());
    }

    private static void answer(Update update, CommandHandler handler, TelegramChannel replies) {
        try {
            if (update.hasCallbackQuery()) {
                var query = update.getCallbackQuery();
                String chatId = query.getMessage() == null ? "" : Long.toString(query.getMessage().getChatId());
                Integer messageId = query.getMessage() == null ? null : query.getMessage().getMessageId();
                CommandHandler.ButtonOutcome outcome = handler.onButton(chatId, messageId, query.getFrom() == null ? null : query.getFrom().getId(),
                        query.getFrom() == null ? null : query.getFrom().getUserName(), query.getData());
                // Answer at once, whatever happens, so the client stops its spinner.
                String notice = outcome == null ? "" : outcome.notice();
                try {
                    // Telegram: a callback notice is at most 200 characters; a press older than ~15 minutes cannot be answered.
                    replies.answerButton(query.getId(), notice.length() > 200 ? notice.substring(0, 199) + "…" : notice);
                } catch (RuntimeException e) {
                    log.info("Could not answer a button press: {}", e.getMessage());
                }
                if (outcome == null || messageId == null) {
                    return;
                }
                // Telegram: 4096 characters after entity parsing; the shown text plus our line is a safe bound.
                if (outcome.appendHtml() != null && query.getMessage() instanceof Message shown && shown.hasText()
                        && shown.getText().length() + outcome.appendHtml().length() + 2 <= 4096) {
                    // Rebuilt from what Telegram shows, so no copy of every sent message is needed.
                    String html = EntitiesToHtml.toHtml(shown.getText(), shown.getEntities()) + "\n\n" + outcome.appendHtml();
                    replies.editText(chatId, messageId, html, outcome.newButtons() == null ? List.of() : outcome.newButtons());
                } else if (outcome.newButtons() != null) {
                    replies.editButtons(chatId, messageId, outcome.newButtons());
                }
                return;
            }
            if (!update.hasMessage() || !update.getMessage().hasText()) {
                return;
            }
            Message message = update.getMessage();
            Long userId = message.getFrom() == null ? null : message.getFrom().getId();
            String username = message.getFrom() == null ? null : message.getFrom().getUserName();
            String chatId = Long.toString(message.getChatId());
            String reply = handler.reply(chatId, userId, username, message.getText());
            if (reply == null) {
                log.debug("Ignored an update from chat {} (not a configured chat, or not a command)", chatId);
                return;
            }
            Integer thread = Boolean.TRUE.equals(message.getIsTopicMessage()) ? message.getMessageThreadId() : null;
            DeliveryResult result = replies.send(new OutgoingMessage(chatId, thread, reply));
            if (!(result instanceof DeliveryResult.Delivered)) {
                log.warn("Could not answer {} in chat {}: {}", message.getText(), chatId, result);
            }
        } catch (RuntimeException e) {
            // One bad update must not stop the polling loop.
            log.warn("Could not handle an update: {}", e.toString());
        }
    }

    @Override
    public void close() {
        try {
            application.unregisterBot(token);
            application.close();
        } catch (Exception e) {
            log.debug("Stopping long polling: {}", e.toString());
        } finally {
            executor.shutdownNow();
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }
}
