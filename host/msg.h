/*
 * msg.h: every sentence memscope.exe prints comes from its string tables (host/strings.rc,
 * ids in host/strings.h), in the language chosen once per process: `--lang en|fr` if given,
 * else the user's UI language (GetUserDefaultUILanguage), English when the table has no
 * such language or no such string.  The lookup is done by language id with
 * FindResourceExW, not LoadStringW (which takes the thread's language), so --lang works on
 * any system.  Strings come back as UTF-8, ready for printf; format strings keep their
 * printf placeholders (scripts/check-strings.sh checks both languages agree).
 */
#ifndef MEMSCOPE_MSG_H
#define MEMSCOPE_MSG_H

#include <windows.h>

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

#endif
