/*
 * Test equipment for SeccompTest (compiled there with `gcc -static`, never committed as a binary):
 * makes one syscall a container should not be able to make and prints "<probe> ok" or
 * "<probe> errno=<n> <message>". Busybox has unshare and mount applets but nothing for keyctl or
 * ptrace, and its applets do more than the one call, so one small program makes each call directly.
 *
 *   user-ns     unshare(CLONE_NEWUSER)
 *   clone-ns    clone(CLONE_NEWUSER | SIGCHLD): the clone flag filter, not the unshare rule
 *   mount       mount(2) with a type string the kernel cannot read: the kernel copies the arguments
 *               before it checks CAP_SYS_ADMIN, so EFAULT says the call reached the kernel and EPERM
 *               says it was refused at entry, by seccomp
 *   mount-ns    a tmpfs mounted on /tmp from a new user and mount namespace (what an escape tries)
 *   keyctl      keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL): a new session keyring
 *   ptrace      a child's ptrace(PTRACE_TRACEME)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define KEYCTL_JOIN_SESSION_KEYRING 1

static int report(const char *probe, long result, int error) {
    if (result < 0) {
        printf("%s errno=%d %s\n", probe, error, strerror(error));
    } else {
        printf("%s ok\n", probe);
    }
    return 0;
}

/* runs f in a child and reports the errno it exits with (0: the call worked) */
static int in_child(const char *probe, int (*f)(void)) {
    pid_t pid = fork();
    if (pid < 0) {
        return report("fork", -1, errno);
    }
    if (pid == 0) {
        _exit(f());
    }
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)) {
        printf("%s child did not exit\n", probe);
        return 1;
    }
    int error = WEXITSTATUS(status);
    return report(probe, error == 0 ? 0 : -1, error);
}

static int traceme(void) {
    return ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : errno;
}

static int mount_in_namespace(void) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
        return errno;
    }
    return mount("tmpfs", "/tmp", "tmpfs", 0, "") == 0 ? 0 : errno;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s user-ns|clone-ns|mount|mount-ns|keyctl|ptrace\n", argv[0]);
        return 2;
    }
    const char *probe = argv[1];
    if (strcmp(probe, "user-ns") == 0) {
        long r = unshare(CLONE_NEWUSER);
        return report(probe, r, errno);
    }
    if (strcmp(probe, "clone-ns") == 0) {
        long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (r == 0) {
            _exit(0);
        }
        int error = errno;
        if (r > 0) {
            waitpid((pid_t) r, NULL, 0);
        }
        return report(probe, r, error);
    }
    if (strcmp(probe, "mount") == 0) {
        long r = syscall(SYS_mount, "tmpfs", "/tmp", (const char *) 1, 0UL, NULL);
        return report(probe, r, errno);
    }
    if (strcmp(probe, "mount-ns") == 0) {
        return in_child(probe, mount_in_namespace);
    }
    if (strcmp(probe, "keyctl") == 0) {
        long r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
        return report(probe, r, errno);
    }
    if (strcmp(probe, "ptrace") == 0) {
        return in_child(probe, traceme);
    }
    fprintf(stderr, "unknown probe %s\n", probe);
    return 2;
}
