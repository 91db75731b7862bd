/*
 * child_faults.c: child commands that put the block in states a test cannot reach by
 * waiting for luck: forged owner words, a lock taken from its holder, a stray unlock from
 * another thread, a thread that ends holding the lock, re-entry by the holder, a hand-over
 * to a parked waiter, timed, a text length rewritten under a reader, and a second copy of
 * the DLL loaded and unloaded with FreeLibrary (the statically imported memscope.dll never
 * unloads).
 *
 *   forgelock pid|tid|other  writes the lock's owner word: this process's id (or this
 *                      thread's, or the id of a second thread of this process that stays
 *                      alive) with a creation-time tag that is not its own  -> forged=<word>
 *   forgeslot          fills a free registry slot as if this process's id had attached
 *                      with another creation time                      -> forgedslot=<i>
 *   forgeslotof PID    the same with the id of the live process PID    -> forgedslot=<i>
 *   stolenunlock       takes the lock, then its owner word is made a second live thread's
 *                      (as if a waiter had judged this thread dead and taken it over), and
 *                      this thread calls MemscopeUnlock
 *                                    -> stolenunlock=, stolenkept=<1: still the thief's>
 *   threadlock         thread T takes the lock; the main thread calls MemscopeUnlock
 *                      (not the owner), then T unlocks
 *                                    -> tlock=, strayunlock=, strayowner=, tunlock=
 *   threadexit         thread T takes the lock and ends without unlocking -> tlock=
 *   threadexitkeep     the same, and the process keeps T's handle open (so the thread
 *                      object, and its id, outlive the thread)         -> tlock=
 *   handover N         N rounds: the main thread holds the lock; thread W asks for it and
 *                      parks; once W is counted parked (and 5 ms more) the main thread
 *                      unlocks; W notes when it got the lock
 *                      -> handovers=, handovererr=, handovermedianus=, handovermaxus=
 *   lenflip STOP READY sets a 5-character text, then (READY) rewrites the published
 *                      buffer's length between 5 and 0x7FFFFFF0 until the event STOP
 *                                    -> lenflips=
 *   lenread N MIN      MemscopeGetText N times, and on (at most 30 s) until the length
 *                      read changed MIN times from a read to the next
 *                      -> lenerr=, lenreads=, lenchanges=, lenshort=, lenlong=, lenother=
 *   reenter            takes the lock, then calls what needs it again from the same thread
 *                      -> relock=, relockms=, reset=, resetms=, resset=, resseterr=,
 *                         reinc=, reincms=, reunlock=
 *   dynhold            loads memscope_dyn.dll (a copy), takes its lock and sets its
 *                      private text, then FreeLibrary
 *                      -> dynstatus=, dynlock=, dynpriv=, freed=, privlive=
 *   dynload            times LoadLibrary of memscope_dyn.dll, then its first call
 *                      -> loadms=, dynstatus=, statusms=
 *   changeevent        MemscopeChangeEvent: this process watches, the event exists, and
 *                      the handle stays open           -> changeevent=<error>
 *   dynattach          loads memscope_dyn.dll and keeps it -> dynattached=<its count>
 *   prewake            the main thread holds the lock; thread W asks for it and parks;
 *                      the main thread unlocks (with the slowrelease hook, W is woken and
 *                      parks again before the lock is let go); W notes when it got the
 *                      lock  -> prewakeerr=, prewakeus=<from the unlock's return>
 *   twopark            the main thread holds the lock; threads W1 and W2 ask for it and
 *                      park; once both are counted, the main thread unlocks, locks and
 *                      unlocks again (with the slowpark hook, before either waiter is
 *                      inside its wait); each waiter notes when it got the lock
 *                      -> twoparkerr=, twoparkus=<the later waiter, from the last unlock>
 *   acqbump STOP READY (READY) moves the lock's count of acquisitions, as a hostile
 *                      process could, until the event STOP   -> acqbumps=
 *   dynfree            FreeLibrary of it, then this process's (static) count
 *                      -> dynfreed=, afterfree=
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

static uint32_t other_tag(FILETIME created)
{
    uint64_t t = ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
    return MEMSCOPE_TIME_TAG(t) + 1u;
}

static MEMSCOPE_BLOCK *view(void)
{
    void *v = NULL;
    DWORD err = MemscopeViewAddress(&v, NULL);
    if (err != ERROR_SUCCESS) {
        mst_out("error=MemscopeViewAddress failed: %lu", (unsigned long)err);
        ExitProcess(3);
    }
    return v;
}

/* A second thread of this process that stays alive until the process ends. */
static DWORD WINAPI sleep_forever(void *arg)
{
    (void)arg;
    Sleep(INFINITE);
    return 0;
}

