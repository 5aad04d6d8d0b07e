// The task launcher: one process per run (inside the run's bubblewrap sandbox, or outside it with `sandbox: off`)
// that starts the run's tasks on request over a SOCK_SEQPACKET socket and makes sure nothing a task started
// outlives it. Each task gets a "keeper": a forked child of the launcher that is a child subreaper, starts the
// task in a process group of its own, and — once the task has exited — stops whatever the task left behind
// (its process group and every descendant re-parented to the keeper, setsid'd ones included): SIGTERM, then
// SIGKILL after the grace period. Only then does it report the task's exit. Single-threaded, so fork is safe.
#define _GNU_SOURCE
#include "CPosix.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_FDS (1 + WEFT_LAUNCH_MAX_EXTRA_FDS)
#define MSG_MAX (256 * 1024)

static int send_msg(int sock, const void *buf, size_t len, const int *fds, int nfds) {
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    if (nfds > 0) {
        memset(control, 0, sizeof control);
        msg.msg_control = control;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)nfds);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
    }
    ssize_t r;
    do { r = sendmsg(sock, &msg, MSG_NOSIGNAL); } while (r < 0 && errno == EINTR);
    return r < 0 ? errno : 0;
}

/// Receives one message and up to MAX_FDS descriptors (made close-on-exec). Returns its length, 0 at EOF, -errno.
static ssize_t recv_msg(int sock, void *buf, size_t cap, int *fds, int *nfds) {
    struct iovec iov = {.iov_base = buf, .iov_len = cap};
    struct msghdr msg;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t r;
    do { r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); } while (r < 0 && errno == EINTR);
    *nfds = 0;
    if (r < 0) return -errno;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            int *in = (int *)CMSG_DATA(c);
            for (int i = 0; i < n; i++) {
                if (*nfds < MAX_FDS) fds[(*nfds)++] = in[i];
                else close(in[i]);
            }
        }
    }
    return r;
}

int weft_launch_send_spawn(int sock, uint32_t id, uint32_t grace_ms, const char *cwd, char *const argv[], char *const envp[],
                           int out_fd, const int *extra_fds, const int *extra_targets, int n_extra) {
    if (n_extra < 0 || n_extra > WEFT_LAUNCH_MAX_EXTRA_FDS) return EINVAL;
    struct weft_launch_spawn h;
    memset(&h, 0, sizeof h);
    h.type = WEFT_LAUNCH_SPAWN;
    h.id = id;
    h.grace_ms = grace_ms;
    h.n_extra = (uint32_t)n_extra;
    for (int i = 0; i < n_extra; i++) h.targets[i] = extra_targets[i];
    size_t len = sizeof h;
    size_t need = len + strlen(cwd) + 1;
    uint32_t argc = 0, envc = 0;
    for (; argv[argc] != NULL; argc++) need += strlen(argv[argc]) + 1;
    for (; envp[envc] != NULL; envc++) need += strlen(envp[envc]) + 1;
    if (need > MSG_MAX) return E2BIG;
    h.argc = argc;
    h.envc = envc;
    char *buf = malloc(need);
    if (buf == NULL) return ENOMEM;
    memcpy(buf, &h, sizeof h);
    size_t off = sizeof h;
    size_t l = strlen(cwd) + 1;
    memcpy(buf + off, cwd, l);
    off += l;
    for (uint32_t i = 0; i < argc; i++) { l = strlen(argv[i]) + 1; memcpy(buf + off, argv[i], l); off += l; }
    for (uint32_t i = 0; i < envc; i++) { l = strlen(envp[i]) + 1; memcpy(buf + off, envp[i], l); off += l; }
    int fds[MAX_FDS];
    fds[0] = out_fd;
    for (int i = 0; i < n_extra; i++) fds[1 + i] = extra_fds[i];
    int rc = send_msg(sock, buf, off, fds, 1 + n_extra);
    free(buf);
    return rc;
}

int weft_launch_send_signal(int sock, uint32_t id, int sig) {
    struct weft_launch_signal m = {.type = WEFT_LAUNCH_SIGNAL, .id = id, .sig = sig};
    return send_msg(sock, &m, sizeof m, NULL, 0);
}

