/*
 * lock.c: the lock that lives in the shared block (MEMSCOPE_LOCK), and the exports on it.
 *
 * Why not a named mutex: under Wine every acquire and release of a kernel object is a
 * round trip to wineserver (55-100 us), ten thousand times an interlocked operation on the
 * shared page.  Why not a plain spinlock in shared memory (Boost.Interprocess's
 * interprocess_mutex): a holder that dies leaves it locked forever.  So:
 *
 * - the owner word names the holding *thread*, MEMSCOPE_OWNER(thread id, creation-time
 *   tag) (procid.c): acquiring is one InterlockedCompareExchange64 from 0, releasing one
 *   from the caller's own word back to 0, so only the holder can release (anyone else,
 *   another thread of the same process included, gets ERROR_NOT_OWNER), and a holder that
 *   asks again is told ERROR_POSSIBLE_DEADLOCK instead of waiting for itself;
 * - under contention a waiter backs off in three stages, each leaving more to the holder:
 *   it spins a few microseconds reading (not writing) the owner word, yields its core for
 *   50 us, then sleeps 1 ms between tries for up to 5 ms (MS_LOCK_POLL_MS).  Only then does
 *   it park on a named auto-reset event ("<name>.lock", opened at the first park, not in
 *   DllMain), which the releaser must set.  Why not park at once: under Wine a park costs
 *   two wineserver round trips (the wait, and the releaser's SetEvent: 30-45 us each), and
 *   the releaser pays its share on the lock's critical path; a sleeping poller costs the
 *   releaser nothing and leaves it the core and the cache line.  Why park at all: a waiter
 *   behind a holder that keeps the lock for long then burns no CPU, and is woken at once;
 * - `waiters` counts the parked waiters.  A waiter adds itself *before* its last try and
 *   its wait; a releaser that finds the count above 0 takes one off and sets the event,
 *   so an unlock that nobody waits for pays no SetEvent, and no wake-up is lost (both
 *   sides are full barriers).  A waiter whose wait times out takes itself off.  A waiter
 *   killed while parked is taken off by the next release, at the price of one SetEvent
 *   for nobody: the count never stays wrong;
 * - the owner's liveness is checked by elapsed time (the first time a waiter parks, then
 *   every MS_LOCK_CHECK_MS), never by the wait's result: an event that wakes too often (a
 *   squatter's manual-reset event under our name) or never cannot stop the check;
 * - a dead owner (its thread ended, its process died, or its id now names another thread)
 *   is swapped for the waiter's own word, which is told ERROR_ABANDONED_WAIT_0, the way
 *   WaitForSingleObject says WAIT_ABANDONED.  A process that unloads the DLL or exits while
 *   one of its threads holds the lock leaves MEMSCOPE_LOCK_ABANDONED (ms_lock_detach): free,
 *   and the next owner is told the same without waiting for a liveness check;
 * - the timeout covers everything, spin included; 0 is one try (which does take a dead
 *   owner's lock over) and marks nothing.
 *
 * The lock knows nothing of the data it guards: it reports an abandonment and the caller
 * decides what repair means (the DLL's text needs none: text.c).
 */
#include "internal.h"

#define MS_LOCK_SPINS       200  /* busy reads first (a few us of `pause`): a holder keeps it
                                    ~100 ns, so a contended lock often changes hands here */
#define MS_LOCK_YIELD_US    50   /* then tries that give the core away (SwitchToThread): on a
                                    busy machine the holder may be waiting for a core */
#define MS_LOCK_POLL_MS     5    /* then Sleep(1) between tries, for up to 5 ms of waiting:
                                    the waiter leaves the core and the cache line to the
                                    holder, and the releaser pays nothing to wake it */
#define MS_LOCK_CHECK_MS    250  /* how often a parked waiter checks the owner's liveness:
                                    a check is four system calls (OpenThread, a zero wait,
                                    GetThreadTimes, CloseHandle), which a waiter behind a
                                    live holder should not pay 20 times a second; a dead
                                    owner is still taken over well within a second */
#define MS_LOCK_NOEVENT_MS  50   /* without a usable event a waiter sleeps this long between
                                    tries (the status text says "polls every 50 ms") */
