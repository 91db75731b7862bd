/*
 * msg.h: every sentence memscope.exe prints comes from its string tables (host/strings.rc,
 * ids in host/strings.h), in the language chosen once per process: `--lang en|fr` if given,
 * else the user's UI language (GetUserDefaultUILanguage), English when the table has no
 * such language or no such string.  The lookup is done by language id with
 * FindResourceExW, not LoadStringW (which takes the thread's language), so --lang works on
 * any system.  Strings come back as UTF-8, ready for msg_printf (below, which writes them
 * to a console or a pipe); format strings keep their printf placeholders
 * (scripts/check-strings.py checks both languages agree).
 */
#ifndef MEMSCOPE_MSG_H
#define MEMSCOPE_MSG_H

#include <windows.h>
#include <stdarg.h>
#include <stdio.h>

#include "strings.h"

/* Chooses the language: "en" or "fr".  FALSE (and nothing changes) for anything else. */
BOOL msg_set_lang(const char *code);

/* The language in use ("en" or "fr"), and whether --lang chose it. */
const char *msg_lang(void);
BOOL msg_lang_explicit(void);

/* String `id` in the chosen language, UTF-8; never NULL (an unknown id gives "?"). */
const char *msg(UINT id);

/* Converts UTF-16 to UTF-8 into buf (cap bytes, always terminated); returns buf. */
char *msg_utf8(const WCHAR *s, char *buf, size_t cap);

/* The system's message for Win32 error err (FormatMessageW), in the chosen language when
 * the system has it, else its own; UTF-8 in buf, no trailing new line; returns buf. */
char *msg_system(DWORD err, char *buf, size_t cap);

/* v with `decimals` digits after the separator of the chosen language, UTF-8 in buf (cap
 * bytes); returns buf: "17.7" in English, "17,7" in French.  The separator is the
 * language's own (GetLocaleInfoW LOCALE_SDECIMAL, applied by GetNumberFormatW with no
 * grouping, so "1234.5" stays one word); printf's "%.*f" if Windows has no answer. */
char *msg_decimal(double v, int decimals, char *buf, size_t cap);

/* Number of characters (code points) in UTF-8 text: what a terminal column counts. */
int msg_width(const char *s);

/*
 * Output.  Everything memscope.exe prints on stdout or stderr goes through these (f is
 * stdout or stderr; another stream always gets the bytes).  Text is UTF-8:
 * - when the stream's standard handle is a console (GetConsoleMode succeeds on it, decided
 *   once per stream), it is written with WriteConsoleW, as UTF-16, after an fflush of the
 *   CRT stream so the order is kept: both the Windows console and Wine's take UTF-16 that
 *   way whatever the code page, whereas bytes written to a console are decoded in a code
 *   page that Wine's console does not take from SetConsoleOutputCP ("Ã©tat" for "état");
 * - otherwise (a pipe, a file) the UTF-8 bytes go through the CRT, exactly as printf would
 *   write them.
 * If WriteConsoleW fails, that text and all later text of the stream take the byte path.
 * Each call converts its own text: a call must not end inside a UTF-8 character.
 */
BOOL msg_console(const FILE *f);
void msg_write(FILE *f, const char *s, size_t n);
void msg_fputs(const char *s, FILE *f);
void msg_putchar(int c);
int msg_vfprintf(FILE *f, const char *fmt, va_list ap);
int msg_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int msg_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int msg_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
