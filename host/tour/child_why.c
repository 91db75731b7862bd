/*
 * child_why.c: the child's side of the three "why" steps (step9_torn.c, step10_dead.c,
 * step11_squat.c): level 0 (memscope_level0.dll, Microsoft's sample's design, loaded by
 * name beside memscope.exe) against memscope.dll, which this child imports already.
 *
 *   whywrite 0|M NAME MS        the first why text, then both in turn for MS ms -> writes=
 *   whyread 0|M NAME MS         for MS ms, read the text  -> reads= changes= mixed= empty=
 *   whyhold spin NAME | mutex | lock    takes a lock and keeps it (the tour kills it)
 *   whytake spin NAME MS | mutex MS | lock MS   the next locker  -> err= ms=
 *   whyopen                     opens the block's named mutex (MemscopeMutexUnlock)
 *   whyl0 NAME                  level 0 on a name a squatter took -> loaded= found= wrote=
 *   whystatus                   MemscopeStatus()
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "memscope.h"
#include "child.h"
#include "why.h"

typedef VOID (__cdecl *tw_set_fn)(LPWSTR lpszBuf);
typedef VOID (__cdecl *tw_get_fn)(LPWSTR lpszBuf, DWORD cchSize);

static tw_set_fn tw_set;
static tw_get_fn tw_get;
static WCHAR tw_text[2][WHY_LONG + 1];
static WCHAR tw_buf[WHY_BUF];

/* Loads level 0 on NAME (once a process: its DllMain maps the name it finds then). */
static DWORD tw_load0(const char *name)
{
    if (tw_set != NULL)
        return ERROR_SUCCESS;
    if (!SetEnvironmentVariableA("MEMSCOPE_MINIMAL_NAME", name))
        return GetLastError();
    /* Kept loaded for the rest of the child's life: its view is the block under test. */
    static HMODULE level0;
    if ((level0 = LoadLibraryW(WHY_LEVEL0_DLL)) == NULL)
        return GetLastError();
    tw_set = (tw_set_fn)(void (*)(void))GetProcAddress(level0, "SetSharedMem");
    tw_get = (tw_get_fn)(void (*)(void))GetProcAddress(level0, "GetSharedMem");
    if (tw_set != NULL && tw_get != NULL)
        return ERROR_SUCCESS;
    DWORD err = GetLastError();
    tw_set = NULL;
    tw_get = NULL;
    if (!FreeLibrary(level0))       /* stderr: the reply line is the caller's to send */
        msg_eprintf("memscope tour-child: FreeLibrary(level 0) failed: error %lu\n",
                    (unsigned long)GetLastError());
    level0 = NULL;
    return err != ERROR_SUCCESS ? err : ERROR_PROC_NOT_FOUND;
}

static void tw_texts(void)
{
    wmemset(tw_text[0], L'A', WHY_LONG);
    tw_text[0][WHY_LONG] = 0;
    wmemset(tw_text[1], L'B', WHY_SHORT);
    tw_text[1][WHY_SHORT] = 0;
}

static double tw_ms(LARGE_INTEGER t0)
{
    LARGE_INTEGER t1, f;
    QueryPerformanceCounter(&t1);
    QueryPerformanceFrequency(&f);
    return (double)(t1.QuadPart - t0.QuadPart) * 1000.0 / (double)f.QuadPart;
}

void tc_whywrite(int argc, char **argv)
{
    BOOL l0 = argc > 2 && strcmp(argv[0], "0") == 0;
    ULONGLONG end = GetTickCount64() + (ULONGLONG)(argc > 2 ? strtoul(argv[2], NULL, 10) : 0);
    DWORD err = l0 ? tw_load0(argv[1]) : ERROR_SUCCESS;
    long writes = 0;
    tw_texts();
    if (err == ERROR_SUCCESS) {     /* the first text at once, even with MS 0 */
        if (l0)
            tw_set(tw_text[0]);
        else
            err = MemscopeSetText(tw_text[0], WHY_LONG);
        writes++;
    }
    while (err == ERROR_SUCCESS && GetTickCount64() < end)
        for (int k = 0; k < 64 && err == ERROR_SUCCESS; k++, writes++) {
            const WCHAR *w = tw_text[writes % 2];
            if (l0)
                tw_set((LPWSTR)w);
            else
                err = MemscopeSetText(w, (DWORD)wcslen(w));
        }
    if (err != ERROR_SUCCESS)
        tc_reply_err(l0 ? "LoadLibraryW(level 0)" : "MemscopeSetText", err);
    else
        tc_reply("writes=%ld", writes);
}

