/*
 * lock.c: the lock that lives in the shared block (MEMSCOPE_LOCK), and the exports on it.
 *
 * Why not a named mutex: under Wine every acquire and release of a kernel object is a
 * round trip to wineserver (a lock+unlock pair: 6-19 us in make bench), a thousand times
 * an interlocked operation on the shared page.  Why not a plain spinlock in shared memory
 * (Boost.Interprocess's interprocess_mutex): a holder that dies leaves it locked forever.
 * So:
 *
 * - the owner word names the holding *thread*, MEMSCOPE_OWNER(thread id, creation-time
 *   tag) (procid.c): acquiring is one InterlockedCompareExchange64 from 0, releasing one
 *   from the caller's own word back to 0, so only the holder can release (anyone else,
 *   another thread of the same process included, gets ERROR_NOT_OWNER), and a holder that
 *   asks again is told ERROR_POSSIBLE_DEADLOCK instead of waiting for itself;
 * - a waiter spins a moment (MS_LOCK_SPINS reads of the owner word, taking only a lock
 *   still free at the second look, so a holder that takes it back at once keeps it), then
 *   sleeps 1 ms between tries for as long as the lock changes hands (its count of
 *   acquisitions moves): a lock passed around quickly is soon free, and a waiter that
 *   sleeps costs the releasers nothing and leaves them the core and the cache line.  Once a
 *   sleep sees no change (the holder keeps the lock), the waiter parks on a named
 *   semaphore ("<name>.lock", opened at the first park, not in DllMain), and burns no CPU
 *   until a releaser releases it;
 * - `waiters` counts the parked waiters, so an unlock that nobody waits for pays no
 *   ReleaseSemaphore (under Wine a wineserver round trip, 30-45 us).  A waiter adds itself
 *   (and bumps `parks`) *before* its last try and its wait.  A releaser that finds the
 *   count above 0 takes one off and releases the semaphore once *before* it lets go: the
 *   woken waiter finds the lock still held, gives the releaser a moment (MS_LOCK_GRACE_US)
 *   to let go or take it back, and parks again if it was taken back; so a holder that
 *   unlocks and locks again keeps the lock, instead of handing it to a waiter woken while
 *   its own release runs (a convoy: one wake-up per hand-over).  No wake-up is lost: a
 *   releaser that finds the count 0 checks it again after letting go (both sides are full
 *   barriers); one that woke a waiter first checks `parks` after letting go and wakes
 *   another if anyone parked in between; and the semaphore keeps one signal per waiter
 *   taken off, even when that waiter is not inside its wait yet.  A waiter woken after
 *   the lock changed hands many times goes back to sleeping 1 ms at a time (the lock is
 *   busy, not held).  A waiter whose wait times out takes itself off.  A waiter killed while parked is taken off by the next release, at
 *   the price of one signal for nobody, which the next waiter to park takes for its own
 *   wake-up (one early wake-up);
 * - the owner's liveness is checked by elapsed time (the first time a waiter parks, then
 *   every MS_LOCK_CHECK_MS, sleeping or parked), never by the wait's result or by the
 *   count of acquisitions: a semaphore that wakes too often (a squatter's, always
 *   signalled, under our name) or never, or a count that someone keeps moving, cannot stop
 *   the check;
 * - a dead owner (its thread ended, its process died, or its id now names another thread)
 *   is swapped for the waiter's own word, which is told ERROR_ABANDONED_WAIT_0, the way
 *   WaitForSingleObject says WAIT_ABANDONED.  A process that unloads the DLL or exits while
 *   one of its threads holds the lock leaves MEMSCOPE_LOCK_ABANDONED (ms_lock_detach): free,
 *   and the next owner is told the same without waiting for a liveness check;
 * - the timeout covers the whole wait (the 32 reads before it take a few us); 0 is one try
 *   (which does take a dead owner's lock over) and marks nothing.  A lock that keeps
 *   changing hands keeps a waiter sleeping 1 ms at a time for as long as it does: the lock
 *   is not fair, and does not promise a waiter its turn.
 *
 * The lock knows nothing of the data it guards: it reports an abandonment and the caller
 * decides what repair means (the DLL's text needs none: text.c).
 */