#define MS_LOCK_EARLY_WAKES 8    /* wake-ups in a row that find the lock still held before a
                                    waiter stops trusting the event and sleeps instead */

static HANDLE g_event;           /* the lock's event, once opened (g_event_once) */
static DWORD g_event_err;        /* why it could not be used, or ERROR_SUCCESS */
static const WCHAR *g_event_failed; /* what failed, for MemscopeStatusText */
static INIT_ONCE g_event_once = INIT_ONCE_STATIC_INIT;
/* The owner word of this process's thread that holds the lock, 0 if none: what
 * ms_lock_detach hands over as abandoned.  Process-local, written only by the holder. */
static volatile LONG64 g_held;

/* Opens "<mapping name>.lock" with memscope's descriptor (security.c).  The event carries
 * no data, only wake-ups, so an unusable one degrades the lock instead of refusing the
 * block: when the name belongs to another kind of object (ERROR_INVALID_HANDLE), its DACL
 * keeps us out (ERROR_ACCESS_DENIED) or an existing event has another owner
 * (ERROR_INVALID_OWNER), waiters sleep MS_LOCK_NOEVENT_MS at a time, and the status text
 * says why.  A squatter's event can only wake waiters early or never: it cannot break
 * exclusion, which lives in the owner word. */
static BOOL CALLBACK open_event(PINIT_ONCE once, void *param, void **context)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 8];
    (void)once;
    (void)param;
    (void)context;
    ms_name_join(name, ARRAYSIZE(name), ms_g.name, L".lock");
    g_event_err = ms_sec_create_event(name, FALSE, &g_event, &g_event_failed);
    return TRUE;
}

static HANDLE lock_event(void)
{
    InitOnceExecuteOnce(&g_event_once, open_event, NULL, NULL);
    return g_event;
}

/* ms_lock_event_status: ERROR_SUCCESS, or why the lock's event is not used; OUT *failed:
 * what failed.  Asks nothing of the system: an event never needed is never opened. */
DWORD ms_lock_event_status(const WCHAR **failed)
{
    BOOL pending = FALSE;
    if (!InitOnceBeginInitialize(&g_event_once, INIT_ONCE_CHECK_ONLY, &pending, NULL) ||
        g_event_err == ERROR_SUCCESS)
        return ERROR_SUCCESS;
    *failed = g_event_failed;
    return g_event_err;
}

/* The lock is ours (cur was the word we swapped out): count it, remember it for
 * ms_lock_detach, and say whether its last owner abandoned it. */
static DWORD taken(MEMSCOPE_BLOCK *b, uint64_t me, BOOL abandoned)
{
    g_held = (LONG64)me;
    b->lock.acquisitions++;
    if (!abandoned)
        return ERROR_SUCCESS;
    b->lock.abandoned++;
    ms_log("lock: took the lock over from a dead owner");
    return ERROR_ABANDONED_WAIT_0;
}

/* One try: takes a free or abandoned lock.  Returns TRUE if taken; OUT *cur: the owner word
 * found (0 or MEMSCOPE_LOCK_ABANDONED when taken). */
static BOOL try_take(volatile LONG64 *w, uint64_t me, LONG64 *cur)
{
    *cur = InterlockedCompareExchange64(w, (LONG64)me, 0);
    if (*cur == 0)
        return TRUE;
    if (*cur == (LONG64)MEMSCOPE_LOCK_ABANDONED)
        return InterlockedCompareExchange64(w, (LONG64)me, *cur) == *cur;
    return FALSE;
}

/* Takes the lock from the owner `cur` if that owner is dead.  Returns TRUE if taken. */
static BOOL take_over(volatile LONG64 *w, uint64_t me, LONG64 cur)
{
    return cur != 0 && ms_thread_owner_dead((uint64_t)cur, me) &&
           InterlockedCompareExchange64(w, (LONG64)me, cur) == cur;
}

/* Free or abandoned: worth a compare-exchange.  (A plain read: spinning on a write would
 * take the cache line away from the holder at every turn.) */
static BOOL looks_free(volatile LONG64 *w)
{
    LONG64 v = ms_load64(w);
    return v == 0 || v == (LONG64)MEMSCOPE_LOCK_ABANDONED;
}

