/*
 * msg.c: the string tables of memscope.exe, read by language id (see msg.h).
 *
 * Windows keeps a STRINGTABLE as blocks of 16 strings: block id/16 + 1 holds string id,
 * each entry a length (one WCHAR) then that many WCHARs, no terminator.  FindResourceExW
 * finds the block in exactly the language asked for, so a missing French string falls back
 * to the English one rather than to whatever the loader would pick.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

#define MSG_EN MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)
#define MSG_FR MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH)
#define MSG_MAX_ID 4096

static LANGID msg_langid;           /* 0: not chosen yet */
static BOOL msg_explicit;
static char *msg_cache[MSG_MAX_ID];

BOOL msg_set_lang(const char *code)
{
    if (strcmp(code, "en") == 0)
        msg_langid = MSG_EN;
    else if (strcmp(code, "fr") == 0)
        msg_langid = MSG_FR;
    else
        return FALSE;
    msg_explicit = TRUE;
    return TRUE;
}

static LANGID msg_current(void)
{
    if (msg_langid == 0)
        msg_langid = PRIMARYLANGID(GetUserDefaultUILanguage()) == LANG_FRENCH ? MSG_FR : MSG_EN;
    return msg_langid;
}

const char *msg_lang(void)
{
    return msg_current() == MSG_FR ? "fr" : "en";
}

BOOL msg_lang_explicit(void)
{
    return msg_explicit;
}

/* String id in language lang as UTF-16 (not terminated) and its length; NULL if absent. */
static const WCHAR *msg_find(UINT id, LANGID lang, int *len)
{
    HRSRC r = FindResourceExW(NULL, (LPCWSTR)RT_STRING, MAKEINTRESOURCEW(id / 16 + 1), lang);
    HGLOBAL g = r != NULL ? LoadResource(NULL, r) : NULL;
    const WCHAR *p = g != NULL ? (const WCHAR *)LockResource(g) : NULL;
    if (p == NULL)
        return NULL;
    for (UINT i = 0; i < id % 16; i++)
        p += 1 + *p;
    *len = *p;
    return *len > 0 ? p + 1 : NULL;
}

const char *msg(UINT id)
{
    if (id >= MSG_MAX_ID)
        return "?";
    if (msg_cache[id] != NULL)
        return msg_cache[id];
    int len = 0;
    const WCHAR *w = msg_find(id, msg_current(), &len);
    if (w == NULL)
        w = msg_find(id, MSG_EN, &len);
    if (w == NULL)
        return "?";
    int n = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (s == NULL)
        return "?";
    WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL);
    s[n] = 0;
    msg_cache[id] = s;          /* kept for the life of the process */
    return s;
}

char *msg_utf8(const WCHAR *s, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, (int)cap, NULL, NULL) == 0)
        snprintf(buf, cap, "?");
    buf[cap - 1] = 0;
    return buf;
}

char *msg_system(DWORD err, char *buf, size_t cap)
{
    WCHAR text[512];
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
    DWORD n = FormatMessageW(flags, NULL, err, msg_current(), text, ARRAYSIZE(text), NULL);
    if (n == 0)         /* the system has no message in that language: its own */
        n = FormatMessageW(flags, NULL, err, 0, text, ARRAYSIZE(text), NULL);
    while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' '))
        text[--n] = 0;
    if (n == 0 && cap > 0) {    /* no message for this code: the number is all there is */
        snprintf(buf, cap, msg(IDS_ERR_NO_TEXT), (unsigned long)err);
        return buf;
    }
    return msg_utf8(text, buf, cap);
}

char *msg_decimal(double v, int decimals, char *buf, size_t cap)
{
    char plain[64];
    WCHAR in[64], out[64], sep[8], none[1] = { 0 };
    LCID lcid = MAKELCID(msg_current(), SORT_DEFAULT);

    snprintf(plain, sizeof plain, "%.*f", decimals, v);   /* GetNumberFormatW's input */
    if (cap == 0)
        return buf;
    NUMBERFMTW f = { .NumDigits = (UINT)decimals, .LeadingZero = 1, .Grouping = 0,
                     .lpDecimalSep = sep, .lpThousandSep = none, .NegativeOrder = 1 };
    if (GetLocaleInfoW(lcid, LOCALE_SDECIMAL, sep, ARRAYSIZE(sep)) > 0 &&
        MultiByteToWideChar(CP_UTF8, 0, plain, -1, in, ARRAYSIZE(in)) > 0 &&
        GetNumberFormatW(lcid, 0, in, &f, out, ARRAYSIZE(out)) > 0)
        return msg_utf8(out, buf, cap);
    snprintf(buf, cap, "%s", plain);
    return buf;
}

