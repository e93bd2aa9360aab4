package io.homelab.alerts.notifier.channel.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import io.homelab.alerts.common.json.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Makes every error answer look like the Bot API's own JSON error with the HTTP status as its
 * {@code error_code}, so TelegramBots reports the status whatever the body was: an nginx 502 page
 * otherwise surfaces as "error code 0" and would be taken for a client error. A body that is not
 * the Bot API's JSON (or names another code) is marked {@value TelegramChannel#NOT_FROM_BOT_API},
 * so it is never treated as the Bot API refusing the message.
 */
final class BotApiErrors implements Interceptor {
    private static final MediaType JSON = MediaType.get("application/json");
    /** Enough of an error page to say what it was, without reading a huge one into memory. */
    static final long MAX_ERROR_BODY = 64 * 1024;

    @Override
    public Response intercept(Chain chain) throws IOException {
        Response response = chain.proceed(chain.request());
        int status = response.code();
        if (status < 400) {
            return response;
        }
        String body;
        try (ResponseBody original = response.body()) {
            if (original == null) {
                body = "";
            } else {
                okio.BufferedSource source = original.source();
                source.request(MAX_ERROR_BODY); // reads up to the limit, or to the end if shorter
                body = source.getBuffer().readUtf8(Math.min(MAX_ERROR_BODY, source.getBuffer().size()));
            }
        } catch (IOException | RuntimeException e) {
            body = "";
        }
        JsonNode json = parse(body);
        boolean fromBotApi = json != null && json.path("ok").isBoolean() && !json.path("ok").asBoolean()
                && json.path("error_code").asInt(-1) == status;
        String rewritten;
        if (fromBotApi) {
            rewritten = body;
        } else {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("ok", false);
            error.put("error_code", status);
            error.put("description", TelegramChannel.NOT_FROM_BOT_API + " HTTP " + status + " from " + response.request().url().host()
                    + ": " + snippet(json != null && json.hasNonNull("description") ? json.get("description").asText() : body));
            if (json != null && json.path("parameters").isObject()) {
                error.put("parameters", json.get("parameters")); // a 429's retry_after still counts
            }
            rewritten = Json.writeString(error);
        }
        return response.newBuilder().body(ResponseBody.create(rewritten, JSON)).build();
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The first line of text of an error page, tags removed, at most 200 characters. */
    static String snippet(String body) {
        String text = body.replaceAll("(?s)<[^>]{0,2000}>", " ").replaceAll("\\s+", " ").strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text.isEmpty() ? "(no body)" : text;
    }
}
