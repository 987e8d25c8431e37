package dev.locald.source;

import dev.locald.fs.TreeDeleter;
import dev.locald.image.CnbUser;
import dev.locald.lifecycle.BuildpackRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Fetches one commit of a {@link GitSource} into a bare repository of the build's own, then writes that
 * commit's tree (or its {@code path} sub-directory) into the workspace through {@link WorkspaceWriter}: the
 * same entry, size and link rules as an uploaded archive, and no {@code .git} in the workspace. The fetch is
 * shallow (depth 1) for branches and tags, and for a whole commit id where the server allows fetching a
 * commit by itself; otherwise the branches and tags are fetched in full and the commit looked up among them.
 * Every fetch is bounded by the source's expanded-size limit (the repository directory is measured while
 * objects arrive) and stops when the build is cancelled or runs out of time.
 */
public final class GitFetcher {

    /** Where the fetch reports, and how it learns it must stop. */
    public interface Listener {
        void line(String text);

        boolean stopped();
    }

    private static final String TARGET = "refs/locald/source";
    // a stalled read ends well within locald.builds.cancel-grace (docs/configuration.md), so that a cancel
    // or deadline, noticed between reads, stops the fetch before the worker is given up on
    private static final long MAX_IO_TIMEOUT_SECONDS = 30;
    private static final long SIZE_CHECK_NANOS = 250_000_000L;

    private final SourceLimits limits;

    public GitFetcher(SourceLimits limits) {
        this.limits = limits;
    }

    /**
     * Fetches {@code source} into {@code gitDir} (created here, deleted before returning) and fills
     * {@code workspace} (which must not exist or be empty) with its files, owned by {@code owner}.
     *
     * @param remaining the build's time left: each network operation waits at most this long
     * @return the commit id built
     * @throws GitFetchException the remote, ref or credentials are wrong, or the build was stopped
     * @throws SourceArchiveException the commit's files break the source rules; the workspace is gone then
     */
    public String fetch(
            GitSource source,
            Optional<GitCredential> auth,
            Path gitDir,
            Path workspace,
            CnbUser owner,
            Listener listener,
            Duration remaining)
            throws GitFetchException, SourceArchiveException, IOException {
        try (Fetched fetched = open(source, auth, gitDir, listener, remaining)) {
            fetched.write(workspace, owner, SourceFilter.ALL);
            return fetched.commit();
        }
    }

    /**
     * Fetches {@code source}'s commit into {@code gitDir} (created here, deleted when the result is closed)
     * without writing it anywhere yet, so that its project descriptor can be read first.
     */
    public Fetched open(
            GitSource source, Optional<GitCredential> auth, Path gitDir, Listener listener, Duration remaining)
            throws GitFetchException, SourceArchiveException, IOException {
        Fetch fetch = new Fetch(source, auth, gitDir, listener, remaining);
        Git git = null;
        try {
            git = Git.init().setBare(true).setDirectory(gitDir.toFile()).call();
            // no background gc after the fetch: the scratch repository is deleted right after
            git.getRepository().getConfig().setInt("gc", null, "auto", 0);
            git.getRepository().getConfig().setBoolean("gc", null, "autoDetach", false);
            git.getRepository().getConfig().save();
            RevCommit commit = fetch.commit(git);
            listener.line("fetched commit " + commit.name() + " (" + source.ref() + ") from " + source.url());
            Fetched fetched = new Fetched(git, commit, source, gitDir, listener);
            git = null;
            return fetched;
        } catch (GitAPIException e) {
            throw fetch.failure("could not create the repository for the fetch", e);
        } finally {
            if (git != null) {
                git.close();
                TreeDeleter.deleteTree(gitDir);
            }
        }
    }

    /** A fetched commit in the build's scratch repository; closing it deletes the repository. */
    public final class Fetched implements AutoCloseable {
        private final Git git;
        private final RevCommit commit;
        private final GitSource source;
        private final Path gitDir;
        private final Listener listener;

        private Fetched(Git git, RevCommit commit, GitSource source, Path gitDir, Listener listener) {
            this.git = git;
            this.commit = commit;
            this.source = source;
            this.gitDir = gitDir;
            this.listener = listener;
        }

        public String commit() {
            return commit.name();
        }

