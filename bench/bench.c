/*
 * bench.c: `make bench`: memscope's costs measured side by side with what they replace, in
 * one run, each figure the median of BENCH_REPS repetitions (repetitions interleave the two
 * sides, so a slow moment of the machine hits both).  Prints, per line, the two medians,
 * their ratio, the target and whether it is met.  A benchmark, not a test: nothing here
 * fails on a slow machine, and no test of `make check` is timed.
 *
 *   bench.exe                          run everything (MEMSCOPE_NAME names the block)
 *   bench.exe --worker KIND REGION I N GO READY   (internal) one contending process
 *   bench.exe --idle READY STOP                   (internal) a process that only attaches
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "bench.h"

/* The Boost peer (boost_peer.cpp). */
unsigned boost_peer_size(void);
void boost_peer_init(void *mem);
void boost_peer_lock(void *mem);
void boost_peer_unlock(void *mem);
void boost_peer_locked_increments(void *mem, volatile long long *counter, long n);

#define BENCH_REPS        7
#define N_FAST            1000000   /* operations per repetition, nanosecond-scale ones */
#define N_MUTEX           2000      /* ... named mutex pairs (~100 us each under Wine) */
#define N_TEXT            200000
#define N_MIX             200000
#define N_CONTEND         200000    /* locked increments per contending process */
#define N_ATTACH          100       /* LoadLibrary + FreeLibrary pairs */
#define TEXT_CHARS        256

static LARGE_INTEGER g_freq;
static bench_region *g_region;
static char g_region_name[64];
static MEMSCOPE_BLOCK *g_view;

static int64_t qpc(void)
{
    LARGE_INTEGER t;
    QueryPerformanceCounter(&t);
    return t.QuadPart;
}

static double ns_since(int64_t t0, long n)
{
    return (double)(qpc() - t0) * 1e9 / (double)g_freq.QuadPart / (double)n;
}

