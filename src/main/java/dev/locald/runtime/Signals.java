package dev.locald.runtime;

import java.util.List;
import java.util.Optional;

/** Linux signal numbers to names, for exit codes of the form 128+n. */
final class Signals {

    private static final List<String> NAMES = List.of(
            "",
            "SIGHUP",
            "SIGINT",
            "SIGQUIT",
            "SIGILL",
            "SIGTRAP",
            "SIGABRT",
            "SIGBUS",
            "SIGFPE",
            "SIGKILL",
            "SIGUSR1",
            "SIGSEGV",
            "SIGUSR2",
            "SIGPIPE",
            "SIGALRM",
            "SIGTERM",
            "SIGSTKFLT",
            "SIGCHLD",
            "SIGCONT",
            "SIGSTOP",
            "SIGTSTP",
            "SIGTTIN",
            "SIGTTOU",
            "SIGURG",
            "SIGXCPU",
            "SIGXFSZ",
            "SIGVTALRM",
            "SIGPROF",
            "SIGWINCH",
            "SIGIO",
            "SIGPWR",
            "SIGSYS");

    private Signals() {}

    /** The signal an exit code of 129..192 stands for (as shells and runc report it). */
    static Optional<String> fromExitCode(int exitCode) {
        int number = exitCode - 128;
        if (number < 1 || number > 64) {
            return Optional.empty();
        }
        if (number < NAMES.size()) {
            return Optional.of(NAMES.get(number));
        }
        return Optional.of(number < 34 ? "SIG" + number : "SIGRTMIN+" + (number - 34));
    }
}