#include "internal.h"

#define MS_LOCK_SPINS       32   /* reads of the owner word before sleeping: a holder keeps it
                                    ~100 ns, so a lock taken by chance is often free within
                                    this (a few us of `pause`) */
#define MS_LOCK_STILL_POLLS 1    /* 1 ms sleeps in a row that saw the lock not change hands
                                    before a waiter parks (on Windows a Sleep(1) lasts up to
                                    a timer tick, 15.6 ms by default) */
#define MS_LOCK_BUSY        4    /* a woken waiter that finds the lock taken more times than
                                    this since it parked goes back to sleeping 1 ms at a
                                    time: the lock is busy, and a parked waiter makes every
                                    release pay a ReleaseSemaphore */
#define MS_LOCK_GRACE_US    50   /* how long a woken waiter yields to the releaser that woke
                                    it (still holding the lock) to let go and take it back,
                                    before it tries */
#define MS_LOCK_CHECK_MS    250  /* how often a parked waiter checks the owner's liveness:
                                    a check is four system calls (OpenThread, a zero wait,
                                    GetThreadTimes, CloseHandle), which a waiter behind a
                                    live holder should not pay 20 times a second; a dead
                                    owner is still taken over well within a second */
#define MS_LOCK_NOWAKE_MS   50   /* without a usable semaphore a waiter sleeps this long
                                    between tries (the status text says "polls every 50 ms") */
#define MS_LOCK_EARLY_WAKES 8    /* wake-ups in a row after which the lock has not moved
                                    within MS_LOCK_GRACE_US before a waiter stops trusting
                                    the semaphore and sleeps instead */

static HANDLE g_wake;           /* the lock's semaphore, once opened (g_wake_once) */
static DWORD g_wake_err;        /* why it could not be used, or ERROR_SUCCESS */
static const WCHAR *g_wake_failed; /* what failed, for MemscopeStatusText */
static INIT_ONCE g_wake_once = INIT_ONCE_STATIC_INIT;
/* The owner word of this process's thread that holds the lock, 0 if none: what
 * ms_lock_detach hands over as abandoned.  Process-local, written only by the holder. */
static volatile LONG64 g_held;

/* Opens the semaphore "<mapping name>.lock" with memscope's descriptor (security.c).  Why a
 * semaphore and not an auto-reset event: an event holds one signal, so two releases that
 * each take a waiter off the count before either waiter is inside its wait would wake one,
 * and the other would sleep to the end of its slice with the lock free; a semaphore counts
 * the signals.  It carries no data, only wake-ups, so an unusable one degrades the lock
 * instead of refusing the block: when the name belongs to another kind of object
 * (ERROR_INVALID_HANDLE), its DACL keeps us out (ERROR_ACCESS_DENIED) or an existing
 * semaphore has another owner (ERROR_INVALID_OWNER), waiters sleep MS_LOCK_NOWAKE_MS at a
 * time, and the status text says why.  A squatter's semaphore can wake waiters early, often
 * or never, which costs them time and CPU: it cannot break exclusion, which lives in the
 * owner word. */
static BOOL CALLBACK open_wake(PINIT_ONCE once, void *param, void **context)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 8];
    (void)once;
    (void)param;
    (void)context;
    ms_name_join(name, ARRAYSIZE(name), ms_g.name, L".lock");
    g_wake_err = ms_sec_create_semaphore(name, &g_wake, &g_wake_failed);
    return TRUE;
}

static HANDLE lock_wake(void)
{
    InitOnceExecuteOnce(&g_wake_once, open_wake, NULL, NULL);
    return g_wake;
}

/* ms_lock_wake_status: ERROR_SUCCESS, or why the lock's semaphore is not used; OUT *failed:
 * what failed.  Asks nothing of the system: a semaphore never needed is never opened. */
