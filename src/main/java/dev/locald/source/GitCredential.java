package dev.locald.source;

/**
 * Credentials for an http(s) git remote, sent as HTTP Basic authentication. A token goes as the password with
 * the username {@value #TOKEN_USER} (GitHub's convention; GitLab, Gitea and Bitbucket accept a token as the
 * password too). Held in memory only, like registry credentials; {@link #toString()} shows no secret.
 */
public record GitCredential(String username, String password) {

    public static final String TOKEN_USER = "x-access-token";

    public GitCredential {
        if (username == null || username.isEmpty() || password == null || password.isEmpty()) {
            throw new IllegalArgumentException("git credentials need a username and a password or token");
        }
    }

    public static GitCredential token(String token) {
        return new GitCredential(TOKEN_USER, token);
    }

    @Override
    public String toString() {
        return "GitCredential[username=" + username + ", password=<redacted>]";
    }
}
