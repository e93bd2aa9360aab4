package io.homelab.alerts.remediator.executor.http;

import io.homelab.alerts.remediator.executor.Prepared;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP request (the Proxmox API, a webhook of another tool). {@code ${VAR}} in the URL,
 * headers and body come from the environment when it runs, so secrets are never part of what is
 * recorded or shown: the call shows {@code ${VAR}} as written. A 2xx answer is success.
 */
public final class HttpExecutor {
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    private final Map<String, String> env;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    public HttpExecutor(Map<String, String> env) {
        this.env = env;
    }

    public Prepared prepare(String method, String url, Map<String, String> headers, String body) {
        String host;
        try {
            host = URI.create(expand(url)).getHost();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(redact(e.getMessage()));
        }
        return new Prepared() {
            @Override
            public String executor() {
                return "http";
            }

            @Override
            public String target() {
                return "url " + url.replaceAll("[?#].*", "");
            }

            @Override
            public String call() {
                return method + " " + url;
            }

            @Override
            public Outcome run(Duration timeout) throws Exception {
                try {
                    return send(timeout);
                } catch (Exception e) {
                    // Messages of URI and HTTP errors quote the URL: never with a secret in it.
                    throw new java.io.IOException(e.getClass().getSimpleName() + ": " + redact(String.valueOf(e.getMessage())));
                }
            }

            private Outcome send(Duration timeout) throws Exception {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(expand(url))).timeout(timeout)
                        .method(method, body == null || body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(expand(body)));
                headers.forEach((k, v) -> b.header(k, expand(v)));
                if (body != null && !body.isEmpty() && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Content-Type"))) {
                    b.header("Content-Type", "application/json");
                }
                HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
                String text = r.body() == null ? "" : r.body();
                if (text.length() > 3000) {
                    text = "…" + text.substring(text.length() - 3000);
                }
                boolean ok = r.statusCode() / 100 == 2;
                return new Outcome(ok, r.statusCode(), text, method + " " + host + " answered " + r.statusCode());
            }
        };
    }

    /** {@code text} with every secret value written as the {@code ${VAR}} it came from. */
    String redact(String text) {
        String out = text == null ? "" : text;
        for (var e : env.entrySet()) {
            if (e.getValue() != null && e.getValue().length() >= 4 && out.contains(e.getValue())) {
                out = out.replace(e.getValue(), "${" + e.getKey() + "}");
            }
        }
        return out;
    }

    private String expand(String text) {
        Matcher m = ENV_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = env.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException("${" + m.group(1) + "} is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
