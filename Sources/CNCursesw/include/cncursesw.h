// C shim over ncursesw for Swift: wide-character API, constants hidden in macros, accessors for globals,
// signal handling and terminal restore on crashes. Everything here is used from one thread (the main actor).
#ifndef CNCURSESW_H
#define CNCURSESW_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <stddef.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Attributes (macros in curses.h).
static const attr_t CNC_A_NORMAL = A_NORMAL;
static const attr_t CNC_A_BOLD = A_BOLD;
static const attr_t CNC_A_DIM = A_DIM;
static const attr_t CNC_A_ITALIC = A_ITALIC;
static const attr_t CNC_A_UNDERLINE = A_UNDERLINE;
static const attr_t CNC_A_REVERSE = A_REVERSE;

// Results and key codes (macros in curses.h).
static const int CNC_OK = OK;
static const int CNC_ERR = ERR;
static const int CNC_KEY_CODE_YES = KEY_CODE_YES;
static const int CNC_KEY_UP = KEY_UP;
static const int CNC_KEY_DOWN = KEY_DOWN;
static const int CNC_KEY_LEFT = KEY_LEFT;
static const int CNC_KEY_RIGHT = KEY_RIGHT;
static const int CNC_KEY_HOME = KEY_HOME;
static const int CNC_KEY_END = KEY_END;
static const int CNC_KEY_PPAGE = KEY_PPAGE;
static const int CNC_KEY_NPAGE = KEY_NPAGE;
static const int CNC_KEY_DC = KEY_DC;
static const int CNC_KEY_IC = KEY_IC;
static const int CNC_KEY_BACKSPACE = KEY_BACKSPACE;
static const int CNC_KEY_ENTER = KEY_ENTER;
static const int CNC_KEY_BTAB = KEY_BTAB;
static const int CNC_KEY_RESIZE = KEY_RESIZE;
static const int CNC_KEY_F0 = KEY_F0;
static const int CNC_KEY_SLEFT = KEY_SLEFT;
static const int CNC_KEY_SRIGHT = KEY_SRIGHT;
static const int CNC_KEY_A1 = KEY_A1;
static const int CNC_KEY_A3 = KEY_A3;
static const int CNC_KEY_B2 = KEY_B2;
static const int CNC_KEY_C1 = KEY_C1;
static const int CNC_KEY_C3 = KEY_C3;

// Maximum wide characters in one cchar_t (one spacing character plus combining ones).
static const int CNC_CCHARW_MAX = CCHARW_MAX;

// --- Screen set-up ---------------------------------------------------------------------------------------

/// newterm(term, stdout, stdin) + set_term; NULL when the terminal type is unknown (never exits, unlike initscr).
SCREEN *cnc_newterm(const char *term);
/// The standard screen window.
WINDOW *cnc_stdscr(void);
/// LINES.
int cnc_lines(void);
/// COLS.
int cnc_cols(void);
/// COLORS (0 before start_color).
int cnc_colors(void);
/// COLOR_PAIRS (0 before start_color).
int cnc_color_pairs(void);
/// getmaxyx of a window.
void cnc_getmaxyx(WINDOW *win, int *rows, int *cols);
/// The kernel's idea of the terminal size (TIOCGWINSZ on `fd`); 0 on success.
int cnc_terminal_size(int fd, int *rows, int *cols);
/// wcwidth(3) (hidden from Swift by Glibc's module).
int cnc_wcwidth(wchar_t wc);
/// Defines colour pair `pair` (extended pairs where ncurses has them); returns OK or ERR.
int cnc_init_pair(int pair, int fg, int bg);

// --- Drawing and input -----------------------------------------------------------------------------------

/// Writes one cell at (y, x) of stdscr: `count` wide characters (one spacing + combining, at most CCHARW_MAX)
/// with attributes and a colour pair. Returns OK or ERR (ERR at the bottom-right corner is harmless).
int cnc_put_cell(int y, int x, const wchar_t *wch, int count, attr_t attrs, int pair);
/// wget_wch on stdscr: OK with a character, KEY_CODE_YES with a key code, ERR when no input.
int cnc_get_wch(wint_t *out);

// --- Signals ----------------------------------------------------------------------------------------------

/// Installs SIGINT/SIGTERM/SIGHUP/SIGWINCH handlers (no SA_RESTART) that set a flag and write a byte to a
/// non-blocking pipe; returns the pipe's read end, or -1. Idempotent. A third unanswered quit signal restores
/// the terminal and kills the process.
int cnc_signals_install(void);
/// The read end of the signal pipe, or -1.
int cnc_signal_fd(void);
/// The last quit signal received since the previous call (0 for none), and resets it.
int cnc_take_quit_signal(void);
/// 1 if SIGWINCH arrived since the previous call, and resets it.
int cnc_take_winch(void);
/// Reads and discards all bytes in the signal pipe.
void cnc_drain_signal_fd(void);
/// While paused (1), SIGINT/SIGTERM/SIGHUP are noted by nobody (a child such as $EDITOR owns the terminal).
void cnc_set_quit_paused(int paused);
/// Restores the previous dispositions of the quit and resize signals.
void cnc_signals_uninstall(void);

// --- Restore on exit and crash -----------------------------------------------------------------------------

/// Saves the termios of `fd` (call before newterm) for the crash handler.
void cnc_save_termios(int fd);
/// Caches sgr0, cnorm, rmkx and rmcup from terminfo (call after newterm) for the crash handler.
void cnc_cache_restore_sequences(void);
/// Installs SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGABRT/SIGTRAP handlers that restore the terminal with write(2)
/// only, replay captured stderr, then chain to the previous handler (Swift's backtracer) or the default action.
void cnc_crash_handlers_install(void);
/// Marks curses as owning the screen (1) or not (0); restores only happen while it does.
void cnc_set_active(int active);
/// 1 while curses owns the screen.
int cnc_is_active(void);
/// Orderly restore: endwin, stop capturing stderr and replay it. Idempotent; also registered with atexit.
void cnc_restore_terminal(void);
/// Registers cnc_restore_terminal with atexit (once).
void cnc_register_atexit(void);

/// Starts sending stderr to an unlinked temporary file; 0 on success. Idempotent.
int cnc_stderr_capture_begin(void);
/// Points stderr back at the terminal and writes out what was captured. Idempotent.
void cnc_stderr_capture_end(void);

#endif
