package io.homelab.alerts.notifier.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.logging.Printable;
import io.homelab.alerts.common.model.Fingerprint;
import io.homelab.alerts.common.model.Notification;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.format.Html;
import io.homelab.alerts.notifier.pipeline.NotificationRecords;
import io.homelab.alerts.notifier.pipeline.PipelineView;
import io.homelab.alerts.notifier.pipeline.RemediationView;
import io.homelab.alerts.notifier.silence.AlertmanagerSilences;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the bot's commands and button presses. Only our chats are served (the default chats and
 * every chat a route names; anything else is ignored); only users in {@code TELEGRAM_ALLOWED_USERS}
 * may change something (press buttons, switch autohealing), others are told "not authorized" and the
 * attempt is logged. A press counts only if the button is really on the message it was pressed on,
 * as Telegram reports that message: a modified client can send any callback data, but not change
 * what Telegram shows.
 */
public final class CommandHandler {
    private static final Logger log = LoggerFactory.getLogger(CommandHandler.class);
    static final String HELP = """
            <b>homelab-alerts</b> commands:
            /alerts — alerts firing now
            /history [alertname] — the last 7 days per alertname
            /health — is the pipeline working
            /silences — active Alertmanager silences
            /pending — fixes waiting for Approve / Reject
            /enable_autohealing, /disable_autohealing — let the remediator act, or not (allowed users)
            /help — this list""";
    /** Rows a list shows before "… and N more": a reply stays one readable message. */
    static final int MAX_ROWS = 30;
    /** Characters of one value in a list row. */
    static final int MAX_VALUE_CHARS = 100;

    private final Set<String> chats;
    private final Set<Long> allowedUsers;
    private final ProcessorApiClient processor;
    private final BiConsumer<String, String> control;
    private final Consumer<RemediationDecision> decisions;
    private final PipelineView pipeline;
    private final RemediationView remediations;
    private final NotificationRecords records;
    private final Duration approvalTimeout;
    private final Clock clock;
    private final AlertmanagerSilences silences;
    private final ZoneId zone;
    /** alert fingerprint → when a silence was just created: a second press of the same button must not create another. */
    private final Map<String, Instant> recentlySilenced = new ConcurrentHashMap<>();
    /** request id → who decided: the first press wins, even before the remediator has answered. */
    private final Map<String, String> decided = new ConcurrentHashMap<>();

    /**
     * @param chats every chat the bot answers in: the default chats and the chats routes name
     * @param control publishes a control setting (key, value) to the control topic
     * @param decisions publishes an Approve / Reject to the decisions topic
     * @param pipeline reads services and settings from Kafka for /health
     * @param remediations the remediator's requests and their state, for presses and /pending
     * @param records reads back the notification a Silence button was made from
     * @param silences null when ALERTMANAGER_URL is unset (no silence buttons)
     */
    public CommandHandler(Set<String> chats, Set<Long> allowedUsers, ProcessorApiClient processor, BiConsumer<String, String> control,
            Consumer<RemediationDecision> decisions, PipelineView pipeline, RemediationView remediations, NotificationRecords records,
            Duration approvalTimeout, AlertmanagerSilences silences, ZoneId zone, Clock clock) {
        this.chats = Set.copyOf(chats);
        this.allowedUsers = allowedUsers;
        this.processor = processor;
        this.control = control;
        this.decisions = decisions;
        this.pipeline = pipeline;
        this.remediations = remediations;
        this.records = records;
        this.approvalTimeout = approvalTimeout;
        this.silences = silences;
        this.zone = zone;
        this.clock = clock;
    }

    /** Whether the bot serves this chat. */
    public boolean serves(String chatId) {
        return chats.contains(chatId);
    }

    /**
     * A press of an inline button.
     *
     * @param shown the callback data of every button on the pressed message, as Telegram reports the
     *     message; null when Telegram did not include it (the message is too old or was deleted)
     */
    public record ButtonPress(String chatId, Integer messageId, Long userId, String username, String data, Set<String> shown) {
        String who() {
            return username == null || username.isBlank() ? "user " + userId : "@" + username;
        }
    }