        /** The project descriptor at the root of the source (the {@code path} sub-directory when one is set). */
        public Optional<byte[]> descriptor() throws IOException, SourceArchiveException {
            Repository repo = git.getRepository();
            try (ObjectReader reader = repo.newObjectReader()) {
                String at = source.directory().map(d -> d + "/").orElse("") + ProjectDescriptor.FILE;
                try (TreeWalk walk = TreeWalk.forPath(reader, at, commit.getTree())) {
                    if (walk == null) {
                        return Optional.empty();
                    }
                    int mode = walk.getRawMode(0);
                    if (!FileMode.REGULAR_FILE.equals(mode) && !FileMode.EXECUTABLE_FILE.equals(mode)) {
                        throw new SourceArchiveException(
                                "project.toml at the root of the source is not a regular file");
                    }
                    try (InputStream in =
                            reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).openStream()) {
                        return Optional.of(SourceUnpacker.readDescriptor(in));
                    }
                }
            }
        }

        /** Fills {@code workspace} (which must not exist or be empty) with the entries {@code filter} keeps. */
        public void write(Path workspace, CnbUser owner, SourceFilter filter)
                throws IOException, SourceArchiveException, GitFetchException {
            GitFetcher.this.write(git.getRepository(), commit, source, workspace, owner, listener, filter);
        }

