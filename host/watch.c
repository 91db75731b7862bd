/*
 * watch.c: `memscope watch`: a live view of the shared block, for a second console.
 *
 * It redraws when the block changes, without polling: the DLL sets the named manual-reset
 * event "<block name>.changed" (dll/notify.c) when the text or the list of attached
 * processes changes.  The counters change too often for an event (a SetEvent per increment
 * would cost thousands of times the increment), so the view also refreshes once a second,
 * a timed wait rather than a busy loop.
 *
 * Quits on q or Ctrl-C.  In a console it reads key events; when stdin is a pipe or a file
 * (no console, as under some Wine set-ups), a thread reads it and quits on q or end of file.
 * When stdout is a console the view is redrawn in place; otherwise each refresh is printed
 * as a frame after a "--- refresh N (reason) ---" line.
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#include "memscope.h"
#include "msg.h"
#include "tour.h"

#define WATCH_TIMER_MS 1000

static HANDLE g_quit;   /* manual-reset: set by Ctrl-C, q, or the end of stdin */

/* Runs on a thread of its own, which the system starts for each console control event:
 * it only sets g_quit (setting it twice is harmless) and never prints, so watch_main alone
 * says it stopped. */
static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT || type == CTRL_CLOSE_EVENT) {
        SetEvent(g_quit);
        return TRUE;
    }
    return FALSE;
}

/* stdin is not a console: read it on a thread (a pipe cannot be waited on). */
static DWORD WINAPI stdin_reader(void *arg)
{
    HANDLE in = arg;
    char ch;
    DWORD got;
    while (ReadFile(in, &ch, 1, &got, NULL) && got == 1)
        if (ch == 'q' || ch == 'Q')
            break;
    SetEvent(g_quit);      /* q, end of file, or a read error: quit */
    return 0;
}

/* A console had input: TRUE if it was the q key. */
static BOOL console_q(HANDLE in)
{
    INPUT_RECORD rec[16];
    DWORD n = 0;
    if (!ReadConsoleInputW(in, rec, 16, &n))
        return FALSE;
    for (DWORD i = 0; i < n; i++)
        if (rec[i].EventType == KEY_EVENT && rec[i].Event.KeyEvent.bKeyDown &&
            (rec[i].Event.KeyEvent.uChar.UnicodeChar == L'q' ||
             rec[i].Event.KeyEvent.uChar.UnicodeChar == L'Q'))
            return TRUE;
    return FALSE;
}

/* Clears a console screen buffer and puts the cursor home, so a frame redraws in place. */
static void clear_console(HANDLE out)
{
    CONSOLE_SCREEN_BUFFER_INFO csbi;
    COORD home = { 0, 0 };
    DWORD n;
    if (!GetConsoleScreenBufferInfo(out, &csbi))
        return;
    DWORD cells = (DWORD)csbi.dwSize.X * (DWORD)csbi.dwSize.Y;
    FillConsoleOutputCharacterW(out, L' ', cells, home, &n);
    FillConsoleOutputAttribute(out, csbi.wAttributes, cells, home, &n);
    SetConsoleCursorPosition(out, home);
}

/* Prints w like everything else, through msg_fputs (msg.h): WriteConsoleW on a console. */
static void print_utf8(const WCHAR *w)
{
    char buf[4 * 256];  /* UTF-8 of up to 256 UTF-16 units */
    msg_fputs(msg_utf8(w, buf, sizeof buf), stdout);
}

/* One frame: everything read through the DLL's accessors at this moment. */
static void draw(const MEMSCOPE_INFO *info, unsigned long frame, const char *reason)
{
    WCHAR text[MEMSCOPE_TEXT_CAPACITY];
    DWORD len = 0, n = 0;
    LONGLONG counter = 0;
    LONG global = 0, section = 0;
    MEMSCOPE_LOCK_STATE ls = { 0 };
    MEMSCOPE_PROCESS list[MEMSCOPE_SLOTS];
    SYSTEMTIME now;

    GetLocalTime(&now);
    char name8[3 * (MEMSCOPE_NAME_MAX + 1)], image[3 * MAX_PATH];
    msg_printf(msg(IDS_WATCH_TITLE), msg_utf8(info->name, name8, sizeof name8));
    msg_printf(msg(IDS_WATCH_REFRESH_AT), frame, reason, now.wHour, now.wMinute, now.wSecond);
    DWORD err = MemscopeGetText(text, MEMSCOPE_TEXT_CAPACITY, &len);
    if (err != ERROR_SUCCESS)
        swprintf(text, MEMSCOPE_TEXT_CAPACITY, L"(MemscopeGetText: %lu)", (unsigned long)err);
    if (len > 200)
        wcscpy(text + 197, L"...");
    msg_printf(msg(IDS_WATCH_TEXT), (unsigned long)len);
    print_utf8(text);
    msg_printf("\"\n");
    MemscopeCounterRead(&counter);
    MemscopeLockState(&ls);
    MemscopeImageCounters(&global, &section);
    msg_printf(msg(IDS_WATCH_COUNTER), (long long)counter,
               (long long)ls.racy, (long long)ls.lockedTotal);
    if (ls.ownerPid != 0)
        msg_printf(msg(IDS_WATCH_LOCK_HELD), (unsigned long)ls.ownerPid,
                   (long)ls.waiters);
    else
        msg_fputs(msg(IDS_WATCH_LOCK_FREE), stdout);
    msg_printf(msg(IDS_WATCH_SECTION), (long)section);
    MemscopeListProcesses(list, MEMSCOPE_SLOTS, &n);
    msg_printf(msg(IDS_WATCH_ATTACHED), (unsigned long)n,
               (unsigned long)info->creatorPid);
    msg_fputs(msg(IDS_WATCH_HEAD), stdout);
    for (DWORD i = 0; i < n && i < MEMSCOPE_SLOTS; i++)
        msg_printf("  %-5lu %-8lu %s%s\n", (unsigned long)list[i].slot,
                   (unsigned long)list[i].pid,
                   msg_utf8(list[i].image, image, sizeof image),
                   list[i].pid == info->pid ? msg(IDS_WATCH_THIS) : "");
    fflush(stdout);
}

