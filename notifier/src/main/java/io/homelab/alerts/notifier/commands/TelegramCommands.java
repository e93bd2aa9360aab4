package io.homelab.alerts.notifier.commands;

import io.homelab.alerts.common.health.Readiness;
import io.homelab.alerts.common.logging.Printable;
import io.homelab.alerts.notifier.channel.DeliveryResult;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.channel.telegram.TelegramChannel;
import io.homelab.alerts.notifier.delivery.RateLimiter;
import io.homelab.alerts.notifier.delivery.ServerWait;
import io.homelab.alerts.notifier.format.EntitiesToHtml;
import io.homelab.alerts.notifier.format.MessageSplitter;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.longpolling.TelegramBotsLongPollingApplication;
import org.telegram.telegrambots.longpolling.util.LongPollingSingleThreadUpdateConsumer;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.InlineKeyboardMarkup;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardButton;
import org.telegram.telegrambots.meta.api.objects.replykeyboard.buttons.InlineKeyboardRow;

/**
 * Receives the bot's messages by long polling {@code getUpdates} and answers commands and button
 * presses through {@link CommandHandler}.
 * <ul>
 *   <li>Start-up never blocks the process: if Telegram cannot be reached, it keeps trying in the
 *       background (with backoff), says so in the log and on {@code /ready} ({@link #readiness()}).</li>
 *   <li>Button presses and commands run on two threads of their own, so a slow command ({@code /health}
 *       reads Kafka) never delays a press.</li>
 *   <li>Replies are split like alerts, at most {@value #MAX_REPLY_PARTS} messages, and paced by the
 *       same {@link RateLimiter} as the alerts; a chat gets at most {@value #COMMANDS_PER_MINUTE}
 *       answers a minute, so command spam cannot push that chat's alerts back.</li>
 * </ul>
 */