    /**
     * What to do after a button press: a notice for the presser, the buttons to show instead (null:
     * leave them; empty: remove them), and a line to add to the message's text (null: leave it).
     */
    public record ButtonOutcome(String notice, List<OutgoingMessage.Button> newButtons, String appendHtml) {
        ButtonOutcome(String notice, List<OutgoingMessage.Button> newButtons) {
            this(notice, newButtons, null);
        }
    }

    /** Handles a press of one of our inline buttons; null when the chat is not ours. */
    public ButtonOutcome onButton(ButtonPress press) {
        if (!chats.contains(press.chatId()) || press.data() == null) {
            return null;
        }
        String shownData = Printable.of(press.data());
        if (press.userId() == null || !allowedUsers.contains(press.userId())) {
            log.warn("Refused button {} from user {} ({}) in chat {}: not in TELEGRAM_ALLOWED_USERS", shownData, press.userId(),
                    Printable.of(press.who()), press.chatId());
            return new ButtonOutcome("⛔ Not authorized", null);
        }
        if (press.shown() == null || !press.shown().contains(press.data())) {
            log.warn("Refused button {} from {} in chat {} on message {}: that button is not on that message (a modified client?)",
                    shownData, Printable.of(press.who()), press.chatId(), press.messageId());
            return new ButtonOutcome("⛔ This button is not on this message any more", null);
        }
        Optional<ButtonData> button = ButtonData.parse(press.data());
        if (button.isEmpty()) {
            log.warn("Refused button {} from {} in chat {}: not one of ours", shownData, Printable.of(press.who()), press.chatId());
            return new ButtonOutcome("Unknown button", null);
        }
        try {
            ButtonData data = button.get();
            if (data instanceof ButtonData.Decide decide) {
                return decide(press, decide);
            }
            if (data instanceof ButtonData.Silence silence) {
                return silence(press, silence);
            }
            if (data instanceof ButtonData.Unsilence unsilence) {
                return unsilence(press, unsilence);
            }
            if (data instanceof ButtonData.SilenceAll all) {
                return silenceAll(press, all);
            }
            if (data instanceof ButtonData.UnsilenceAll undo) {
                return unsilenceAll(press, undo);
            }
            return new ButtonOutcome("", null); // noop
        } catch (IOException | RuntimeException e) {
            log.warn("Button {} by {} failed: {}", shownData, Printable.of(press.who()), e.toString());
            return new ButtonOutcome("Failed: " + Printable.of(String.valueOf(e.getMessage())), null);
        }
    }

    private ButtonOutcome silence(ButtonPress press, ButtonData.Silence button) throws IOException {
        if (silences == null) {
            return new ButtonOutcome("Silences need ALERTMANAGER_URL", null);
        }
        // The labels of the very alert this message showed, read back from its own record.
        Optional<Notification> shown = records.at(button.lane() == ButtonData.Lane.PRIORITY, button.partition(), button.offset());
        if (shown.isEmpty()) {
            return new ButtonOutcome("This alert's record has expired: silence it in Alertmanager", null);
        }
        Map<String, String> labels = new TreeMap<>(shown.get().alert().labels());
        if (labels.isEmpty()) {
            return new ButtonOutcome("This alert has no labels to silence", null);
        }
        String fingerprint = Fingerprint.of(labels);
        Instant now = clock.instant();
        recentlySilenced.values().removeIf(t -> t.isBefore(now.minusSeconds(60)));
        if (recentlySilenced.putIfAbsent(fingerprint, now) != null) {
            return new ButtonOutcome("Already silenced", null);
        }
        try {
            Duration length = Duration.ofHours(button.hours());
            String id = silences.create(labels, now, length, "telegram:" + press.who(), "Silenced from Telegram by " + press.who());
            log.info("{} silenced {} ({}) for {}h (silence {})", Printable.of(press.who()), Printable.of(labels.getOrDefault("alertname", "")),
                    fingerprint, button.hours(), Printable.of(id));
            String until = hhmm(now.plus(length));
            String label = "🔕 by " + press.who() + " until " + until;
            Optional<ButtonData> undo = ButtonData.unsilence(id);
            List<OutgoingMessage.Button> buttons = List.of(new OutgoingMessage.Button(undo.isPresent() ? label + " · Undo" : label,
                    undo.orElse(new ButtonData.Noop()).encode()));
            return new ButtonOutcome("Silenced for " + button.hours() + "h", buttons,
                    "🔕 <b>Silenced</b> by " + Html.escape(press.who()) + " until " + until);
        } catch (IOException | RuntimeException e) {
            recentlySilenced.remove(fingerprint);
            throw e;
        }
    }