        @Override
        public void close() throws IOException {
            git.close();
            TreeDeleter.deleteTree(gitDir);
        }
    }

    /** One fetch's settings and its progress monitor. */
    private final class Fetch implements ProgressMonitor {
        private final GitSource source;
        private final CredentialsProvider credentials;
        private final Path gitDir;
        private final Listener listener;
        private final int timeoutSeconds;
        private long lastSizeCheck = System.nanoTime();
        private boolean tooLarge;
        private String task;
        private long done;

        Fetch(GitSource source, Optional<GitCredential> auth, Path gitDir, Listener listener, Duration remaining) {
            this.source = source;
            this.credentials = auth.<CredentialsProvider>map(
                            a -> new UsernamePasswordCredentialsProvider(a.username(), a.password()))
                    .orElse(null);
            this.gitDir = gitDir;
            this.listener = listener;
            this.timeoutSeconds = (int) Math.max(1, Math.min(MAX_IO_TIMEOUT_SECONDS, remaining.toSeconds()));
        }

        RevCommit commit(Git git) throws GitFetchException, SourceArchiveException {
            String ref = source.ref();
            listener.line("fetching " + source.url() + " at " + ref);
            Collection<Ref> advertised;
            try {
                advertised = Git.lsRemoteRepository()
                        .setRemote(source.url())
                        .setCredentialsProvider(credentials)
                        .setTimeout(timeoutSeconds)
                        .call();
            } catch (GitAPIException | RuntimeException e) {
                throw failure("could not read the git repository " + source.url(), e);
            }
            Optional<Ref> named = named(advertised, ref);
            Repository repo = git.getRepository();
            if (named.isPresent()) {
                fetch(git, List.of(new RefSpec("+" + named.get().getName() + ":" + TARGET)), true);
                return parse(repo, resolve(repo, TARGET));
            }
            if (!source.mayBeCommit()) {
                throw new GitFetchException(
                        "the repository " + source.url() + " has no branch or tag named " + BuildpackRef.quote(ref));
            }
            if (source.isFullCommit()) {
                ObjectId id = ObjectId.fromString(ref.toLowerCase(java.util.Locale.ROOT));
                try {
                    // JGit brings the commit but writes no ref for a bare id: look the object up itself
                    fetch(git, List.of(new RefSpec(id.name() + ":" + TARGET)), true);
                    if (has(repo, id)) {
                        return parse(repo, id);
                    }
                } catch (GitFetchException refused) {
                    if (listener.stopped() || tooLarge) {
                        throw refused;
                    }
                    // servers without uploadpack.allowReachableSHA1InWant (and protocol v0) refuse a bare commit
                    listener.line("the server does not send commit " + ref
                            + " by itself; fetching its branches and tags in full to find it");
                }
            }
            fetch(
                    git,
                    List.of(
                            new RefSpec("+" + Constants.R_HEADS + "*:" + Constants.R_REMOTES + "origin/*"),
                            new RefSpec("+" + Constants.R_TAGS + "*:" + Constants.R_TAGS + "*")),
                    false);
            ObjectId id;
            try {
                id = repo.resolve(ref);
            } catch (IOException | RuntimeException e) {
                throw new GitFetchException(
                        "commit " + BuildpackRef.quote(ref) + " is ambiguous or unreadable: " + e.getMessage(), e);
            }
            if (id == null || !has(repo, id)) {
                throw new GitFetchException("the repository " + source.url() + " has no branch, tag or commit "
                        + BuildpackRef.quote(ref) + " reachable from its branches and tags");
            }
            return parse(repo, id);
        }

        private void fetch(Git git, List<RefSpec> specs, boolean shallow)
                throws GitFetchException, SourceArchiveException {
            // JGit asks the monitor only once objects flow: a cancel during the ref exchange is seen here
            if (listener.stopped()) {
                throw new GitFetchException("the build was stopped while fetching the git source");
            }
            FetchCommand fetch = git.fetch()
                    .setRemote(source.url())
                    .setRefSpecs(specs)
                    .setCredentialsProvider(credentials)
                    .setTimeout(timeoutSeconds)
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setProgressMonitor(this);
            if (shallow) {
                fetch.setDepth(1);
            }
            try {
                fetch.call();
            } catch (GitAPIException | RuntimeException e) {
                if (tooLarge) {
                    throw tooLarge();
                }
                throw failure("could not fetch " + source.ref() + " from " + source.url(), e);
            }
            if (tooLarge) {
                throw tooLarge();
            }
            if (listener.stopped()) {
                throw new GitFetchException("the build was stopped while fetching the git source");
            }
        }

        GitFetchException failure(String what, Exception e) {
            if (listener.stopped()) {
                return new GitFetchException("the build was stopped while fetching the git source", e);
            }
            return new GitFetchException(what + ": " + describe(e), e);
        }

        private SourceArchiveException tooLarge() {
            return new SourceArchiveException("the git repository's objects for " + source.ref() + " take more than "
                    + limits.maxExpandedBytes() + " bytes");
        }

        @Override
        public void start(int totalTasks) {}

        @Override
        public void beginTask(String title, int totalWork) {
            task = title;
            done = 0;
        }

        @Override
        public void update(int completed) {
            done += completed;
        }

        @Override
        public void endTask() {
            if (task != null) {
                listener.line("git: " + task + ": " + done + " done");
            }
            task = null;
        }

        @Override
        public boolean isCancelled() {
            if (listener.stopped()) {
                return true;
            }
            long now = System.nanoTime();
            if (now - lastSizeCheck >= SIZE_CHECK_NANOS) {
                lastSizeCheck = now;
                tooLarge = size(gitDir) > limits.maxExpandedBytes();
            }
            return tooLarge;
        }

        @Override
        public void showDuration(boolean enabled) {}
    }

    /** The advertised ref {@code ref} names: a full {@code refs/…} name, else a branch, else a tag (as git clone -b). */
    private static Optional<Ref> named(Collection<Ref> advertised, String ref) {
        List<String> candidates = ref.startsWith(Constants.R_REFS) || ref.equals(Constants.HEAD)
                ? List.of(ref)
                : List.of(Constants.R_HEADS + ref, Constants.R_TAGS + ref);
        for (String candidate : candidates) {
            for (Ref r : advertised) {
                if (r.getName().equals(candidate)) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.empty();
    }

    private static boolean has(Repository repo, ObjectId id) throws GitFetchException {
        try {
            return repo.getObjectDatabase().has(id);
        } catch (IOException e) {
            throw new GitFetchException("could not read the fetched repository: " + e.getMessage(), e);
        }
    }

    private static ObjectId resolve(Repository repo, String name) throws GitFetchException {
        try {
            Ref ref = repo.exactRef(name);
            if (ref == null || ref.getObjectId() == null) {
                throw new GitFetchException("the fetch brought no " + name);
            }
            return ref.getObjectId();
        } catch (IOException e) {
            throw new GitFetchException("could not read the fetched repository: " + e.getMessage(), e);
        }
    }

    /** The commit {@code id} names, peeling an annotated tag. */
    private static RevCommit parse(Repository repo, ObjectId id) throws GitFetchException {
        try (RevWalk walk = new RevWalk(repo)) {
            return walk.parseCommit(id);
        } catch (MissingObjectException e) {
            throw new GitFetchException("the fetch did not bring object " + id.name(), e);
        } catch (IOException e) {
            throw new GitFetchException(id.name() + " is not a commit: " + e.getMessage(), e);
        }
    }

    private void write(
            Repository repo,
            RevCommit commit,
            GitSource source,
            Path workspace,
            CnbUser owner,
            Listener listener,
            SourceFilter filter)
            throws IOException, SourceArchiveException, GitFetchException {
        try (ObjectReader reader = repo.newObjectReader()) {
            ObjectId root = commit.getTree();
            Optional<String> dir = source.directory();
            if (dir.isPresent()) {
                // git trees cannot go through a symlink, so a path with a link on its way is simply not found
                try (TreeWalk at = TreeWalk.forPath(reader, dir.get(), commit.getTree())) {
                    if (at == null) {
                        throw new SourceArchiveException("the commit " + commit.name() + " has no directory "
                                + BuildpackRef.quote(dir.get()) + " (symbolic links are not followed)");
                    }
                    int mode = at.getRawMode(0);
                    if (FileMode.SYMLINK.equals(mode)) {
                        throw new SourceArchiveException("the path " + BuildpackRef.quote(dir.get())
                                + " is a symbolic link in the repository; links are not followed");
                    }
                    if (!FileMode.TREE.equals(mode)) {
                        throw new SourceArchiveException(
                                "the path " + BuildpackRef.quote(dir.get()) + " is a file, not a directory");
                    }
                    root = at.getObjectId(0);
                }
            }
            SourceUnpacker.prepare(workspace, owner);
            try {
                writeTree(reader, root, workspace, owner, listener, filter);
            } catch (SourceArchiveException | GitFetchException | IOException | RuntimeException e) {
                SourceUnpacker.discard(workspace, e);
                throw e;
            }
        }
    }

    private void writeTree(
            ObjectReader reader, ObjectId root, Path workspace, CnbUser owner, Listener listener, SourceFilter filter)
            throws IOException, SourceArchiveException, GitFetchException {
        WorkspaceWriter writer = new WorkspaceWriter(workspace, owner, limits, 0, filter);
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(root);
            walk.setRecursive(false);
            while (walk.next()) {
                if (listener.stopped()) {
                    throw new GitFetchException("the build was stopped while writing the git source");
                }
                String name = walk.getPathString();
                writer.countEntry(name);
                int mode = walk.getRawMode(0);
                if (FileMode.TREE.equals(mode)) {
                    if (writer.skipsTree(name)) {
                        continue; // an excluded directory is not entered
                    }
                    if (writer.keeps(name, true)) {
                        writer.directory(name, 0755);
                    }
                    walk.enterSubtree(); // under include, an unmatched directory may still hold matched files
                } else if (!writer.keeps(name, false)) {
                    continue;
                } else if (FileMode.REGULAR_FILE.equals(mode) || FileMode.EXECUTABLE_FILE.equals(mode)) {
                    try (InputStream in =
                            reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).openStream()) {
                        writer.file(name, FileMode.EXECUTABLE_FILE.equals(mode) ? 0755 : 0644, in);
                    }
                } else if (FileMode.SYMLINK.equals(mode)) {
                    byte[] target =
                            reader.open(walk.getObjectId(0), Constants.OBJ_BLOB).getCachedBytes(4096);
                    writer.symlink(name, new String(target, StandardCharsets.UTF_8));
                } else if (FileMode.GITLINK.equals(mode)) {
                    listener.line(
                            "submodule " + BuildpackRef.quote(name) + " is not fetched; its directory stays empty");
                    writer.directory(name, 0755);
                } else {
                    throw new SourceArchiveException("entry " + BuildpackRef.quote(name) + " has the unknown git mode "
                            + Integer.toOctalString(mode));
                }
            }
        }
    }

    /** The size of the files under {@code dir} (the fetch's pack files), 0 when it cannot be read. */
    private static long size(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .mapToLong(p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException gone) {
                            return 0; // a temporary file renamed meanwhile
                        }
                    })
                    .sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    /** JGit's message and its causes', without repeating the URL it already names. */
    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null && s.length() < 500; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && s.indexOf(m) < 0) {
                if (!s.isEmpty()) {
                    s.append(": ");
                }
                s.append(m.strip());
            }
        }
        return s.isEmpty() ? e.getClass().getSimpleName() : s.toString();
    }
}
