// weft-launcher: a run's task launcher as a small program of its own (see weft_launcher.c). The local engine
// starts it once per run, inside the run's sandbox when it has one; it starts each of the run's tasks on request.
// `weft __task-launcher 3` runs the same loop; this binary only spares the start of the whole weft executable
// (its loader, relocations and runtime set-up) and makes every fork of a keeper cheaper.
#include "CPosix.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char *end = NULL;
    long fd = argc == 3 && strcmp(argv[1], "__task-launcher") == 0 ? strtol(argv[2], &end, 10) : -1;
    if (fd < 0 || fd > 1024 || end == NULL || *end != '\0') {
        fprintf(stderr, "weft-launcher: started by Weft's local engine only (usage: weft-launcher __task-launcher FD)\n");
        return 2;
    }
    return weft_launcher_main((int)fd);
}