    /**
     * 🔕 all: one silence per firing alert the gathered message showed, each matching exactly the
     * labels of its own notification record; their comment carries the pack's tag, for Undo.
     */
    private ButtonOutcome silenceAll(ButtonPress press, ButtonData.SilenceAll button) throws IOException {
        if (silences == null) {
            return new ButtonOutcome("Silences need ALERTMANAGER_URL", null);
        }
        Optional<List<NotificationRecords.Ref>> refs = records.pack(button.partition(), button.offset());
        if (refs.isEmpty()) {
            return new ButtonOutcome("These alerts' records have expired: silence them in Alertmanager", null);
        }
        Instant now = clock.instant();
        String packKey = button.tag();
        recentlySilenced.values().removeIf(t -> t.isBefore(now.minusSeconds(60)));
        if (recentlySilenced.putIfAbsent(packKey, now) != null) {
            return new ButtonOutcome("Already silenced", null);
        }
        Duration length = Duration.ofHours(button.hours());
        java.util.Set<String> done = new java.util.HashSet<>();
        try {
            for (NotificationRecords.Ref ref : refs.get()) {
                Optional<Notification> shown = records.at(ref.priority(), ref.partition(), ref.offset());
                if (shown.isEmpty() || shown.get().alert().labels().isEmpty()) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>(shown.get().alert().labels());
                if (done.add(Fingerprint.of(labels))) {
                    silences.create(labels, now, length, "telegram:" + press.who(), "Silenced from Telegram by " + press.who()
                            + " with the alerts shown with it " + packKey);
                }
            }
        } catch (IOException | RuntimeException e) {
            recentlySilenced.remove(packKey);
            if (done.isEmpty()) {
                throw e;
            }
            log.warn("{} silenced {} alerts of {}, then Alertmanager failed: {}", Printable.of(press.who()), done.size(), packKey, e.toString());
        }
        if (done.isEmpty()) {
            recentlySilenced.remove(packKey);
            return new ButtonOutcome("These alerts' records have expired: silence them in Alertmanager", null);
        }
        log.info("{} silenced {} alerts ({}) for {}h", Printable.of(press.who()), done.size(), packKey, button.hours());
        String until = hhmm(now.plus(length));
        ButtonData undo = new ButtonData.UnsilenceAll(button.partition(), button.offset());
        return new ButtonOutcome("Silenced " + done.size() + " alerts for " + button.hours() + "h",
                List.of(new OutgoingMessage.Button("🔕 " + done.size() + " by " + press.who() + " until " + until + " · Undo", undo.encode())),
                "🔕 <b>Silenced</b> " + done.size() + " alerts by " + Html.escape(press.who()) + " until " + until);
    }

