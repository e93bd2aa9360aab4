package io.homelab.alerts.common.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Checks the shared API key in any of the three forms Alertmanager (0.25+) can send:
 * {@code X-API-Key: key}, {@code Authorization: Bearer key} ({@code http_config.authorization})
 * and {@code Authorization: Basic} with the key as password ({@code http_config.basic_auth}; the
 * user name is ignored). Comparison takes the same time whatever the input. The webhook and the
 * processor's history API both use it.
 */
public final class ApiKeyAuth {
    private final byte[] key;

    public ApiKeyAuth(String key) {
        this.key = key.getBytes(StandardCharsets.UTF_8);
    }

    /** Why a request was refused, for the 401 body; empty when it is allowed. */
    public Optional<String> refuse(String apiKeyHeader, String authorizationHeader) {
        if (apiKeyHeader != null && matches(apiKeyHeader.strip())) {
            return Optional.empty();
        }
        if (authorizationHeader != null) {
            String auth = authorizationHeader.strip();
            int space = auth.indexOf(' ');
            String scheme = space < 0 ? auth : auth.substring(0, space);
            String value = space < 0 ? "" : auth.substring(space + 1).strip();
            if (scheme.equalsIgnoreCase("Bearer") && matches(value)) {
                return Optional.empty();
            }
            if (scheme.equalsIgnoreCase("Basic")) {
                String password = basicPassword(value);
                if (password != null && matches(password)) {
                    return Optional.empty();
                }
            }
        }
        if (apiKeyHeader == null && authorizationHeader == null) {
            return Optional.of("missing API key: send X-API-Key, Authorization: Bearer, or basic auth with the key as password");
        }
        return Optional.of("invalid API key");
    }

    private boolean matches(String candidate) {
        // MessageDigest.isEqual is constant-time for equal lengths and does not
        // return early on the first differing byte.
        return MessageDigest.isEqual(key, candidate.getBytes(StandardCharsets.UTF_8));
    }

    private static String basicPassword(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