int watch_main(int argc, char **argv)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE), out = GetStdHandle(STD_OUTPUT_HANDLE);
    HANDLE changed = NULL, reader = NULL, waits[3];
    DWORD mode, old_mode = 0, err, nwait = 2;
    BOOL con_in = FALSE, con_out;
    int rc = 1;

    (void)argv;
    if (argc != 1) {
        msg_fputs(msg(IDS_WATCH_USAGE), stderr);
        return EXIT_USAGE;
    }
    if ((err = MemscopeGetInfo(&info)) != ERROR_SUCCESS)
        return host_fail("MemscopeGetInfo", err);
    if (info.status != ERROR_SUCCESS)
        return host_fail(msg(IDS_WATCH_ATTACHING), info.status);
    if ((g_quit = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
        return host_fail("CreateEventW", GetLastError());
    /* Asking for the event makes this process a watcher: from now on, every process that
     * changes the block sets it (with no watcher, nobody pays for a SetEvent). */
    if ((err = MemscopeChangeEvent(&changed)) != ERROR_SUCCESS) {
        changed = NULL;
        rc = host_fail("MemscopeChangeEvent", err);
        goto cleanup;
    }
    if (!SetConsoleCtrlHandler(on_ctrl, TRUE)) {
        rc = host_fail("SetConsoleCtrlHandler", GetLastError());
        goto cleanup;
    }
    con_in = GetConsoleMode(in, &old_mode);
    /* Redrawn in place exactly when msg.h writes stdout to the console (the same
     * GetConsoleMode test, made once): the frame's text and the clearing then both go
     * through console calls on the same handle. */
    con_out = msg_console(stdout);
    waits[0] = g_quit;
    waits[1] = changed;
    if (con_in) {
        /* Keys one by one (no line editing); Ctrl-C still goes to on_ctrl. */
        mode = ENABLE_PROCESSED_INPUT;
        if (!SetConsoleMode(in, mode)) {
            rc = host_fail("SetConsoleMode", GetLastError());
            goto cleanup;
        }
        waits[nwait++] = in;
    } else if (in != NULL && in != INVALID_HANDLE_VALUE) {
        if ((reader = CreateThread(NULL, 0, stdin_reader, in, 0, NULL)) == NULL) {
            rc = host_fail("CreateThread", GetLastError());
            goto cleanup;
        }
    }

    const char *reason = msg(IDS_WATCH_START);
    for (unsigned long frame = 1;; frame++) {
        /* Reset before reading: a change after this point sets it again. */
        if (!ResetEvent(changed)) {
            rc = host_fail("ResetEvent", GetLastError());
            goto cleanup;
        }
        if (con_out)
            clear_console(out);
        else
            msg_printf(msg(IDS_WATCH_REFRESH), frame, reason);
        draw(&info, frame, reason);
        for (;;) {
            DWORD w = WaitForMultipleObjects(nwait, waits, FALSE, WATCH_TIMER_MS);
            if (w == WAIT_OBJECT_0) {
                rc = 0;
                goto cleanup;
            } else if (w == WAIT_OBJECT_0 + 1) {
                reason = msg(IDS_WATCH_CHANGED);
            } else if (w == WAIT_OBJECT_0 + 2) {
                if (console_q(in)) {
                    rc = 0;
                    goto cleanup;
                }
                continue;               /* another key: nothing to redraw */
            } else if (w == WAIT_TIMEOUT) {
                reason = msg(IDS_WATCH_TIMER);
            } else {
                rc = host_fail("WaitForMultipleObjects", GetLastError());
                goto cleanup;
            }
            break;
        }
    }

cleanup:   /* every way out (q, Ctrl-C, end of input, a failure) passes here once */
    if (con_in)
        SetConsoleMode(in, old_mode);
    msg_fputs(msg(IDS_WATCH_STOPPED), stdout);
    fflush(stdout);
    /* The reader thread may be blocked in ReadFile: the process exit ends it. */
    if (reader != NULL)
        CloseHandle(reader);
    if (changed != NULL)
        CloseHandle(changed);
    CloseHandle(g_quit);
    return rc;
}
