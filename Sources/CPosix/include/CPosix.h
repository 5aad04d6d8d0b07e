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

#endif