static void check(const char *call, DWORD err)
{
    if (err != ERROR_SUCCESS && err != ERROR_ABANDONED_WAIT_0)
        bench_die(call, err);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
    double s[BENCH_MAX_REPS];
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* One result line.  lower_is_better: the target is ratio <= target; else ratio >= target. */
static void report(const char *what, const double *a, const double *b, const char *unit,
                   double target, BOOL lower_is_better)
{
    double ma = median(a, BENCH_REPS), mb = median(b, BENCH_REPS), ratio = ma / mb;
    BOOL met = lower_is_better ? ratio <= target : ratio >= target;
    if (target <= 0) {                      /* shown for context, judged against nothing */
        printf("%-58s %11.1f %11.1f %-8s %9.2fx\n", what, ma, mb, unit, ratio);
        fflush(stdout);
        return;
    }
    printf("%-58s %11.1f %11.1f %-8s %9.2fx  %s %6.1fx  %s\n", what, ma, mb, unit, ratio,
           lower_is_better ? "<=" : ">=", target, met ? "met" : "MISSED");
    fflush(stdout);
}

/* ---- child processes ---------------------------------------------------------------- */

static HANDLE spawn(const char *args)
{
    char self[MAX_PATH], cmd[MAX_PATH + 512];
    STARTUPINFOA si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    if (GetModuleFileNameA(NULL, self, MAX_PATH) == 0)
        bench_die("GetModuleFileNameA", GetLastError());
    snprintf(cmd, sizeof cmd, "\"%s\" %s", self, args);
    /* Once, under Wine with two other jobs on the machine, CreateProcess failed with
     * ERROR_INTERNAL_ERROR while 30 processes were being started: retry that one a few
     * times rather than lose the whole run. */
    for (int tries = 1; !CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
         tries++) {
        DWORD err = GetLastError();
        if (err != ERROR_INTERNAL_ERROR || tries == 3)
            bench_die("CreateProcessA", err);
        fprintf(stderr, "bench: CreateProcessA: internal error, retrying\n");
        Sleep(200);
    }
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Waits for n processes (60 s) and closes them; a failed child ends the bench. */
static void reap(HANDLE *p, int n)
{
    for (int i = 0; i < n; i++) {
        DWORD code = 1;
        if (WaitForSingleObject(p[i], 60000) != WAIT_OBJECT_0)
            bench_die("WaitForSingleObject(child)", WAIT_TIMEOUT);
        if (!GetExitCodeProcess(p[i], &code))
            bench_die("GetExitCodeProcess", GetLastError());
        if (code != 0) {
            fprintf(stderr, "bench: a child process failed (exit code %lu)\n",
                    (unsigned long)code);
            ExitProcess(1);
        }
        CloseHandle(p[i]);
    }
}

static HANDLE named_event(const char *name, BOOL manual)
{
    HANDLE h = CreateEventA(NULL, manual, FALSE, name);
    if (h == NULL)
        bench_die("CreateEventA", GetLastError());
    return h;
}

static HANDLE named_semaphore(const char *name)
{
    HANDLE h = CreateSemaphoreA(NULL, 0, BENCH_MAX_WORKERS, name);
    if (h == NULL)
        bench_die("CreateSemaphoreA", GetLastError());
    return h;
}

static void wait_n(HANDLE sem, int n)
{
    for (int i = 0; i < n; i++)
        if (WaitForSingleObject(sem, 60000) != WAIT_OBJECT_0)
            bench_die("WaitForSingleObject(ready)", WAIT_TIMEOUT);
}

/* Worker: says it is ready, waits for GO, does n locked increments (ours or Boost's), and
 * records when it started and finished. */
static int worker(char **argv)
{
    const char *kind = argv[0];
    bench_region *r = bench_region_open(argv[1]);
    int i = atoi(argv[2]);
    long n = atol(argv[3]);
    HANDLE go = OpenEventA(SYNCHRONIZE, FALSE, argv[4]);
    HANDLE ready = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, argv[5]);
    if (go == NULL || ready == NULL)
        bench_die("OpenEventA/OpenSemaphoreA", GetLastError());
    if (!ReleaseSemaphore(ready, 1, NULL))
        bench_die("ReleaseSemaphore", GetLastError());
    if (WaitForSingleObject(go, 60000) != WAIT_OBJECT_0)
        bench_die("WaitForSingleObject(go)", GetLastError());
    r->t0[i] = qpc();
    if (strcmp(kind, "ours") == 0) {
        for (long k = 0; k < n; k++)
            check("MemscopeLockedIncrement", MemscopeLockedIncrement(NULL));
    } else {
        boost_peer_locked_increments(r->boost_mutex, (volatile long long *)&r->boost_counter,
                                     n);
    }
    r->t1[i] = qpc();
    return 0;
}

/* Idle: attaches (by loading), says so, and waits to be told to go. */
static int idle(char **argv)
{
    HANDLE ready = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, argv[0]);
    HANDLE stop = OpenEventA(SYNCHRONIZE, FALSE, argv[1]);
    if (ready == NULL || stop == NULL)
        bench_die("OpenSemaphoreA/OpenEventA", GetLastError());
    check("MemscopeStatus", MemscopeStatus());
    if (!ReleaseSemaphore(ready, 1, NULL))
        bench_die("ReleaseSemaphore", GetLastError());
    WaitForSingleObject(stop, 120000);
    return 0;
}

/* P processes doing N_CONTEND locked increments each: operations per microsecond, from the
 * first start to the last finish. */
