/*
 * lock.c: the lock that lives in the shared block (MEMSCOPE_LOCK), and the exports on it.
 *
 * Why not a named mutex: under Wine every acquire and release of a kernel object is a
 * round trip to wineserver (55-100 us), ten thousand times an interlocked operation on the
 * shared page.  Why not a plain spinlock in shared memory (Boost.Interprocess's
 * interprocess_mutex): a holder that dies leaves it locked forever.  So:
 *
 * - the owner word holds MEMSCOPE_OWNER(pid, creation-time tag): acquiring is one
 *   InterlockedCompareExchange64 from 0, which also records who the owner is;
 * - under contention a short spin, then a wait on a named auto-reset event ("<name>.lock").
 *   `waiters` is a flag, not a count: a waiter sets it to 1 before each last try and each
 *   sleep; the releaser swaps it to 0 and sets the event if it was 1, so no wake-up is lost.
 *   A waiter that wakes sets the flag again before it tries, so a sleeper it may leave behind
 *   is woken by the next release.  Why not a count of waiters: a waiter killed while it
 *   waits would never take itself off, and every release after that would pay a SetEvent (a
 *   wineserver round trip) for nobody.  A flag left by a dead waiter costs one SetEvent, once;
 * - every sleep is bounded (MS_LOCK_CHECK_MS), so even a wake-up that went astray costs a
 *   short delay, never a hang;
 * - a waiter whose wait times out checks whether the owner is still alive (procid.c); if not,
 *   it swaps the dead owner's word for its own and is told ERROR_ABANDONED_WAIT_0, the way
 *   WaitForSingleObject says WAIT_ABANDONED.  The DLL repairs its own invariants (the text's
 *   sequence counter) before it returns; the caller repairs what it guards itself.
 *
 * Not recursive: a thread that locks twice waits for itself until its timeout.
 */
#include <wchar.h>

#include "internal.h"

#define MS_LOCK_SPINS       400  /* busy tries first: a holder keeps it ~100 ns */
#define MS_LOCK_YIELDS      64   /* then tries that give the core away (SwitchToThread): on a
                                    busy machine the holder may be waiting for a core, and a
                                    yield is a system call but no wineserver round trip,
                                    unlike the event's wait and SetEvent */
#define MS_LOCK_CHECK_MS    50   /* how long a waiter sleeps before it checks the owner */

static volatile LONG64 *owner_word(MEMSCOPE_BLOCK *b)
{
    return &b->lock.owner;
}

/* Gives up on the lock's event: the lock then polls.  Says so in the status text. */
static void event_unusable(const WCHAR *name, const WCHAR *why, DWORD err)
{
    WCHAR msg[160];
    ms_log_message(err, msg, ARRAYSIZE(msg));
    ms_map_status_append(L"; lock event %ls unusable (%ls: %ls, %lu): the lock polls every "
                         L"%d ms", name, why, msg, (unsigned long)err, MS_LOCK_CHECK_MS);
}

/* ms_lock_open: creates or opens the lock's named event ("<mapping name>.lock") with
 * memscope's descriptor (security.c).  The event carries no data, only wake-ups, so an
 * unusable one degrades the lock instead of refusing the block: when the name belongs to
 * another kind of object (ERROR_INVALID_HANDLE), its DACL keeps us out (ERROR_ACCESS_DENIED)
 * or an existing event has another owner (ERROR_INVALID_OWNER), the lock works by polling
 * at MS_LOCK_CHECK_MS intervals, and the status text says why.  (A squatter's event could
 * only wake waiters early, which re-check the owner word, or never wake them, which the
 * polling covers: it cannot break mutual exclusion, which lives in the block.)
 * Returns the error, ERROR_SUCCESS when the event is in use. */
DWORD ms_lock_open(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 8];
    const WCHAR *failed = NULL;
    DWORD err;

    _snwprintf(name, ARRAYSIZE(name), L"%ls.lock", ms_g.name);
    name[ARRAYSIZE(name) - 1] = 0;
    err = ms_sec_create_event(name, FALSE, &ms_g.lock_event, &failed);
    if (err != ERROR_SUCCESS)
        event_unusable(name, failed, err);
    return err;
}

void ms_lock_close(void)
{
    if (ms_g.lock_event != NULL && !CloseHandle(ms_g.lock_event))
        ms_log_win32("lock-close", "CloseHandle", GetLastError());
    ms_g.lock_event = NULL;
}

/* Takes the lock after it is ours: counts it, and repairs what a dead owner left. */
static DWORD taken(MEMSCOPE_BLOCK *b, BOOL abandoned)
{
    b->lock.acquisitions++;
    if (!abandoned)
        return ERROR_SUCCESS;
    b->lock.abandoned++;
    ms_log("lock: took the lock over from a dead owner");
    ms_text_repair(b);
    return ERROR_ABANDONED_WAIT_0;
}

