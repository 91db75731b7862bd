/*
 * child_race.c: the child's side of steps 6 to 8: the block's counters, the race of
 * step 7 (every racer waits on one named event, so they really overlap), and the two
 * counters of the DLL image (step 8).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "child.h"

#define TC_GO_TIMEOUT 30000     /* ms a racer waits for the start event */

static HANDLE tc_go;            /* the start event of the race */

void tc_state(int argc, char **argv)
{
    LONGLONG counter = -1;
    DWORD len = 0, attached = 0, err;
    MEMSCOPE_LOCK_STATE st;
    (void)argc, (void)argv;
    if ((err = MemscopeCounterRead(&counter)) != ERROR_SUCCESS ||
        ((err = MemscopeGetText(NULL, 0, &len)) != ERROR_SUCCESS &&
         err != ERROR_INSUFFICIENT_BUFFER) ||
        (err = MemscopeAttachedCount(&attached)) != ERROR_SUCCESS ||
        (err = MemscopeLockState(&st)) != ERROR_SUCCESS) {
        tc_reply_err("reading the block", err);
        return;
    }
    tc_reply("counter=%lld textlen=%lu attached=%lu racy=%lld locked=%lld", (long long)counter,
             (unsigned long)len, (unsigned long)attached, (long long)st.racy,
             (long long)st.lockedTotal);
}

/* arm EVENT: opens the tour's named start event, before the rounds. */
void tc_arm(int argc, char **argv)
{
    if (tc_go != NULL && !CloseHandle(tc_go)) {
        tc_reply_err("CloseHandle", GetLastError());
        return;
    }
    tc_go = argc > 0 ? OpenEventA(SYNCHRONIZE, FALSE, argv[0]) : NULL;
    if (tc_go == NULL) {
        tc_reply_err("OpenEventA", argc > 0 ? GetLastError() : ERROR_INVALID_PARAMETER);
        return;
    }
    tc_reply("%s", "");
}

/* race MODE N: waits for the start event, then N increments the MODE way (racy, atomic,
 * locked); answers when they started and ended (QueryPerformanceCounter: one clock for
 * the whole system, so the tour can compare the children's). */
void tc_race(int argc, char **argv)
{
    const char *mode = argc > 0 ? argv[0] : "";
    long n = argc > 1 ? strtol(argv[1], NULL, 0) : 0;
    LARGE_INTEGER t0, t1;
    DWORD err = ERROR_SUCCESS;
    if (tc_go == NULL) {
        tc_reply_err("race (not armed)", ERROR_INVALID_HANDLE);
        return;
    }
    DWORD w = WaitForSingleObject(tc_go, TC_GO_TIMEOUT);
    if (w != WAIT_OBJECT_0) {
        tc_reply_err("WaitForSingleObject(start event)", w == WAIT_FAILED ? GetLastError()
                                                                           : ERROR_TIMEOUT);
        return;
    }
    QueryPerformanceCounter(&t0);       /* cannot fail on Windows XP and later */
    if (strcmp(mode, "racy") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeRacyIncrement(NULL);
    else if (strcmp(mode, "atomic") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeCounterIncrement(NULL);
    else if (strcmp(mode, "locked") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeLockedIncrement(NULL);
    else
        err = ERROR_INVALID_PARAMETER;
    QueryPerformanceCounter(&t1);
    if (err != ERROR_SUCCESS) {
        tc_reply_err(mode, err);
        return;
    }
    tc_reply("n=%ld t0=%lld t1=%lld", n, (long long)t0.QuadPart, (long long)t1.QuadPart);
}

/* Step 8: +1 on the DLL's ordinary global and on its .shared counter; the values after. */
void tc_image(int argc, char **argv)
{
    LONG global = 0, section = 0;
    DWORD err;
    const void *dll = GetModuleHandleW(L"memscope.dll");
    (void)argc, (void)argv;
    if (dll == NULL) {
        tc_reply_err("GetModuleHandleW(memscope.dll)", GetLastError());
        return;
    }
    if ((err = MemscopeGlobalIncrement(&global)) != ERROR_SUCCESS ||
        (err = MemscopeSectionIncrement(&section)) != ERROR_SUCCESS) {
        tc_reply_err("incrementing the image's counters", err);
        return;
    }
    tc_reply("global=%ld section=%ld dll=0x%" PRIxPTR, (long)global, (long)section,
             (uintptr_t)dll);
}