    /**
     * Undo of 🔕 all: expires the active silences that this 🔕 all made, and no others. A silence
     * counts only when all of these hold: its comment carries the pack's tag; it was made from
     * Telegram (createdBy {@code telegram:…}); and its matchers are exactly the labels of one alert
     * the pack showed. A person's silence with a copied comment, or another deployment's whose
     * pack has the same number, is left alone.
     */
    private ButtonOutcome unsilenceAll(ButtonPress press, ButtonData.UnsilenceAll button) throws IOException {
        if (silences == null) {
            return new ButtonOutcome("Silences need ALERTMANAGER_URL", null);
        }
        Optional<List<NotificationRecords.Ref>> refs = records.pack(button.partition(), button.offset());
        if (refs.isEmpty()) {
            return new ButtonOutcome("These alerts' records have expired: remove the silences in Alertmanager", null);
        }
        java.util.Set<Map<String, String>> shown = new java.util.HashSet<>();
        for (NotificationRecords.Ref ref : refs.get()) {
            records.at(ref.priority(), ref.partition(), ref.offset()).ifPresent(n -> shown.add(new TreeMap<>(n.alert().labels())));
        }
        int expired = 0;
        for (JsonNode silence : silences.list()) {
            if (silence.path("status").path("state").asText().equals("active") && silence.path("comment").asText().endsWith(button.tag())
                    && silence.path("createdBy").asText().startsWith("telegram:") && shown.contains(exactLabels(silence.path("matchers")))) {
                Optional<ButtonData> id = ButtonData.unsilence(silence.path("id").asText());
                if (id.isPresent()) {
                    silences.expire(((ButtonData.Unsilence) id.get()).silenceId());
                    expired++;
                }
            }
        }
        log.info("{} expired {} silences of {}", Printable.of(press.who()), expired, button.tag());
        return new ButtonOutcome(expired + " silences removed", List.of(),
                "🔔 <b>" + expired + " silences removed</b> by " + Html.escape(press.who()) + " at " + hhmm(clock.instant()));
    }

    /** The labels a silence matches when every matcher is an exact equality; null otherwise (not one of ours). */
    static Map<String, String> exactLabels(JsonNode matchers) {
        Map<String, String> labels = new TreeMap<>();
        for (JsonNode m : matchers) {
            if (m.path("isRegex").asBoolean(false) || !m.path("isEqual").asBoolean(true) || labels.put(m.path("name").asText(),
                    m.path("value").asText()) != null) {
                return null;
            }
        }
        return labels;
    }

    private ButtonOutcome unsilence(ButtonPress press, ButtonData.Unsilence button) throws IOException {
        if (silences == null) {
            return new ButtonOutcome("Silences need ALERTMANAGER_URL", null);
        }
        silences.expire(button.silenceId());
        log.info("{} expired silence {}", Printable.of(press.who()), button.silenceId());
        return new ButtonOutcome("Silence removed", List.of(),
                "🔔 <b>Silence removed</b> by " + Html.escape(press.who()) + " at " + hhmm(clock.instant()));
    }

    /** Approve / Reject: the first press by an allowed user is published; the message says who decided, and when. */
    private ButtonOutcome decide(ButtonPress press, ButtonData.Decide button) {
        String requestId = button.requestId();
        String who = press.who();
        String earlier = decided.putIfAbsent(requestId, who);
        if (earlier != null) {
            return new ButtonOutcome("Already decided by " + earlier, List.of());
        }
        try {
            RemediationUpdate current = remediations.get(requestId).orElse(null);
            if (current == null) {
                // Not in the view yet (asked a moment ago, or the view is still reading): ask the topic itself.
                current = pipeline.remediations().get(requestId);
            }
            if (current == null) {
                decided.remove(requestId);
                return new ButtonOutcome("Unknown request", null);
            }
            if (current.stage() != RemediationUpdate.Stage.APPROVAL_REQUIRED) {
                if (current.decision() != null) {
                    decided.put(requestId, current.decision().who()); // the real decider, for later presses
                } else {
                    decided.remove(requestId);
                }
                String by = current.decision() == null ? "" : " by " + current.decision().who();
                String stage = current.stage().name().toLowerCase(Locale.ROOT).replace('_', ' ');
                return new ButtonOutcome("Already " + stage + by, List.of(), "ℹ️ Already " + stage + Html.escape(by));
            }
            Instant now = clock.instant();
            decisions.accept(new RemediationDecision(requestId, button.approve() ? RemediationDecision.Verdict.APPROVE
                    : RemediationDecision.Verdict.REJECT, press.userId(), press.username(), press.chatId(), press.messageId(), now));
            log.info("{} {} remediation {} in chat {}", Printable.of(who), button.approve() ? "approved" : "rejected", requestId, press.chatId());
            if (now.isAfter(current.requestedAt().plus(approvalTimeout))) {
                return new ButtonOutcome("Too late: the request expired", List.of(),
                        "⌛ <b>Expired</b>: " + Html.escape(who) + " answered after " + approvalTimeout.toMinutes() + " min");
            }
            return new ButtonOutcome(button.approve() ? "Approved" : "Rejected", List.of(),
                    (button.approve() ? "✅ <b>Approved</b> by " : "❌ <b>Rejected</b> by ") + Html.escape(who) + " at " + hhmm(now));
        } catch (Exception e) {
            decided.remove(requestId);
            log.warn("Could not record {} of {} by {}: {}", button.approve() ? "approval" : "rejection", requestId, Printable.of(who), e.toString());
            return new ButtonOutcome("Failed, try again: " + Printable.of(String.valueOf(e.getMessage())), null);
        }
    }