int weft_launch_receive(int sock, struct weft_launch_reply *reply) {
    int fds[MAX_FDS];
    int nfds = 0;
    ssize_t r = recv_msg(sock, reply, sizeof *reply, fds, &nfds);
    for (int i = 0; i < nfds; i++) close(fds[i]);
    if (r < 0) return (int)r;
    if (r == 0) return 0;
    if ((size_t)r != sizeof *reply) return -EPROTO;
    return 1;
}

// MARK: the keeper

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/// Signals every direct child of this process (its children file, or a scan of /proc when that is missing).
/// Returns how many it found.
static int signal_children(int sig) {
    char path[64];
    pid_t self = getpid();
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)self);
    int found = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n >= 0) {
            buf[n] = 0;
            char *p = buf;
            while (*p) {
                char *end;
                long pid = strtol(p, &end, 10);
                if (end == p) break;
                if (pid > 1) { kill((pid_t)pid, sig); found++; }
                p = end;
                while (*p == ' ' || *p == '\n') p++;
            }
            return found;
        }
    }
    DIR *d = opendir("/proc");
    if (d == NULL) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        char stat[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int sfd = open(path, O_RDONLY | O_CLOEXEC);
        if (sfd < 0) continue;
        ssize_t n = read(sfd, stat, sizeof stat - 1);
        close(sfd);
        if (n <= 0) continue;
        stat[n] = 0;
        char *rp = strrchr(stat, ')');
        int ppid = 0;
        char state;
        if (rp == NULL || sscanf(rp + 1, " %c %d", &state, &ppid) != 2) continue;
        if (ppid == self) { kill((pid_t)atoi(e->d_name), sig); found++; }
    }
    closedir(d);
    return found;
}

/// Reaps every exited child; records the task's status when it is among them. Returns 1 when no child is left.
static int reap_all(pid_t task, int *task_done, int *status) {
    for (;;) {
        int st = 0;
        pid_t r = waitpid(-1, &st, WNOHANG);
        if (r > 0) {
            if (r == task) { *task_done = 1; *status = st; }
            continue;
        }
        if (r < 0 && errno == EINTR) continue;
        return r < 0 && errno == ECHILD;
    }
}

/// Runs in the keeper (a child of the launcher): starts the task, waits for it, stops what it left, reports.
static void keeper(int sock, uint32_t id, uint32_t grace_ms, const char *cwd, char **argv, char **envp, int *fds, int nfds,
                   const int32_t *targets) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    // If the launcher dies, stop the task's whole tree rather than leave it behind.
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
    // The task is started with posix_spawn (clone(CLONE_VM|CLONE_VFORK) in glibc), not fork: a forked copy of this
    // process would have its memory copied on write and torn down again at exec, ~1 ms a task here.
    // Descriptors: the output on 1 and 2, /dev/null on 0, extra ones at their target numbers. Moved above every
    // target first so that no dup2 overwrites a descriptor still to be placed.
    int above = 100;
    for (int i = 1; i < nfds; i++)
        if (targets[i - 1] >= above) above = targets[i - 1] + 1;
    int moved[MAX_FDS];
    for (int i = 0; i < nfds; i++) moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, above);
    for (int i = 0; i < nfds; i++) close(fds[i]);
    // Nothing else this process holds reaches the task: every descriptor closes on exec, except what dup2 places.
    weft_cloexec_from(3);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, moved[0], 1);
    posix_spawn_file_actions_adddup2(&fa, moved[0], 2);
    for (int i = 1; i < nfds; i++) posix_spawn_file_actions_adddup2(&fa, moved[i], targets[i - 1]);
    if (cwd[0] != 0) posix_spawn_file_actions_addchdir_np(&fa, cwd);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    // A bare command name is looked up in the task's own PATH.
    environ = envp;
    pid_t task = 0;
    int exec_errno = posix_spawnp(&task, argv[0], &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < nfds; i++) close(moved[i]);
    if (exec_errno != 0) {
        // As a task whose exec failed: started, then exited 127 with the reason (glibc has reaped the child). The pid
        // named is this keeper's, which exits right after: never 0, which would mean a whole process group.
        struct weft_launch_reply r = {.type = WEFT_LAUNCH_STARTED, .id = id, .pid = getpid(), .error = 0};
        send_msg(sock, &r, sizeof r, NULL, 0);
        struct weft_launch_reply d = {.type = WEFT_LAUNCH_EXITED, .id = id, .pid = getpid(), .error = exec_errno, .code = 127};
        _exit(send_msg(sock, &d, sizeof d, NULL, 0) == 0 ? 0 : 4);
    }
    struct weft_launch_reply started = {.type = WEFT_LAUNCH_STARTED, .id = id, .pid = task, .error = 0};
    send_msg(sock, &started, sizeof started, NULL, 0);

    int task_done = 0, status = 0;
    int killing = 0;  // 0: task running; 1: SIGTERM sent to leftovers; 2: SIGKILL
    uint64_t deadline = 0;
    for (;;) {
        int none_left = reap_all(task, &task_done, &status);
        if (task_done && none_left) break;
        if (task_done && killing == 0) {
            // The task exited: whatever it left behind is stopped, gently first.
            kill(-task, SIGTERM);
            signal_children(SIGTERM);
            killing = 1;
            deadline = now_ms() + grace_ms;
        }
        if (killing == 1 && now_ms() >= deadline) killing = 2;
        if (killing == 2) {
            kill(-task, SIGKILL);
            signal_children(SIGKILL);
        }
        int timeout = killing == 0 ? -1 : killing == 1 ? (int)(deadline > now_ms() ? deadline - now_ms() : 0) : 5;
        if (killing == 1 && timeout > 20) timeout = 20;
        struct pollfd p = {.fd = sfd, .events = POLLIN};
        int pr = poll(&p, 1, timeout);
        if (pr > 0) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP) {
                    kill(-task, SIGTERM);
                    signal_children(SIGTERM);
                } else if (si.ssi_signo == SIGUSR1) {
                    killing = 2;
                    kill(-task, SIGKILL);
                    signal_children(SIGKILL);
                }
                struct pollfd again = {.fd = sfd, .events = POLLIN};
                if (poll(&again, 1, 0) <= 0) break;
            }
        }
    }
    struct weft_launch_reply done = {.type = WEFT_LAUNCH_EXITED, .id = id, .pid = task, .error = exec_errno};
    if (WIFEXITED(status)) { done.code = WEXITSTATUS(status); done.signaled = 0; }
    else if (WIFSIGNALED(status)) { done.code = WTERMSIG(status); done.signaled = 1; }
    else { done.code = -1; }
    _exit(send_msg(sock, &done, sizeof done, NULL, 0) == 0 ? 0 : 4);
}

