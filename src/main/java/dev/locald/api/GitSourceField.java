package dev.locald.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.locald.builds.SourceSubmission;
import dev.locald.source.GitCredential;
import dev.locald.source.GitSource;
import java.net.URI;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code source.git} object of a JSON build request ({@code url}, {@code ref}, optional {@code path}) and
 * its {@code gitAuth} ({@code {"username":…,"password":…}} or {@code {"token":…}}). Credential values are never
 * echoed in a message.
 */
final class GitSourceField {

    static final String AUTH = "gitAuth";
    private static final String NAME = "source.git";
    private static final Set<String> FIELDS = Set.of("url", "ref", "path");
    private static final Set<String> AUTH_FIELDS = Set.of("username", "password", "token");

    private GitSourceField() {}

    /** The git submission, or empty when a field is wrong; problems are added to {@code errors}. */
    static Optional<SourceSubmission.Git> parse(JsonNode git, JsonNode auth, List<FieldError> errors) {
        int before = errors.size();
        if (git == null || !git.isObject()) {
            errors.add(new FieldError(NAME, "must be an object: {\"url\": …, \"ref\": …, \"path\": …}"));
            return Optional.empty();
        }
        unknown(git, FIELDS, NAME, errors);
        String url = text(git, "url", true, errors);
        String ref = text(git, "ref", true, errors);
        String path = text(git, "path", false, errors);
        if (url != null) {
            GitSource.urlProblem(url).ifPresent(p -> errors.add(new FieldError(NAME + ".url", quoted(url) + p)));
        }
        if (ref != null) {
            GitSource.refProblem(ref).ifPresent(p -> errors.add(new FieldError(NAME + ".ref", quoted(ref) + p)));
        }
        if (path != null) {
            GitSource.pathProblem(path).ifPresent(p -> errors.add(new FieldError(NAME + ".path", quoted(path) + p)));
        }
        Optional<GitCredential> credential = credential(auth, url, errors);
        if (errors.size() != before) {
            return Optional.empty();
        }
        return Optional.of(new SourceSubmission.Git(new GitSource(url, ref, Optional.ofNullable(path)), credential));
    }

    private static Optional<GitCredential> credential(JsonNode auth, String url, List<FieldError> errors) {
        if (auth == null || auth.isNull()) {
            return Optional.empty();
        }
        if (!auth.isObject()) {
            errors.add(new FieldError(AUTH, "must be an object: {\"username\":…,\"password\":…} or {\"token\":…}"));
            return Optional.empty();
        }
        int before = errors.size();
        unknown(auth, AUTH_FIELDS, AUTH, errors);
        boolean token = auth.has("token");
        boolean basic = auth.has("username") || auth.has("password");
        if (token == basic) {
            errors.add(new FieldError(AUTH, "give either username and password, or token"));
            return Optional.empty();
        }
        if (url != null && url.toLowerCase(Locale.ROOT).startsWith("git:")) {
            errors.add(new FieldError(AUTH, "needs an http(s) URL: git:// has no authentication"));
        }
        GitCredential credential = null;
        if (token) {
            String t = secret(auth, "token", errors);
            credential = t == null ? null : GitCredential.token(t);
        } else {
            String user = secret(auth, "username", errors);
            String password = secret(auth, "password", errors);
            if (user != null && user.contains(":")) {
                errors.add(new FieldError(AUTH + ".username", "must not contain ':'"));
            } else if (user != null && password != null) {
                credential = new GitCredential(user, password);
            }
        }
        return errors.size() == before ? Optional.ofNullable(credential) : Optional.empty();
    }

    private static void unknown(JsonNode node, Set<String> known, String prefix, List<FieldError> errors) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                errors.add(new FieldError(prefix + "." + BuildRequestParser.printable(name), "is not a known field"));
            }
        }
    }

    private static String text(JsonNode git, String name, boolean required, List<FieldError> errors) {
        JsonNode node = git.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(new FieldError(NAME + "." + name, "is required"));
            }
            return null;
        }
        if (!node.isTextual()) {
            errors.add(new FieldError(NAME + "." + name, "must be a string"));
            return null;
        }
        return node.textValue();
    }

    /** The same rules as registryAuth's: the values go into an HTTP Basic header too. */
    private static String secret(JsonNode auth, String name, List<FieldError> errors) {
        return RegistryAuthField.credentialString(auth, AUTH, name, errors);
    }

    /** The user's value in quotes, then a space, for the start of a message. */
    private static String quoted(String value) {
        // a URL's user info is refused, but it must not be echoed either
        String shown = value;
        try {
            URI uri = new URI(value);
            if (uri.getRawUserInfo() != null) {
                shown = value.replace(uri.getRawUserInfo() + "@", "***@");
            }
        } catch (java.net.URISyntaxException | RuntimeException notAUri) {
            // shown as given: it is no URL with credentials
        }
        return "'" + BuildRequestParser.printable(shown) + "' ";
    }
}