    private String hhmm(Instant t) {
        return DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(zone).format(t);
    }

    /**
     * The command in {@code text}, when it is one and meant for us: {@code /alerts}, or
     * {@code /alerts@ourbot} in a group; {@code /alerts@otherbot} is another bot's. Empty otherwise.
     *
     * @param botUsername our bot's username (from getMe); null while unknown: then only commands without {@code @} are ours
     */
    public static Optional<String> commandFor(String text, String botUsername) {
        if (text == null || !text.startsWith("/")) {
            return Optional.empty();
        }
        String word = text.strip().split("\\s+", 2)[0];
        int at = word.indexOf('@');
        if (at >= 0) {
            String addressee = word.substring(at + 1);
            if (botUsername == null || !addressee.equalsIgnoreCase(botUsername)) {
                return Optional.empty();
            }
            word = word.substring(0, at);
        }
        return Optional.of(word.toLowerCase(Locale.ROOT));
    }

    /** The HTML reply to {@code text} sent in {@code chatId} by {@code userId}; null: not ours to answer. */
    public String reply(String chatId, Long userId, String username, String text, String botUsername) {
        if (!chats.contains(chatId)) {
            return null;
        }
        Optional<String> command = commandFor(text, botUsername);
        if (command.isEmpty()) {
            return null;
        }
        String[] words = text.strip().split("\\s+", 2);
        String argument = words.length > 1 ? words[1].strip() : "";
        return switch (command.get()) {
            case "/start", "/help" -> HELP;
            case "/alerts" -> alerts();
            case "/history" -> history(argument);
            case "/health" -> health();
            case "/silences" -> silencesList();
            case "/pending" -> pending();
            case "/enable_autohealing", "/disable_autohealing" ->
                    autohealing(command.get().equals("/enable_autohealing"), userId, username, chatId);
            default -> "Unknown command " + Html.escape(cut(command.get())) + ". /help lists what I understand.";
        };
    }

    private String autohealing(boolean on, Long userId, String username, String chatId) {
        String name = on ? "/enable_autohealing" : "/disable_autohealing";
        if (userId == null || !allowedUsers.contains(userId)) {
            log.warn("Refused {} from user {} (@{}) in chat {}: not in TELEGRAM_ALLOWED_USERS", name, userId, Printable.of(username), chatId);
            return "⛔ Not authorized: ask the admin to add your user id (" + userId + ") to TELEGRAM_ALLOWED_USERS.";
        }
        control.accept("autohealing", on ? "on" : "off");
        log.info("Autohealing turned {} by user {} (@{})", on ? "on" : "off", userId, Printable.of(username));
        return (on ? "✅ Autohealing enabled" : "⏸ Autohealing disabled") + " by "
                + Html.escape(username == null ? "user " + userId : "@" + username) + ".";
    }