// MARK: the launcher

struct keeper_slot {
    pid_t pid;
    uint32_t id;
};

int weft_launcher_main(int sock) {
    setpgid(0, 0);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigaddset(&mask, SIGPIPE);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) return 2;
    fcntl(sock, F_SETFD, FD_CLOEXEC);
    struct keeper_slot *keepers = NULL;
    size_t nkeepers = 0, cap = 0;
    char *buf = malloc(MSG_MAX);
    if (buf == NULL) return 2;
    int open_socket = 1;
    for (;;) {
        // Reap keepers; a keeper that died without reporting is reported here.
        for (;;) {
            int st = 0;
            pid_t r = waitpid(-1, &st, WNOHANG);
            if (r <= 0) break;
            for (size_t i = 0; i < nkeepers; i++) {
                if (keepers[i].pid != r) continue;
                if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0) && open_socket) {
                    struct weft_launch_reply m = {.type = WEFT_LAUNCH_EXITED, .id = keepers[i].id, .code = -1, .error = 0};
                    if (WIFSIGNALED(st)) { m.code = WTERMSIG(st); m.signaled = 1; }
                    send_msg(sock, &m, sizeof m, NULL, 0);
                }
                keepers[i] = keepers[--nkeepers];
                break;
            }
        }
        if (!open_socket) {
            if (nkeepers == 0) break;
            struct pollfd p = {.fd = sfd, .events = POLLIN};
            poll(&p, 1, 100);
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
            continue;
        }
        struct pollfd ps[2] = {{.fd = sock, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
        int pr = poll(ps, 2, -1);
        if (pr < 0 && errno != EINTR) break;
        if (ps[1].revents) {
            struct signalfd_siginfo si;
            while (read(sfd, &si, sizeof si) > 0) {}
        }
        if (!ps[0].revents) continue;
        int fds[MAX_FDS];
        int nfds = 0;
        ssize_t n = recv_msg(sock, buf, MSG_MAX, fds, &nfds);
        if (n <= 0) {
            // The engine is gone (or closed the run): stop every task's tree, then leave.
            for (int i = 0; i < nfds; i++) close(fds[i]);
            for (size_t i = 0; i < nkeepers; i++) kill(keepers[i].pid, SIGUSR1);
            open_socket = 0;
            continue;
        }
        uint32_t type;
        memcpy(&type, buf, sizeof type);
        if (type == WEFT_LAUNCH_SIGNAL && (size_t)n >= sizeof(struct weft_launch_signal)) {
            struct weft_launch_signal m;
            memcpy(&m, buf, sizeof m);
            for (size_t i = 0; i < nkeepers; i++) {
                if (keepers[i].id == m.id) kill(keepers[i].pid, m.sig == SIGKILL ? SIGUSR1 : SIGTERM);
            }
        } else if (type == WEFT_LAUNCH_SPAWN && (size_t)n > sizeof(struct weft_launch_spawn)) {
            struct weft_launch_spawn h;
            memcpy(&h, buf, sizeof h);
            int bad = nfds != 1 + (int)h.n_extra || h.argc == 0 || h.argc > 65536 || h.envc > 65536;
            char **argv = NULL, **envp = NULL;
            char *cwd = buf + sizeof h;
            if (!bad) {
                argv = calloc(h.argc + 1, sizeof(char *));
                envp = calloc(h.envc + 1, sizeof(char *));
                char *p = cwd;
                char *end = buf + n;
                buf[n - 1] = 0;
                p += strlen(p) + 1;
                for (uint32_t i = 0; i < h.argc && !bad; i++) {
                    if (p >= end) { bad = 1; break; }
                    argv[i] = p;
                    p += strlen(p) + 1;
                }
                for (uint32_t i = 0; i < h.envc && !bad; i++) {
                    if (p >= end) { bad = 1; break; }
                    envp[i] = p;
                    p += strlen(p) + 1;
                }
            }
            if (bad) {
                struct weft_launch_reply m = {.type = WEFT_LAUNCH_STARTED, .id = h.id, .error = EPROTO};
                send_msg(sock, &m, sizeof m, NULL, 0);
            } else {
                pid_t k = fork();
                if (k == 0) {
                    close(sfd);
                    sigprocmask(SIG_UNBLOCK, &mask, NULL);
                    keeper(sock, h.id, h.grace_ms, cwd, argv, envp, fds, nfds, h.targets);
                    _exit(0);
                }
                if (k < 0) {
                    struct weft_launch_reply m = {.type = WEFT_LAUNCH_STARTED, .id = h.id, .error = errno};
                    send_msg(sock, &m, sizeof m, NULL, 0);
                } else {
                    if (nkeepers == cap) {
                        cap = cap ? cap * 2 : 16;
                        keepers = realloc(keepers, cap * sizeof *keepers);
                        if (keepers == NULL) return 2;
                    }
                    keepers[nkeepers++] = (struct keeper_slot){.pid = k, .id = h.id};
                }
            }
            free(argv);
            free(envp);
            for (int i = 0; i < nfds; i++) close(fds[i]);
        } else {
            for (int i = 0; i < nfds; i++) close(fds[i]);
        }
    }
    free(buf);
    free(keepers);
    return 0;
}

int weft_spawn_launcher(pid_t *pid, const char *path, char *const argv[], char *const envp[], int sock_fd, int err_fd) {
    // Both moved above 3 first, so that dup2 onto 1, 2 and 3 never meets a descriptor already in place.
    int s = fcntl(sock_fd, F_DUPFD_CLOEXEC, 10);
    int e = fcntl(err_fd, F_DUPFD_CLOEXEC, 10);
    if (s < 0 || e < 0) {
        int rc = errno;
        if (s >= 0) close(s);
        if (e >= 0) close(e);
        return rc;
    }
    sock_fd = s;
    err_fd = e;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) { close(s); close(e); return rc; }
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) { posix_spawn_file_actions_destroy(&fa); close(s); close(e); return rc; }
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
    posix_spawn_file_actions_adddup2(&fa, sock_fd, 3);
    // Descriptors other threads opened without O_CLOEXEC (Foundation's Process keeps one end of a socket pair
    // open until its child exits) must not live on in the launcher and every task.
    posix_spawn_file_actions_addclosefrom_np(&fa, 4);
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    int sigs[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&defaults, sigs[i]);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_USEVFORK);
    rc = posix_spawn(pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(s);
    close(e);
    return rc;
}

int weft_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}
