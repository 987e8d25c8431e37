package dev.locald.registry;

import com.google.cloud.tools.jib.http.Authorization;
import dev.locald.image.ImageReference;
import dev.locald.image.RegistryHosts;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * The registry API over {@code java.net.http}, with the guarantees locald needs and jib's RegistryClient
 * does not let us assert: plain HTTP only for configured-insecure or loopback registries; redirects
 * followed by hand so that the Authorization header goes only to the registry's own origin (never to the
 * storage backend a blob GET is redirected to) and never from HTTPS down to HTTP; bounded retries with
 * backoff on I/O errors, 5xx and 429, never on other 4xx; no connection to a link-local address, whatever
 * name or redirect leads there; Basic and Bearer (token) auth from the
 * registry's {@code WWW-Authenticate} challenge, or a registry token sent as Bearer as is. jib-core supplies
 * the credentials (docker config and helpers, see {@link RegistryCredentials}) and the Authorization header
 * model.
 */
public final class RegistryHttpClient {

    private static final Logger LOG = Logger.getLogger(RegistryHttpClient.class);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final int MAX_TOKEN_BODY = 1 << 20;
    private static final String USER_AGENT = "locald";

    private final RegistrySettings settings;
    private final RegistryCredentials credentials;
    private final HttpClient http;
    /** Scheme that worked per registry host (loopback registries may be plain HTTP). */
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    /** Authorization per registry, repository and credential; tokens are scoped to a repository. */
    private final Map<String, Authorization> authorizations = new ConcurrentHashMap<>();

