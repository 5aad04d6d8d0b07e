#define _GNU_SOURCE 1
#include "cncursesw.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>
#include <ncursesw/term.h>

// ---------------------------------------------------------------------------------------------------------
// Screen set-up

SCREEN *cnc_newterm(const char *term) {
    SCREEN *screen = newterm(term, stdout, stdin);
    if (screen != NULL) set_term(screen);
    return screen;
}

WINDOW *cnc_stdscr(void) { return stdscr; }
int cnc_lines(void) { return LINES; }
int cnc_cols(void) { return COLS; }
int cnc_colors(void) { return COLORS; }
int cnc_color_pairs(void) { return COLOR_PAIRS; }

void cnc_getmaxyx(WINDOW *win, int *rows, int *cols) {
    int y = 0, x = 0;
    if (win != NULL) getmaxyx(win, y, x);
    *rows = y;
    *cols = x;
}

int cnc_terminal_size(int fd, int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return -1;
    *rows = ws.ws_row;
    *cols = ws.ws_col;
    return 0;
}

int cnc_wcwidth(wchar_t wc) { return wcwidth(wc); }

#if defined(NCURSES_VERSION_MAJOR) && (NCURSES_VERSION_MAJOR > 6 || (NCURSES_VERSION_MAJOR == 6 && NCURSES_VERSION_MINOR >= 1))
#define CNC_EXTENDED_PAIRS 1
#else
#define CNC_EXTENDED_PAIRS 0
#endif

int cnc_init_pair(int pair, int fg, int bg) {
#if CNC_EXTENDED_PAIRS
    return init_extended_pair(pair, fg, bg);
#else
    return init_pair((short)pair, (short)fg, (short)bg);
#endif
}

// ---------------------------------------------------------------------------------------------------------
// Drawing and input

int cnc_put_cell(int y, int x, const wchar_t *wch, int count, attr_t attrs, int pair) {
    wchar_t text[CCHARW_MAX + 1];
    if (count > CCHARW_MAX) count = CCHARW_MAX;
    if (count < 1) {
        text[0] = L' ';
        count = 1;
    } else {
        memcpy(text, wch, sizeof(wchar_t) * (size_t)count);
    }
    text[count] = L'\0';
    cchar_t cell;
#if CNC_EXTENDED_PAIRS
    int extended = pair;
    if (setcchar(&cell, text, attrs, (short)(pair > 32767 ? 0 : pair), &extended) == ERR) return ERR;
#else
    if (setcchar(&cell, text, attrs, (short)pair, NULL) == ERR) return ERR;
#endif
    return mvwadd_wch(stdscr, y, x, &cell);
}

int cnc_get_wch(wint_t *out) { return wget_wch(stdscr, out); }

// ---------------------------------------------------------------------------------------------------------
// Restore state shared with signal handlers

static struct termios g_saved_termios;
static volatile sig_atomic_t g_have_termios = 0;
static volatile sig_atomic_t g_termios_fd = -1;
static volatile sig_atomic_t g_active = 0;
static volatile sig_atomic_t g_emergency_done = 0;

#define CNC_SEQ_MAX 128
static char g_seq_sgr0[CNC_SEQ_MAX];
static char g_seq_cnorm[CNC_SEQ_MAX];
static char g_seq_rmkx[CNC_SEQ_MAX];
static char g_seq_rmcup[CNC_SEQ_MAX];

static volatile sig_atomic_t g_saved_stderr = -1;
static volatile sig_atomic_t g_capture_fd = -1;

void cnc_save_termios(int fd) {
    if (tcgetattr(fd, &g_saved_termios) == 0) {
        g_termios_fd = fd;
        g_have_termios = 1;
    }
}

static void copy_capability(char *dest, const char *name) {
    dest[0] = '\0';
    char *value = tigetstr(name);
    if (value == NULL || value == (char *)-1) return;
    size_t n = strlen(value);
    if (n >= CNC_SEQ_MAX) return;
    memcpy(dest, value, n + 1);
}