static double contend(const char *kind, int procs)
{
    static int round;
    char go_name[64], ready_name[64], args[256];
    HANDLE p[BENCH_MAX_WORKERS];
    snprintf(go_name, sizeof go_name, "Local\\memscope-bench-go-%lu-%d",
             (unsigned long)GetCurrentProcessId(), round);
    snprintf(ready_name, sizeof ready_name, "Local\\memscope-bench-ready-%lu-%d",
             (unsigned long)GetCurrentProcessId(), round++);
    HANDLE go = named_event(go_name, TRUE), ready = named_semaphore(ready_name);
    MEMSCOPE_LOCK_STATE before, after;
    check("MemscopeLockState", MemscopeLockState(&before));
    int64_t boost_before = g_region->boost_counter;
    for (int i = 0; i < procs; i++) {
        snprintf(args, sizeof args, "--worker %s %s %d %d %s %s", kind, g_region_name, i,
                 N_CONTEND, go_name, ready_name);
        p[i] = spawn(args);
    }
    wait_n(ready, procs);
    if (!SetEvent(go))
        bench_die("SetEvent", GetLastError());
    reap(p, procs);
    int64_t t0 = g_region->t0[0], t1 = g_region->t1[0];
    for (int i = 1; i < procs; i++) {
        t0 = g_region->t0[i] < t0 ? g_region->t0[i] : t0;
        t1 = g_region->t1[i] > t1 ? g_region->t1[i] : t1;
    }
    /* Not a test, but a throughput that lost updates would be a lie: check the totals. */
    check("MemscopeLockState", MemscopeLockState(&after));
    int64_t want = (int64_t)procs * N_CONTEND;
    int64_t got = strcmp(kind, "ours") == 0 ? after.lockedTotal - before.lockedTotal
                                           : g_region->boost_counter - boost_before;
    if (got != want) {
        fprintf(stderr, "bench: %s: %lld increments counted, %lld made\n", kind,
                (long long)got, (long long)want);
        ExitProcess(1);
    }
    CloseHandle(go);
    CloseHandle(ready);
    double us = (double)(t1 - t0) * 1e6 / (double)g_freq.QuadPart;
    return (double)want / us;
}

/* ---- the measurements ------------------------------------------------------------------ */

/* Keeps the compiler from dropping a copy nobody reads. */
static void sink(void *p)
{
    __asm__ volatile("" : : "r"(p) : "memory");
}

static double op_counter(void)
{
    int64_t t0 = qpc();
    for (long i = 0; i < N_FAST; i++)
        check("MemscopeCounterIncrement", MemscopeCounterIncrement(NULL));
    return ns_since(t0, N_FAST);
}

static double op_raw_interlocked(void)
{
    int64_t t0 = qpc();
    for (long i = 0; i < N_FAST; i++)
        InterlockedIncrement64((volatile LONG64 *)&g_view->counter);
    return ns_since(t0, N_FAST);
}

static double op_lock(long n)
{
    int64_t t0 = qpc();
    for (long i = 0; i < n; i++) {
        check("MemscopeLock", MemscopeLock(INFINITE));
        check("MemscopeUnlock", MemscopeUnlock());
    }
    return ns_since(t0, n);
}

static double op_boost_lock(void)
{
    int64_t t0 = qpc();
    for (long i = 0; i < N_FAST; i++) {
        boost_peer_lock(g_region->boost_mutex);
        boost_peer_unlock(g_region->boost_mutex);
    }
    return ns_since(t0, N_FAST);
}

static double op_mutex(void)
{
    int64_t t0 = qpc();
    for (long i = 0; i < N_MUTEX; i++) {
        check("MemscopeMutexLock", MemscopeMutexLock(INFINITE));
        check("MemscopeMutexUnlock", MemscopeMutexUnlock());
    }
    return ns_since(t0, N_MUTEX);
}

static double op_text(void)
{
    WCHAR buf[TEXT_CHARS + 1];
    DWORD len;
    int64_t t0 = qpc();
    for (long i = 0; i < N_TEXT; i++) {
        check("MemscopeGetText", MemscopeGetText(buf, ARRAYSIZE(buf), &len));
        sink(buf);
    }
    return ns_since(t0, N_TEXT);
}