void tc_whyread(int argc, char **argv)
{
    BOOL l0 = argc > 2 && strcmp(argv[0], "0") == 0;
    ULONGLONG end = GetTickCount64() + (ULONGLONG)(argc > 2 ? strtoul(argv[2], NULL, 10) : 0);
    DWORD err = l0 ? tw_load0(argv[1]) : ERROR_SUCCESS;
    long reads = 0, changes = 0, mixed = 0, empty = 0;
    int last = -1;
    tw_texts();
    while (err == ERROR_SUCCESS && GetTickCount64() < end)
        for (int k = 0; k < 16 && err == ERROR_SUCCESS; k++, reads++) {
            if (l0)
                tw_get(tw_buf, WHY_BUF);
            else
                err = MemscopeGetText(tw_buf, WHY_BUF, NULL);
            int which = tw_buf[0] == 0 ? -1 : wcscmp(tw_buf, tw_text[0]) == 0 ? 0
                      : wcscmp(tw_buf, tw_text[1]) == 0 ? 1 : 2;
            empty += which == -1;
            mixed += which == 2;
            if (which >= 0 && which < 2) {
                changes += last >= 0 && which != last;
                last = which;
            }
        }
    if (err != ERROR_SUCCESS)
        tc_reply_err(l0 ? "LoadLibraryW(level 0)" : "MemscopeGetText", err);
    else
        tc_reply("reads=%ld changes=%ld mixed=%ld empty=%ld", reads, changes, mixed, empty);
}

/* A spin lock word of level 1's kind at offset 0 of a mapping: 0 free, 1 held. */
static volatile LONG *tw_word(const char *name)
{
    static volatile LONG *word;
    if (word == NULL) {
        /* Kept open for the child's life, with its view: the lock word under test. */
        static HANDLE map;
        map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
        if (map != NULL)
            word = MapViewOfFile(map, FILE_MAP_WRITE, 0, 0, 0);
    }
    return word;
}

void tc_whyhold(int argc, char **argv)
{
    const char *what = argc > 0 ? argv[0] : "";
    DWORD err = ERROR_INVALID_PARAMETER;
    if (strcmp(what, "spin") == 0 && argc > 1) {
        volatile LONG *w = tw_word(argv[1]);
        err = w == NULL ? GetLastError()
            : InterlockedCompareExchange(w, 1, 0) == 0 ? ERROR_SUCCESS : ERROR_BUSY;
    } else if (strcmp(what, "mutex") == 0) {
        err = MemscopeMutexLock(WHY_WAIT_MS);
    } else if (strcmp(what, "lock") == 0) {
        err = MemscopeLock(WHY_WAIT_MS);
    }
    tc_reply("err=%lu", (unsigned long)err);
}

void tc_whytake(int argc, char **argv)
{
    const char *what = argc > 0 ? argv[0] : "";
    DWORD ms = (DWORD)strtoul(argc > 0 ? argv[argc - 1] : "0", NULL, 10);
    DWORD err = ERROR_INVALID_PARAMETER;
    LARGE_INTEGER t0;
    QueryPerformanceCounter(&t0);
    if (strcmp(what, "spin") == 0 && argc > 2) {
        volatile LONG *w = tw_word(argv[1]);
        ULONGLONG end = GetTickCount64() + ms;
        err = w == NULL ? GetLastError() : ERROR_TIMEOUT;
        while (w != NULL && err == ERROR_TIMEOUT && GetTickCount64() < end)
            if (InterlockedCompareExchange(w, 1, 0) == 0)
                err = ERROR_SUCCESS;
            else
                SwitchToThread();
    } else if (strcmp(what, "mutex") == 0) {
        err = MemscopeMutexLock(ms);
        if (err == ERROR_SUCCESS || err == ERROR_ABANDONED_WAIT_0)
            MemscopeMutexUnlock();
    } else if (strcmp(what, "lock") == 0) {
        err = MemscopeLock(ms);
        if (err == ERROR_SUCCESS || err == ERROR_ABANDONED_WAIT_0)
            MemscopeUnlock();
    }
    tc_reply("err=%lu ms=%.1f", (unsigned long)err, tw_ms(t0));
}

void tc_whyopen(int argc, char **argv)
{
    (void)argc, (void)argv;
    tc_reply("err=%lu", (unsigned long)MemscopeMutexUnlock());
}

/* Level 0 on a name a squatter created: what it found there, and what it wrote. */
void tc_whyl0(int argc, char **argv)
{
    DWORD err = argc > 0 ? tw_load0(argv[0]) : ERROR_INVALID_PARAMETER;
    if (err != ERROR_SUCCESS) {
        tc_reply("loaded=0 err=%lu", (unsigned long)err);
        return;
    }
    tw_texts();
    tw_get(tw_buf, WHY_BUF);
    size_t found = wcslen(tw_buf);
    tw_set(tw_text[0]);
    tw_get(tw_buf, WHY_BUF);
    tc_reply("loaded=1 err=0 found=%lu wrote=%lu", (unsigned long)found,
             (unsigned long)wcslen(tw_buf));
}

void tc_whystatus(int argc, char **argv)
{
    (void)argc, (void)argv;
    tc_reply("err=%lu", (unsigned long)MemscopeStatus());
}