void cnc_cache_restore_sequences(void) {
    copy_capability(g_seq_sgr0, "sgr0");
    copy_capability(g_seq_cnorm, "cnorm");
    copy_capability(g_seq_rmkx, "rmkx");
    copy_capability(g_seq_rmcup, "rmcup");
}

void cnc_set_active(int active) {
    g_active = active ? 1 : 0;
    if (active) g_emergency_done = 0;
}

int cnc_is_active(void) { return g_active; }

// Async-signal-safe: write(2) the whole buffer.
static void write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        data += n;
        length -= (size_t)n;
    }
}

// Async-signal-safe: point stderr back at the terminal and copy out what was captured.
static void restore_stderr_signal_safe(void) {
    int capture = g_capture_fd;
    int saved = g_saved_stderr;
    if (capture < 0 || saved < 0) return;
    g_capture_fd = -1;
    g_saved_stderr = -1;
    dup2(saved, STDERR_FILENO);
    close(saved);
    if (lseek(capture, 0, SEEK_SET) == 0) {
        char chunk[4096];
        for (;;) {
            ssize_t n = read(capture, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            write_all(STDERR_FILENO, chunk, (size_t)n);
        }
    }
    close(capture);
}

// Async-signal-safe: undo what curses did to the terminal, using only cached strings and write(2).
static void emergency_restore(void) {
    if (g_emergency_done) return;
    g_emergency_done = 1;
    if (g_active) {
        write_all(STDOUT_FILENO, g_seq_sgr0, strlen(g_seq_sgr0));
        write_all(STDOUT_FILENO, g_seq_cnorm, strlen(g_seq_cnorm));
        write_all(STDOUT_FILENO, g_seq_rmkx, strlen(g_seq_rmkx));
        write_all(STDOUT_FILENO, g_seq_rmcup, strlen(g_seq_rmcup));
        write_all(STDOUT_FILENO, "\r\n", 2);
        if (g_have_termios && g_termios_fd >= 0) tcsetattr(g_termios_fd, TCSANOW, &g_saved_termios);
        g_active = 0;
    }
    restore_stderr_signal_safe();
}

int cnc_stderr_capture_begin(void) {
    if (g_capture_fd >= 0) return 0;
    const char *dir = getenv("TMPDIR");
    char path[4096];
    int len = snprintf(path, sizeof path, "%s/weft-stderr-XXXXXX", (dir != NULL && dir[0] != '\0') ? dir : "/tmp");
    if (len <= 0 || (size_t)len >= sizeof path) return -1;
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) return -1;
    unlink(path);
    fflush(stderr);
    int saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
    if (saved < 0) {
        close(fd);
        return -1;
    }
    if (dup2(fd, STDERR_FILENO) < 0) {
        close(fd);
        close(saved);
        return -1;
    }
    g_saved_stderr = saved;
    g_capture_fd = fd;
    return 0;
}

void cnc_stderr_capture_end(void) {
    if (g_capture_fd < 0) return;
    fflush(stderr);
    restore_stderr_signal_safe();
}

void cnc_restore_terminal(void) {
    if (g_active) {
        endwin();
        g_active = 0;
    }
    cnc_stderr_capture_end();
}

static void restore_at_exit(void) { cnc_restore_terminal(); }

void cnc_register_atexit(void) {
    static int registered = 0;
    if (registered) return;
    registered = 1;
    atexit(restore_at_exit);
}

// ---------------------------------------------------------------------------------------------------------
// Quit and resize signals

static int g_signal_pipe[2] = {-1, -1};
static volatile sig_atomic_t g_quit_signal = 0;
static volatile sig_atomic_t g_pending_quits = 0;
static volatile sig_atomic_t g_winch = 0;
static int g_signals_installed = 0;
static const int g_handled_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGWINCH};
#define CNC_HANDLED_COUNT ((int)(sizeof g_handled_signals / sizeof g_handled_signals[0]))
static struct sigaction g_previous_handled[CNC_HANDLED_COUNT];

