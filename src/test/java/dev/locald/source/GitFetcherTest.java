package dev.locald.source;

import static dev.locald.testsupport.GitHttpServer.git;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.locald.image.CnbUser;
import dev.locald.testsupport.GitDaemon;
import dev.locald.testsupport.GitHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git sources fetched for real from {@code git http-backend} on loopback (repositories made with the git
 * command) and written into a workspace: by branch, tag and commit, shallow where the server allows it,
 * with the archive rules (links, limits) and without {@code .git}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitFetcherTest {

    static final CnbUser USER = new CnbUser(4242, 4343);

    Path served;
    Path tmp;

    GitHttpServer server;
    GitDaemon daemon;
    String v1;
    String v2;
    String v3;
    final List<String> lines = new ArrayList<>();
    final AtomicBoolean stop = new AtomicBoolean();
    final GitFetcher.Listener listener = new GitFetcher.Listener() {
        @Override
        public void line(String text) {
            lines.add(text);
        }

        @Override
        public boolean stopped() {
            return stop.get();
        }
    };

    @BeforeAll
    void repositories(@TempDir Path served) throws IOException {
        this.served = served;
        Path work = Files.createDirectory(served.resolve("work"));
        git(work, "init", "-q");
        Files.writeString(work.resolve("app.sh"), "echo v1\n");
        Files.writeString(work.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(work.resolve("run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work.resolve("services/api"));
        Files.writeString(work.resolve("services/api/app.sh"), "echo api\n");
        Files.createSymbolicLink(work.resolve("services/api/shared"), Path.of("../../app.sh"));
        Files.createSymbolicLink(work.resolve("link-to-api"), Path.of("services/api"));
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "v1");
        v1 = git(work, "rev-parse", "HEAD");
        git(work, "tag", "-a", "-m", "release 1", "v1.0");
        Files.writeString(work.resolve("app.sh"), "echo v2\n");
        git(work, "commit", "-q", "-am", "v2");
        v2 = git(work, "rev-parse", "HEAD");
        // v2 is then neither a branch nor a tag: a commit the server advertises under no name
        Files.writeString(work.resolve("app.sh"), "echo v3\n");
        git(work, "commit", "-q", "-am", "v3");
        v3 = git(work, "rev-parse", "HEAD");
        git(work, "checkout", "-q", "-b", "feature/x");
        Files.writeString(work.resolve("feature.txt"), "feature\n");
        git(work, "add", "-A");
        git(work, "commit", "-q", "-m", "feature");
        git(work, "checkout", "-q", "main");
        git(served, "clone", "-q", "--bare", "work", "app.git");
        git(served, "clone", "-q", "--bare", "work", "sha-ok.git");
        git(served.resolve("sha-ok.git"), "config", "uploadpack.allowReachableSHA1InWant", "true");
        // a repository whose commit holds a link out of the tree
        Path evil = Files.createDirectory(served.resolve("evil-work"));
        git(evil, "init", "-q");
        Files.createSymbolicLink(evil.resolve("passwd"), Path.of("../../../../etc/passwd"));
        git(evil, "add", "-A");
        git(evil, "commit", "-q", "-m", "evil");
        git(served, "clone", "-q", "--bare", "evil-work", "evil.git");
        server = GitHttpServer.start(served);
        daemon = GitDaemon.start(served);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    @BeforeEach
    void reset() throws IOException {
        tmp = Files.createTempDirectory(served, "build-");
        lines.clear();
        stop.set(false);
    }

    private String fetch(String repo, String ref, String path, SourceLimits limits, Optional<GitCredential> auth)
            throws Exception {
        return fetchUrl(server.url(repo), ref, path, limits, auth);
    }

    private String fetchUrl(String url, String ref, String path, SourceLimits limits, Optional<GitCredential> auth)
            throws Exception {
        GitSource source = new GitSource(url, ref, Optional.ofNullable(path));
        return new GitFetcher(limits)
                .fetch(source, auth, tmp.resolve("git"), tmp.resolve("ws"), USER, listener, Duration.ofMinutes(1));
    }

    private String fetch(String repo, String ref) throws Exception {
        return fetch(repo, ref, null, SourceLimits.defaults(), Optional.empty());
    }

    private List<String> workspace() throws IOException {
        Path ws = tmp.resolve("ws");
        try (Stream<Path> files = Files.walk(ws)) {
            return files.filter(p -> !p.equals(ws))
                    .map(p -> ws.relativize(p).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void aBranchIsFetchedShallowAndWrittenWithoutGitMetadata() throws Exception {
        assertEquals(v3, fetch("app.git", "main"));
        Path ws = tmp.resolve("ws");
        assertEquals(
                List.of(
                        "app.sh",
                        "link-to-api",
                        "run.sh",
                        "services",
                        "services/api",
                        "services/api/app.sh",
                        "services/api/shared"),
                workspace());
        assertEquals("echo v3\n", Files.readString(ws.resolve("app.sh")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("run.sh"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(ws.resolve("app.sh"))));
        assertEquals(Path.of("services/api"), Files.readSymbolicLink(ws.resolve("link-to-api")));
        assertEquals(4242, Files.getAttribute(ws.resolve("app.sh"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals(4343, Files.getAttribute(ws, "unix:gid"));
        assertFalse(Files.exists(tmp.resolve("git")), "the scratch repository is removed");
        assertTrue(lines.contains("fetched commit " + v3 + " (main) from " + server.url("app.git")), lines.toString());
        assertFalse(lines.stream().anyMatch(l -> l.contains("in full")), lines.toString());
    }

    @Test
    void branchesWithSlashesAnnotatedTagsAndFullRefNames() throws Exception {
        fetch("app.git", "feature/x");
        assertTrue(workspace().contains("feature.txt"));
        TreeDeleterHelper.clear(tmp);
        assertEquals(v1, fetch("app.git", "v1.0"));
        assertEquals("echo v1\n", Files.readString(tmp.resolve("ws/app.sh")));
        TreeDeleterHelper.clear(tmp);
        assertEquals(v1, fetch("app.git", "refs/tags/v1.0"));
    }

    @Test
    void aCommitNoRefNamesIsFetchedByItselfOverHttp() throws Exception {
        // git over HTTP is stateless: upload-pack sends any commit reachable from a ref
        assertEquals(v2, fetch("app.git", v2));
        assertEquals("echo v2\n", Files.readString(tmp.resolve("ws/app.sh")));
        assertFalse(lines.stream().anyMatch(l -> l.contains("in full")), lines.toString());
    }

    @Test
    void overGitProtocolACommitIsFetchedAloneWhereAllowedElseFoundInTheFullHistory() throws Exception {
        assertEquals(v2, fetchUrl(daemon.url("sha-ok.git"), v2, null, SourceLimits.defaults(), Optional.empty()));
        assertEquals("echo v2\n", Files.readString(tmp.resolve("ws/app.sh")));
        assertFalse(lines.stream().anyMatch(l -> l.contains("in full")), lines.toString());
        TreeDeleterHelper.clear(tmp);
        lines.clear();
        // protocol v2 lets a client want any commit; a client speaking v0 (here through JGit's user config,
        // as an operator's ~/.gitconfig could) is refused an unnamed commit without allowReachableSHA1InWant
        Path v0 = Files.writeString(served.resolve("v0.gitconfig"), "[protocol]\n\tversion = 0\n");
        SystemReader original = SystemReader.getInstance();
        SystemReader.setInstance(new SystemReader.Delegate(original) {
            @Override
            public FileBasedConfig openUserConfig(Config parent, FS fs) {
                return new FileBasedConfig(parent, v0.toFile(), fs);
            }
        });
        try {
            assertEquals(v2, fetchUrl(daemon.url("app.git"), v2, null, SourceLimits.defaults(), Optional.empty()));
        } finally {
            SystemReader.setInstance(original);
        }
        assertEquals("echo v2\n", Files.readString(tmp.resolve("ws/app.sh")));
        assertTrue(
                lines.stream().anyMatch(l -> l.contains("fetching its branches and tags in full")), lines.toString());
        TreeDeleterHelper.clear(tmp);
        assertEquals(
                v2,
                fetchUrl(daemon.url("app.git"), v2.substring(0, 10), null, SourceLimits.defaults(), Optional.empty()));
        TreeDeleterHelper.clear(tmp);
        assertEquals(v3, fetchUrl(daemon.url("app.git"), "main", null, SourceLimits.defaults(), Optional.empty()));
    }

    @Test
    void aSubDirectoryBecomesTheWorkspaceAndLinksOutOfItAreRefused() throws Exception {
        SourceArchiveException e = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", "services/api", SourceLimits.defaults(), Optional.empty()));
        assertTrue(e.getMessage().contains("'shared' -> '../../app.sh' points outside the workspace"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ws")), "no partial workspace is left");
    }

    @Test
    void aPathThroughALinkOrToAFileOrMissingIsRefused() {
        SourceArchiveException link = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", "link-to-api", SourceLimits.defaults(), Optional.empty()));
        assertEquals(
                "the path 'link-to-api' is a symbolic link in the repository; links are not followed",
                link.getMessage());
        SourceArchiveException through = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", "link-to-api/app.sh", SourceLimits.defaults(), Optional.empty()));
        assertTrue(through.getMessage().contains("has no directory 'link-to-api/app.sh'"), through.getMessage());
        SourceArchiveException file = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", "app.sh", SourceLimits.defaults(), Optional.empty()));
        assertEquals("the path 'app.sh' is a file, not a directory", file.getMessage());
    }

    @Test
    void aLinkOutOfTheRepositoryIsRefusedAsInAnArchive() {
        SourceArchiveException e = assertThrows(SourceArchiveException.class, () -> fetch("evil.git", "main"));
        assertTrue(e.getMessage().contains("'passwd' -> '../../../../etc/passwd'"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("ws")));
        assertFalse(Files.exists(tmp.resolve("git")));
    }

    @Test
    void theEntryLimitAppliesAsForArchives() {
        SourceArchiveException e = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", null, new SourceLimits(3, 1L << 30, 200), Optional.empty()));
        assertTrue(e.getMessage().startsWith("the source has more than 3 entries"), e.getMessage());
    }

    @Test
    void theSizeLimitStopsAFetchWhoseObjectsAreTooLarge() {
        SourceArchiveException e = assertThrows(
                SourceArchiveException.class,
                () -> fetch("app.git", "main", null, new SourceLimits(100, 10, 200), Optional.empty()));
        assertTrue(e.getMessage().contains("more than 10 bytes"), e.getMessage());
    }

    @Test
    void aWrongRefOrRepositoryIsASentence() {
        GitFetchException ref = assertThrows(GitFetchException.class, () -> fetch("app.git", "no-such-branch"));
        assertEquals(
                "the repository " + server.url("app.git") + " has no branch or tag named 'no-such-branch'",
                ref.getMessage());
        GitFetchException commit = assertThrows(
                GitFetchException.class, () -> fetch("app.git", "0123456789012345678901234567890123456789"));
        assertTrue(commit.getMessage().contains("has no branch, tag or commit '0123456789"), commit.getMessage());
        GitFetchException repo = assertThrows(GitFetchException.class, () -> fetch("missing.git", "main"));
        assertTrue(
                repo.getMessage().startsWith("could not read the git repository " + server.url("missing.git")),
                repo.getMessage());
        assertFalse(Files.exists(tmp.resolve("git")));
    }

    @Test
    void credentialsReachAServerThatRequiresThem() throws Exception {
        try (GitHttpServer locked = GitHttpServer.start(served)) {
            locked.requireBasicAuth("ci-bot", "s3cret-pass");
            GitFetchException none = assertThrows(
                    GitFetchException.class,
                    () -> fetchUrl(locked.url("app.git"), "main", null, SourceLimits.defaults(), Optional.empty()));
            assertTrue(
                    none.getMessage().startsWith("could not read the git repository " + locked.url("app.git")),
                    none.getMessage());
            GitFetchException wrong = assertThrows(
                    GitFetchException.class,
                    () -> fetchUrl(
                            locked.url("app.git"),
                            "main",
                            null,
                            SourceLimits.defaults(),
                            Optional.of(new GitCredential("ci-bot", "wrong"))));
            assertFalse(wrong.getMessage().contains("s3cret-pass"), wrong.getMessage());
            assertEquals(
                    v3,
                    fetchUrl(
                            locked.url("app.git"),
                            "main",
                            null,
                            SourceLimits.defaults(),
                            Optional.of(new GitCredential("ci-bot", "s3cret-pass"))));
            TreeDeleterHelper.clear(tmp);
            locked.requireBasicAuth(GitCredential.TOKEN_USER, "tok-123");
            assertEquals(
                    v3,
                    fetchUrl(
                            locked.url("app.git"),
                            "main",
                            null,
                            SourceLimits.defaults(),
                            Optional.of(GitCredential.token("tok-123"))));
        }
    }

    @Test
    void aStoppedBuildStopsTheFetch() {
        stop.set(true);
        GitFetchException e = assertThrows(GitFetchException.class, () -> fetch("app.git", "main"));
        assertTrue(e.getMessage().startsWith("the build was stopped"), e.getMessage());
    }

    /** Removes the workspace between fetches in one test. */
    static final class TreeDeleterHelper {
        static void clear(Path tmp) throws IOException {
            dev.locald.fs.TreeDeleter.deleteTree(tmp.resolve("ws"));
        }
    }
}