static HANDLE must_thread(LPTHREAD_START_ROUTINE fn, void *arg, DWORD *tid)
{
    HANDLE t = CreateThread(NULL, 0, fn, arg, 0, tid);
    if (t == NULL) {
        mst_out("error=CreateThread failed: %lu", GetLastError());
        ExitProcess(3);
    }
    return t;
}

static FILETIME must_thread_times(HANDLE t)
{
    FILETIME c, e, k, u;
    if (!GetThreadTimes(t, &c, &e, &k, &u)) {
        mst_out("error=GetThreadTimes failed: %lu", GetLastError());
        ExitProcess(3);
    }
    return c;
}

/* The owner word the DLL gives thread t (id tid): MEMSCOPE_OWNER(tid, its time tag). */
static LONG64 thread_word(HANDLE t, DWORD tid)
{
    FILETIME c = must_thread_times(t);
    uint64_t ct = ((uint64_t)c.dwHighDateTime << 32) | c.dwLowDateTime;
    return (LONG64)MEMSCOPE_OWNER(tid, MEMSCOPE_TIME_TAG(ct));
}

static void cmd_forgelock(const char *who)
{
    FILETIME c, e, k, u;
    DWORD id;
    if (strcmp(who, "other") == 0) {          /* a live thread, not the one it was */
        HANDLE t = must_thread(sleep_forever, NULL, &id);
        c = must_thread_times(t);
        CloseHandle(t);
    } else {
        BOOL thread = strcmp(who, "tid") == 0;
        BOOL ok = thread ? GetThreadTimes(GetCurrentThread(), &c, &e, &k, &u)
                         : GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u);
        if (!ok) {
            mst_out("error=Get%sTimes failed: %lu", thread ? "Thread" : "Process",
                    GetLastError());
            ExitProcess(3);
        }
        id = thread ? GetCurrentThreadId() : GetCurrentProcessId();
    }
    LONG64 w = (LONG64)MEMSCOPE_OWNER(id, other_tag(c));
    InterlockedExchange64((volatile LONG64 *)&view()->lock.owner, w);
    mst_out("forged=0x%llx", (unsigned long long)w);
}

/* Fills a free slot as if process pid, created at a time whose tag is not `created`'s,
 * had attached. */
static void forge_slot(DWORD pid, FILETIME created)
{
    MEMSCOPE_BLOCK *b = view();
    uint32_t tag = other_tag(created);
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++) {
        MEMSCOPE_SLOT *s = &b->slots[i];
        LONG64 w = (LONG64)MEMSCOPE_OWNER(pid, tag);
        if (InterlockedCompareExchange64((volatile LONG64 *)&s->owner, w, 0) != 0)
            continue;
        s->pid = pid;
        s->create_time = tag;          /* a creation time whose tag is `tag` */
        s->attach_time = 0;
        s->image[0] = 'f';
        s->image[1] = 0;
        InterlockedExchange(&s->state, MEMSCOPE_SLOT_READY);
        mst_out("forgedslot=%lu", (unsigned long)i);
        return;
    }
    mst_out("error=no free slot to forge");
    ExitProcess(3);
}

