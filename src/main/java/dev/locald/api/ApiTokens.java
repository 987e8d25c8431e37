package dev.locald.api;

import dev.locald.config.LocaldConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The API tokens of {@code locald.auth.tokens-file}, re-read when the file's size or modification time
 * changes (looked at no more than once a second), so tokens are added and revoked without a restart.
 */
@ApplicationScoped
public class ApiTokens {
    private static final Logger LOG = Logger.getLogger(ApiTokens.class);
    private static final long CHECK_INTERVAL_NANOS = 1_000_000_000L;

    private final Optional<Path> file;
    private List<ApiToken> tokens = List.of();
    private String seen = "";
    private long checkedAt;
    private boolean checked;

    public ApiTokens(LocaldConfig config) {
        this.file = config.auth().tokensFile();
    }

    /** Whether a tokens file is configured: without one the API is open. */
    boolean enabled() {
        return file.isPresent();
    }

    /** The token an {@code Authorization: Bearer} header names, compared by hash in constant time. */
    Optional<ApiToken> authenticate(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorization.substring(7).trim();
        if (token.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(token);
        ApiToken match = null;
        for (ApiToken t : current()) {
            // every entry is compared, so the time taken does not tell which one matched
            if (MessageDigest.isEqual(hash, t.sha256()) && match == null) {
                match = t;
            }
        }
        return Optional.ofNullable(match);
    }

    private synchronized List<ApiToken> current() {
        long now = System.nanoTime();
        if (checked && now - checkedAt < CHECK_INTERVAL_NANOS) {
            return tokens;
        }
        checked = true;
        checkedAt = now;
        Path path = file.orElseThrow();
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            String stamp = a.size() + "@" + a.lastModifiedTime().toMillis();
            if (!stamp.equals(seen)) {
                tokens = parse(Files.readAllLines(path, StandardCharsets.UTF_8), path.toString());
                seen = stamp;
                LOG.infof("read %d API token(s) from %s", tokens.size(), path);
            }
        } catch (IOException e) {
            LOG.warnf(
                    "cannot read the tokens file %s (%s); keeping the %d token(s) read before",
                    path, e.getMessage(), tokens.size());
        }
        return tokens;
    }

    /** Parses the file's lines; a malformed line is logged by number (never its content) and skipped. */
    static List<ApiToken> parse(List<String> lines, String source) {
        List<ApiToken> parsed = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Optional<String> problem = parseLine(line, parsed);
            if (problem.isPresent()) {
                LOG.warnf("%s line %d ignored: %s", source, i + 1, problem.get());
            }
        }
        return List.copyOf(parsed);
    }

    private static Optional<String> parseLine(String line, List<ApiToken> into) {
        String[] f = line.split("\\s+");
        if (f.length < 3 || f.length > 4) {
            return Optional.of("expected '<name> <role> sha256:<hex> [images=<prefix>,...]'");
        }
        ApiToken.Role role;
        try {
            role = ApiToken.Role.valueOf(f[1].toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.of("the role is not builder or admin");
        }
        if (!f[2].startsWith("sha256:") || !f[2].substring(7).matches("[0-9a-fA-F]{64}")) {
            return Optional.of("the hash is not sha256: followed by 64 hex digits");
        }
        List<String> prefixes = List.of();
        if (f.length == 4) {
            if (!f[3].startsWith("images=") || f[3].length() == 7) {
                return Optional.of("the fourth field is not images=<prefix>,...");
            }
            prefixes = Arrays.stream(f[3].substring(7).split(","))
                    .filter(p -> !p.isEmpty())
                    .toList();
        }
        into.add(new ApiToken(f[0], role, HexFormat.of().parseHex(f[2].substring(7)), prefixes));
        return Optional.empty();
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