    private String alerts() {
        try {
            JsonNode page = processor.activeAlerts(MAX_ROWS);
            JsonNode active = page.path("alerts");
            int total = page.path("total").asInt(active.size());
            if (total == 0) {
                return "✅ No alerts firing.";
            }
            StringBuilder sb = new StringBuilder("🔥 <b>").append(total).append(" alert(s) firing</b>\n");
            for (JsonNode a : active) {
                JsonNode labels = a.path("labels");
                sb.append("• ").append(Html.escape(cut(labels.path("alertname").asText("?"))));
                if (labels.has("instance")) {
                    sb.append(" on ").append(Html.escape(cut(labels.path("instance").asText())));
                }
                if (labels.has("severity")) {
                    sb.append(" (").append(Html.escape(cut(labels.path("severity").asText()))).append(')');
                }
                String since = a.path("firingSince").asText("");
                if (!since.isEmpty()) {
                    sb.append(", for ").append(ago(Instant.parse(since)));
                }
                sb.append('\n');
            }
            if (total > active.size()) {
                sb.append("… and ").append(total - active.size()).append(" more.");
            }
            return sb.toString().stripTrailing();
        } catch (IOException | RuntimeException e) {
            return unavailable(e);
        }
    }

    private String history(String alertname) {
        Instant to = clock.instant();
        try {
            JsonNode stats = processor.stats(to.minus(Duration.ofDays(7)), to);
            StringBuilder sb = new StringBuilder("📈 <b>Last 7 days</b>\n");
            int rows = 0;
            for (JsonNode s : stats.path("alertnames")) {
                if (!alertname.isEmpty() && !s.path("alertname").asText().equalsIgnoreCase(alertname)) {
                    continue;
                }
                if (++rows > MAX_ROWS) {
                    continue; // counted for "and N more"
                }
                sb.append("• <b>").append(Html.escape(cut(s.path("alertname").asText()))).append("</b>: fired ")
                        .append(s.path("fired").asInt()).append("×, resolved ").append(s.path("resolved").asInt()).append('×');
                if (!s.path("meanTimeToResolveSeconds").isNull() && s.has("meanTimeToResolveSeconds")) {
                    sb.append(", mean time to resolve ").append(duration(Duration.ofSeconds(s.path("meanTimeToResolveSeconds").asLong())));
                }
                if (s.path("flappingAlerts").asInt() > 0) {
                    sb.append(", ").append(s.path("flappingAlerts").asInt()).append(" flapping");
                }
                JsonNode noisiest = s.path("noisiestInstances");
                if (noisiest.size() > 0 && !noisiest.get(0).path("instance").asText().isEmpty()) {
                    sb.append(", noisiest ").append(Html.escape(cut(noisiest.get(0).path("instance").asText())));
                }
                sb.append('\n');
            }
            if (rows == 0) {
                return alertname.isEmpty() ? "No alerts in the last 7 days."
                        : "No " + Html.escape(cut(alertname)) + " alerts in the last 7 days.";
            }
            if (rows > MAX_ROWS) {
                sb.append("… and ").append(rows - MAX_ROWS).append(" more alertnames: /history <alertname> shows one.");
            }
            return sb.toString().stripTrailing();
        } catch (IOException | RuntimeException e) {
            return unavailable(e);
        }
    }

    private String silencesList() {
        if (silences == null) {
            return "Silences need ALERTMANAGER_URL.";
        }
        try {
            StringBuilder sb = new StringBuilder();
            int n = 0;
            DateTimeFormatter time = DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(zone);
            for (JsonNode s : silences.list()) {
                if (!"active".equals(s.path("status").path("state").asText())) {
                    continue;
                }
                if (++n > MAX_ROWS) {
                    continue;
                }
                StringBuilder matchers = new StringBuilder();
                for (JsonNode m : s.path("matchers")) {
                    if (m.path("name").asText().equals("alertname") || m.path("name").asText().equals("instance")) {
                        matchers.append(matchers.length() == 0 ? "" : ", ").append(m.path("value").asText());
                    }
                }
                String until;
                try {
                    until = time.format(Instant.parse(s.path("endsAt").asText()));
                } catch (RuntimeException e) {
                    until = "?";
                }
                sb.append("• ").append(Html.escape(cut(matchers.length() == 0 ? s.path("id").asText() : matchers.toString())))
                        .append(" until ").append(until)
                        .append(" by ").append(Html.escape(cut(s.path("createdBy").asText()))).append('\n');
            }
            if (n > MAX_ROWS) {
                sb.append("… and ").append(n - MAX_ROWS).append(" more (Alertmanager's UI lists them all).");
            }
            return n == 0 ? "🔔 No active silences." : "🔕 <b>" + n + " active silence(s)</b>\n" + sb.toString().stripTrailing();
        } catch (IOException | RuntimeException e) {
            return "⚠️ Alertmanager at " + Html.escape(silences.base().toString()) + " is not answering: " + Html.escape(Failures.describe(e)) + ".";
        }
    }