static void cmd_forgeslot(const char *of)
{
    FILETIME c, e, k, u;
    DWORD pid = of != NULL ? (DWORD)strtoul(of, NULL, 0) : GetCurrentProcessId();
    HANDLE h = of != NULL ? OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid)
                          : GetCurrentProcess();
    if (h == NULL || !GetProcessTimes(h, &c, &e, &k, &u)) {
        mst_out("error=the times of process %lu: %lu", (unsigned long)pid, GetLastError());
        ExitProcess(3);
    }
    if (of != NULL)
        CloseHandle(h);
    forge_slot(pid, c);
}

/* The lock is taken from this thread while it holds it: its owner word becomes a live
 * thread's, the way a waiter that judged this thread dead would have swapped it.  This
 * thread's unlock must see that the word is no longer its own. */
static void cmd_stolenunlock(void)
{
    DWORD tid;
    HANDLE t = must_thread(sleep_forever, NULL, &tid);
    LONG64 thief = thread_word(t, tid);
    volatile LONG64 *owner = (volatile LONG64 *)&view()->lock.owner;
    mst_out("lock=%lu", (unsigned long)MemscopeLock(1000));
    InterlockedExchange64(owner, thief);
    mst_out("stolenunlock=%lu", (unsigned long)MemscopeUnlock());
    mst_out("stolenkept=%d", InterlockedCompareExchange64(owner, 0, 0) == thief ? 1 : 0);
    CloseHandle(t);
}

typedef struct held_thread {
    HANDLE holding, release;
} held_thread;

static DWORD WINAPI lock_then_wait(void *arg)
{
    held_thread *h = arg;
    mst_out("tlock=%lu", (unsigned long)MemscopeLock(5000));
    SetEvent(h->holding);
    if (h->release == NULL)
        return 0;                       /* ends holding the lock */
    WaitForSingleObject(h->release, MST_CHILD_TIMEOUT_MS);
    mst_out("tunlock=%lu", (unsigned long)MemscopeUnlock());
    return 0;
}

static HANDLE must_event(void)
{
    HANDLE h = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (h == NULL) {
        mst_out("error=CreateEventW failed: %lu", GetLastError());
        ExitProcess(3);
    }
    return h;
}

/* exits: T ends holding the lock; keep: and T's handle stays open (the thread object, and
 * its id, outlive the thread: only its ended state says it is gone). */
