package io.homelab.alerts.notifier.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.homelab.alerts.common.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Telegram Bot API over real HTTP: {@code POST /bot<token>/<method>}
 * (TelegramBots sends method names in lower case), real response JSON, 401 for a wrong token,
 * 400 for text over 4096 characters or HTML Telegram cannot parse, and scripted failures such
 * as 429 with {@code parameters.retry_after}. Sent messages are kept as Telegram keeps them (plain
 * text and entities), returned in button presses, and can be edited with {@code editMessageText}.
 */
public final class TelegramBotApiStandIn implements AutoCloseable {
    /** A request as received. */
    public record Call(String method, JsonNode body, Instant at) {}

    private static final Pattern PATH = Pattern.compile("/bot([^/]+)/([A-Za-z]+)");
    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z-]*)[^>]*>");
    private static final java.util.Set<String> TAGS = java.util.Set.of("b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
            "a", "code", "pre", "span", "tg-spoiler", "blockquote");

    private final String token;
    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Deque<String[]> scripted = new ArrayDeque<>();
    private final AtomicInteger messageIds = new AtomicInteger(100);
    private volatile boolean enforceLimits;
    private final List<ObjectNode> updates = new ArrayList<>();
    private final Map<Integer, ObjectNode> messages = new java.util.concurrent.ConcurrentHashMap<>();
    private int nextUpdateId = 1;
    private final AtomicInteger violations = new AtomicInteger();
    private final java.util.Map<String, java.util.Deque<Instant>> sentByChat = new java.util.HashMap<>();
    private final java.util.Deque<Instant> sentOverall = new ArrayDeque<>();

    public TelegramBotApiStandIn(String token) throws IOException {
        this(token, 0);
    }

    /** On a given loopback port (0: any free one): to come up where a client already expects it. */
    public TelegramBotApiStandIn(String token, int port) throws IOException {
        this(token, "127.0.0.1", port);
    }

    /**
     * On a given address: containers reach the host on its Docker bridge gateway (172.17.0.1), not on
     * its loopback.
     */
    public TelegramBotApiStandIn(String token, String bindHost, int port) throws IOException {
        this.token = token;
        this.server = HttpServer.create(new InetSocketAddress(bindHost, port), 0);
        server.createContext("/", this::handle);
        // Like Telegram, a long poll for updates does not hold up a sendMessage: each request has a thread.
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "bot-api-stand-in");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public URI url() {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort());
    }

    /** The next request answers this status and JSON body instead of succeeding. */
    public synchronized void failNext(int status, String json) {
        failNext(status, "application/json", json);
    }

    /** The next request answers this status, content type and body (an nginx error page, say) instead of succeeding. */
    public synchronized void failNext(int status, String contentType, String body) {
        scripted.add(new String[] {Integer.toString(status), body, contentType});
    }

    public static String tooManyRequests(int retryAfterSeconds) {
        return "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after " + retryAfterSeconds
                + "\",\"parameters\":{\"retry_after\":" + retryAfterSeconds + "}}";
    }

    /**
     * Answer like Telegram when a bot sends too fast: more than one message a second to a chat,
     * 20 a minute to a group (negative id), or 30 a second in all gets a 429 with retry_after,
     * counted in {@link #violations()}.
     */
    public void enforceLimits() {
        this.enforceLimits = true;
    }

    private volatile int textLimit = 4096;

    /** Refuse texts longer than this (after entity parsing, in UTF-16) as too long: a stricter server than Telegram. */
    public void limitTextTo(int chars) {
        this.textLimit = chars;
    }

    public int violations() {
        return violations.get();
    }

    private synchronized Integer tooFast(String chat, Instant now) {
        java.util.Deque<Instant> chatTimes = sentByChat.computeIfAbsent(chat, k -> new ArrayDeque<>());
        while (!chatTimes.isEmpty() && chatTimes.peekFirst().isBefore(now.minusSeconds(60))) {
            chatTimes.removeFirst();
        }
        while (!sentOverall.isEmpty() && sentOverall.peekFirst().isBefore(now.minusSeconds(1))) {
            sentOverall.removeFirst();
        }
        // A few ms of slack: the two clocks are the same, but requests take time to arrive.
        boolean perChat = !chatTimes.isEmpty() && chatTimes.peekLast().isAfter(now.minusMillis(950));
        boolean group = chat.startsWith("-") && chatTimes.size() >= 20;
        boolean overall = sentOverall.size() >= 30;
        if (perChat || group || overall) {
            return group ? 30 : 1;
        }
        chatTimes.addLast(now);
        sentOverall.addLast(now);
        return null;
    }

    /** Queues a text message from {@code userId} in {@code chatId}, as getUpdates will return it. */
    public synchronized void userSays(long chatId, long userId, String username, String text) {
        ObjectNode update = Json.MAPPER.createObjectNode();
        update.put("update_id", nextUpdateId++);
        ObjectNode message = update.putObject("message");
        message.put("message_id", messageIds.incrementAndGet());
        message.put("date", Instant.now().getEpochSecond());
        ObjectNode chat = message.putObject("chat");
        chat.put("id", chatId);
        chat.put("type", chatId < 0 ? "supergroup" : "private");
        ObjectNode from = message.putObject("from");
        from.put("id", userId);
        from.put("is_bot", false);
        from.put("first_name", username);
        from.put("username", username);
        message.put("text", text);
        updates.add(update);
        notifyAll();
    }

    /** Queues a press of an inline button under message {@code messageId}, as getUpdates will return it. */
    public synchronized void userPresses(long chatId, int messageId, long userId, String username, String data) {
        ObjectNode update = Json.MAPPER.createObjectNode();
        update.put("update_id", nextUpdateId++);
        ObjectNode query = update.putObject("callback_query");
        query.put("id", "cb" + nextUpdateId);
        query.put("chat_instance", "ci" + chatId);
        query.put("data", data);
        ObjectNode from = query.putObject("from");
        from.put("id", userId);
        from.put("is_bot", false);
        from.put("first_name", username);
        from.put("username", username);
        ObjectNode message = query.putObject("message");
        message.put("message_id", messageId);
        message.put("date", Instant.now().getEpochSecond());
        ObjectNode chat = message.putObject("chat");
        chat.put("id", chatId);
        chat.put("type", chatId < 0 ? "supergroup" : "private");
        ObjectNode shown = messages.get(messageId);
        if (shown != null) {
            message.put("text", shown.path("text").asText());
            message.set("entities", shown.path("entities").deepCopy());
            if (shown.has("reply_markup")) {
                // Telegram fills this in from the message itself: a client cannot change it.
                message.set("reply_markup", shown.get("reply_markup").deepCopy());
            }
        } else {
            message.put("text", "an alert");
        }
        updates.add(update);
        notifyAll();
    }

    /** Long polling: holds the request up to its timeout until an update newer than offset - 1 exists. */
    private synchronized List<ObjectNode> updatesFrom(long offset, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            List<ObjectNode> out = updates.stream().filter(u -> u.get("update_id").asLong() >= offset).toList();
            long left = deadline - System.nanoTime();
            if (!out.isEmpty() || left <= 0) {
                return out;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** A sent (and maybe edited) message as Telegram holds it: message_id, chat, text (plain), entities. */
    public ObjectNode message(int messageId) {
        return messages.get(messageId);
    }

    /** The id Telegram gave the {@code n}th sent message (0-based), in order. */
    public int sentMessageId(int n) {
        return calls.stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok")).toList().get(n).body()
                .path("__message_id").asInt();
    }

    public List<Call> calls() {
        return new ArrayList<>(calls);
    }

    private static final java.util.regex.Pattern ALERT_NAMES = java.util.regex.Pattern.compile(
            "(?m)^<b>Alert:</b> (\\S+)$|^\\S+ (?:<i>resolved</i> )?<b>([^<]+)</b>");

    /** The alertnames the chat was told about, in the order it saw them: full messages and list lines alike. */
    public static List<String> alertnames(List<String> texts) {
        List<String> names = new java.util.ArrayList<>();
        for (String t : texts) {
            if (t.startsWith("🌩")) {
                continue;
            }
            java.util.regex.Matcher m = ALERT_NAMES.matcher(t);
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(2);
                if (!name.matches("\\d+ alerts|Prometheus Alert|Alert Resolved")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** The texts of the sendMessage calls that succeeded, in order. */
    public List<String> sentTexts() {
        return calls.stream().filter(c -> c.method().equals("sendmessage") && c.body().has("__ok"))
                .map(c -> c.body().get("text").asText()).toList();
    }

    private final Object serial = new Object();

    /** getUpdates waits on its own; every other request is handled one at a time, in the order received. */
    private void handle(HttpExchange exchange) throws IOException {
        if (exchange.getRequestURI().getPath().toLowerCase(java.util.Locale.ROOT).endsWith("/getupdates")) {
            handleOne(exchange);
            return;
        }
        synchronized (serial) {
            handleOne(exchange);
        }
    }

    private void handleOne(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher m = PATH.matcher(exchange.getRequestURI().getPath());
            // The Bot API takes GET and POST alike.
            if (!m.matches()) {
                respond(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
                return;
            }
            byte[] raw = exchange.getRequestBody().readAllBytes();
            ObjectNode body = raw.length == 0 ? Json.MAPPER.createObjectNode() : parseBody(raw, exchange);
            String method = m.group(2).toLowerCase(java.util.Locale.ROOT); // Telegram: method names are case-insensitive
            if (!m.group(1).equals(token)) {
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
                return;
            }
            String[] failure;
            synchronized (this) {
                failure = scripted.poll();
            }
            if (failure != null) {
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, Integer.parseInt(failure[0]), failure[2], failure[1]);
                return;
            }
            if (method.equals("getupdates")) {
                List<ObjectNode> result;
                try {
                    result = updatesFrom(body.path("offset").asLong(0), Math.min(body.path("timeout").asInt(0), 1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    result = List.of();
                }
                respond(exchange, 200, Json.writeString(Map.of("ok", true, "result", result)));
                return;
            }
            if (method.equals("editmessagetext")) {
                ParsedText parsed = parse(body.path("text").asText(""), body.path("parse_mode").asText(""));
                ObjectNode shown = messages.get(body.path("message_id").asInt());
                if (parsed.problem() != null || shown == null) {
                    calls.add(new Call(method, body, Instant.now()));
                    String problem = shown == null ? "message to edit not found" : parsed.problem();
                    respond(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":" + Json.writeString("Bad Request: " + problem) + "}");
                    return;
                }
                shown.put("text", parsed.plain());
                shown.set("entities", parsed.entities());
                keepKeyboard(shown, body);
                body.put("__ok", true);
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 200, Json.writeString(Map.of("ok", true, "result", shown)));
                return;
            }
            if (method.equals("answercallbackquery") || method.equals("editmessagereplymarkup")) {
                ObjectNode shown = messages.get(body.path("message_id").asInt());
                if (method.equals("editmessagereplymarkup") && shown != null) {
                    keepKeyboard(shown, body);
                }
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 200, "{\"ok\":true,\"result\":true}");
                return;
            }
            if (method.equals("deletewebhook") || method.equals("getme")) {
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 200, method.equals("getme")
                        ? "{\"ok\":true,\"result\":{\"id\":123456,\"is_bot\":true,\"first_name\":\"homelab\",\"username\":\"homelab_bot\"}}"
                        : "{\"ok\":true,\"result\":true}");
                return;
            }
            if (!method.equals("sendmessage")) {
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found: method not found\"}");
                return;
            }
            if (enforceLimits) {
                Integer retryAfter = tooFast(body.path("chat_id").asText(""), Instant.now());
                if (retryAfter != null) {
                    violations.incrementAndGet();
                    calls.add(new Call(method, body, Instant.now()));
                    respond(exchange, 429, tooManyRequests(retryAfter));
                    return;
                }
            }
            String text = body.path("text").asText("");
            ParsedText parsed = parse(text, body.path("parse_mode").asText(""));
            String problem = parsed.problem();
            if (problem != null) {
                calls.add(new Call(method, body, Instant.now()));
                respond(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":" + Json.writeString("Bad Request: " + problem) + "}");
                return;
            }
            int messageId = messageIds.incrementAndGet();
            body.put("__ok", true);
            body.put("__message_id", messageId);
            calls.add(new Call(method, body, Instant.now()));
            ObjectNode result = Json.MAPPER.createObjectNode();
            result.put("message_id", messageId);
            result.put("date", Instant.now().getEpochSecond());
            ObjectNode chat = result.putObject("chat");
            chat.put("id", Long.parseLong(body.path("chat_id").asText("0").replace("@", "0")));
            chat.put("type", "private");
            result.put("text", parsed.plain());
            if (!parsed.entities().isEmpty()) {
                result.set("entities", parsed.entities());
            }
            ObjectNode kept = result.deepCopy();
            keepKeyboard(kept, body);
            messages.put(messageId, kept);
            respond(exchange, 200, Json.writeString(Map.of("ok", true, "result", result)));
        }
    }

    /** The message shows the request's inline keyboard from now on (none: removed). */
    private static void keepKeyboard(ObjectNode shown, ObjectNode request) {
        JsonNode markup = request.path("reply_markup");
        if (markup.isTextual()) { // form-encoded requests carry it as a JSON string
            try {
                markup = Json.MAPPER.readTree(markup.asText());
            } catch (IOException e) {
                return;
            }
        }
        if (markup.path("inline_keyboard").isArray() && markup.path("inline_keyboard").size() > 0) {
            shown.set("reply_markup", markup.deepCopy());
        } else {
            shown.remove("reply_markup");
        }
    }

    /** JSON, or a form (application/x-www-form-urlencoded), as the Bot API accepts both. */
    private static ObjectNode parseBody(byte[] raw, HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            ObjectNode node = Json.MAPPER.createObjectNode();
            for (String pair : new String(raw, StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    node.put(java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return node;
        }
        return (ObjectNode) Json.MAPPER.readTree(raw);
    }

    /** Text as Telegram would show it: plain, with entities (UTF-16 offsets); or why Telegram refuses it. */
    record ParsedText(String problem, String plain, com.fasterxml.jackson.databind.node.ArrayNode entities) {
        static ParsedText refused(String problem) {
            return new ParsedText(problem, null, Json.MAPPER.createArrayNode());
        }
    }

    private static final Map<String, String> ENTITY_TYPES = Map.ofEntries(Map.entry("b", "bold"), Map.entry("strong", "bold"),
            Map.entry("i", "italic"), Map.entry("em", "italic"), Map.entry("u", "underline"), Map.entry("ins", "underline"),
            Map.entry("s", "strikethrough"), Map.entry("strike", "strikethrough"), Map.entry("del", "strikethrough"),
            Map.entry("a", "text_link"), Map.entry("code", "code"), Map.entry("pre", "pre"), Map.entry("tg-spoiler", "spoiler"),
            Map.entry("span", "spoiler"), Map.entry("blockquote", "blockquote"));
    private static final Pattern HREF = Pattern.compile("href=\"([^\"]*)\"");

    private static String decode(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
    }

    private ParsedText parse(String text, String parseMode) {
        if (text.isEmpty()) {
            return ParsedText.refused("message text is empty");
        }
        if (!parseMode.equalsIgnoreCase("HTML")) {
            return text.length() > textLimit ? ParsedText.refused("message is too long") : new ParsedText(null, text, Json.MAPPER.createArrayNode());
        }
        StringBuilder plain = new StringBuilder();
        Deque<Object[]> open = new ArrayDeque<>(); // name, start offset, href
        List<ObjectNode> entities = new ArrayList<>();
        Matcher tag = TAG.matcher(text);
        int last = 0;
        while (tag.find()) {
            String between = text.substring(last, tag.start());
            if (between.indexOf('<') >= 0 || between.indexOf('>') >= 0) {
                return ParsedText.refused("can't parse entities: Unexpected character at byte offset "
                        + (last + Math.max(between.indexOf('<'), between.indexOf('>'))));
            }
            plain.append(decode(between));
            String name = tag.group(2).toLowerCase();
            if (!TAGS.contains(name)) {
                return ParsedText.refused("can't parse entities: Unsupported start tag \"" + name + "\" at byte offset " + tag.start());
            }
            if (tag.group(1).isEmpty()) {
                Matcher href = HREF.matcher(tag.group());
                open.push(new Object[] {name, plain.length(), href.find() ? decode(href.group(1)) : null});
            } else {
                Object[] opened = open.isEmpty() ? null : open.pop();
                if (opened == null || !opened[0].equals(name)) {
                    return ParsedText.refused("can't parse entities: Unmatched end tag at byte offset " + tag.start()
                            + ", expected \"</" + name + ">\"");
                }
                int start = (Integer) opened[1];
                if (plain.length() > start) {
                    ObjectNode e = Json.MAPPER.createObjectNode();
                    e.put("type", ENTITY_TYPES.get(name));
                    e.put("offset", start);
                    e.put("length", plain.length() - start);
                    if (opened[2] != null) {
                        e.put("url", (String) opened[2]);
                    }
                    entities.add(e);
                }
            }
            last = tag.end();
        }
        String rest = text.substring(last);
        if (rest.indexOf('<') >= 0 || rest.indexOf('>') >= 0) {
            return ParsedText.refused("can't parse entities: Unexpected character at byte offset " + last);
        }
        plain.append(decode(rest));
        if (!open.isEmpty()) {
            return ParsedText.refused("can't parse entities: Can't find end tag corresponding to start tag \"" + open.peek()[0] + "\"");
        }
        // Telegram: 4096 characters after entity parsing.
        if (plain.length() > textLimit) {
            return ParsedText.refused("message is too long");
        }
        entities.sort(java.util.Comparator.comparingInt((ObjectNode e) -> e.get("offset").asInt())
                .thenComparing(e -> -e.get("length").asInt()));
        com.fasterxml.jackson.databind.node.ArrayNode array = Json.MAPPER.createArrayNode();
        entities.forEach(array::add);
        return new ParsedText(null, plain.toString(), array);
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        respond(exchange, status, "application/json", json);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