/* ms_lock_acquire: takes the block's lock, waiting at most timeout_ms (INFINITE allowed).
 * Returns ERROR_SUCCESS; ERROR_ABANDONED_WAIT_0 (taken over from a dead owner: held, and the
 * DLL's own invariants repaired); or ERROR_TIMEOUT (not held). */
DWORD ms_lock_acquire(MEMSCOPE_BLOCK *b, DWORD timeout_ms)
{
    volatile LONG64 *w = owner_word(b);
    const LONG64 me = (LONG64)ms_g.self_owner;
    ULONGLONG start;
    DWORD result;

    if (InterlockedCompareExchange64(w, me, 0) == 0)        /* the fast path */
        return taken(b, FALSE);
    for (int i = 0; i < MS_LOCK_SPINS + MS_LOCK_YIELDS; i++) {
        if (i < MS_LOCK_SPINS)
            YieldProcessor();
        else
            SwitchToThread();
        if (ms_load64(&b->lock.owner) == 0 && InterlockedCompareExchange64(w, me, 0) == 0)
            return taken(b, FALSE);
    }

    start = GetTickCount64();
    for (;;) {
        /* Mark the lock contended *before* the try: a release that follows a failed try
         * sees the mark (both are full barriers) and sets the event. */
        InterlockedExchange(&b->lock.waiters, 1);
        LONG64 cur = InterlockedCompareExchange64(w, me, 0);
        if (cur == 0) {
            result = taken(b, FALSE);
            break;
        }
        ULONGLONG waited = GetTickCount64() - start;
        if (timeout_ms != INFINITE && waited >= timeout_ms) {
            result = ERROR_TIMEOUT;
            break;
        }
        DWORD slice = MS_LOCK_CHECK_MS;
        if (timeout_ms != INFINITE && timeout_ms - waited < slice)
            slice = (DWORD)(timeout_ms - waited);
        DWORD wr = WAIT_TIMEOUT;
        if (ms_g.lock_event != NULL) {
            wr = WaitForSingleObject(ms_g.lock_event, slice);
            if (wr == WAIT_FAILED) {
                ms_log_win32("lock-wait", "WaitForSingleObject", GetLastError());
                Sleep(slice);
                wr = WAIT_TIMEOUT;
            }
        } else {
            Sleep(slice);
        }
        /* Nobody released it for a whole slice: is the owner still there? */
        if (wr == WAIT_TIMEOUT) {
            cur = ms_load64(&b->lock.owner);
            if (cur != 0 && ms_proc_owner_dead((uint64_t)cur) &&
                InterlockedCompareExchange64(w, me, cur) == cur) {
                result = taken(b, TRUE);
                break;
            }
        }
    }
    return result;
}

/* ms_lock_release: frees the lock (the caller holds it) and, if the lock was marked
 * contended, clears the mark and wakes one waiter.  Uncontended: one exchange and one
 * plain read. */
void ms_lock_release(MEMSCOPE_BLOCK *b)
{
    InterlockedExchange64(owner_word(b), 0);
    if (ms_load32(&b->lock.waiters) != 0 && InterlockedExchange(&b->lock.waiters, 0) != 0 &&
        ms_g.lock_event != NULL && !SetEvent(ms_g.lock_event))
        ms_log_win32("lock-release", "SetEvent", GetLastError());
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeLock(DWORD timeoutMs)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    return b != NULL ? ms_lock_acquire(b, timeoutMs) : err;
}

DWORD WINAPI MemscopeUnlock(void)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    /* ms_load64: a plain 64-bit read may tear on i686. */
    if ((uint64_t)ms_load64(&b->lock.owner) != ms_g.self_owner)
        return ERROR_NOT_OWNER;
    ms_lock_release(b);
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeLockedIncrement(LONGLONG *pValue)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    err = ms_lock_acquire(b, INFINITE);
    if (err != ERROR_SUCCESS && err != ERROR_ABANDONED_WAIT_0)
        return err;
    LONGLONG v = ++b->locked_total;
    ms_lock_release(b);
    if (pValue != NULL)
        *pValue = v;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeLockState(MEMSCOPE_LOCK_STATE *pState)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (pState == NULL)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    uint64_t w = (uint64_t)InterlockedCompareExchange64(owner_word(b), 0, 0);
    pState->ownerPid = MEMSCOPE_OWNER_PID(w);
    pState->waiters = ms_load32(&b->lock.waiters);
    pState->abandoned = ms_load32(&b->lock.abandoned);
    pState->lockedTotal = InterlockedCompareExchange64((volatile LONG64 *)&b->locked_total, 0, 0);
    pState->racy = InterlockedCompareExchange64((volatile LONG64 *)&b->racy, 0, 0);
    return ERROR_SUCCESS;
}
