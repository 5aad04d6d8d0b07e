#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "CPosix.h"

// What the child of weft_spawn_io needs; it shares the parent's memory until it execs (CLONE_VM | CLONE_VFORK), so it
// reports a failure by writing `error` before it exits.
struct spawn_io_args {
    const char *path, *cwd;
    char *const *argv, *const *envp;
    int in_fd, out_fd, err_fd;
    pid_t parent;
    const sigset_t *defaults;
    volatile int error;
};

// The child between clone and exec: only system calls (no malloc, no locks, nothing a signal handler of the parent
// could see half done). Every signal is blocked on entry.
static int spawn_io_child(void *p) {
    struct spawn_io_args *a = p;
    // No handler of the parent may run on the shared memory: handled signals and the listed ones (ignored by the
    // parent, e.g. SIGPIPE) go back to their default. The dispositions belong to the child alone (no CLONE_SIGHAND).
    struct sigaction dfl = {0};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int s = 1; s < _NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        struct sigaction old;
        if (sigaction(s, NULL, &old) != 0) continue;  // glibc's own signals: never sent to this new process
        int handled = !(old.sa_flags & SA_SIGINFO) ? (old.sa_handler != SIG_DFL && old.sa_handler != SIG_IGN) : 1;
        if (handled || sigismember(a->defaults, s) == 1) sigaction(s, &dfl, NULL);
    }
    // The helper dies with the thread that started it (SIGKILL), so a killed Weft leaves no git finishing a write
    // after the next command has repaired the repository. If that thread is already gone, do not start at all.
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) goto fail;
    if (getppid() != a->parent) { a->error = ESRCH; _exit(127); }
    if (a->cwd != NULL && chdir(a->cwd) != 0) goto fail;
    // Move the three descriptors above 2 first, so that one of them being 0, 1 or 2 already cannot be clobbered.
    int in = fcntl(a->in_fd, F_DUPFD_CLOEXEC, 3), out = fcntl(a->out_fd, F_DUPFD_CLOEXEC, 3), err = fcntl(a->err_fd, F_DUPFD_CLOEXEC, 3);
    if (in < 0 || out < 0 || err < 0) goto fail;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) goto fail;
    // The fd table is the child's own (no CLONE_FILES): nothing above 2 survives the exec.
    weft_cloexec_from(3);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(a->path, a->argv, a->envp);
fail:
    a->error = errno ? errno : EINVAL;
    _exit(127);
}

int weft_spawn_io(pid_t *pid, const char *path, const char *cwd, char *const argv[], char *const envp[], int in_fd, int out_fd,
                  int err_fd) {
    // Helpers start with no signal blocked and the usual dispositions: the caller blocks or ignores signals it
    // handles itself (SIGTERM, SIGPIPE, …), and a child inheriting that could not be stopped (a unit test under
    // `timeout`, git on a closed pipe).
    sigset_t defaults;
    sigemptyset(&defaults);
    int sigs[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&defaults, sigs[i]);

    // posix_spawn cannot set PR_SET_PDEATHSIG, so this is posix_spawn's own technique by hand: clone with a shared
    // address space and the caller suspended until the child has exec'd (no copy of the page tables), on a small
    // stack of its own.
    const size_t stack_size = 64 * 1024;
    void *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return errno;
    struct spawn_io_args args = {
        .path = path, .cwd = cwd, .argv = argv, .envp = envp, .in_fd = in_fd, .out_fd = out_fd, .err_fd = err_fd,
        .parent = getpid(), .defaults = &defaults, .error = 0};
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int saved = 0;
    pid_t child = clone(spawn_io_child, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    if (child < 0) saved = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    munmap(stack, stack_size);
    if (child < 0) return saved;
    if (args.error != 0) {
        // The child exited without exec'ing: reap it and report why.
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return args.error;
    }
    *pid = child;
    return 0;
}

int weft_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno;
}

int weft_malloc_trim(void) {
    return malloc_trim(0);
}

int weft_malloc_arena_max(int n) {
    return mallopt(M_ARENA_MAX, n);
}
