#define _GNU_SOURCE
#include "CPosix.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int weft_spawn(pid_t *pid, const char *cwd, char *const argv[], char *const envp[], int out_fd) {
    return weft_spawn_keeping(pid, cwd, argv, envp, out_fd, -1);
}

int weft_spawn_keeping(pid_t *pid, const char *cwd, char *const argv[], char *const envp[], int out_fd, int keep_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&fa); return rc; }

    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
    // dup2 onto itself clears FD_CLOEXEC in the child only (POSIX 2024, glibc >= 2.29): no other child gets it.
    if (keep_fd > 2) posix_spawn_file_actions_adddup2(&fa, keep_fd, keep_fd);
    // Nothing else the process holds reaches the child, not even descriptors another thread opened without
    // O_CLOEXEC. (A close of a descriptor that is not open is ignored by glibc.)
    for (int fd = 3; fd < keep_fd; fd++) posix_spawn_file_actions_addclose(&fa, fd);
    posix_spawn_file_actions_addclosefrom_np(&fa, keep_fd > 2 ? keep_fd + 1 : 3);
    if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&fa, cwd);

    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGUSR1);
    sigaddset(&defaults, SIGUSR2);
    sigaddset(&defaults, SIGCHLD);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                        | POSIX_SPAWN_USEVFORK);

    if (strchr(argv[0], '/') != NULL) {
        rc = posix_spawn(pid, argv[0], &fa, &attr, argv, envp);
    } else {
        rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc;
}

void weft_cloexec_from(int first) {
    if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    // Kernels before 5.11: every open descriptor, one by one.
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = first; fd < max; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
}

int weft_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) return errno;
    int flags = fcntl(fds[0], F_GETFL);
    fcntl(fds[0], F_SETFL, flags | O_NONBLOCK);
    return 0;
}

int weft_set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0) return errno;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 ? 0 : errno;
}

int weft_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);
#else
    long fd = syscall(434, pid, 0);
#endif
    if (fd < 0) return -errno;
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
}

pid_t weft_reap(pid_t pid, int blocking, int *code, int *signaled) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, blocking ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r < 0) return -errno;
    if (r == 0) return 0;
    if (WIFEXITED(status)) { *code = WEXITSTATUS(status); *signaled = 0; }
    else if (WIFSIGNALED(status)) { *code = WTERMSIG(status); *signaled = 1; }
    else { *code = -1; *signaled = 0; }
    return r;
}

int weft_kill_group(pid_t pgid, int sig) {
    if (pgid <= 1) return EINVAL;
    return kill(-pgid, sig) == 0 ? 0 : errno;
}

int weft_kill(pid_t pid, int sig) {
    if (pid <= 1) return EINVAL;
    return kill(pid, sig) == 0 ? 0 : errno;
}

int weft_poll(const int *fds, const short *events, short *revents, int n, int timeout_ms) {
    struct pollfd stackfds[64];
    struct pollfd *p = n <= 64 ? stackfds : malloc(sizeof(struct pollfd) * (size_t)n);
    if (p == NULL) return -ENOMEM;
    for (int i = 0; i < n; i++) { p[i].fd = fds[i]; p[i].events = events[i]; p[i].revents = 0; }
    int r;
    do { r = poll(p, (nfds_t)n, timeout_ms); } while (r < 0 && errno == EINTR);
    if (r < 0) r = -errno;
    else for (int i = 0; i < n; i++) revents[i] = p[i].revents;
    if (p != stackfds) free(p);
    return r;
}

static volatile sig_atomic_t usr1_fd = -1;

static void usr1_handler(int sig) {
    (void)sig;
    int saved = errno;
    int fd = usr1_fd;
    if (fd >= 0) { char b = 1; ssize_t w = write(fd, &b, 1); (void)w; }
    errno = saved;
}

int weft_install_usr1_notifier(int fd) {
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    usr1_fd = fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = usr1_handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    return sigaction(SIGUSR1, &sa, NULL) == 0 ? 0 : errno;
}

ssize_t weft_read(int fd, void *buf, size_t n) {
    ssize_t r;
    do { r = read(fd, buf, n); } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

int weft_sealed_memfd(const char *name, const void *bytes, size_t count) {
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -errno;
    const char *p = bytes;
    size_t left = count;
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            return -e;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}