/* Takes one parked waiter off the count, if there is one.  Returns TRUE if it did. */
static BOOL unpark_one(volatile LONG *parked)
{
    for (LONG v = ms_load32(parked); v > 0; v = ms_load32(parked))
        if (InterlockedCompareExchange(parked, v - 1, v) == v)
            return TRUE;
    return FALSE;
}

/* ms_lock_acquire: takes the block's lock for the calling thread, waiting at most
 * timeout_ms in all (INFINITE allowed; 0 = one try).  OUT *self: the calling thread's owner
 * word, which ms_lock_release takes back (0 if it could not be read).  Returns ERROR_SUCCESS;
 * ERROR_ABANDONED_WAIT_0 (held; its last owner ended without unlocking); ERROR_TIMEOUT
 * (not held); ERROR_POSSIBLE_DEADLOCK (the calling thread holds it already); or the error
 * of reading the calling thread's identity (not held). */
DWORD ms_lock_acquire(MEMSCOPE_BLOCK *b, DWORD timeout_ms, uint64_t *self)
{
    volatile LONG64 *w = &b->lock.owner;
    ULONGLONG start = GetTickCount64(), last_check = 0;
    uint64_t me;
    LONG64 cur;
    int early_wakes = 0;
    DWORD err = ms_thread_self(&me);

    *self = me;
    if (err != ERROR_SUCCESS)
        return err;
    if (try_take(w, me, &cur))                               /* the fast path */
        return taken(b, me, cur != 0);
    if ((uint64_t)cur == me)
        return ERROR_POSSIBLE_DEADLOCK;
    if (timeout_ms == 0)                                     /* one try, no mark */
        return take_over(w, me, cur) ? taken(b, me, TRUE) : ERROR_TIMEOUT;

    for (int i = 0; i < MS_LOCK_SPINS; i++) {
        YieldProcessor();
        if (looks_free(w) && try_take(w, me, &cur))
            return taken(b, me, cur != 0);
    }
    LARGE_INTEGER freq, t0, t;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    do {
        SwitchToThread();
        if (looks_free(w) && try_take(w, me, &cur))
            return taken(b, me, cur != 0);
        QueryPerformanceCounter(&t);
    } while ((t.QuadPart - t0.QuadPart) * 1000000 < MS_LOCK_YIELD_US * freq.QuadPart);
    for (;;) {
        ULONGLONG waited = GetTickCount64() - start;
        if (waited >= MS_LOCK_POLL_MS || (timeout_ms != INFINITE && waited >= timeout_ms))
            break;
        Sleep(1);
        if (looks_free(w) && try_take(w, me, &cur))
            return taken(b, me, cur != 0);
    }

    for (;;) {
        HANDLE ev = early_wakes < MS_LOCK_EARLY_WAKES ? lock_event() : NULL;
        /* Count ourselves parked *before* the last try: a release that follows a failed
         * try sees the count (both are full barriers) and sets the event. */
        if (ev != NULL)
            InterlockedIncrement(&b->lock.waiters);
        if (try_take(w, me, &cur)) {
            if (ev != NULL)
                unpark_one(&b->lock.waiters);
            return taken(b, me, cur != 0);
        }
        ULONGLONG now = GetTickCount64();
        DWORD verdict = ERROR_SUCCESS;
        if (last_check == 0 || now - last_check >= MS_LOCK_CHECK_MS) {
            last_check = now;
            if (take_over(w, me, cur))
                verdict = ERROR_ABANDONED_WAIT_0;
        }
        ULONGLONG waited = now - start;
        if (verdict == ERROR_SUCCESS && timeout_ms != INFINITE && waited >= timeout_ms)
            verdict = ERROR_TIMEOUT;
        if (verdict != ERROR_SUCCESS) {
            if (ev != NULL)
                unpark_one(&b->lock.waiters);
            return verdict == ERROR_ABANDONED_WAIT_0 ? taken(b, me, TRUE) : verdict;
        }
        DWORD slice = ev != NULL ? MS_LOCK_CHECK_MS : MS_LOCK_NOEVENT_MS;
        if (timeout_ms != INFINITE && timeout_ms - waited < slice)
            slice = (DWORD)(timeout_ms - waited);
        if (ev == NULL) {
            Sleep(slice);
            continue;
        }
        DWORD wr = WaitForSingleObject(ev, slice);
        if (wr == WAIT_OBJECT_0) {
            /* A releaser took us off the count.  Woken, yet still held: count it, so an
             * event that wakes us for nothing (a squatter's manual-reset event) is soon
             * given up for plain sleeps. */
            early_wakes = looks_free(w) ? 0 : early_wakes + 1;
        } else {
            if (wr == WAIT_FAILED)
                ms_log_win32("lock-wait", "WaitForSingleObject", GetLastError());
            unpark_one(&b->lock.waiters);   /* nobody took us off: we do */
        }
    }
}

