#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
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
    rc = posix_spawn(pid, path, &actions, NULL, argv, envp);
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