DWORD ms_lock_wake_status(const WCHAR **failed)
{
    BOOL pending = FALSE;
    if (!InitOnceBeginInitialize(&g_wake_once, INIT_ONCE_CHECK_ONLY, &pending, NULL) ||
        g_wake_err == ERROR_SUCCESS)
        return ERROR_SUCCESS;
    *failed = g_wake_failed;
    return g_wake_err;
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

/* A wait in progress (ms_lock_acquire's slow path). */
typedef struct ms_wait {
    MEMSCOPE_BLOCK *b;
    uint64_t me;                /* the waiting thread's owner word */
    DWORD timeout_ms;           /* INFINITE, or how long the whole wait may take */
    ULONGLONG start;            /* GetTickCount64 when it began */
    ULONGLONG last_check;       /* when the owner's liveness was last checked */
    BOOL parked;                /* parked at least once (the first park checks at once) */
    int early_wakes;            /* wake-ups in a row that found the lock as it was */
} ms_wait;

#define MS_GO_ON ((DWORD)-1)    /* a stage's result: neither taken nor timed out */

/* Ends the wait if it must: takes the lock over if its owner is dead (checked when
 * `now_too`, and every MS_LOCK_CHECK_MS), or says the timeout is up.  Returns
 * ERROR_ABANDONED_WAIT_0 (taken), ERROR_TIMEOUT, or MS_GO_ON. */
static DWORD check_wait(ms_wait *x, BOOL now_too)
{
    ULONGLONG now = GetTickCount64();
    if (now_too || now - x->last_check >= MS_LOCK_CHECK_MS) {
        x->last_check = now;
        if (take_over(&x->b->lock.owner, x->me, ms_load64(&x->b->lock.owner)))
            return taken(x->b, x->me, TRUE);
    }
    if (x->timeout_ms != INFINITE && now - x->start >= x->timeout_ms)
        return ERROR_TIMEOUT;
    return MS_GO_ON;
}

static uint64_t progress(MEMSCOPE_BLOCK *b)
{
    return (uint64_t)ms_load64(&b->lock.acquisitions);
}

/* Tries, then sleeps 1 ms, for as long as the lock changes hands between tries (its count
 * of acquisitions moves): a lock passed around quickly is soon free, and a waiter that
 * sleeps costs the releaser nothing.  Returns MS_GO_ON after MS_LOCK_STILL_POLLS sleeps in
 * a row that saw no change (the holder keeps it: time to park), or the wait's result. */
static DWORD poll(ms_wait *x)
{
    volatile LONG64 *w = &x->b->lock.owner;
    uint64_t seen = progress(x->b);
    LONG64 cur;
    for (int still = 0;;) {
        if (looks_free(w) && try_take(w, x->me, &cur))
            return taken(x->b, x->me, cur != 0);
        DWORD r = check_wait(x, FALSE);
        if (r != MS_GO_ON || still >= MS_LOCK_STILL_POLLS)
            return r;
        Sleep(1);
        uint64_t n = progress(x->b);
        still = n == seen ? still + 1 : 0;
        seen = n;
    }
}

/* Woken: yields to the releaser, which wakes it before it lets go, for up to
 * MS_LOCK_GRACE_US or until the lock is taken again: a releaser that locks again at once
 * keeps the lock, and only a lock still free after that is worth trying.  Returns TRUE if
 * the lock moved from what the waiter saw when it parked (owner word `owner`, count of
 * acquisitions `seen`). */
static BOOL settle(MEMSCOPE_BLOCK *b, LONG64 owner, uint64_t seen)
{
    LARGE_INTEGER freq, t0, t;
    QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t0);
    for (;;) {
        LONG64 now = ms_load64(&b->lock.owner);
        BOOL moved = now != owner || progress(b) != seen;
        if (moved && now != 0 && now != (LONG64)MEMSCOPE_LOCK_ABANDONED)
            return TRUE;                                     /* taken again */
        QueryPerformanceCounter(&t);
        if ((t.QuadPart - t0.QuadPart) * 1000000 >= MS_LOCK_GRACE_US * freq.QuadPart)
            return moved;
        SwitchToThread();
    }
}

