#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>
#include "CPosix.h"

int weft_spawn_io(pid_t *pid, const char *path, const char *cwd, char *const argv[], char *const envp[], int in_fd, int out_fd,
                  int err_fd) {
    posix_spawn_file_actions_t actions;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    if (cwd != NULL) {
        rc = posix_spawn_file_actions_addchdir_np(&actions, cwd);
        if (rc != 0) goto done;
    }
    if ((rc = posix_spawn_file_actions_adddup2(&actions, in_fd, 0)) != 0) goto done;
    if ((rc = posix_spawn_file_actions_adddup2(&actions, out_fd, 1)) != 0) goto done;
    if ((rc = posix_spawn_file_actions_adddup2(&actions, err_fd, 2)) != 0) goto done;
    // Helpers start with no signal blocked and the usual dispositions: the caller blocks or ignores signals it
    // handles itself (SIGTERM, SIGPIPE, …), and a child inheriting that could not be stopped (a unit test under
    // `timeout`, git on a closed pipe).
    posix_spawnattr_t attr;
    if ((rc = posix_spawnattr_init(&attr)) != 0) goto done;
    sigset_t empty, defaults;
    sigemptyset(&empty);
    sigemptyset(&defaults);
    int sigs[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGALRM};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaddset(&defaults, sigs[i]);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
    posix_spawnattr_destroy(&attr);
done:
    posix_spawn_file_actions_destroy(&actions);
    return rc;
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
