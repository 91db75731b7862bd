/*
 * mutexlock.c: the classic lock, a named mutex ("<mapping name>.mutex"), kept beside the
 * block's lock (lock.c) as the baseline the tour and `make bench` compare it with.
 *
 * A named mutex is the textbook answer to "several processes must synchronise", and it gets
 * the dead owner right for free: when a thread that owns it ends (TerminateProcess included),
 * the kernel hands it to the next waiter with WAIT_ABANDONED.  Its price is that every
 * acquire and every release is a system call; under Wine each one is a round trip to
 * wineserver (a pair: 6-19 us in make bench), where the block's lock costs one
 * interlocked operation when uncontended.  Unlike the block's lock it is owned by a *thread* and is recursive.
 *
 * Opened by the processes that use it, at their first call, not at every attach: a named
 * mutex costs a create and an owner check (two wineserver round trips) and a close, which
 * every process would pay for a baseline few of them use.  The price is the classic named
 * mutex's own weakness, which this baseline shows rather than hides: a named object lives
 * only while some process holds a handle to it.  If the holder is killed while no other
 * process has the mutex open, the mutex, and its abandoned state, die with it, while the
 * data it guarded lives on in the block; the next process creates a fresh, free mutex and
 * is never told.  (The block's own lock, lock.c, lives in the block and has no such gap.)
 */
#include <wchar.h>

#include "internal.h"

static HANDLE g_mutex;   /* this process's handle, from its first use to detach */
static INIT_ONCE g_mutex_once = INIT_ONCE_STATIC_INIT;

/* mutex_open: creates or opens the named mutex "<mapping name>.mutex" (the first call of
 * MemscopeMutexLock or MemscopeMutexUnlock), with the mapping's DACL.  Returns
 * ERROR_SUCCESS, the descriptor's or CreateMutexW's error,
 * or ERROR_INVALID_OWNER (an existing mutex of another owner: not used); the exports then
 * return it. */
static DWORD mutex_open(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 8];
    ms_sec_attr attr;
    DWORD err;

    ms_name_join(name, ARRAYSIZE(name), ms_g.name, L".mutex");
    /* The same descriptor as the mapping's: this user and SYSTEM only. */
    if ((err = ms_sec_attributes(&attr, MUTEX_ALL_ACCESS)) != ERROR_SUCCESS)
        goto fail;
    g_mutex = CreateMutexW(&attr.sa, FALSE, name);
    if (g_mutex == NULL) {
        err = GetLastError();
        ms_log_win32("mutex-open", "CreateMutexW", err);
        goto fail;
    }
    /* A mutex someone else made under our name could be held for ever: refuse it. */
    if (GetLastError() == ERROR_ALREADY_EXISTS &&
        (err = ms_sec_check_owner(g_mutex, NULL)) != ERROR_SUCCESS) {
        ms_mutex_close();
        goto fail;
    }
    ms_g.mutex_status = ERROR_SUCCESS;
    return ERROR_SUCCESS;

fail:
    ms_g.mutex_status = err;
    return err;
}

/* ms_mutex_close: closes this process's handle (DLL_PROCESS_DETACH by FreeLibrary). */
void ms_mutex_close(void)
{
    if (g_mutex != NULL && !CloseHandle(g_mutex))
        ms_log_win32("mutex-close", "CloseHandle", GetLastError());
    g_mutex = NULL;
}

static BOOL CALLBACK open_once(PINIT_ONCE once, void *param, void **context)
{
    (void)once;
    (void)param;
    (void)context;
    mutex_open();
    return TRUE;
}

/* Returns the handle, opening the mutex on first use, or NULL with *err set: the block's
 * error, or why the mutex could not be opened. */
static HANDLE mutex_handle(DWORD *err)
{
    if (ms_block(err) == NULL)
        return NULL;
    InitOnceExecuteOnce(&g_mutex_once, open_once, NULL, NULL);
    if (g_mutex == NULL)
        *err = ms_g.mutex_status;
    return g_mutex;
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeMutexLock(DWORD timeoutMs)
{
    DWORD err;
    HANDLE h;
    if ((h = mutex_handle(&err)) == NULL)
        return err;
    switch (WaitForSingleObject(h, timeoutMs)) {
    case WAIT_OBJECT_0:
        return ERROR_SUCCESS;
    case WAIT_ABANDONED:
        /* Ours now, but its previous owner ended without releasing it: what it guarded may
         * be half updated.  Same answer as the block's lock gives. */
        ms_log("mutex: took over a mutex abandoned by its owner");
        return ERROR_ABANDONED_WAIT_0;
    case WAIT_TIMEOUT:
        return ERROR_TIMEOUT;
    default:
        err = GetLastError();
        ms_log_win32("mutex-wait", "WaitForSingleObject", err);
        return err;
    }
}

DWORD WINAPI MemscopeMutexUnlock(void)
{
    DWORD err;
    HANDLE h;
    if ((h = mutex_handle(&err)) == NULL)
        return err;
    if (!ReleaseMutex(h)) {
        err = GetLastError();           /* ERROR_NOT_OWNER: this thread does not hold it */
        if (err != ERROR_NOT_OWNER)
            ms_log_win32("mutex-release", "ReleaseMutex", err);
        return err;
    }
    return ERROR_SUCCESS;
}