public final class TelegramCommands implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TelegramCommands.class);
    /** Seconds Telegram holds a getUpdates request open when there is nothing new. */
    static final int POLL_TIMEOUT_SECONDS = 30;
    static final int MAX_REPLY_PARTS = 3;
    static final int COMMANDS_PER_MINUTE = 6;
    static final int MAX_QUEUED_COMMANDS = 50;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(60);

    private final String token;
    private final URI apiUrl;
    private final CommandHandler handler;
    private final TelegramChannel replies;
    private final RateLimiter limiter;
    private final Clock clock;
    private final MessageSplitter splitter = new MessageSplitter(MessageSplitter.TELEGRAM_LIMIT);
    // TelegramBots does not shut down the executor it is given: we do.
    private final ScheduledExecutorService polling;
    private final ExecutorService buttons;
    private final ExecutorService commands;
    private final OkHttpClient http;
    private final TelegramBotsLongPollingApplication application;
    private final Thread starter;
    private final Map<String, Deque<Instant>> answeredByChat = new ConcurrentHashMap<>();
    private final Set<String> toldToSlowDown = ConcurrentHashMap.newKeySet();
    private volatile String botUsername;
    private volatile String startProblem = "starting";
    private volatile boolean running = true;

    public TelegramCommands(String token, URI apiUrl, CommandHandler handler, TelegramChannel replies, RateLimiter limiter, Clock clock) {
        this.token = token;
        this.apiUrl = apiUrl;
        this.handler = handler;
        this.replies = replies;
        this.limiter = limiter;
        this.clock = clock;
        this.polling = Executors.newSingleThreadScheduledExecutor(daemon("telegram-updates"));
        this.buttons = Executors.newSingleThreadExecutor(daemon("telegram-buttons"));
        this.commands = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MAX_QUEUED_COMMANDS),
                daemon("telegram-commands"));
        this.http = new OkHttpClient.Builder().readTimeout(POLL_TIMEOUT_SECONDS + 15, TimeUnit.SECONDS).build();
        this.application = new TelegramBotsLongPollingApplication(com.fasterxml.jackson.databind.ObjectMapper::new, () -> http, () -> polling);
        this.starter = new Thread(this::startPolling, "telegram-start");
        starter.setDaemon(true);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts in the background; returns at once. */
    public TelegramCommands start() {
        starter.start();
        return this;
    }

    /** "telegram": ready once long polling runs; until then, why not. */
    public Readiness readiness() {
        return new Readiness() {
            @Override
            public String name() {
                return "telegram commands";
            }

            @Override
            public Optional<String> problem() {
                return Optional.ofNullable(startProblem);
            }
        };
    }

    /** Our bot's username (from getMe), once known. */
    public Optional<String> botUsername() {
        return Optional.ofNullable(botUsername);
    }

    private void startPolling() {
        Duration backoff = FIRST_RETRY;
        int port = apiUrl.getPort() != -1 ? apiUrl.getPort() : ("https".equals(apiUrl.getScheme()) ? 443 : 80);
        TelegramUrl url = new TelegramUrl(apiUrl.getScheme(), apiUrl.getHost(), port, false);
        while (running) {
            try {
                if (botUsername == null) {
                    botUsername = replies.botUsername();
                }
                application.registerBot(token, () -> url,
                        lastUpdate -> GetUpdates.builder().offset(lastUpdate + 1).limit(100).timeout(POLL_TIMEOUT_SECONDS).build(),
                        (LongPollingSingleThreadUpdateConsumer) this::dispatch);
                startProblem = null;
                log.info("Listening for bot commands as @{} (long polling {})", botUsername, apiUrl.getHost());
                return;
            } catch (Exception e) {
                String why = "cannot reach the Telegram Bot API at " + apiUrl.getHost() + " (" + Failures.describe(e) + ")";
                if (!why.equals(startProblem)) {
                    log.warn("Bot commands and buttons are not available yet: {}; retrying in the background (alerts are still "
                            + "received and kept in Kafka)", why);
                }
                startProblem = why + "; retrying";
                try {
                    application.unregisterBot(token); // registerBot keeps a failed session registered
                } catch (Exception ignored) {
                    // was not registered
                }
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : backoff.multipliedBy(2);
            }
        }
    }

    /** On the polling thread: hand each update to its own thread, never wait here. */
    private void dispatch(Update update) {
        try {
            if (update.hasCallbackQuery()) {
                buttons.execute(() -> answerButton(update));
            } else if (update.hasMessage() && update.getMessage().hasText() && update.getMessage().getText().startsWith("/")) {
                commands.execute(() -> answerCommand(update.getMessage()));
            }
        } catch (RejectedExecutionException e) {
            log.warn("Dropped a bot update: {} are already waiting (someone is flooding the bot?)", MAX_QUEUED_COMMANDS);
        }
    }

    private void answerButton(Update update) {
        try {
            var query = update.getCallbackQuery();
            Message shown = query.getMessage() instanceof Message m ? m : null; // an inaccessible message has no keyboard to check
            String chatId = query.getMessage() == null ? "" : Long.toString(query.getMessage().getChatId());
            Integer messageId = query.getMessage() == null ? null : query.getMessage().getMessageId();
            CommandHandler.ButtonOutcome outcome = handler.onButton(new CommandHandler.ButtonPress(chatId, messageId,
                    query.getFrom() == null ? null : query.getFrom().getId(), query.getFrom() == null ? null : query.getFrom().getUserName(),
                    query.getData(), shown == null ? null : buttonsOn(shown)));
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
            if (outcome.appendHtml() != null && shown != null && shown.hasText()
                    && shown.getText().length() + outcome.appendHtml().length() + 2 <= MessageSplitter.TELEGRAM_LIMIT) {
                // Rebuilt from what Telegram shows, so no copy of every sent message is needed.
                String html = EntitiesToHtml.toHtml(shown.getText(), shown.getEntities()) + "\n\n" + outcome.appendHtml();
                replies.editText(chatId, messageId, html, outcome.newButtons() == null ? List.of() : outcome.newButtons());
            } else if (outcome.newButtons() != null) {
                replies.editButtons(chatId, messageId, outcome.newButtons());
            }
        } catch (RuntimeException e) {
            // One bad update must not stop the others.
            log.warn("Could not handle a button press: {}", e.toString());
        }
    }

    /** The callback data of every button on a message, as Telegram reports the message. */
    static Set<String> buttonsOn(Message message) {
        Set<String> data = new HashSet<>();
        InlineKeyboardMarkup keyboard = message.getReplyMarkup();
        if (keyboard != null && keyboard.getKeyboard() != null) {
            for (InlineKeyboardRow row : keyboard.getKeyboard()) {
                for (InlineKeyboardButton button : row) {
                    if (button.getCallbackData() != null) {
                        data.add(button.getCallbackData());
                    }
                }
            }
        }
        return data;
    }

    private void answerCommand(Message message) {
        try {
            Long userId = message.getFrom() == null ? null : message.getFrom().getId();
            String username = message.getFrom() == null ? null : message.getFrom().getUserName();
            String chatId = Long.toString(message.getChatId());
            if (!handler.serves(chatId) || CommandHandler.commandFor(message.getText(), botUsername).isEmpty()) {
                log.debug("Ignored a message in chat {} (not one of our chats, or a command for another bot)", chatId);
                return;
            }
            Integer thread = Boolean.TRUE.equals(message.getIsTopicMessage()) ? message.getMessageThreadId() : null;
            if (!withinBudget(chatId)) {
                if (toldToSlowDown.add(chatId)) {
                    sendPaced(new OutgoingMessage(chatId, thread, "⏳ Too many commands: I answer at most " + COMMANDS_PER_MINUTE
                            + " a minute in a chat, so that alerts are never held up. Try again in a minute."));
                }
                log.info("Not answering {} in chat {}: more than {} commands a minute", Printable.of(message.getText()), chatId,
                        COMMANDS_PER_MINUTE);
                return;
            }
            String reply = handler.reply(chatId, userId, username, message.getText(), botUsername);
            if (reply == null) {
                return;
            }
            List<String> parts = splitter.split(reply);
            if (parts.size() > MAX_REPLY_PARTS) {
                parts = new java.util.ArrayList<>(parts.subList(0, MAX_REPLY_PARTS));
                parts.add("… (the rest of this answer is left out)");
            }
            for (String part : parts) {
                DeliveryResult result = sendPaced(new OutgoingMessage(chatId, thread, part));
                if (!(result instanceof DeliveryResult.Delivered)) {
                    log.warn("Could not answer {} in chat {}: {}", Printable.of(message.getText()), chatId, result);
                    break;
                }
            }
        } catch (RuntimeException e) {
            log.warn("Could not answer a command: {}", e.toString());
        }
    }

    /** At most {@value #COMMANDS_PER_MINUTE} answers a minute per chat. */
    private boolean withinBudget(String chatId) {
        Instant now = clock.instant();
        Deque<Instant> times = answeredByChat.computeIfAbsent(chatId, k -> new ArrayDeque<>());
        synchronized (times) {
            while (!times.isEmpty() && times.peekFirst().isBefore(now.minusSeconds(60))) {
                times.removeFirst();
            }
            if (times.size() >= COMMANDS_PER_MINUTE) {
                return false;
            }
            times.addLast(now);
            toldToSlowDown.remove(chatId);
            return true;
        }
    }

    /** Sends in the next free slot of the chat (shared with the alerts), retrying a 429 or 5xx a few times. */
    private DeliveryResult sendPaced(OutgoingMessage message) {
        DeliveryResult result = null;
        for (int attempt = 0; attempt < 3 && running; attempt++) {
            RateLimiter.Slot slot = limiter.reserve(message.chatId());
            if (!sleep(limiter.waitFor(slot))) {
                limiter.sent(slot);
                break;
            }
            limiter.sent(slot); // counted from when the request leaves, as the alerts' slots are
            result = replies.send(message);
            if (!(result instanceof DeliveryResult.Retryable retry)) {
                return result;
            }
            if (!sleep(ServerWait.capped(retry.retryAfter().orElse(Duration.ofSeconds(1L << attempt))))) {
                break;
            }
        }
        return result;
    }

    private boolean sleep(Duration d) {
        try {
            if (!d.isNegative() && !d.isZero()) {
                Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        starter.interrupt();
        try {
            application.unregisterBot(token);
            application.close();
        } catch (Exception e) {
            log.debug("Stopping long polling: {}", e.toString());
        } finally {
            polling.shutdownNow();
            buttons.shutdownNow();
            commands.shutdownNow();
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }
}