/* Sleeps on the lock's semaphore until a releaser wakes it (the semaphore opened at the first
 * park), then tries again, and parks again if the lock is held.  Returns MS_GO_ON after a
 * wake-up that found the lock busy (sleep 1 ms at a time again), or the wait's result. */
static DWORD park(ms_wait *x)
{
    MEMSCOPE_BLOCK *b = x->b;
    volatile LONG64 *w = &b->lock.owner;
    LONG64 cur;
    for (;;) {
        HANDLE ev = x->early_wakes < MS_LOCK_EARLY_WAKES ? lock_wake() : NULL;
        /* Count ourselves parked *before* the last try: a release that follows a failed
         * try sees the count (both are full barriers) and wakes us. */
        if (ev != NULL) {
            InterlockedIncrement(&b->lock.waiters);
            InterlockedIncrement(&b->lock.parks);
        }
        DWORD r = try_take(w, x->me, &cur) ? taken(b, x->me, cur != 0)
                                           : check_wait(x, !x->parked);
        x->parked = TRUE;
        if (r != MS_GO_ON) {
            if (ev != NULL)
                unpark_one(&b->lock.waiters);
            return r;
        }
        DWORD slice = ev != NULL ? MS_LOCK_CHECK_MS : MS_LOCK_NOWAKE_MS;
        ULONGLONG waited = GetTickCount64() - x->start;   /* may be past the deadline now */
        if (x->timeout_ms != INFINITE) {
            ULONGLONG left = waited >= x->timeout_ms ? 0 : x->timeout_ms - waited;
            if (left < slice)
                slice = (DWORD)left;
        }
        if (ev == NULL) {
            Sleep(slice);
            continue;
        }
        LONG64 owner = ms_load64(w);
        uint64_t seen = progress(b);
        if (MS_HOOK(slowpark))
            Sleep(50);                   /* counted, not yet waiting: releases may come */
        DWORD wr = WaitForSingleObject(ev, slice);
        if (wr == WAIT_OBJECT_0) {
            /* A releaser took us off the count and woke us before letting go, or someone
             * released the semaphore for nothing (a squatter's, under our name).
             * A wake-up after which the lock does not move is early, and a few in a row
             * make us give the semaphore up for plain sleeps.  Taken again a few times since
             * we parked: its holders keep it long, park again; many times: it is busy. */
            x->early_wakes = settle(b, owner, seen) ? 0 : x->early_wakes + 1;
            if (!looks_free(w) && progress(b) - seen > MS_LOCK_BUSY)
                return MS_GO_ON;
        } else {
            if (wr == WAIT_FAILED)
                ms_log_win32("lock-wait", "WaitForSingleObject", GetLastError());
            unpark_one(&b->lock.waiters);   /* nobody took us off: we do */
        }
    }
}

static DWORD wait_for_lock(MEMSCOPE_BLOCK *b, DWORD timeout_ms, uint64_t me);

/* ms_lock_acquire: takes the block's lock for the calling thread, waiting at most
 * timeout_ms in all (INFINITE allowed; 0 = one try).  OUT *self: the calling thread's owner
 * word, which ms_lock_release takes back (0 if it could not be read).  Returns ERROR_SUCCESS;
 * ERROR_ABANDONED_WAIT_0 (held; its last owner ended without unlocking); ERROR_TIMEOUT
 * (not held); ERROR_POSSIBLE_DEADLOCK (the calling thread holds it already); or the error
 * of reading the calling thread's identity (not held). */
DWORD ms_lock_acquire(MEMSCOPE_BLOCK *b, DWORD timeout_ms, uint64_t *self)
{
    volatile LONG64 *w = &b->lock.owner;
    uint64_t me;
    LONG64 cur;
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
    return wait_for_lock(b, timeout_ms, me);
}

/* The slow path of ms_lock_acquire (same results): spin, poll, park.  Out of line, so that
 * the fast path saves no registers and sets up no frame for it. */