int msg_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- output (see msg.h) ---------------------------------------------------------------- */

enum { MSG_UNKNOWN, MSG_CONSOLE, MSG_BYTES };

/* stdout's and stderr's way out, decided at their first write: a console handle, or bytes. */
static struct {
    int way;
    HANDLE con;
} msg_out[2];

/* 0 for stdout, 1 for stderr, -1 for any other stream. */
static int msg_stream(const FILE *f)
{
    return f == stdout ? 0 : f == stderr ? 1 : -1;
}

BOOL msg_console(const FILE *f)
{
    int i = msg_stream(f);
    if (i < 0)
        return FALSE;
    if (msg_out[i].way == MSG_UNKNOWN) {
        /* GetConsoleMode succeeds only on a console handle: a pipe, a file, NUL or no
         * handle at all (a GUI parent) fail it, and they get the bytes. */
        DWORD saved = GetLastError(), mode;
        HANDLE h = GetStdHandle(i == 0 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE);
        BOOL con = h != NULL && h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
        msg_out[i].con = con ? h : NULL;
        msg_out[i].way = con ? MSG_CONSOLE : MSG_BYTES;
        SetLastError(saved);    /* a print between a failed call and its GetLastError */
    }
    return msg_out[i].way == MSG_CONSOLE;
}

/* UTF-16 w[0..len) as UTF-8 bytes through the CRT: what WriteConsoleW did not take. */
static void msg_write_rest(FILE *f, const WCHAR *w, int len)
{
    int n = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
    char *b = n > 0 ? malloc((size_t)n) : NULL;
    if (b != NULL && WideCharToMultiByte(CP_UTF8, 0, w, len, b, n, NULL, NULL) == n)
        fwrite(b, 1, (size_t)n, f);
    free(b);
}

/* s[0..n) to stream i's console as UTF-16.  FALSE if nothing of it was written (the caller
 * writes the bytes); text after a partial write goes out as bytes here. */
static BOOL msg_write_console(FILE *f, int i, const char *s, size_t n)
{
    WCHAR local[1024], *w = local;
    if (n > INT_MAX)
        return FALSE;
    int len = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, NULL, 0);
    if (len <= 0)
        return FALSE;
    if (len > (int)ARRAYSIZE(local) && (w = malloc((size_t)len * sizeof *w)) == NULL)
        return FALSE;
    BOOL ok = MultiByteToWideChar(CP_UTF8, 0, s, (int)n, w, len) == len;
    if (ok) {
        fflush(f);      /* whatever the CRT still holds goes first */
        int at = 0;
        while (at < len) {
            DWORD done = 0;
            /* No retry of a failed call: the console is given up for good (below), and
             * every call that does write moves `at` on, so this ends. */
            if (!WriteConsoleW(msg_out[i].con, w + at, (DWORD)(len - at), &done, NULL) ||
                done == 0 || done > (DWORD)(len - at))
                break;
            at += (int)done;
        }
        if (at < len) {
            msg_out[i].way = MSG_BYTES;
            if (at == 0)
                ok = FALSE;
            else
                msg_write_rest(f, w + at, len - at);
        }
    }
    if (w != local)
        free(w);
    return ok;
}

void msg_write(FILE *f, const char *s, size_t n)
{
    int i = msg_stream(f);
    if (n == 0)
        return;
    DWORD saved = GetLastError();   /* printing does not change the caller's error */
    if (!(i >= 0 && msg_console(f) && msg_write_console(f, i, s, n)))
        fwrite(s, 1, n, f);
    SetLastError(saved);
}

void msg_fputs(const char *s, FILE *f)
{
    msg_write(f, s, strlen(s));
}

void msg_putchar(int c)
{
    char ch = (char)c;
    msg_write(stdout, &ch, 1);
}

int msg_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    if (!msg_console(f))
        return vfprintf(f, fmt, ap);    /* a pipe or a file: the bytes, as ever */
    char local[2048], *p = local;
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(local, sizeof local, fmt, ap);
    if (n >= (int)sizeof local) {
        p = malloc((size_t)n + 1);
        if (p == NULL || vsnprintf(p, (size_t)n + 1, fmt, again) != n) {
            free(p);
            p = local;
            n = (int)sizeof local - 1;      /* out of memory: what fitted */
        }
    }
    va_end(again);
    if (n > 0)
        msg_write(f, p, (size_t)n);
    if (p != local)
        free(p);
    return n;
}

int msg_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = msg_vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int msg_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = msg_vfprintf(stdout, fmt, ap);
    va_end(ap);
    return n;
}

int msg_eprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = msg_vfprintf(stderr, fmt, ap);
    va_end(ap);
    return n;
}
