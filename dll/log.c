/*
 * log.c: how the DLL reports a failure.  Every Win32 failure goes through ms_log_win32 with a
 * tag naming the call site, the call's name and FormatMessage's text; every line carries the
 * process id.  Lines go to OutputDebugString always (a debugger sees them) and to stderr when
 * the environment variable MEMSCOPE_TRACE is set to a non-empty value other than 0: a
 * library should not write on its host's console unasked.
 */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

/* ms_log_message: FormatMessage's text for err, without its trailing CR LF, into buf (cch
 * WCHARs).  Returns the length.  On failure of FormatMessage itself writes "error N". */
DWORD ms_log_message(DWORD err, WCHAR *buf, DWORD cch)
{
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             err, MAKELANGID(LANG_NEUTRAL, SUBLANG_DEFAULT), buf, cch, NULL);
    if (n == 0)
        n = (DWORD)_snwprintf(buf, cch, L"error %lu", (unsigned long)err);
    while (n > 0 && (buf[n - 1] == L'\n' || buf[n - 1] == L'\r' || buf[n - 1] == L' '))
        buf[--n] = 0;
    return n;
}

static BOOL trace_enabled(void)
{
    WCHAR v[8];
    DWORD n = GetEnvironmentVariableW(L"MEMSCOPE_TRACE", v, 8);
    return n > 0 && n < 8 && !(n == 1 && v[0] == L'0');
}

static void emit(const char *line)
{
    OutputDebugStringA(line);
    if (trace_enabled()) {
        HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
        DWORD written;
        if (err != NULL && err != INVALID_HANDLE_VALUE)
            WriteFile(err, line, (DWORD)strlen(line), &written, NULL); /* best effort */
    }
}

#define MS_LOG_KEPT 16
static struct {
    const char *tag, *call, *note;   /* string constants */
    DWORD err;
} g_kept[MS_LOG_KEPT];
static LONG g_nkept;
static volatile LONG g_defer;

/* ms_log_defer: on, lines are only recorded (DllMain); off, they are written. */
void ms_log_defer(BOOL on)
{
    InterlockedExchange(&g_defer, on ? 1 : 0);
}

/* Records a line for ms_log_flush.  Returns TRUE if it did (deferring). */
static BOOL keep(const char *tag, const char *call, const char *note, DWORD err)
{
    if (!g_defer)
        return FALSE;
    LONG i = InterlockedIncrement(&g_nkept) - 1;
    if (i < MS_LOG_KEPT) {
        g_kept[i].tag = tag;
        g_kept[i].call = call;
        g_kept[i].note = note;
        g_kept[i].err = err;
    }
    return TRUE;
}

/* ms_log_flush: stops deferring and writes the lines recorded meanwhile (the first call). */
void ms_log_flush(void)
{
    ms_log_defer(FALSE);
    LONG n = InterlockedExchange(&g_nkept, 0);
    for (LONG i = 0; i < n && i < MS_LOG_KEPT; i++) {
        if (g_kept[i].call != NULL)
            ms_log_win32(g_kept[i].tag, g_kept[i].call, g_kept[i].err);
        else
            ms_log("%s: %s", g_kept[i].tag, g_kept[i].note);
    }
    if (n > MS_LOG_KEPT)
        ms_log("log: %ld more lines from DllMain were lost", (long)(n - MS_LOG_KEPT));
}

/* ms_log_note: a line without a Win32 error; note is a string constant. */
void ms_log_note(const char *tag, const char *note)
{
    if (!keep(tag, NULL, note, 0))
        ms_log("%s: %s", tag, note);
}

void ms_log(const char *fmt, ...)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "memscope[%lu] ", (unsigned long)GetCurrentProcessId());
    if (n < 0)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    /* Two bytes kept back for the newline and its NUL. */
    vsnprintf(line + n, sizeof line - (size_t)n - 2, fmt, ap);
    va_end(ap);
    size_t len = strlen(line);
    line[len] = '\n';
    line[len + 1] = 0;
    emit(line);
}

void ms_log_win32(const char *tag, const char *call, DWORD err)
{
    WCHAR msg[256];
    if (keep(tag, call, NULL, err))
        return;
    char utf8[512];
    ms_log_message(err, msg, 256);
    if (WideCharToMultiByte(CP_UTF8, 0, msg, -1, utf8, sizeof utf8, NULL, NULL) == 0)
        snprintf(utf8, sizeof utf8, "error %lu", (unsigned long)err);
    ms_log("%s: %s failed: %s (%lu)", tag, call, utf8, (unsigned long)err);
}