static void cmd_threadlock(BOOL exits, BOOL keep)
{
    held_thread h = { must_event(), exits ? NULL : must_event() };
    HANDLE t = must_thread(lock_then_wait, &h, NULL);
    if (WaitForSingleObject(h.holding, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        mst_out("error=the locking thread did not report");
        ExitProcess(3);
    }
    if (!exits) {
        MEMSCOPE_LOCK_STATE st = { 0 };
        mst_out("strayunlock=%lu", (unsigned long)MemscopeUnlock());
        MemscopeLockState(&st);
        mst_out("strayowner=%lu", (unsigned long)st.ownerPid);
        SetEvent(h.release);
    }
    if (WaitForSingleObject(t, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        mst_out("error=the locking thread did not end");
        ExitProcess(3);
    }
    if (!keep)
        CloseHandle(t);                 /* else the process's exit closes it */
    CloseHandle(h.holding);
    if (h.release != NULL)
        CloseHandle(h.release);
}

static void cmd_reenter(void)
{
    ULONGLONG t0;
    mst_out("lock=%lu", (unsigned long)MemscopeLock(1000));
    t0 = GetTickCount64();
    mst_out("relock=%lu", (unsigned long)MemscopeLock(2000));
    mst_out("relockms=%llu", GetTickCount64() - t0);
    t0 = GetTickCount64();
    mst_out("reset=%lu", (unsigned long)MemscopeSetText(L"again", 5));
    mst_out("resetms=%llu", GetTickCount64() - t0);
    SetLastError(0xdeadbeef);
    BOOL ok = SetSharedMem(L"again");
    mst_out("resset=%d", ok ? 1 : 0);
    mst_out("resseterr=%lu", (unsigned long)GetLastError());
    t0 = GetTickCount64();
    mst_out("reinc=%lu", (unsigned long)MemscopeLockedIncrement(NULL));
    mst_out("reincms=%llu", GetTickCount64() - t0);
    mst_out("reunlock=%lu", (unsigned long)MemscopeUnlock());
}

/* handover: the waiter thread's side.  Each round: wait for "go", ask for the lock (it
 * is held: the waiter spins, then parks), note when it got it, unlock, say "done". */
#define HANDOVER_MAX 32
typedef struct handover {
    HANDLE go, done;                  /* auto-reset */
    volatile LONG64 got;              /* QueryPerformanceCounter when the lock was had */
    volatile DWORD err;
    int rounds;
} handover;

static DWORD WINAPI handover_waiter(void *arg)
{
    handover *h = arg;
    for (int r = 0; r < h->rounds; r++) {
        LARGE_INTEGER t;
        if (WaitForSingleObject(h->go, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0)
            return 1;
        DWORD err = MemscopeLock(MST_CHILD_TIMEOUT_MS);
        QueryPerformanceCounter(&t);
        h->got = t.QuadPart;
        if (err != ERROR_SUCCESS)
            h->err = err;
        else
            MemscopeUnlock();
        SetEvent(h->done);
    }
    return 0;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Waits until the lock counts n parked waiters, and 5 ms more (they are inside their
 * waits by then, or in the slowpark hook's sleep).  Returns ERROR_SUCCESS, ERROR_TIMEOUT
 * (they never parked) or MemscopeLockState's error. */
static DWORD await_parked(LONG n)
{
    MEMSCOPE_LOCK_STATE st = { 0 };
    ULONGLONG deadline = GetTickCount64() + MST_CHILD_TIMEOUT_MS;
    DWORD err;
    while ((err = MemscopeLockState(&st)) == ERROR_SUCCESS && st.waiters < n &&
           GetTickCount64() < deadline)
        Sleep(1);
    if (err == ERROR_SUCCESS && st.waiters < n)
        return ERROR_TIMEOUT;
    Sleep(5);
    return err;
}

/* A release must wake a parked waiter at once, not leave it to the end of its 50 ms wait.
 * Each round the main thread holds the lock, lets the waiter ask, waits until the lock
 * counts it parked and 5 ms more (it is inside its wait by then), and unlocks: the
 * hand-over time is from just before the unlock to the waiter's return. */
static void cmd_handover(int rounds)
{
    handover h = { CreateEventW(NULL, FALSE, FALSE, NULL), CreateEventW(NULL, FALSE, FALSE, NULL),
                   0, ERROR_SUCCESS, rounds };
    long long us[HANDOVER_MAX];
    LARGE_INTEGER f, t0;
    DWORD err = ERROR_SUCCESS;
    int done = 0;
    if (h.go == NULL || h.done == NULL || rounds < 1 || rounds > HANDOVER_MAX ||
        !QueryPerformanceFrequency(&f)) {
        mst_out("error=handover setup failed: %lu", GetLastError());
        ExitProcess(3);
    }
    HANDLE t = must_thread(handover_waiter, &h, NULL);
    for (; done < rounds && err == ERROR_SUCCESS; done++) {
        if ((err = MemscopeLock(MST_CHILD_TIMEOUT_MS)) != ERROR_SUCCESS)
            break;
        SetEvent(h.go);
        err = await_parked(1);
        QueryPerformanceCounter(&t0);
        DWORD uerr = MemscopeUnlock();
        if (err == ERROR_SUCCESS)
            err = uerr;
        if (WaitForSingleObject(h.done, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
            mst_out("error=the waiter did not report");
            ExitProcess(3);
        }
        if (err == ERROR_SUCCESS)
            err = h.err;
        us[done] = (h.got - t0.QuadPart) * 1000000 / f.QuadPart;
    }
    if (err != ERROR_SUCCESS) {
        TerminateThread(t, 0);              /* it waits for a round that never comes */
    } else if (WaitForSingleObject(t, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        mst_out("error=the waiter did not end");
        ExitProcess(3);
    }
    CloseHandle(t);
    CloseHandle(h.go);
    CloseHandle(h.done);
    mst_out("handovererr=%lu", (unsigned long)err);
    mst_out("handovers=%d", err == ERROR_SUCCESS ? done : 0);
    if (err != ERROR_SUCCESS || done == 0)
        return;
    qsort(us, (size_t)done, sizeof us[0], cmp_ll);
    mst_out("handovermedianus=%lld", us[done / 2]);
    mst_out("handovermaxus=%lld", us[done - 1]);
}

/* A release that wakes a waiter before it lets go must still wake one that parks again
 * before the lock is free.  One round of the hand-over above, reported from the unlock's
 * return (the test runs it with the slowrelease hook: the unlock takes 20 ms). */
static void cmd_prewake(void)
{
    handover h = { CreateEventW(NULL, FALSE, FALSE, NULL), CreateEventW(NULL, FALSE, FALSE, NULL),
                   0, ERROR_SUCCESS, 1 };
    LARGE_INTEGER f, t0;
    DWORD err;
    if (h.go == NULL || h.done == NULL || !QueryPerformanceFrequency(&f)) {
        mst_out("error=prewake setup failed: %lu", GetLastError());
        ExitProcess(3);
    }
    if ((err = MemscopeLock(MST_CHILD_TIMEOUT_MS)) != ERROR_SUCCESS) {
        mst_out("error=prewake: MemscopeLock: %lu", (unsigned long)err);
        ExitProcess(3);
    }
    HANDLE t = must_thread(handover_waiter, &h, NULL);
    SetEvent(h.go);
    err = await_parked(1);
    DWORD uerr = MemscopeUnlock();
    QueryPerformanceCounter(&t0);
    if (WaitForSingleObject(h.done, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0 ||
        WaitForSingleObject(t, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        mst_out("error=the waiter did not report");
        ExitProcess(3);
    }
    if (err == ERROR_SUCCESS)
        err = uerr != ERROR_SUCCESS ? uerr : h.err;
    mst_out("prewakeerr=%lu", (unsigned long)err);
    mst_out("prewakeus=%lld", (h.got - t0.QuadPart) * 1000000 / f.QuadPart);
    CloseHandle(t);
    CloseHandle(h.go);
    CloseHandle(h.done);
}

/* Two releases that each take a waiter off the count before either waiter is inside its
 * wait must wake both: an auto-reset event would hold one signal for the two. */
static void cmd_twopark(void)
{
    handover h[2];
    HANDLE t[2];
    LARGE_INTEGER f, t0;
    DWORD err = ERROR_SUCCESS, uerr;
    if (!QueryPerformanceFrequency(&f)) {
        mst_out("error=twopark setup failed: %lu", GetLastError());
        ExitProcess(3);
    }
    if ((err = MemscopeLock(MST_CHILD_TIMEOUT_MS)) != ERROR_SUCCESS) {
        mst_out("error=twopark: MemscopeLock: %lu", (unsigned long)err);
        ExitProcess(3);
    }
    for (int i = 0; i < 2; i++) {
        h[i] = (handover){ CreateEventW(NULL, FALSE, FALSE, NULL),
                           CreateEventW(NULL, FALSE, FALSE, NULL), 0, ERROR_SUCCESS, 1 };
        if (h[i].go == NULL || h[i].done == NULL) {
            mst_out("error=twopark setup failed: %lu", GetLastError());
            ExitProcess(3);
        }
        t[i] = must_thread(handover_waiter, &h[i], NULL);
        SetEvent(h[i].go);
    }
    err = await_parked(2);
    uerr = MemscopeUnlock();
    if (uerr == ERROR_SUCCESS && (uerr = MemscopeLock(MST_CHILD_TIMEOUT_MS)) == ERROR_SUCCESS)
        uerr = MemscopeUnlock();
    QueryPerformanceCounter(&t0);
    if (WaitForMultipleObjects(2, t, TRUE, MST_CHILD_TIMEOUT_MS) != WAIT_OBJECT_0) {
        mst_out("error=the waiters did not get the lock");
        ExitProcess(3);
    }
    if (err == ERROR_SUCCESS)
        err = uerr != ERROR_SUCCESS ? uerr : h[0].err != ERROR_SUCCESS ? h[0].err : h[1].err;
    LONG64 last = h[0].got > h[1].got ? h[0].got : h[1].got;
    mst_out("twoparkerr=%lu", (unsigned long)err);
    mst_out("twoparkus=%lld", (last - t0.QuadPart) * 1000000 / f.QuadPart);
    for (int i = 0; i < 2; i++) {
        CloseHandle(t[i]);
        CloseHandle(h[i].go);
        CloseHandle(h[i].done);
    }
}

/* The count of acquisitions is a hint a waiter reads (is the lock changing hands?), and
 * another process can write it at any instant: acqbump keeps it moving. */
static void cmd_acqbump(const char *stop_name, const char *ready_name)
{
    MEMSCOPE_BLOCK *b = view();
    HANDLE stop = OpenEventA(SYNCHRONIZE, FALSE, stop_name);
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, ready_name);
    long long bumps = 0;
    if (stop == NULL || ready == NULL || !SetEvent(ready)) {
        mst_out("error=acqbump setup failed: %lu", GetLastError());
        ExitProcess(3);
    }
    volatile uint64_t *acq = &b->lock.acquisitions;
    do {                      /* a wait is a wineserver round trip: once in 100000 bumps */
        for (int k = 0; k < 100000; k++, bumps++) {
            *acq += 1;
            YieldProcessor();
        }
    } while (WaitForSingleObject(stop, 0) == WAIT_TIMEOUT);
    mst_out("acqbumps=%lld", bumps);
    CloseHandle(stop);
    CloseHandle(ready);
}

/* A length another process can rewrite at any instant, and a reader that must read it once
 * and clamp it.  lenflip rewrites the published buffer's length between 5 and 0x7FFFFFF0
 * until told to stop; lenread reads the text meanwhile and sorts what it gets. */
static void cmd_lenflip(const char *stop_name, const char *ready_name)
{
    MEMSCOPE_BLOCK *b = view();
    HANDLE stop = OpenEventA(SYNCHRONIZE, FALSE, stop_name);
    HANDLE ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, ready_name);
    DWORD err = MemscopeSetText(L"hello", 5);
    long long flips = 0;
    if (stop == NULL || ready == NULL || err != ERROR_SUCCESS) {
        mst_out("error=lenflip setup failed: %lu", stop == NULL || ready == NULL ?
                GetLastError() : (unsigned long)err);
        ExitProcess(3);
    }
    volatile uint32_t *len = &b->texts[InterlockedCompareExchange(&b->text_pub, 0, 0) & 1].len;
    if (!SetEvent(ready)) {
        mst_out("error=SetEvent(%s) failed: %lu", ready_name, GetLastError());
        ExitProcess(4);
    }
    /* Each value is held a few dozen cycles: two stores in a row would leave the store
     * buffer together, and a reader would hardly ever see the first one. */
    do {                                  /* a wait is a wineserver round trip: rarely */
        for (int k = 0; k < 65536; k++, flips++) {
            *len = 0x7FFFFFF0u;
            for (int p = 0; p < 4; p++)
                YieldProcessor();
            *len = 5;
            for (int p = 0; p < 4; p++)
                YieldProcessor();
        }
    } while (WaitForSingleObject(stop, 0) == WAIT_TIMEOUT);
    mst_out("lenflips=%lld", flips);
    CloseHandle(stop);
    CloseHandle(ready);
}

/* n reads, and on (for at most 30 s) until the length read changed min times from one
 * read to the next (so the reads really overlapped the rewrites: on a busy machine the
 * rewriter may wait for a core a long time).  A text of any length but 5 or 2047 was not
 * read once and clamped; a reader that overruns its buffer crashes. */
static void cmd_lenread(long n, long min_changes)
{
    static WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    long shorts = 0, longs = 0, others = 0, changes = 0, k;
    DWORD err = ERROR_SUCCESS, len, last = 0;
    ULONGLONG deadline = GetTickCount64() + 30000;
    for (k = 0; k < n || (changes < min_changes &&
                          ((k & 0xFFFF) != 0 || GetTickCount64() < deadline)); k++) {
        if ((err = MemscopeGetText(buf, ARRAYSIZE(buf), &len)) != ERROR_SUCCESS)
            break;
        if (len == 5)
            shorts++;
        else if (len == MEMSCOPE_TEXT_MAX)
            longs++;
        else
            others++;
        if (k > 0 && len != last)
            changes++;
        last = len;
    }
    mst_out("lenerr=%lu", (unsigned long)err);
    mst_out("lenreads=%ld", k);
    mst_out("lenchanges=%ld", changes);
    mst_out("lenshort=%ld", shorts);
    mst_out("lenlong=%ld", longs);
    mst_out("lenother=%ld", others);
}

/* memscope_dyn.dll, beside this binary. */
static HMODULE load_dyn(void)
{
    WCHAR path[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    /* cppcheck-suppress uninitvar ; cppcheck 2.10's windows.cfg marks GetModuleFileNameW's
     * buffer as an input, but the call fills it (n > 0) */
    WCHAR *slash = n > 0 && n < MAX_PATH ? wcsrchr(path, L'\\') : NULL;
    if (slash == NULL || (size_t)(slash + 1 - path) + 17 >= MAX_PATH) {
        mst_out("error=GetModuleFileNameW failed: %lu", GetLastError());
        ExitProcess(3);
    }
    wcscpy(slash + 1, L"memscope_dyn.dll");
    HMODULE m = LoadLibraryW(path);
    if (m == NULL) {
        mst_out("error=LoadLibraryW(memscope_dyn.dll) failed: %lu", GetLastError());
        ExitProcess(3);
    }
    return m;
}

static FARPROC must_proc(HMODULE m, const char *name)
{
    FARPROC f = GetProcAddress(m, name);
    if (f == NULL) {
        mst_out("error=GetProcAddress(%s) failed: %lu", name, GetLastError());
        ExitProcess(3);
    }
    return f;
}

typedef DWORD (WINAPI *status_fn)(void);
typedef DWORD (WINAPI *lock_fn)(DWORD);
typedef DWORD (WINAPI *setpriv_fn)(LPCWSTR, DWORD);
typedef DWORD (WINAPI *getpriv_fn)(LPWSTR, DWORD, DWORD *, void **);

static void cmd_dynhold(void)
{
    HMODULE m = load_dyn();
    void *addr = NULL;
    WCHAR buf[16];
    mst_out("dynstatus=%lu", (unsigned long)((status_fn)(void (*)(void))must_proc(m, "MemscopeStatus"))());
    mst_out("dynlock=%lu", (unsigned long)((lock_fn)(void (*)(void))must_proc(m, "MemscopeLock"))(1000));
    ((setpriv_fn)(void (*)(void))must_proc(m, "MemscopeSetPrivateText"))(L"private", 7);
    ((getpriv_fn)(void (*)(void))must_proc(m, "MemscopeGetPrivateText"))(buf, 16, NULL, &addr);
    mst_out("dynpriv=%p", addr);
    mst_out("freed=%d", FreeLibrary(m) ? 1 : 0);
    /* HeapValidate on a block: TRUE while it is allocated. */
    mst_out("privlive=%d", addr != NULL && HeapValidate(GetProcessHeap(), 0, addr) ? 1 : 0);
}

static void cmd_dynload(void)
{
    ULONGLONG t0 = GetTickCount64();
    HMODULE m = load_dyn();
    mst_out("loadms=%llu", GetTickCount64() - t0);
    t0 = GetTickCount64();
    mst_out("dynstatus=%lu", (unsigned long)((status_fn)(void (*)(void))must_proc(m, "MemscopeStatus"))());
    mst_out("statusms=%llu", GetTickCount64() - t0);
    FreeLibrary(m);
}

static HMODULE g_dyn;     /* dynattach's copy, until dynfree */

static void cmd_dynattach(void)
{
    DWORD n = 0;
    typedef DWORD (WINAPI *count_fn)(DWORD *);
    g_dyn = load_dyn();
    DWORD err = ((count_fn)(void (*)(void))must_proc(g_dyn, "MemscopeAttachedCount"))(&n);
    mst_out("dynattached=%lu", (unsigned long)(err == ERROR_SUCCESS ? n : 0));
}

static void cmd_dynfree(void)
{
    DWORD n = 0;
    if (g_dyn == NULL) {
        mst_out("error=dynfree without dynattach");
        ExitProcess(3);
    }
    mst_out("dynfreed=%d", FreeLibrary(g_dyn) ? 1 : 0);
    g_dyn = NULL;
    DWORD err = MemscopeAttachedCount(&n);
    mst_out("afterfree=%lu", (unsigned long)(err == ERROR_SUCCESS ? n : 0));
}

int mst_child_fault_cmd(int argc, char **argv)
{
    const char *c = argv[0];
    if (strcmp(c, "changeevent") == 0) {
        static HANDLE watched;          /* kept open: this process stays a watcher */
        mst_out("changeevent=%lu", (unsigned long)MemscopeChangeEvent(&watched));
        return 0;
    }
    if (strcmp(c, "forgelock") == 0 && argc > 1) {
        cmd_forgelock(argv[1]);
        return 1;
    }
    if (strcmp(c, "forgeslot") == 0) {
        cmd_forgeslot(NULL);
        return 0;
    }
    if (strcmp(c, "forgeslotof") == 0 && argc > 1) {
        cmd_forgeslot(argv[1]);
        return 1;
    }
    if (strcmp(c, "stolenunlock") == 0) {
        cmd_stolenunlock();
        return 0;
    }
    if (strcmp(c, "threadlock") == 0 || strcmp(c, "threadexit") == 0 ||
        strcmp(c, "threadexitkeep") == 0) {
        cmd_threadlock(c[6] == 'e', strcmp(c, "threadexitkeep") == 0);
        return 0;
    }
    if (strcmp(c, "handover") == 0 && argc > 1) {
        cmd_handover((int)strtol(argv[1], NULL, 0));
        return 1;
    }
    if (strcmp(c, "prewake") == 0) {
        cmd_prewake();
        return 0;
    }
    if (strcmp(c, "twopark") == 0) {
        cmd_twopark();
        return 0;
    }
    if (strcmp(c, "acqbump") == 0 && argc > 2) {
        cmd_acqbump(argv[1], argv[2]);
        return 2;
    }
    if (strcmp(c, "lenflip") == 0 && argc > 2) {
        cmd_lenflip(argv[1], argv[2]);
        return 2;
    }
    if (strcmp(c, "lenread") == 0 && argc > 2) {
        cmd_lenread(strtol(argv[1], NULL, 0), strtol(argv[2], NULL, 0));
        return 2;
    }
    if (strcmp(c, "dynattach") == 0) {
        cmd_dynattach();
        return 0;
    }
    if (strcmp(c, "dynfree") == 0) {
        cmd_dynfree();
        return 0;
    }
    if (strcmp(c, "reenter") == 0) {
        cmd_reenter();
        return 0;
    }
    if (strcmp(c, "dynhold") == 0) {
        cmd_dynhold();
        return 0;
    }
    if (strcmp(c, "dynload") == 0) {
        cmd_dynload();
        return 0;
    }
    return -1;
}