/* Wakes one parked waiter, if any: takes it off the count and sets the event. */
static void wake_one(MEMSCOPE_BLOCK *b)
{
    if (unpark_one(&b->lock.waiters)) {
        HANDLE ev = lock_event();
        if (ev != NULL && !SetEvent(ev))
            ms_log_win32("lock-release", "SetEvent", GetLastError());
    }
}

/* ms_lock_release: frees the lock if the calling thread, whose owner word is me (from
 * ms_lock_acquire, or ms_thread_self), holds it, and wakes a parked waiter if there is one.
 * Uncontended: one compare-exchange and one plain read.
 * Returns ERROR_SUCCESS, or ERROR_NOT_OWNER (nothing changed). */
DWORD ms_lock_release(MEMSCOPE_BLOCK *b, uint64_t me)
{
    if (me == 0 || g_held != (LONG64)me)
        return ERROR_NOT_OWNER;
    g_held = 0;
    if (InterlockedCompareExchange64(&b->lock.owner, 0, (LONG64)me) != (LONG64)me)
        return ERROR_NOT_OWNER;          /* taken from us: we were judged dead (never, while
                                            we live: liveness answers "alive" when unsure) */
    wake_one(b);
    return ERROR_SUCCESS;
}

/* ms_lock_detach: DLL_PROCESS_DETACH.  If a thread of this process holds the lock (the
 * host unloads the DLL, or exits, without unlocking), hand it on as abandoned: free, and
 * the next owner is told so.  Interlocked writes and at most one SetEvent, which does not
 * wait: safe under the loader lock, and when the process is terminating. */
void ms_lock_detach(MEMSCOPE_BLOCK *b, BOOL process_terminating)
{
    LONG64 held = g_held;
    if (held == 0)
        return;
    g_held = 0;
    if (InterlockedCompareExchange64(&b->lock.owner, (LONG64)MEMSCOPE_LOCK_ABANDONED, held) ==
        held)
        wake_one(b);
    if (!process_terminating && g_event != NULL) {
        if (!CloseHandle(g_event))
            ms_log_win32("lock-close", "CloseHandle", GetLastError());
        g_event = NULL;
    }
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeLock(DWORD timeoutMs)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    uint64_t me;
    return b != NULL ? ms_lock_acquire(b, timeoutMs, &me) : err;
}

DWORD WINAPI MemscopeUnlock(void)
{
    DWORD err;
    uint64_t me;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    return ms_thread_self(&me) == ERROR_SUCCESS ? ms_lock_release(b, me) : ERROR_NOT_OWNER;
}

DWORD WINAPI MemscopeLockedIncrement(LONGLONG *pValue)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    uint64_t me;
    err = ms_lock_acquire(b, INFINITE, &me);
    if (err != ERROR_SUCCESS && err != ERROR_ABANDONED_WAIT_0)
        return err;
    LONGLONG v = ++b->locked_total;
    ms_lock_release(b, me);
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
    uint64_t w = (uint64_t)ms_load64(&b->lock.owner);
    BOOL held = w != 0 && w != MEMSCOPE_LOCK_ABANDONED;
    pState->ownerTid = held ? MEMSCOPE_OWNER_ID(w) : 0;
    pState->ownerPid = held ? ms_thread_process(w) : 0;
    pState->waiters = ms_load32(&b->lock.waiters);
    pState->abandoned = ms_load32(&b->lock.abandoned);
    pState->lockedTotal = ms_load64(&b->locked_total);
    pState->racy = ms_load64(&b->racy);
    return ERROR_SUCCESS;
}
