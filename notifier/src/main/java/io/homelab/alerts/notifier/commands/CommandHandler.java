package io.homelab.alerts.notifier.commands;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.notifier.format.Html;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import io.homelab.alerts.notifier.channel.OutgoingMessage;
import io.homelab.alerts.notifier.silence.AlertmanagerSilences;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import io.homelab.alerts.common.model.RemediationDecision;
import io.homelab.alerts.common.model.RemediationUpdate;
import io.homelab.alerts.notifier.pipeline.PipelineView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the bot's commands. Only configured chats are served (anything else is ignored); only
 * users in {@code TELEGRAM_ALLOWED_USERS} may run commands that change something, others are told
 * "not authorized" and the attempt is logged.
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

    private final Set<String> chats;
    private final Set<Long> allowedUsers;
    private final ProcessorApiClient processor;
    private final BiConsumer<String, String> control;
    private final Consumer<RemediationDecision> decisions;
    private final PipelineView pipeline;
    private final Duration approvalTimeout;
    private final Clock clock;
    private final AlertmanagerSilences silences;
    private final ZoneId zone;
    /** fingerprint → silence just created: a second press of the same button must not create another. */
    private final Map<String, Instant> recentlySilenced = new ConcurrentHashMap<>();
    /** request id → decision just published: the first press wins, even before the remediator has answered. */
    private final Map<String, String> decided = new ConcurrentHashMap<>();

    /**
     * @param control publishes a control setting (key, value) to the control topic
     * @param decisions publishes an Approve / Reject to the decisions topic
     * @param pipeline reads services, settings and approvals from Kafka for /health and /pending
     * @param silences null when ALERTMANAGER_URL is unset (no silence buttons)
     */
    public CommandHandler(Set<String> chats, Set<Long> allowedUsers, ProcessorApiClient processor, BiConsumer<String, String> control,
            Consumer<RemediationDecision> decisions, PipelineView pipeline, Duration approvalTimeout,
            AlertmanagerSilences silences, ZoneId zone, Clock clock) {
        this.chats = chats;
        this.allowedUsers = allowedUsers;
        this.processor = processor;
        this.control = control;
        this.decisions = decisions;
        this.pipeline = pipeline;
        this.approvalTimeout = approvalTimeout;
        this.silences = silences;
        this.zone = zone;
        this.clock = clock;
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

    /** Handles a press of one of our inline buttons under message {@code messageId}; null when the chat is not ours. */
    public ButtonOutcome onButton(String chatId, Integer messageId, Long userId, String username, String data) {
        if (!chats.contains(chatId) || data == null) {
            return null;
        }
        String who = username == null ? "user " + userId : "@" + username;
        if (userId == null || !allowedUsers.contains(userId)) {
            log.warn("Refused button {} from user {} ({}) in chat {}: not in TELEGRAM_ALLOWED_USERS", data, userId, who, chatId);
            return new ButtonOutcome("⛔ Not authorized", null);
        }
        if (data.startsWith("approve:") || data.startsWith("reject:")) {
            return decide(chatId, messageId, userId, username, data);
        }
        if (data.equals("noop")) {
            return new ButtonOutcome("", null);
        }
        if (silences == null) {
            return new ButtonOutcome("Silences need ALERTMANAGER_URL", null);
        }
        String[] parts = data.split(":");
        try {
            if (parts.length == 3 && parts[0].equals("silence")) {
                String fingerprint = parts[1];
                int hours = Integer.parseInt(parts[2]);
                Instant now = clock.instant();
                Instant previous = recentlySilenced.putIfAbsent(fingerprint, now);
                if (previous != null && previous.isAfter(now.minusSeconds(60))) {
                    return new ButtonOutcome("Already silenced", null);
                }
                recentlySilenced.put(fingerprint, now);
                JsonNode labels = processor.alert(fingerprint).path("labels");
                Map<String, String> matchers = new java.util.TreeMap<>();
                labels.fields().forEachRemaining(e -> matchers.put(e.getKey(), e.getValue().asText()));
                if (matchers.isEmpty()) {
                    recentlySilenced.remove(fingerprint);
                    return new ButtonOutcome("Unknown alert " + fingerprint, null);
                }
                Instant until = now.plus(Duration.ofHours(hours));
                String id = silences.create(matchers, now, Duration.ofHours(hours), "telegram:" + who,
                        "Silenced from Telegram by " + who);
                log.info("{} silenced {} for {}h (silence {})", who, matchers.get("alertname"), hours, id);
                String untilText = hhmm(until);
                return new ButtonOutcome("Silenced for " + hours + "h",
                        List.of(new OutgoingMessage.Button("🔕 by " + who + " until " + untilText + " · Undo", "unsilence:" + id)),
                        "🔕 <b>Silenced</b> by " + Html.escape(who) + " until " + untilText);
            }
            if (parts.length == 2 && parts[0].equals("unsilence")) {
                silences.expire(parts[1]);
                log.info("{} expired silence {}", who, parts[1]);
                return new ButtonOutcome("Silence removed", List.of(),
                        "🔔 <b>Silence removed</b> by " + Html.escape(who) + " at " + hhmm(clock.instant()));
            }
            return new ButtonOutcome("Unknown button", null);
        } catch (IOException | RuntimeException e) {
            log.warn("Button {} by {} failed: {}", data, who, e.toString());
            if (parts.length == 3) {
                recentlySilenced.remove(parts[1]);
            }
            return new ButtonOutcome("Failed: " + e.getMessage(), null);
        }
    }

    /** Approve / Reject: the first press by an allowed user is published; the message says who decided, and when. */
    private ButtonOutcome decide(String chatId, Integer messageId, Long userId, String username, String data) {
        boolean approve = data.startsWith("approve:");
        String requestId = data.substring(data.indexOf(':') + 1);
        String who = username == null ? "user " + userId : "@" + username;
        String earlier = decided.putIfAbsent(requestId, who);
        if (earlier != null) {
            return new ButtonOutcome("Already decided by " + earlier, List.of());
        }
        try {
            RemediationUpdate current = pipeline.remediations().get(requestId);
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
            decisions.accept(new RemediationDecision(requestId, approve ? RemediationDecision.Verdict.APPROVE : RemediationDecision.Verdict.REJECT,
                    userId, username, chatId, messageId, now));
            log.info("{} {} remediation {} in chat {}", who, approve ? "approved" : "rejected", requestId, chatId);
            if (now.isAfter(current.requestedAt().plus(approvalTimeout))) {
                return new ButtonOutcome("Too late: the request expired", List.of(),
                        "⌛ <b>Expired</b>: " + Html.escape(who) + " answered after " + approvalTimeout.toMinutes() + " min");
            }
            return new ButtonOutcome(approve ? "Approved" : "Rejected", List.of(),
                    (approve ? "✅ <b>Approved</b> by " : "❌ <b>Rejected</b> by ") + Html.escape(who) + " at " + hhmm(now));
        } catch (Exception e) {
            decided.remove(requestId);
            log.warn("Could not record {} of {} by {}: {}", approve ? "approval" : "rejection", requestId, who, e.toString());
            return new ButtonOutcome("Failed, try again: " + e.getMessage(), null);
        }
    }

    private String hhmm(Instant t) {
        return DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT).withZone(zone).format(t);
    }

    /** The HTML reply to {@code text} sent in {@code chatId} by {@code userId}; null: not ours to answer. */
    public String reply(String chatId, Long userId, String username, String text) {
        if (text == null || !text.startsWith("/") || !chats.contains(chatId)) {
            return null;
        }
        String[] words = text.strip().split("\\s+", 2);
        String command = words[0].toLowerCase(Locale.ROOT);
        int at = command.indexOf('@'); // /alerts@MyHomelabBot in groups
        if (at > 0) {
            command = command.substring(0, at);
        }
        String argument = words.length > 1 ? words[1].strip() : "";
        return switch (command) {
            case "/start", "/help" -> HELP;
            case "/alerts" -> alerts();
            case "/history" -> history(argument);
            case "/health" -> health();
            case "/silences" -> silencesList();
            case "/pending" -> pending();
            case "/enable_autohealing", "/disable_autohealing" -> autohealing(command.equals("/enable_autohealing"), userId, username, chatId);
            default -> "Unknown command " + Html.escape(command) + ". /help lists what I understand.";
        };
    }

    private String autohealing(boolean on, Long userId, String username, String chatId) {
        if (userId == null || !allowedUsers.contains(userId)) {
            log.warn("Refused {} from user {} (@{}) in chat {}: not in TELEGRAM_ALLOWED_USERS", on ? "/enable_autohealing" : "/disable_autohealing",
                    userId, username, chatId);
            return "⛔ Not authorized: ask the admin to add your user id (" + userId + ") to TELEGRAM_ALLOWED_USERS.";
        }
        control.accept("autohealing", on ? "on" : "off");
        log.info("Autohealing turned {} by user {} (@{})", on ? "on" : "off", userId, username);
        return (on ? "✅ Autohealing enabled" : "⏸ Autohealing disabled") + " by " + Html.escape(username == null ? "user " + userId : "@" + username) + ".";
    }

    private String alerts() {
        try {
            JsonNode active = processor.activeAlerts();
            if (active.isEmpty()) {
                return "✅ No alerts firing.";
            }
            StringBuilder sb = new StringBuilder("🔥 <b>").append(active.size()).append(" alert(s) firing</b>\n");
            int shown = 0;
            for (JsonNode a : active) {
                if (shown++ == 30) {
                    sb.append("…and ").append(active.size() - 30).append(" more.");
                    break;
                }
                JsonNode labels = a.path("labels");
                sb.append("• ").append(Html.escape(labels.path("alertname").asText("?")));
                if (labels.has("instance")) {
                    sb.append(" on ").append(Html.escape(labels.path("instance").asText()));
                }
                if (labels.has("severity")) {
                    sb.append(" (").append(Html.escape(labels.path("severity").asText())).append(')');
                }
                String since = a.path("firingSince").asText("");
                if (!since.isEmpty()) {
                    sb.append(", for ").append(ago(Instant.parse(since)));
                }
                sb.append('\n');
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
                rows++;
                sb.append("• <b>").append(Html.escape(s.path("alertname").asText())).append("</b>: fired ")
                        .append(s.path("fired").asInt()).append("×, resolved ").append(s.path("resolved").asInt()).append('×');
                if (!s.path("meanTimeToResolveSeconds").isNull() && s.has("meanTimeToResolveSeconds")) {
                    sb.append(", mean time to resolve ").append(duration(Duration.ofSeconds(s.path("meanTimeToResolveSeconds").asLong())));
                }
                if (s.path("flappingAlerts").asInt() > 0) {
                    sb.append(", ").append(s.path("flappingAlerts").asInt()).append(" flapping");
                }
                JsonNode noisiest = s.path("noisiestInstances");
                if (noisiest.size() > 0 && !noisiest.get(0).path("instance").asText().isEmpty()) {
                    sb.append(", noisiest ").append(Html.escape(noisiest.get(0).path("instance").asText()));
                }
                sb.append('\n');
            }
            if (rows == 0) {
                return alertname.isEmpty() ? "No alerts in the last 7 days." : "No " + Html.escape(alertname) + " alerts in the last 7 days.";
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
                n++;
                StringBuilder matchers = new StringBuilder();
                for (JsonNode m : s.path("matchers")) {
                    if (m.path("name").asText().equals("alertname") || m.path("name").asText().equals("instance")) {
                        matchers.append(matchers.length() == 0 ? "" : ", ").append(m.path("value").asText());
                    }
                }
                sb.append("• ").append(Html.escape(matchers.length() == 0 ? s.path("id").asText() : matchers.toString()))
                        .append(" until ").append(time.format(Instant.parse(s.path("endsAt").asText())))
                        .append(" by ").append(Html.escape(s.path("createdBy").asText())).append('\n');
            }
            return n == 0 ? "🔔 No active silences." : "🔕 <b>" + n + " active silence(s)</b>\n" + sb.toString().stripTrailing();
        } catch (IOException | RuntimeException e) {
            return "⚠️ Alertmanager is not answering (" + Html.escape(String.valueOf(e.getMessage())) + ").";
        }
    }

    private String pending() {
        try {
            List<RemediationUpdate> open = pipeline.pending(clock.instant(), approvalTimeout);
            if (open.isEmpty()) {
                return "✅ No fixes waiting for approval.";
            }
            StringBuilder sb = new StringBuilder("⚠️ <b>").append(open.size()).append(" fix(es) waiting for approval</b>\n");
            int shown = 0;
            for (RemediationUpdate u : open) {
                if (shown++ == 20) {
                    sb.append("…and ").append(open.size() - 20).append(" more.\n");
                    break;
                }
                sb.append("• ").append(Html.escape(cut(u.alert().alertname()))).append(" on ").append(Html.escape(cut(u.component())))
                        .append(": ").append(Html.escape(cut(u.suggestedFix()))).append(", asked ").append(ago(u.requestedAt())).append(" ago\n");
            }
            return sb.append("Answer with the buttons under each request.").toString();
        } catch (Exception e) {
            return "⚠️ Kafka is not answering (" + Html.escape(String.valueOf(e.getMessage())) + ").";
        }
    }

    /** A value shown in a list: at most 100 characters, so 20 lines stay far below Telegram's 4096. */
    private static String cut(String value) {
        return value == null ? "" : value.length() > 100 ? value.substring(0, 99) + "…" : value;
    }

    private String health() {
        StringBuilder sb = new StringBuilder("🩺 <b>Pipeline health</b>\n");
        try {
            for (PipelineView.ServiceState s : pipeline.services()) {
                sb.append(s.members() > 0 ? "✅ " : "❌ ").append(s.service()).append(": ")
                        .append(s.members() > 0 ? s.members() + " running" : "not running").append(", ")
                        .append(s.lag()).append(" record(s) behind\n");
            }
            Optional<Instant> last = pipeline.lastWebhook();
            sb.append("🕑 last webhook received: ").append(last.map(t -> ago(t) + " ago").orElse("never")).append('\n');
            sb.append("🤖 autohealing: ").append(pipeline.setting("autohealing").orElse("off (never set)")).append('\n');
            sb.append("⚠️ approvals pending: ").append(pipeline.pending(clock.instant(), approvalTimeout).size()).append('\n');
        } catch (Exception e) {
            sb.append("❌ Kafka: ").append(Html.escape(String.valueOf(e.getMessage()))).append('\n');
        }
        try {
            JsonNode active = processor.activeAlerts();
            sb.append("🔥 alerts firing: ").append(active.size());
        } catch (IOException | RuntimeException e) {
            sb.append("❌ history API: ").append(Html.escape(String.valueOf(e.getMessage())));
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
        log.warn("History API call failed: {}", e.toString(), e);
        return "⚠️ The processor's history API is not answering (" + Html.escape(String.valueOf(e.getMessage())) + "). Try again shortly.";
    }
}