    private String pending() {
        List<RemediationUpdate> open = remediations.pending(clock.instant(), approvalTimeout);
        if (open.isEmpty()) {
            return "✅ No fixes waiting for approval.";
        }
        StringBuilder sb = new StringBuilder("⚠️ <b>").append(open.size()).append(" fix(es) waiting for approval</b>\n");
        int shown = 0;
        for (RemediationUpdate u : open) {
            if (shown++ == 20) {
                sb.append("… and ").append(open.size() - 20).append(" more.\n");
                break;
            }
            sb.append("• ").append(Html.escape(cut(u.alert().alertname()))).append(" on ").append(Html.escape(cut(u.component())))
                    .append(": ").append(Html.escape(cut(u.suggestedFix()))).append(", asked ").append(ago(u.requestedAt())).append(" ago\n");
        }
        return sb.append("Answer with the buttons under each request.").toString();
    }

    /** A value shown in a list: at most {@value #MAX_VALUE_CHARS} characters, so a list stays far below Telegram's 4096. */
    static String cut(String value) {
        if (value == null) {
            return "";
        }
        if (value.length() <= MAX_VALUE_CHARS) {
            return value;
        }
        int end = Character.isHighSurrogate(value.charAt(MAX_VALUE_CHARS - 2)) ? MAX_VALUE_CHARS - 2 : MAX_VALUE_CHARS - 1;
        return value.substring(0, end) + "…";
    }

    private String health() {
        StringBuilder sb = new StringBuilder("🩺 <b>Pipeline health</b>\n");
        try {
            for (PipelineView.ServiceState s : pipeline.services()) {
                sb.append(s.members() > 0 ? "✅ " : "❌ ").append(s.service()).append(": ")
                        .append(s.members() > 0 ? s.members() + " running" : "not running").append(", ")
                        .append(s.lagAtLeast() ? "more than " : "").append(s.lag()).append(" record(s) behind\n");
            }
            Optional<Instant> last = pipeline.lastWebhook();
            sb.append("🕑 last webhook received: ").append(last.map(t -> ago(t) + " ago").orElse("never")).append('\n');
            sb.append("🤖 autohealing: ").append(pipeline.autohealing()).append('\n');
        } catch (Exception e) {
            sb.append("❌ Kafka: ").append(Html.escape(Failures.describe(e))).append('\n');
        }
        sb.append("⚠️ approvals pending: ").append(remediations.pending(clock.instant(), approvalTimeout).size()).append('\n');
        try {
            JsonNode page = processor.activeAlerts(1);
            sb.append("🔥 alerts firing: ").append(page.path("total").asInt());
        } catch (IOException | RuntimeException e) {
            sb.append("❌ history API at ").append(Html.escape(processor.base().toString())).append(": ").append(Html.escape(Failures.describe(e)));
        }
        return sb.toString();
    }

    private String ago(Instant since) {
        return duration(Duration.between(since, clock.instant()));
    }

    private static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 86_400) {
            return s / 86_400 + "d " + s % 86_400 / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + s % 3600 / 60 + "m";
        }
        if (s >= 60) {
            return s / 60 + "m";
        }
        return s + "s";
    }

    private String unavailable(Exception e) {
        log.warn("History API call to {} failed: {}", processor.base(), Failures.describe(e));
        return "⚠️ The processor's history API at " + Html.escape(processor.base().toString()) + " is not answering: "
                + Html.escape(Failures.describe(e)) + ". Try again shortly.";
    }
}