static void wake_pipe(char byte) {
    if (g_signal_pipe[1] >= 0) {
        ssize_t ignored = write(g_signal_pipe[1], &byte, 1);
        (void)ignored;
    }
}

static volatile sig_atomic_t g_quit_paused = 0;

void cnc_set_quit_paused(int paused) { g_quit_paused = paused ? 1 : 0; }

static void on_quit_signal(int sig) {
    if (g_quit_paused && sig == SIGINT) return;
    int saved_errno = errno;
    g_quit_signal = sig;
    g_pending_quits = g_pending_quits + 1;
    if (g_pending_quits >= 3) {
        // The app did not react to two requests: restore the terminal and die of the signal.
        emergency_restore();
        signal(sig, SIG_DFL);
        raise(sig);
    }
    wake_pipe('q');
    errno = saved_errno;
}

static void on_winch(int sig) {
    (void)sig;
    int saved_errno = errno;
    g_winch = 1;
    wake_pipe('w');
    errno = saved_errno;
}

static int set_flags(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int cnc_signals_install(void) {
    if (g_signals_installed) return g_signal_pipe[0];
    if (pipe(g_signal_pipe) != 0) return -1;
    if (set_flags(g_signal_pipe[0]) < 0 || set_flags(g_signal_pipe[1]) < 0) {
        close(g_signal_pipe[0]);
        close(g_signal_pipe[1]);
        g_signal_pipe[0] = g_signal_pipe[1] = -1;
        return -1;
    }
    for (int i = 0; i < CNC_HANDLED_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        sigemptyset(&action.sa_mask);
        action.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR
        action.sa_handler = g_handled_signals[i] == SIGWINCH ? on_winch : on_quit_signal;
        sigaction(g_handled_signals[i], &action, &g_previous_handled[i]);
    }
    g_signals_installed = 1;
    return g_signal_pipe[0];
}

void cnc_signals_uninstall(void) {
    if (!g_signals_installed) return;
    for (int i = 0; i < CNC_HANDLED_COUNT; i++) sigaction(g_handled_signals[i], &g_previous_handled[i], NULL);
    g_signals_installed = 0;
}

int cnc_signal_fd(void) { return g_signal_pipe[0]; }

int cnc_take_quit_signal(void) {
    int sig = g_quit_signal;
    g_quit_signal = 0;
    g_pending_quits = 0;
    return sig;
}

int cnc_take_winch(void) {
    int w = g_winch;
    g_winch = 0;
    return w;
}

void cnc_drain_signal_fd(void) {
    if (g_signal_pipe[0] < 0) return;
    char chunk[64];
    while (read(g_signal_pipe[0], chunk, sizeof chunk) > 0) {
    }
}

// ---------------------------------------------------------------------------------------------------------
// Crash signals

static const int g_crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
#define CNC_CRASH_COUNT ((int)(sizeof g_crash_signals / sizeof g_crash_signals[0]))
static struct sigaction g_previous_crash[CNC_CRASH_COUNT];
static int g_crash_installed = 0;

static void on_crash(int sig, siginfo_t *info, void *context) {
    emergency_restore();
    for (int i = 0; i < CNC_CRASH_COUNT; i++) {
        if (g_crash_signals[i] != sig) continue;
        struct sigaction previous = g_previous_crash[i];
        sigaction(sig, &previous, NULL);
        if ((previous.sa_flags & SA_SIGINFO) && previous.sa_sigaction != NULL) {
            previous.sa_sigaction(sig, info, context);
            return;
        }
        if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
            previous.sa_handler(sig);
            return;
        }
        break;
    }
    // Default action: it fires as soon as this handler returns.
    signal(sig, SIG_DFL);
    raise(sig);
}

void cnc_crash_handlers_install(void) {
    if (g_crash_installed) return;
    for (int i = 0; i < CNC_CRASH_COUNT; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        action.sa_sigaction = on_crash;
        sigaction(g_crash_signals[i], &action, &g_previous_crash[i]);
    }
    g_crash_installed = 1;
}