    public RegistryHttpClient(RegistrySettings settings, RegistryCredentials credentials) {
        this.settings = settings;
        this.credentials = credentials;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout())
                .build();
    }

    public RegistrySettings settings() {
        return settings;
    }

    /** An open 200 response: the caller reads and closes the body. */
    public record Opened(HttpResponse<InputStream> response, InputStream body) implements AutoCloseable {
        /** The body, guarded against stalls: no byte for the request timeout fails the read. */
        public InputStream body() {
            return body;
        }

        public Optional<String> header(String name) {
            return response.headers().firstValue(name);
        }

        public long contentLength() {
            return response.headers().firstValueAsLong("Content-Length").orElse(-1);
        }

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * GETs {@code /v2/<repository>/<path>} of the image's registry, authenticating as the registry asks, and
     * hands the 200 response to {@code reader}. The request and the reading are retried together on
     * transient failures (an {@link IOException} from the reader counts as one), so a reader must be able to
     * start over. Every other outcome is a {@link RegistryException}; {@code subject} names the thing for
     * messages ("image x:1", "blob sha256:…").
     */
    public <T> T fetch(
            ImageReference image,
            String path,
            List<String> accept,
            Optional<RegistryCredential> perRequest,
            String subject,
            BodyReader<T> reader) {
        Optional<RegistryCredential> credential = credentials.forImage(image, perRequest);
        return withRetries(subject, () -> {
            try (Opened opened = getOnce(image, path, accept, credential, subject)) {
                return reader.read(opened);
            } catch (IOException e) {
                throw new Transient("reading " + subject + " failed: " + describe(e), e);
            }
        });
    }

    /** Reads a successful response; may be called again for a retry. */
    @FunctionalInterface
    public interface BodyReader<T> {
        T read(Opened response) throws IOException;
    }

    /** Runs {@code attempt} up to 1 + retries times while it fails transiently. */
    <T> T withRetries(String subject, Attempt<T> attempt) {
        int attempts = settings.retries() + 1;
        for (int i = 1; ; i++) {
            try {
                return attempt.run();
            } catch (Transient t) {
                if (i >= attempts) {
                    throw new RegistryException(
                            RegistryException.Kind.UNREACHABLE,
                            "could not fetch " + subject + " after " + attempts + " attempt(s): " + t.getMessage(),
                            t.getCause());
                }
                LOG.infof("fetching %s failed (%s), retry %d of %d", subject, t.getMessage(), i, attempts - 1);
                sleep(settings.retryBackoff().toMillis() << Math.min(i - 1, 6));
            }
        }
    }

    @FunctionalInterface
    interface Attempt<T> {
        T run() throws Transient;
    }

    /** A failure worth another attempt: an I/O error or a 5xx/429 answer. */
    static final class Transient extends Exception {
        Transient(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Opened getOnce(
            ImageReference image,
            String path,
            List<String> accept,
            Optional<RegistryCredential> credential,
            String subject)
            throws Transient {
        HttpResponse<InputStream> response;
        if (credential.orElse(null) instanceof RegistryCredential.Bearer bearer) {
            // a registry token goes to the registry as is, as docker and the lifecycle send it; a 401 has no
            // login left to answer it with
            response = send(image, path, accept, Optional.of(Authorization.fromBearerToken(bearer.token())));
            if (response.statusCode() == 401) {
                discard(response);
                throw refused(image, credential);
            }
        } else {
            response = sendAnsweringChallenges(image, path, accept, credential);
        }
        int status = response.statusCode();
        if (status == 200) {
            return new Opened(response, new StallGuard(response.body(), settings.requestTimeout()));
        }
        String body = readError(response);
        if (status == 404) {
            throw new RegistryException(RegistryException.Kind.NOT_FOUND, subject + " not found");
        }
        if (status == 403) {
            throw new RegistryException(
                    RegistryException.Kind.UNAUTHORIZED,
                    "registry " + image.registry()
                            + " denied access to " + image.repository()
                            + (credential.isPresent()
                                    ? " for " + credential.get().describe()
                                    : " without credentials"));
        }
        if (status == 429 || status >= 500) {
            throw new Transient("registry " + image.registry() + " answered " + status, null);
        }
        throw new RegistryException(
                RegistryException.Kind.INVALID,
                "registry " + image.registry() + " answered " + status + " for " + subject
                        + (body.isBlank() ? "" : ": " + body));
    }

    /** Sends with the cached login, logging in again when the registry answers 401 with a challenge. */
    private HttpResponse<InputStream> sendAnsweringChallenges(
            ImageReference image, String path, List<String> accept, Optional<RegistryCredential> credential)
            throws Transient {
        // keyed by a hash of the whole credential: a cached login must never stand in for a different password
        String authKey = image.apiHost() + "/" + image.repository() + "#"
                + credential
                        .map(c -> dev.locald.image.Digest.ofBytes(
                                        c.authorizationHeader().getBytes(StandardCharsets.UTF_8))
                                .hex())
                        .orElse("");
        Authorization cached = authorizations.get(authKey);
        HttpResponse<InputStream> response = send(image, path, accept, Optional.ofNullable(cached));
        if (response.statusCode() == 401) {
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            discard(response);
            authorizations.remove(authKey);
            Authorization authorization = authenticate(image, challenge, credential);
            authorizations.put(authKey, authorization);
            response = send(image, path, accept, Optional.of(authorization));
            if (response.statusCode() == 401) {
                discard(response);
                authorizations.remove(authKey);
                throw refused(image, credential);
            }
        }
        return response;
    }

    private RegistryException refused(ImageReference image, Optional<RegistryCredential> credential) {
        if (credential.isPresent()) {
            return new RegistryException(
                    RegistryException.Kind.UNAUTHORIZED,
                    "registry " + image.registry() + " refused the credentials for " + image.repository());
        }
        return new RegistryException(
                RegistryException.Kind.UNAUTHORIZED,
                "registry " + image.registry()
                        + " requires credentials for " + image.repository() + " and none are configured"
                        + " (pass them with the request or add them to " + credentials.dockerConfig() + ")");
    }

    /** Answers a 401 challenge: Basic uses the credential as is, Bearer exchanges it for a pull token. */
    private Authorization authenticate(
            ImageReference image, String challengeHeader, Optional<RegistryCredential> credential) throws Transient {
        Challenge challenge = Challenge.parse(challengeHeader);
        if (challenge.scheme().isEmpty()) {
            // a 401 without a challenge leaves nothing to answer: the registry simply refuses
            throw refused(image, credential);
        }
        switch (challenge.scheme()) {
            case "basic" -> {
                if (!(credential.orElse(null) instanceof RegistryCredential.Basic basic)) {
                    throw refused(image, credential);
                }
                return Authorization.fromBasicCredentials(basic.username(), basic.password());
            }
            case "bearer" -> {
                return Authorization.fromBearerToken(fetchToken(image, challenge, credential));
            }
            default ->
                throw new RegistryException(
                        RegistryException.Kind.UNSUPPORTED,
                        "registry " + image.registry() + " asks for unsupported authentication '" + challenge.scheme()
                                + "'");
        }
    }

    private String fetchToken(ImageReference image, Challenge challenge, Optional<RegistryCredential> credential)
            throws Transient {
        String realm = challenge.params().get("realm");
        if (realm == null || realm.isBlank()) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "registry " + image.registry() + " sent a Bearer challenge without a realm");
        }
        URI realmUri = realmUri(image, realm);
        StringBuilder query = new StringBuilder();
        Optional.ofNullable(challenge.params().get("service"))
                .ifPresent(s -> query.append("service=").append(URLEncoder.encode(s, StandardCharsets.UTF_8)));
        if (query.length() > 0) {
            query.append('&');
        }
        query.append("scope=")
                .append(URLEncoder.encode("repository:" + image.repository() + ":pull", StandardCharsets.UTF_8));
        // the realm's own query is kept; a fragment is dropped, it would swallow the parameters
        URI tokenUri = URI.create(realmUri.getScheme() + "://" + realmUri.getRawAuthority()
                + Optional.ofNullable(realmUri.getRawPath()).orElse("") + "?"
                + Optional.ofNullable(realmUri.getRawQuery()).map(q -> q + "&").orElse("") + query);
        HttpRequest.Builder request = HttpRequest.newBuilder(tokenUri)
                .GET()
                .timeout(settings.requestTimeout())
                .header("User-Agent", USER_AGENT);
        credential.ifPresent(c -> request.header("Authorization", c.authorizationHeader()));
        HttpResponse<InputStream> response = exchange(request.build(), image);
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            discard(response);
            throw refused(image, credential);
        }
        if (status == 429 || status >= 500) {
            discard(response);
            throw new Transient("token service of " + image.registry() + " answered " + status, null);
        }
        if (status != 200) {
            String body = readError(response);
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "token service of " + image.registry() + " answered " + status
                            + (body.isBlank() ? "" : ": " + body));
        }
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(MAX_TOKEN_BODY + 1);
            if (bytes.length > MAX_TOKEN_BODY) {
                throw new RegistryException(
                        RegistryException.Kind.TOO_LARGE,
                        "token service of " + image.registry() + " sent more than " + MAX_TOKEN_BODY + " bytes");
            }
            var node = dev.locald.json.Json.PLAIN.readTree(bytes);
            String token = node == null
                    ? ""
                    : node.path("token").asText(node.path("access_token").asText(""));
            if (token.isBlank()) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID, "token service of " + image.registry() + " sent no token");
            }
            return token;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID, "token service of " + image.registry() + " sent malformed JSON");
        } catch (IOException e) {
            throw new Transient("reading the token from " + image.registry() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * The token service named by a Bearer challenge, which receives the credential: an absolute http(s) URL
     * with a host, HTTPS unless the host is loopback or configured insecure ({@code locald.registry.insecure}).
     * Anything else ({@code file:}, a relative or host-less URL) is the registry's error, said as one.
     */
    private URI realmUri(ImageReference image, String realm) {
        URI uri;
        try {
            uri = new URI(realm);
        } catch (java.net.URISyntaxException e) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "registry " + image.registry() + " names a token service that is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.isOpaque() || uri.getHost() == null) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "registry " + image.registry() + " names a token service that is not an http(s) URL with a host"
                            + (scheme.isEmpty() ? "" : " (scheme '" + uri.getScheme() + "')")
                            + "; locald sends credentials to no other kind of service");
        }
        String host = uri.getHost();
        String hostPort = uri.getPort() == -1 ? host : host + ":" + uri.getPort();
        boolean plainAllowed = RegistryHosts.isLoopback(host)
                || settings.insecure().contains(host)
                || settings.insecure().contains(hostPort);
        if (scheme.equals("http") && !plainAllowed) {
            throw new RegistryException(
                    RegistryException.Kind.INVALID,
                    "registry " + image.registry() + " names a token service that is not HTTPS: http://" + hostPort
                            + "; locald sends credentials over plain HTTP only to loopback hosts and hosts listed in"
                            + " locald.registry.insecure");
        }
        return uri;
    }

    /**
     * Sends one GET, following redirects by hand: the Authorization header is sent only while the request
     * stays on the registry's own scheme, host and port.
     */
    private HttpResponse<InputStream> send(
            ImageReference image, String path, List<String> accept, Optional<Authorization> authorization)
            throws Transient {
        URI origin = origin(image);
        URI uri = origin.resolve("/v2/" + image.repository() + "/" + path);
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .GET()
                    .timeout(settings.requestTimeout())
                    .header("User-Agent", USER_AGENT);
            if (!accept.isEmpty()) {
                request.header("Accept", String.join(", ", accept));
            }
            if (authorization.isPresent() && sameOrigin(uri, origin)) {
                request.header(
                        "Authorization",
                        authorization.get().getScheme() + " "
                                + authorization.get().getToken());
            }
            HttpResponse<InputStream> response = exchange(request.build(), image);
            int status = response.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            Optional<String> location = response.headers().firstValue("Location");
            discard(response);
            if (location.isEmpty()) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID,
                        "registry " + image.registry() + " redirected without a Location");
            }
            if (hop >= MAX_REDIRECTS) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID,
                        "registry " + image.registry() + " redirected more than " + MAX_REDIRECTS + " times");
            }
            URI next;
            try {
                next = uri.resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID,
                        "registry " + image.registry() + " redirected to an invalid location");
            }
            String nextScheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
            if (!nextScheme.equals("https") && !nextScheme.equals("http")) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID,
                        "registry " + image.registry() + " redirected to an unsupported scheme " + next.getScheme());
            }
            if (uri.getScheme().equals("https") && nextScheme.equals("http")) {
                throw new RegistryException(
                        RegistryException.Kind.INVALID,
                        "registry " + image.registry() + " redirected from HTTPS to plain HTTP (" + next.getHost()
                                + ")");
            }
            uri = next;
        }
    }

    private HttpResponse<InputStream> exchange(HttpRequest request, ImageReference image) throws Transient {
        refuseLinkLocal(request.uri(), image);
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new Transient("registry " + image.registry() + " did not answer in time", e);
        } catch (SSLException e) {
            // a certificate or protocol problem does not heal by trying again
            throw new RegistryException(
                    RegistryException.Kind.UNREACHABLE,
                    "TLS with " + request.uri().getAuthority() + " failed: " + e.getMessage(),
                    e);
        } catch (IOException e) {
            throw new Transient(
                    "cannot reach " + request.uri().getScheme() + "://"
                            + request.uri().getAuthority() + ": " + describe(e),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Kind.UNREACHABLE,
                    "interrupted while talking to " + image.registry(),
                    new InterruptedIOException());
        }
    }

    /**
     * The base URI of the registry API. HTTPS, except plain HTTP for registries listed as insecure, and for
     * loopback registries when they do not speak TLS (probed once, as docker does).
     */
    URI origin(ImageReference image) throws Transient {
        String host = image.apiHost();
        String known = schemes.get(host);
        if (known != null) {
            return URI.create(known + "://" + host);
        }
        if (settings.insecure().contains(host) || settings.insecure().contains(image.host())) {
            schemes.put(host, "http");
            return URI.create("http://" + host);
        }
        if (!image.isLoopback()) {
            schemes.put(host, "https");
            return URI.create("https://" + host);
        }
        refuseLinkLocal(URI.create("https://" + host), image);
        try {
            HttpResponse<Void> probe = http.send(
                    HttpRequest.newBuilder(URI.create("https://" + host + "/v2/"))
                            .timeout(settings.requestTimeout())
                            .header("User-Agent", USER_AGENT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            LOG.debugf("registry %s speaks HTTPS (%d)", host, probe.statusCode());
            schemes.put(host, "https");
        } catch (SSLException | ConnectException notTls) {
            LOG.debugf("loopback registry %s does not speak HTTPS (%s); using plain HTTP", host, notTls.getMessage());
            schemes.put(host, "http");
        } catch (IOException e) {
            if (e.getCause() instanceof SSLException) {
                schemes.put(host, "http");
            } else {
                throw new Transient("cannot reach registry " + image.registry() + ": " + describe(e), e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(
                    RegistryException.Kind.UNREACHABLE, "interrupted while talking to " + image.registry(), e);
        }
        return URI.create(schemes.get(host) + "://" + host);
    }

    /**
     * Refuses a request whose host is, or resolves to, a link-local address (169.254.0.0/16, fe80::/10, where
     * cloud metadata services answer; docs/security.md, "Threat model"). Every request passes here: the
     * registry, its token service and every redirect's target, so neither a name in DNS nor a redirect leads
     * locald there. The JDK caches the lookup ({@code networkaddress.cache.ttl}, 30 s by default), and the
     * connection that follows resolves the name from that cache, to the addresses checked here.
     */
    static void refuseLinkLocal(URI uri, ImageReference image) {
        String host = uri.getHost();
        if (host == null) {
            return; // a host-less URI is refused where it is read (realm, redirect)
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return; // nothing to connect to: the request itself fails with "cannot reach"
        }
        for (InetAddress address : addresses) {
            if (RegistryHosts.isLinkLocal(address)) {
                throw new RegistryException(
                        RegistryException.Kind.UNREACHABLE,
                        "locald does not connect to " + uri.getScheme() + "://" + uri.getRawAuthority() + " (for "
                                + image.registry() + "): " + host
                                + (host.startsWith("[") || host.equals(address.getHostAddress())
                                        ? ""
                                        : " resolves to " + address.getHostAddress() + ", which")
                                + " is a link-local address (169.254.0.0/16, fe80::/10), where"
                                + " cloud metadata services answer");
            }
        }
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : " " + message);
    }

    private static void discard(HttpResponse<InputStream> response) {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // only releasing the connection; the status already decided what happens next
        }
    }

    /** Reads at most 64 KiB of an error body, for the message; the registry's text is reduced to one line. */
    private static String readError(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            String text = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
            text = text.replaceAll("[\\r\\n\\t]+", " ").strip();
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        } catch (IOException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.min(millis, 10_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(RegistryException.Kind.UNREACHABLE, "interrupted while waiting to retry", e);
        }
    }

    /** A parsed {@code WWW-Authenticate} header: scheme (lower case) and its parameters. */
    record Challenge(String scheme, Map<String, String> params) {
        static Challenge parse(String header) {
            String h = header.strip();
            int space = h.indexOf(' ');
            String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
            Map<String, String> params = new java.util.LinkedHashMap<>();
            String rest = space < 0 ? "" : h.substring(space + 1);
            int i = 0;
            while (i < rest.length()) {
                while (i < rest.length() && (rest.charAt(i) == ',' || rest.charAt(i) == ' ')) {
                    i++;
                }
                int eq = rest.indexOf('=', i);
                if (eq < 0) {
                    break;
                }
                String key = rest.substring(i, eq).strip().toLowerCase(Locale.ROOT);
                i = eq + 1;
                StringBuilder value = new StringBuilder();
                if (i < rest.length() && rest.charAt(i) == '"') {
                    i++;
                    while (i < rest.length() && rest.charAt(i) != '"') {
                        if (rest.charAt(i) == '\\' && i + 1 < rest.length()) {
                            i++;
                        }
                        value.append(rest.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < rest.length() && rest.charAt(i) != ',') {
                        value.append(rest.charAt(i++));
                    }
                }
                params.put(key, value.toString().strip());
            }
            return new Challenge(scheme, params);
        }
    }
}