static double op_memcpy(void)
{
    WCHAR buf[TEXT_CHARS + 1];
    int64_t t0 = qpc();
    for (long i = 0; i < N_TEXT; i++) {
        uint16_t *text = g_view->texts[g_view->text_pub & 1].text;   /* the published one */
        sink(text);
        memcpy(buf, text, (TEXT_CHARS + 1) * sizeof(WCHAR));
        sink(buf);
    }
    return ns_since(t0, N_TEXT);
}

/* The per-operation mix of the scaling line: a counter increment, a lock+unlock and a read
 * of the 256-character text. */
static double op_mix(void)
{
    WCHAR buf[TEXT_CHARS + 1];
    DWORD len;
    int64_t t0 = qpc();
    for (long i = 0; i < N_MIX; i++) {
        check("MemscopeCounterIncrement", MemscopeCounterIncrement(NULL));
        check("MemscopeLock", MemscopeLock(INFINITE));
        check("MemscopeUnlock", MemscopeUnlock());
        check("MemscopeGetText", MemscopeGetText(buf, ARRAYSIZE(buf), &len));
        sink(buf);
    }
    return ns_since(t0, N_MIX);
}

/* Starts n idle processes attached to the block and waits until each has attached. */
static void start_idle(HANDLE *p, int n, const char *ready_name, const char *stop_name,
                       HANDLE ready)
{
    char args[256];
    snprintf(args, sizeof args, "--idle %s %s", ready_name, stop_name);
    for (int i = 0; i < n; i++)
        p[i] = spawn(args);
    wait_n(ready, n);
}

static void scaling(double *two, double *many, int *attached_two, int *attached_many)
{
    enum { EXTRA = 30 };                /* 1 + this process = 2; + EXTRA = 32 */
    char ready_name[64], stop1[64], stop2[64];
    HANDLE one[1], extra[EXTRA];
    DWORD n;
    snprintf(ready_name, sizeof ready_name, "Local\\memscope-bench-idle-%lu",
             (unsigned long)GetCurrentProcessId());
    snprintf(stop1, sizeof stop1, "Local\\memscope-bench-stop1-%lu",
             (unsigned long)GetCurrentProcessId());
    snprintf(stop2, sizeof stop2, "Local\\memscope-bench-stop2-%lu",
             (unsigned long)GetCurrentProcessId());
    HANDLE ready = named_semaphore(ready_name);
    HANDLE s1 = named_event(stop1, TRUE);
    start_idle(one, 1, ready_name, stop1, ready);
    for (int k = 0; k < BENCH_REPS; k++) {
        check("MemscopeAttachedCount", MemscopeAttachedCount(&n));
        attached_two[k] = (int)n;
        two[k] = op_mix();
        HANDLE s2 = named_event(stop2, TRUE);
        start_idle(extra, EXTRA, ready_name, stop2, ready);
        check("MemscopeAttachedCount", MemscopeAttachedCount(&n));
        attached_many[k] = (int)n;
        many[k] = op_mix();
        SetEvent(s2);
        reap(extra, EXTRA);
        CloseHandle(s2);
    }
    SetEvent(s1);
    reap(one, 1);
    CloseHandle(s1);
    CloseHandle(ready);
}

/* Runs attach.exe in MODE (warm: advapi32 already loaded; cold: not), see bench/attach.c. */
static void attach_bench(const char *mode, double *ours, double *empty)
{
    char dir[MAX_PATH], cmd[2 * MAX_PATH];
    STARTUPINFOA si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    DWORD n = GetModuleFileNameA(NULL, dir, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        bench_die("GetModuleFileNameA", GetLastError());
    *strrchr(dir, '\\') = 0;
    snprintf(cmd, sizeof cmd, "\"%s\\attach.exe\" %s %d %d %s", dir, g_region_name,
             BENCH_REPS, N_ATTACH, mode);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, dir, &si, &pi))
        bench_die("CreateProcessA(attach.exe)", GetLastError());
    CloseHandle(pi.hThread);
    reap(&pi.hProcess, 1);
    memcpy(ours, g_region->attach_ours, BENCH_REPS * sizeof *ours);
    memcpy(empty, g_region->attach_empty, BENCH_REPS * sizeof *empty);
}