static __attribute__((noinline)) DWORD wait_for_lock(MEMSCOPE_BLOCK *b, DWORD timeout_ms,
                                                     uint64_t me)
{
    volatile LONG64 *w = &b->lock.owner;
    LONG64 cur;
    /* A lock its holder takes back at once is left to it: only one still free a moment
     * later is worth taking (stealing it would move the cache line to this core and back). */
    for (int i = 0; i < MS_LOCK_SPINS; i++) {
        YieldProcessor();
        if (!looks_free(w))
            continue;
        YieldProcessor();
        if (looks_free(w) && try_take(w, me, &cur))
            return taken(b, me, cur != 0);
    }
    ms_wait x = { .b = b, .me = me, .timeout_ms = timeout_ms, .start = GetTickCount64() };
    x.last_check = x.start;
    for (;;) {
        DWORD r = poll(&x);
        if (r == MS_GO_ON)
            r = park(&x);
        if (r != MS_GO_ON)
            return r;
    }
}

/* Wakes one parked waiter, if any: takes it off the count and releases the semaphore once
 * (one signal per waiter taken off: two releases before either waiter is inside its wait
 * still wake both).  Returns TRUE if it woke one. */
static BOOL wake_one(MEMSCOPE_BLOCK *b)
{
    HANDLE ev = lock_wake();
    if (ev == NULL || !unpark_one(&b->lock.waiters))
        return FALSE;          /* (none here: the waiters stay counted, and poll) */
    if (ReleaseSemaphore(ev, 1, NULL))
        return TRUE;
    ms_log_win32("lock-release", "ReleaseSemaphore", GetLastError());
    InterlockedIncrement(&b->lock.waiters);                 /* nobody was woken */
    return FALSE;
}

/* ms_lock_release: frees the lock if the calling thread, whose owner word is me (from
 * ms_lock_acquire, or ms_thread_self), holds it, and wakes a parked waiter if there is one
 * (before letting go: see the top of this file).  Uncontended: two plain reads, one
 * compare-exchange, one more read.  Returns ERROR_SUCCESS, or ERROR_NOT_OWNER
 * (nothing changed). */
DWORD ms_lock_release(MEMSCOPE_BLOCK *b, uint64_t me)
{
    if (me == 0 || g_held != (LONG64)me)
        return ERROR_NOT_OWNER;
    LONG parks = 0;
    BOOL woke = FALSE;
    if (ms_load32(&b->lock.waiters) > 0) {
        parks = ms_load32(&b->lock.parks);   /* before the wake-up: whoever parks after it */
        woke = wake_one(b);                  /* shows in the check after letting go */
    }
    if (woke && MS_HOOK(slowrelease))
        Sleep(20);                       /* the woken waiter parks again meanwhile */
    g_held = 0;
    if (InterlockedCompareExchange64(&b->lock.owner, 0, (LONG64)me) != (LONG64)me)
        return ERROR_NOT_OWNER;          /* taken from us: we were judged dead (never, while
                                            we live: liveness answers "alive" when unsure),
                                            or another process wrote the owner word */
    /* The compare-exchange is a full barrier: a waiter whose try failed before it has
     * counted itself, and shows here. */
    if ((!woke || ms_load32(&b->lock.parks) != parks) && ms_load32(&b->lock.waiters) > 0)
        wake_one(b);
    return ERROR_SUCCESS;
}

/* ms_lock_detach: DLL_PROCESS_DETACH.  If a thread of this process holds the lock (the
 * host unloads the DLL, or exits, without unlocking), hand it on as abandoned: free, and
 * the next owner is told so.  Interlocked writes and at most one ReleaseSemaphore, which
 * does not wait: safe under the loader lock, and when the process is terminating. */
void ms_lock_detach(MEMSCOPE_BLOCK *b, BOOL process_terminating)
{
    LONG64 held = g_held;
    if (held == 0)
        return;
    g_held = 0;
    if (InterlockedCompareExchange64(&b->lock.owner, (LONG64)MEMSCOPE_LOCK_ABANDONED, held) ==
        held)
        wake_one(b);
    if (!process_terminating && g_wake != NULL) {
        if (!CloseHandle(g_wake))
            ms_log_win32("lock-close", "CloseHandle", GetLastError());
        g_wake = NULL;
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
