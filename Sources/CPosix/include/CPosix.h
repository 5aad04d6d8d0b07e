#ifndef WEFT_CPOSIX_H
#define WEFT_CPOSIX_H

#include <sys/types.h>
#include <stdint.h>

/// Spawns `argv[0]` (looked up in the parent's PATH when it has no slash) in its own process group.
/// stdin is /dev/null, stdout and stderr go to `out_fd`; `cwd` may be NULL. Signal mask and dispositions are
/// reset in the child. Returns 0 and sets *pid, or an errno value.
int weft_spawn(pid_t *pid, const char *cwd, char *const argv[], char *const envp[], int out_fd);

/// `weft_spawn`, and the child also inherits `keep_fd` (> 2, close-on-exec in the parent) under the same
/// number, while every other child spawned meanwhile does not.
int weft_spawn_keeping(pid_t *pid, const char *cwd, char *const argv[], char *const envp[], int out_fd, int keep_fd);

/// A memfd (close-on-exec) holding `count` bytes, sealed against writing, growing, shrinking and further seals:
/// a file that exists only while some process holds it. Returns the descriptor, or -errno.
int weft_sealed_memfd(const char *name, const void *bytes, size_t count);

/// Marks every descriptor from `first` up close-on-exec (close_range, or one by one on old kernels).
void weft_cloexec_from(int first);

/// pipe2(O_CLOEXEC); the read end is made non-blocking. Returns 0 or errno.
int weft_pipe(int fds[2]);

/// Sets O_NONBLOCK on an fd. Returns 0 or errno.
int weft_set_nonblocking(int fd);

/// pidfd_open(2): an fd readable once `pid` has exited. Returns the fd or -errno.
int weft_pidfd_open(pid_t pid);

/// Non-blocking reap: returns pid when reaped (status decoded), 0 when still running, -errno on error.
/// `*code` is the exit code, or the signal number when `*signaled` is 1.
pid_t weft_reap(pid_t pid, int blocking, int *code, int *signaled);

/// kill(-pgid, sig). Returns 0 or errno.
int weft_kill_group(pid_t pgid, int sig);

/// kill(pid, sig). Returns 0 or errno.
int weft_kill(pid_t pid, int sig);

/// poll(2) over `n` fds given as parallel arrays; revents written back. Returns poll's result or -errno.
int weft_poll(const int *fds, const short *events, short *revents, int n, int timeout_ms);

/// Constants that do not import cleanly.
static const short WEFT_POLLIN = 0x001;
static const short WEFT_POLLHUP = 0x010;
static const short WEFT_POLLERR = 0x008;
static const int WEFT_SIGTERM = 15;
static const int WEFT_SIGKILL = 9;
static const int WEFT_SIGUSR1 = 10;

/// Installs a SIGUSR1 handler that writes one byte to `fd` (a non-blocking pipe). Returns 0 or errno.
int weft_install_usr1_notifier(int fd);

/// read(2) that returns -errno on failure.
ssize_t weft_read(int fd, void *buf, size_t n);

/// Process CPU time and peak resident set helpers are read from /proc in Swift.

/// pipe2(O_CLOEXEC) with both ends blocking. Returns 0 or errno.
int weft_pipe_cloexec(int fds[2]);

/// Spawns `path` (an absolute path) with the given descriptors as stdin, stdout and stderr, in the caller's process
/// group; `cwd` may be NULL. For short helper processes such as git. The child gets PR_SET_PDEATHSIG(SIGKILL): it
/// dies when the calling *thread* ends, so call it from a thread that waits for the child (ProcessRunner does).
/// Returns 0 and sets *pid, or an errno value.
int weft_spawn_io(pid_t *pid, const char *path, const char *cwd, char *const argv[], char *const envp[], int in_fd, int out_fd,
                  int err_fd);

/// malloc_trim(0): returns freed memory in malloc's arenas to the system. Returns 1 if memory was released.
int weft_malloc_trim(void);

/// mallopt(M_ARENA_MAX, n): at most n malloc arenas (fewer arenas, less memory held by a long-lived process).
int weft_malloc_arena_max(int n);

/// The task launcher's protocol (SOCK_SEQPACKET, one message per datagram; see weft_launcher.c).
#define WEFT_LAUNCH_MAX_EXTRA_FDS 4
enum { WEFT_LAUNCH_SPAWN = 1, WEFT_LAUNCH_SIGNAL = 2, WEFT_LAUNCH_STARTED = 3, WEFT_LAUNCH_EXITED = 4 };

/// Engine → launcher: start a task (followed by cwd, argv and envp as NUL-terminated strings; the output descriptor
/// and `n_extra` descriptors, to be placed at `targets`, ride along as SCM_RIGHTS).
struct weft_launch_spawn {
    uint32_t type, id, argc, envc, grace_ms, n_extra;
    int32_t targets[WEFT_LAUNCH_MAX_EXTRA_FDS];
};

/// Engine → launcher: signal a task (SIGTERM: its group and children; SIGKILL: its whole tree).
struct weft_launch_signal {
    uint32_t type, id;
    int32_t sig;
};

/// Launcher → engine: a task started (`error` 0, `pid` as the launcher sees it) or could not; a task ended
/// (`code`, `signaled`; `error` is the errno of a failed exec, the task's exit code is then 127).
struct weft_launch_reply {
    uint32_t type, id;
    int32_t pid, error, code, signaled;
};

/// The launcher's main loop on `sock` (what `weft __task-launcher 3` runs). Returns the exit status.
int weft_launcher_main(int sock);

/// Sends a spawn request. Returns 0 or errno.
int weft_launch_send_spawn(int sock, uint32_t id, uint32_t grace_ms, const char *cwd, char *const argv[], char *const envp[],
                           int out_fd, const int *extra_fds, const int *extra_targets, int n_extra);

/// Sends a signal request. Returns 0 or errno.
int weft_launch_send_signal(int sock, uint32_t id, int sig);

/// Receives one reply: 1 when `reply` was filled, 0 at EOF (the launcher is gone), -errno on error (-EAGAIN: none yet).
int weft_launch_receive(int sock, struct weft_launch_reply *reply);

/// Spawns the launcher (or bwrap running it) in its own process group: stdin /dev/null, stdout and stderr to
/// `err_fd`, `sock_fd` as descriptor 3. Returns 0 and sets *pid, or errno.
int weft_spawn_launcher(pid_t *pid, const char *path, char *const argv[], char *const envp[], int sock_fd, int err_fd);

/// socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC). Returns 0 or errno.
int weft_socketpair(int fds[2]);

#endif