int main(int argc, char **argv)
{
    QueryPerformanceFrequency(&g_freq);
    if (argc >= 8 && strcmp(argv[1], "--worker") == 0)
        return worker(argv + 2);
    if (argc >= 4 && strcmp(argv[1], "--idle") == 0)
        return idle(argv + 2);

    double a[BENCH_REPS], b[BENCH_REPS], c[BENCH_REPS];
    int att2[BENCH_REPS], att32[BENCH_REPS];
    SIZE_T cb;
    WCHAR text[TEXT_CHARS];

    check("MemscopeStatus", MemscopeStatus());
    check("MemscopeViewAddress", MemscopeViewAddress((void **)&g_view, &cb));
    snprintf(g_region_name, sizeof g_region_name, "Local\\memscope-bench-region-%lu",
             (unsigned long)GetCurrentProcessId());
    HANDLE hr = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                   sizeof(bench_region), g_region_name);
    if (hr == NULL)
        bench_die("CreateFileMappingA", GetLastError());
    g_region = bench_region_open(g_region_name);
    if (boost_peer_size() > sizeof g_region->boost_mutex) {
        fprintf(stderr, "bench: Boost's mutex needs %u bytes\n", boost_peer_size());
        return 1;
    }
    boost_peer_init(g_region->boost_mutex);
    for (int i = 0; i < TEXT_CHARS; i++)
        text[i] = L'a' + i % 26;
    check("MemscopeSetText", MemscopeSetText(text, TEXT_CHARS));

    printf("memscope bench: each figure the median of %d repetitions, the two sides "
           "interleaved\n", BENCH_REPS);
    printf("%-58s %11s %11s %-8s %10s  %-9s  %s\n", "measure (A / B)", "A", "B", "unit",
           "A/B", "target", "");

    for (int k = 0; k < BENCH_REPS; k++) {
        a[k] = op_counter();
        b[k] = op_raw_interlocked();
    }
    report("shared counter accessor / raw InterlockedIncrement64", a, b, "ns/op", 1.3, TRUE);

    for (int k = 0; k < BENCH_REPS; k++) {
        a[k] = op_lock(N_FAST);
        b[k] = op_boost_lock();
    }
    report("lock+unlock uncontended / Boost interprocess_mutex", a, b, "ns/op", 1.0, TRUE);

    for (int procs = 2; procs <= 4; procs += 2) {
        char what[96];
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = contend("ours", procs);
            b[k] = contend("boost", procs);
        }
        snprintf(what, sizeof what, "locked increments, %d processes: ours / Boost", procs);
        report(what, a, b, "ops/us", 1.0, FALSE);
    }

    for (int k = 0; k < BENCH_REPS; k++) {
        a[k] = op_mutex();
        b[k] = op_lock(N_FAST);
    }
    report("named mutex / our lock, uncontended", a, b, "ns/op", 1000.0, FALSE);

    attach_bench("warm", a, b);
    report("attach: LoadLibrary+FreeLibrary memscope.dll / empty", a, b, "ns/op", 1.5, TRUE);
    attach_bench("cold", a, b);
    report("  (no target) the same, advapi32 not yet loaded", a, b, "ns/op", 0, TRUE);

    for (int k = 0; k < BENCH_REPS; k++) {
        a[k] = op_text();
        b[k] = op_memcpy();
    }
    report("shared text read, 256 chars / memcpy of the same", a, b, "ns/op", 3.0, TRUE);

    scaling(c, a, att2, att32);
    report("op mix with 32 processes attached / with 2", a, c, "ns/op", 2.0, TRUE);
    printf("(op mix: counter increment + lock/unlock + 256-char text read; attached counts "
           "seen: %d and %d)\n", att32[0], att2[0]);
    return 0;
}
