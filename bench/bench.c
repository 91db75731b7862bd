/*
 * bench.c: `make bench`: memscope's costs measured side by side with what they replace, in
 * one run, each figure the median of BENCH_REPS repetitions (repetitions interleave the two
 * sides, so a slow moment of the machine hits both).  Prints, per line, the two medians,
 * their ratio, the target and whether it is met.  A benchmark, not a test: nothing here
 * fails on a slow machine, and no test of `make check` is timed.
 *
 *   bench.exe [--verbose] [--only GROUP]
 *       runs everything, or one group of lines (counter, lock, contention, waiters, mutex,
 *       attach, text, mix); --verbose adds every repetition's figures, on stderr.
 *       MEMSCOPE_NAME names the block.
 *   bench.exe --worker KIND REGION I N GO READY   (internal) one contending process
 *   bench.exe --holder KIND REGION GO READY       (internal) the waiter line's lock holder
 *   bench.exe --waiter KIND REGION I GO READY     (internal) one of its waiters
 *   bench.exe --idle READY STOP                   (internal) a process that only attaches
 *
 * KIND is "ours" (memscope's lock in the block) or "boost" (the Boost peer's
 * interprocess_mutex in the bench's own region).  Every child process is held at a start
 * barrier: it says it is ready (a named semaphore), then waits on a named manual-reset event
 * that the parent sets once all of them are ready, so no child's start-up (tens of ms of
 * CPU under Wine) falls inside another's measurement.
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
#define N_ATTACH          100       /* LoadLibrary + FreeLibrary pairs */
#define TEXT_CHARS        256
#define MIN_OVERLAP_PCT   80        /* below this, a contention line measures no contention */
#define MIN_HELD_PCT      80        /* below this, the waiter line measures no waiting */
#define HOLD_MS           20        /* the waiter line: the holder keeps the lock this long */
#define HOLD_RUN_MS       1500      /* ... again and again for this long */
#define WAITERS           3         /* ... while this many processes queue for it */

/* The contention lines: processes, and locked increments per process.  Each worker does the
 * same count, so an unfair lock lets some finish early and the rest run on with less
 * contention: the runs must be long beside that tail and beside the skew of the wake-ups
 * (measured here: 2 x 10^6 gave 60-70 % overlap for Boost, 2 x 4 x 10^6 about 80 %,
 * 2 x 8 x 10^6 about 90 %; 4 and 8 processes overlap more at fewer increments).  A run
 * then lasts 0.1-0.4 s on an idle machine, several seconds on a loaded one. */
static const struct { int procs; long n; } g_contend[] = {
    { 2, 8000000 }, { 4, 2000000 }, { 8, 1000000 },
};

static LARGE_INTEGER g_freq;
static bench_region *g_region;
static char g_region_name[64];
static MEMSCOPE_BLOCK *g_view;
static BOOL g_verbose;              /* --verbose: every repetition's figures, on stderr */

static int64_t qpc(void)
{
    LARGE_INTEGER t;
    if (!QueryPerformanceCounter(&t))
        bench_die("QueryPerformanceCounter", GetLastError());
    return t.QuadPart;
}

static double ns_since(int64_t t0, long n)
{
    return (double)(qpc() - t0) * 1e9 / (double)g_freq.QuadPart / (double)n;
}

static double seconds(int64_t counts)
{
    return (double)counts / (double)g_freq.QuadPart;
}

/* A fraction as a whole percentage, rounded: what the line prints is what it is judged by. */
static int pct(double f)
{
    return (int)(f * 100 + 0.5);
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

/* One result line: the medians of a and b, their ratio, the target and the verdict.
 * lower_is_better: the target is ratio <= target, else ratio >= target; target 0: none
 * (the line is context).  refused, if not NULL, replaces the ratio and the verdict: the
 * run did not measure what the line claims (it says why).  note, if not NULL, follows. */
static void report(const char *what, const double *a, const double *b, const char *unit,
                   double target, BOOL lower_is_better, const char *refused,
                   const char *note)
{
    double ma = median(a, BENCH_REPS), mb = median(b, BENCH_REPS);
    char ratio[32] = "-", goal[32] = "no target", verdict[96] = "";
    if (refused == NULL && mb > 0)
        snprintf(ratio, sizeof ratio, "%.2fx", ma / mb);
    if (target > 0)
        snprintf(goal, sizeof goal, "%s %6.1fx", lower_is_better ? "<=" : ">=", target);
    if (refused != NULL)
        snprintf(verdict, sizeof verdict, "%s", refused);
    else if (target > 0 && mb > 0)
        snprintf(verdict, sizeof verdict, "%s",
                 (lower_is_better ? ma / mb <= target : ma / mb >= target) ? "met" : "MISSED");
    printf("%-56s %11.1f %11.1f %-6s %9s  %-9s  %s%s%s\n", what, ma, mb, unit, ratio, goal,
           verdict, note != NULL ? "  " : "", note != NULL ? note : "");
    fflush(stdout);
}

/* ---- child processes ---------------------------------------------------------------- */

/* Waits at most ms for h; anything but WAIT_OBJECT_0 ends the bench, named by what. */
static void wait_for(HANDLE h, DWORD ms, const char *what)
{
    DWORD r = WaitForSingleObject(h, ms);
    if (r == WAIT_FAILED)
        bench_die(what, GetLastError());
    if (r != WAIT_OBJECT_0)
        bench_die(what, r == WAIT_TIMEOUT ? WAIT_TIMEOUT : ERROR_ABANDONED_WAIT_0);
}

static void close_handle(HANDLE h)
{
    if (!CloseHandle(h))
        bench_die("CloseHandle", GetLastError());
}

static void set_event(HANDLE h)
{
    if (!SetEvent(h))
        bench_die("SetEvent", GetLastError());
}

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
    close_handle(pi.hThread);
    return pi.hProcess;
}

/* Waits for n processes (60 s) and closes them; a failed child ends the bench. */
static void reap(HANDLE *p, int n)
{
    for (int i = 0; i < n; i++) {
        DWORD code = 1;
        wait_for(p[i], 60000, "WaitForSingleObject(child)");
        if (!GetExitCodeProcess(p[i], &code))
            bench_die("GetExitCodeProcess", GetLastError());
        if (code != 0) {
            fprintf(stderr, "bench: a child process failed (exit code %lu)\n",
                    (unsigned long)code);
            ExitProcess(1);
        }
        close_handle(p[i]);
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
        wait_for(sem, 60000, "WaitForSingleObject(ready)");
}

/* The start barrier of a run: children count themselves in on `ready` (a semaphore), then
 * wait on `go` (a manual-reset event), which the parent sets once all are in.  Names are
 * new for every run, so a late child of one run cannot pass the next run's barrier. */
typedef struct barrier {
    char go_name[64], ready_name[64];
    HANDLE go, ready;
} barrier;

static void barrier_make(barrier *b)
{
    static int round;
    snprintf(b->go_name, sizeof b->go_name, "Local\\memscope-bench-go-%lu-%d",
             (unsigned long)GetCurrentProcessId(), round);
    snprintf(b->ready_name, sizeof b->ready_name, "Local\\memscope-bench-ready-%lu-%d",
             (unsigned long)GetCurrentProcessId(), round++);
    b->go = named_event(b->go_name, TRUE);
    b->ready = named_semaphore(b->ready_name);
}

/* Parent: waits until n children are in, then lets them all go at once. */
static void barrier_release(barrier *b, int n)
{
    wait_n(b->ready, n);
    set_event(b->go);
}

static void barrier_close(barrier *b)
{
    close_handle(b->go);
    close_handle(b->ready);
}

/* Child: counts itself in and waits for the parent's go. */
static void barrier_wait(const char *go_name, const char *ready_name)
{
    HANDLE go = OpenEventA(SYNCHRONIZE, FALSE, go_name);
    if (go == NULL)
        bench_die("OpenEventA(go)", GetLastError());
    HANDLE ready = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, ready_name);
    if (ready == NULL)
        bench_die("OpenSemaphoreA(ready)", GetLastError());
    if (!ReleaseSemaphore(ready, 1, NULL))
        bench_die("ReleaseSemaphore", GetLastError());
    wait_for(go, 60000, "WaitForSingleObject(go)");
    close_handle(go);
    close_handle(ready);
}

static BOOL is_ours(const char *kind)
{
    if (strcmp(kind, "ours") == 0)
        return TRUE;
    if (strcmp(kind, "boost") == 0)
        return FALSE;
    fprintf(stderr, "bench: unknown lock kind '%s'\n", kind);
    ExitProcess(2);
}

static void lock_kind(BOOL ours)
{
    if (ours)
        check("MemscopeLock", MemscopeLock(INFINITE));
    else
        boost_peer_lock(g_region->boost_mutex);
}

static void unlock_kind(BOOL ours)
{
    if (ours)
        check("MemscopeUnlock", MemscopeUnlock());
    else
        boost_peer_unlock(g_region->boost_mutex);
}

/* This process's user + kernel CPU time so far, from GetProcessTimes (100 ns units). */
static int64_t cpu_now(void)
{
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        bench_die("GetProcessTimes", GetLastError());
    ULARGE_INTEGER k = { .u = { kernel.dwLowDateTime, kernel.dwHighDateTime } };
    ULARGE_INTEGER u = { .u = { user.dwLowDateTime, user.dwHighDateTime } };
    return (int64_t)(k.QuadPart + u.QuadPart);
}

/* ---- CPU time to the nanosecond, under Wine ----------------------------------------------
 * Under Wine, GetProcessTimes advances in whole Linux clock ticks (10 ms here, measured): a
 * waiter that burns 5 ms in a run reads 0 or 10.  Linux keeps each thread's CPU time in
 * nanoseconds (the first field of /proc/PID/task/TID/schedstat), which a Wine process can
 * read through drive Z: once it knows its Linux pid.  Wine has no call that tells it, so a
 * process looks for its own arguments (which carry the run's unique names) in
 * /proc/N/cmdline.  (Z:\proc\self would be wineserver: see wineserver_cpu_ns.)  Where any of
 * this fails (on Windows, say), the line falls back to GetProcessTimes and says why;
 * g_linux_why keeps the reason, and a child copies it into the region. */
static char g_linux_why[256];

static void linux_fail(const char *call, const char *what, DWORD err)
{
    char msg[160] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0,
                   msg, sizeof msg, NULL);
    msg[strcspn(msg, "\r\n")] = 0;
    snprintf(g_linux_why, sizeof g_linux_why, "%s(%s) failed: %s (%lu)", call, what, msg,
             (unsigned long)err);
}

/* Reads up to cap - 1 bytes of a (small, /proc) file, NULs turned into spaces. */
static BOOL read_proc(const char *path, char *buf, DWORD cap)
{
    DWORD n = 0;
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        linux_fail("CreateFileA", path, GetLastError());
        return FALSE;
    }
    BOOL ok = ReadFile(h, buf, cap - 1, &n, NULL);
    if (!ok)
        linux_fail("ReadFile", path, GetLastError());
    close_handle(h);
    for (DWORD i = 0; i < n; i++)
        buf[i] = buf[i] == 0 ? ' ' : buf[i];
    buf[ok ? n : 0] = 0;
    return ok;
}

/* Calls fn(name, ctx) for each numeric entry of the folder dir ("Z:\proc", ...). */
static BOOL each_number(const char *dir, void (*fn)(const char *, void *), void *ctx)
{
    char pattern[MAX_PATH];
    WIN32_FIND_DATAA fd;
    snprintf(pattern, sizeof pattern, "%s\\*", dir);
    HANDLE f = FindFirstFileA(pattern, &fd);
    if (f == INVALID_HANDLE_VALUE) {
        linux_fail("FindFirstFileA", pattern, GetLastError());
        return FALSE;
    }
    do {
        if (fd.cFileName[0] != 0 && strspn(fd.cFileName, "0123456789") == strlen(fd.cFileName))
            fn(fd.cFileName, ctx);
    } while (FindNextFileA(f, &fd));
    DWORD err = GetLastError();
    if (!FindClose(f))
        bench_die("FindClose", GetLastError());
    if (err != ERROR_NO_MORE_FILES) {
        linux_fail("FindNextFileA", pattern, err);
        return FALSE;
    }
    return TRUE;
}

typedef struct pid_search { const char *args; char pid[16]; int matches; } pid_search;

static void match_cmdline(const char *pid, void *ctx)
{
    pid_search *s = ctx;
    char path[64], cmd[1024];
    snprintf(path, sizeof path, "Z:\\proc\\%s\\cmdline", pid);
    if (read_proc(path, cmd, sizeof cmd) && strstr(cmd, s->args) != NULL) {
        snprintf(s->pid, sizeof s->pid, "%s", pid);
        s->matches++;
    }
}

/* OUT pid: this process's Linux pid, found by its arguments (from " --" on).  FALSE if it
 * was not found exactly once. */
static BOOL linux_pid(char *pid, size_t cap)
{
    pid_search s = { .args = strstr(GetCommandLineA(), " --") };
    if (s.args == NULL) {
        snprintf(g_linux_why, sizeof g_linux_why, "no arguments to look for in /proc");
        return FALSE;
    }
    s.args++;
    if (!each_number("Z:\\proc", match_cmdline, &s))
        return FALSE;
    if (s.matches != 1) {
        snprintf(g_linux_why, sizeof g_linux_why, "%d processes in /proc have our arguments",
                 s.matches);
        return FALSE;
    }
    snprintf(pid, cap, "%s", s.pid);
    return TRUE;
}

typedef struct cpu_sum { const char *pid; int64_t ns; BOOL ok; } cpu_sum;

static void add_thread_cpu(const char *tid, void *ctx)
{
    cpu_sum *c = ctx;
    char path[96], stat[256];
    long long ns;
    snprintf(path, sizeof path, "Z:\\proc\\%s\\task\\%s\\schedstat", c->pid, tid);
    if (!read_proc(path, stat, sizeof stat) || sscanf(stat, "%lld", &ns) != 1) {
        c->ok = FALSE;                  /* a thread that just ended: try again */
        return;
    }
    c->ns += ns;
}

/* OUT *ns: the CPU time of all threads of Linux process pid ("self": wineserver). */
static BOOL linux_cpu_ns(const char *pid, int64_t *ns)
{
    char dir[64];
    snprintf(dir, sizeof dir, "Z:\\proc\\%s\\task", pid);
    for (int tries = 0; tries < 3; tries++) {
        cpu_sum c = { .pid = pid, .ok = TRUE };
        if (!each_number(dir, add_thread_cpu, &c))
            return FALSE;
        if (c.ok) {
            *ns = c.ns;
            return TRUE;
        }
    }
    return FALSE;
}

/* OUT *ns: wineserver's CPU time.  Wine looks a path up in the calling process but has
 * wineserver open it, so Z:\proc\self\... names the client in the lookup and the server in
 * the open: only files that exist in both, like /proc/self/stat and /proc/self/schedstat,
 * can be read this way, and they are the server's.  wineserver has one thread (checked). */
static BOOL wineserver_cpu_ns(int64_t *ns)
{
    char stat[1024], sched[256];
    const char *name, *after;
    int threads = 0;
    long long n;
    if (!read_proc("Z:\\proc\\self\\stat", stat, sizeof stat) ||
        !read_proc("Z:\\proc\\self\\schedstat", sched, sizeof sched))
        return FALSE;
    /* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
     * utime stime cutime cstime priority nice num_threads: the 18th field after the comm. */
    name = strchr(stat, '(');
    after = strrchr(stat, ')');
    if (name == NULL || after == NULL || strncmp(name + 1, "wineserver", 10) != 0) {
        snprintf(g_linux_why, sizeof g_linux_why, "Z:\\proc\\self is not wineserver: %.40s",
                 stat);
        return FALSE;
    }
    for (int field = 0; field < 18 && after != NULL; field++)
        after = strchr(after + 1, ' ');
    if (after == NULL || sscanf(after, "%d", &threads) != 1 || threads != 1 ||
        sscanf(sched, "%lld", &n) != 1) {
        snprintf(g_linux_why, sizeof g_linux_why, "wineserver's /proc entry: %d threads",
                 threads);
        return FALSE;
    }
    *ns = n;
    return TRUE;
}

/* Worker: waits at the barrier, does n locked increments (ours or Boost's), and records
 * when its first one started and its last one ended. */
static int worker(char **argv)
{
    BOOL ours = is_ours(argv[0]);
    g_region = bench_region_open(argv[1]);
    int i = atoi(argv[2]);
    long n = atol(argv[3]);
    barrier_wait(argv[4], argv[5]);
    g_region->t0[i] = qpc();
    if (ours) {
        for (long k = 0; k < n; k++)
            check("MemscopeLockedIncrement", MemscopeLockedIncrement(NULL));
    } else {
        boost_peer_locked_increments(g_region->boost_mutex,
                                     (volatile long long *)&g_region->boost_counter, n);
    }
    g_region->t1[i] = qpc();
    return 0;
}

/* Holder: takes the lock before it counts itself in (so the waiters find it held from
 * the first instant), then for HOLD_RUN_MS keeps it HOLD_MS at a time (Sleep while
 * holding), unlocks, and takes it again at once.  Before its last unlock it sets `stop`.
 * Records how long it held the lock in all, and its run. */
static int holder(char **argv)
{
    BOOL ours = is_ours(argv[0]);
    g_region = bench_region_open(argv[1]);
    lock_kind(ours);
    barrier_wait(argv[2], argv[3]);
    int64_t server0 = -1, server1;
    if (!wineserver_cpu_ns(&server0))
        server0 = -1;
    int64_t start = qpc(), end = start + g_freq.QuadPart * HOLD_RUN_MS / 1000, got = start;
    int64_t held = 0, holds = 0;
    for (;;) {
        Sleep(HOLD_MS);
        int64_t now = qpc();
        held += now - got;
        holds++;
        if (now >= end) {
            InterlockedExchange(&g_region->stop, 1);
            unlock_kind(ours);
            break;
        }
        unlock_kind(ours);
        lock_kind(ours);
        got = qpc();
    }
    g_region->hold_t0 = start;
    g_region->hold_t1 = qpc();
    g_region->server_ns = server0 >= 0 && wineserver_cpu_ns(&server1) ? server1 - server0 : -1;
    if (g_region->server_ns < 0)
        memcpy(g_region->linux_why, g_linux_why, sizeof g_region->linux_why);
    g_region->held = held;
    g_region->holds = holds;
    return 0;
}

/* Waiter: acquires and releases the lock in a loop until the holder says stop; records the
 * time it spent inside lock calls, the CPU its process used meanwhile, and how many times it
 * got the lock. */
static int waiter(char **argv)
{
    BOOL ours = is_ours(argv[0]);
    g_region = bench_region_open(argv[1]);
    int i = atoi(argv[2]);
    char pid[16];
    int64_t ns0 = -1, ns1, probe = 0;
    /* Before the barrier.  Reading the clock costs CPU (a walk of /proc/PID/task and a
     * file per thread, through wineserver): read it twice, and take the cost of one
     * reading off the total, since the first and last readings straddle that much. */
    if (!linux_pid(pid, sizeof pid) || !linux_cpu_ns(pid, &probe) || !linux_cpu_ns(pid, &ns0))
        ns0 = -1;
    probe = ns0 >= 0 ? ns0 - probe : 0;
    barrier_wait(argv[3], argv[4]);
    int64_t cpu0 = cpu_now(), waited = 0, acquired = 0;
    while (!g_region->stop) {
        int64_t t = qpc();
        lock_kind(ours);
        waited += qpc() - t;
        acquired++;
        unlock_kind(ours);
    }
    g_region->cpu_100ns[i] = cpu_now() - cpu0;
    g_region->cpu_ns[i] = ns0 >= 0 && linux_cpu_ns(pid, &ns1) ? ns1 - ns0 - probe : -1;
    g_region->probe_ns[i] = probe;
    if (g_region->cpu_ns[i] < 0)
        memcpy(g_region->linux_why, g_linux_why, sizeof g_region->linux_why);
    g_region->wait_counts[i] = waited;
    g_region->acquired[i] = acquired;
    return 0;
}

/* Idle: attaches (by loading), says so, and waits to be told to go. */
static int idle(char **argv)
{
    HANDLE ready = OpenSemaphoreA(SEMAPHORE_MODIFY_STATE, FALSE, argv[0]);
    if (ready == NULL)
        bench_die("OpenSemaphoreA(ready)", GetLastError());
    HANDLE stop = OpenEventA(SYNCHRONIZE, FALSE, argv[1]);
    if (stop == NULL)
        bench_die("OpenEventA(stop)", GetLastError());
    check("MemscopeStatus", MemscopeStatus());
    if (!ReleaseSemaphore(ready, 1, NULL))
        bench_die("ReleaseSemaphore", GetLastError());
    wait_for(stop, 120000, "WaitForSingleObject(stop)");
    return 0;
}

static int cmp_edge(const void *a, const void *b)
{
    int64_t x = ((const int64_t *)a)[0], y = ((const int64_t *)b)[0];
    return x < y ? -1 : x > y;
}

/* The fraction of [first start, last finish] during which two or more of the n intervals
 * [t0[i], t1[i]] were open: a sweep over their 2n endpoints, sorted by time. */
static double overlap(const int64_t *t0, const int64_t *t1, int n)
{
    int64_t edge[2 * BENCH_MAX_WORKERS][2];          /* time, +1 (start) or -1 (end) */
    for (int i = 0; i < n; i++) {
        edge[2 * i][0] = t0[i];
        edge[2 * i][1] = 1;
        edge[2 * i + 1][0] = t1[i];
        edge[2 * i + 1][1] = -1;
    }
    qsort(edge, (size_t)(2 * n), sizeof edge[0], cmp_edge);
    int64_t both = 0, open = 0;
    for (int k = 0; k < 2 * n; k++) {
        if (k > 0 && open >= 2)
            both += edge[k][0] - edge[k - 1][0];
        open += edge[k][1];
    }
    int64_t span = edge[2 * n - 1][0] - edge[0][0];
    return span > 0 ? (double)both / (double)span : 0;
}

/* procs processes doing n locked increments each.  OUT *ops_us: increments per
 * microsecond, from the first start to the last finish; *overlap_out: the fraction of that
 * time during which two or more of them were incrementing. */
static void contend(BOOL ours, int procs, long n, double *ops_us, double *overlap_out)
{
    char args[256];
    HANDLE p[BENCH_MAX_WORKERS];
    barrier b;
    MEMSCOPE_LOCK_STATE before, after;
    barrier_make(&b);
    check("MemscopeLockState", MemscopeLockState(&before));
    int64_t boost_before = g_region->boost_counter;
    for (int i = 0; i < procs; i++) {
        snprintf(args, sizeof args, "--worker %s %s %d %ld %s %s", ours ? "ours" : "boost",
                 g_region_name, i, n, b.go_name, b.ready_name);
        p[i] = spawn(args);
    }
    barrier_release(&b, procs);
    reap(p, procs);
    barrier_close(&b);
    int64_t t0 = g_region->t0[0], t1 = g_region->t1[0];
    for (int i = 1; i < procs; i++) {
        t0 = g_region->t0[i] < t0 ? g_region->t0[i] : t0;
        t1 = g_region->t1[i] > t1 ? g_region->t1[i] : t1;
    }
    /* Not a test, but a throughput that lost updates would be a lie: check the totals. */
    check("MemscopeLockState", MemscopeLockState(&after));
    int64_t want = (int64_t)procs * n;
    int64_t got = ours ? after.lockedTotal - before.lockedTotal
                       : g_region->boost_counter - boost_before;
    if (got != want) {
        fprintf(stderr, "bench: %s lock, %d processes: %lld increments counted, %lld made: "
                "a lost update\n", ours ? "our" : "Boost's", procs, (long long)got,
                (long long)want);
        ExitProcess(1);
    }
    *ops_us = (double)want / (seconds(t1 - t0) * 1e6);
    *overlap_out = overlap(g_region->t0, g_region->t1, procs);
    if (g_verbose) {
        fprintf(stderr, "  %-5s %d x %ld: %.1f ms, %.1f ops/us, overlap %d%%; per worker "
                "(ms from the first start): ", ours ? "ours" : "boost", procs, n,
                seconds(t1 - t0) * 1e3, *ops_us, pct(*overlap_out));
        for (int i = 0; i < procs; i++)
            fprintf(stderr, " %.1f-%.1f", seconds(g_region->t0[i] - t0) * 1e3,
                    seconds(g_region->t1[i] - t0) * 1e3);
        fprintf(stderr, "\n");
    }
}

/* What one run of the waiter line found. */
typedef struct waiting {
    double cpu;         /* the waiters' CPU (ms) per second they spent waiting (inside lock
                           calls), all waiters together */
    BOOL linux_clock;   /* cpu is from Linux's nanosecond clock (else GetProcessTimes) */
    double server;      /* wineserver's CPU (ms) per second of the run, -1 if unknown */
    double held;        /* the fraction of its run the holder held the lock */
    double acquired;    /* the waiters' acquisitions per second of the run */
} waiting;

/* One holder and WAITERS waiters, all released at once. */
static waiting waiters_run(BOOL ours)
{
    char args[256];
    HANDLE p[WAITERS + 1];
    barrier b;
    waiting w = { .linux_clock = TRUE };
    barrier_make(&b);
    InterlockedExchange(&g_region->stop, 0);
    snprintf(args, sizeof args, "--holder %s %s %s %s", ours ? "ours" : "boost",
             g_region_name, b.go_name, b.ready_name);
    p[0] = spawn(args);
    for (int i = 0; i < WAITERS; i++) {
        snprintf(args, sizeof args, "--waiter %s %s %d %s %s", ours ? "ours" : "boost",
                 g_region_name, i, b.go_name, b.ready_name);
        p[i + 1] = spawn(args);
    }
    barrier_release(&b, WAITERS + 1);
    reap(p, WAITERS + 1);
    barrier_close(&b);
    int64_t cpu_100ns = 0, cpu_ns = 0, waited = 0, acquired = 0;
    for (int i = 0; i < WAITERS; i++) {
        cpu_100ns += g_region->cpu_100ns[i];
        cpu_ns += g_region->cpu_ns[i];
        w.linux_clock &= g_region->cpu_ns[i] >= 0;
        waited += g_region->wait_counts[i];
        acquired += g_region->acquired[i];
    }
    double run = seconds(g_region->hold_t1 - g_region->hold_t0);
    double cpu_ms = w.linux_clock ? (double)cpu_ns / 1e6 : (double)cpu_100ns / 1e4;
    w.cpu = waited > 0 ? cpu_ms / seconds(waited) : 0;
    w.server = g_region->server_ns >= 0 && run > 0 ? (double)g_region->server_ns / 1e6 / run
                                                    : -1;
    w.held = run > 0 ? seconds(g_region->held) / run : 0;
    w.acquired = run > 0 ? (double)acquired / run : 0;
    if (g_verbose) {
        fprintf(stderr, "  %-5s run %.0f ms, held %.0f ms in %lld holds (%d%%), wineserver "
                "%.1f ms; per waiter (CPU ms Linux / GetProcessTimes, waited ms, "
                "acquisitions):", ours ? "ours" : "boost", run * 1e3,
                seconds(g_region->held) * 1e3, (long long)g_region->holds, pct(w.held),
                (double)g_region->server_ns / 1e6);
        for (int i = 0; i < WAITERS; i++)
            fprintf(stderr, "  %.2f (probe %.2f) / %.0f, %.0f, %lld",
                    (double)g_region->cpu_ns[i] / 1e6, (double)g_region->probe_ns[i] / 1e6,
                    (double)g_region->cpu_100ns[i] / 1e4,
                    seconds(g_region->wait_counts[i]) * 1e3, (long long)g_region->acquired[i]);
        fprintf(stderr, "\n");
    }
    return w;
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
        set_event(s2);
        reap(extra, EXTRA);
        close_handle(s2);
    }
    set_event(s1);
    reap(one, 1);
    close_handle(s1);
    close_handle(ready);
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
    close_handle(pi.hThread);
    reap(&pi.hProcess, 1);
    memcpy(ours, g_region->attach_ours, BENCH_REPS * sizeof *ours);
    memcpy(empty, g_region->attach_empty, BENCH_REPS * sizeof *empty);
}

static BOOL is_group(const char *name)
{
    static const char *const groups[] = { "counter", "lock",   "contention", "waiters",
                                          "mutex",   "attach", "text",       "mix" };
    for (size_t i = 0; i < ARRAYSIZE(groups); i++)
        if (strcmp(name, groups[i]) == 0)
            return TRUE;
    return FALSE;
}

/* Whether the group of lines `name` runs (all do unless --only names another). */
static const char *g_only;
static BOOL wanted(const char *name)
{
    return g_only == NULL || strcmp(g_only, name) == 0;
}

int main(int argc, char **argv)
{
    if (!QueryPerformanceFrequency(&g_freq))
        bench_die("QueryPerformanceFrequency", GetLastError());
    if (argc >= 8 && strcmp(argv[1], "--worker") == 0)
        return worker(argv + 2);
    if (argc >= 6 && strcmp(argv[1], "--holder") == 0)
        return holder(argv + 2);
    if (argc >= 7 && strcmp(argv[1], "--waiter") == 0)
        return waiter(argv + 2);
    if (argc >= 4 && strcmp(argv[1], "--idle") == 0)
        return idle(argv + 2);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--verbose") == 0) {
            g_verbose = TRUE;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc && is_group(argv[i + 1])) {
            g_only = argv[++i];
        } else {
            fprintf(stderr, "usage: bench.exe [--verbose] [--only counter|lock|contention|"
                    "waiters|mutex|attach|text|mix]\n");
            return 2;
        }
    }

    double a[BENCH_REPS], b[BENCH_REPS], c[BENCH_REPS], d[BENCH_REPS];
    double e[BENCH_REPS], f[BENCH_REPS];
    int att2[BENCH_REPS], att32[BENCH_REPS];
    char what[96], note[160], refused[96];
    SIZE_T cb;
    WCHAR text[TEXT_CHARS];

    check("MemscopeStatus", MemscopeStatus());
    check("MemscopeViewAddress", MemscopeViewAddress((void **)&g_view, &cb));
    /* Unique on the machine, not only in this prefix: a waiter finds itself in /proc by
     * its arguments, which carry this name. */
    snprintf(g_region_name, sizeof g_region_name, "Local\\memscope-bench-region-%lu-%llu",
             (unsigned long)GetCurrentProcessId(), (unsigned long long)qpc());
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
    printf("%-56s %11s %11s %-6s %9s  %-9s  %s\n", "measure (A / B)", "A", "B", "unit",
           "A/B", "target", "verdict");

    if (wanted("counter")) {
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = op_counter();
            b[k] = op_raw_interlocked();
        }
        report("shared counter accessor / raw InterlockedIncrement64", a, b, "ns/op", 1.3,
               TRUE, NULL, NULL);
    }

    if (wanted("lock")) {
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = op_lock(N_FAST);
            b[k] = op_boost_lock();
        }
        report("lock+unlock uncontended / Boost interprocess_mutex", a, b, "ns/op", 1.1, TRUE,
               NULL, NULL);
    }

    /* Locked increments: throughput, and how much of each run really was contended. */
    for (size_t j = 0; wanted("contention") && j < ARRAYSIZE(g_contend); j++) {
        int procs = g_contend[j].procs;
        for (int k = 0; k < BENCH_REPS; k++) {
            contend(TRUE, procs, g_contend[j].n, &a[k], &c[k]);
            contend(FALSE, procs, g_contend[j].n, &b[k], &d[k]);
        }
        double ov = median(c, BENCH_REPS), ovb = median(d, BENCH_REPS);
        double worst = ov < ovb ? ov : ovb;
        snprintf(what, sizeof what, "locked increments, %d processes: ours / Boost", procs);
        snprintf(note, sizeof note, "overlap %d%% (ours %d%%, Boost %d%%)",
                 pct(worst), pct(ov), pct(ovb));
        snprintf(refused, sizeof refused, "not measuring contention (overlap %d%%)",
                 pct(worst));
        report(what, a, b, "ops/us", 1.0, FALSE, pct(worst) < MIN_OVERLAP_PCT ? refused : NULL, note);
    }

    /* Waiter CPU: what waiting for a lock held in long stretches costs the waiters. */
    if (wanted("waiters")) {
        waiting w[2][BENCH_REPS];
        BOOL linux_clock = TRUE, server = TRUE;
        for (int k = 0; k < BENCH_REPS; k++) {
            w[0][k] = waiters_run(TRUE);
            w[1][k] = waiters_run(FALSE);
        }
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = w[0][k].cpu, b[k] = w[1][k].cpu;
            c[k] = w[0][k].held, d[k] = w[1][k].held;
            e[k] = w[0][k].acquired, f[k] = w[1][k].acquired;
            linux_clock &= w[0][k].linux_clock && w[1][k].linux_clock;
            server &= w[0][k].server >= 0 && w[1][k].server >= 0;
        }
        double held = median(c, BENCH_REPS), heldb = median(d, BENCH_REPS);
        double worst = held < heldb ? held : heldb;
        snprintf(what, sizeof what, "waiter CPU per s waited, %d waiters: ours / Boost",
                 WAITERS);
        snprintf(note, sizeof note, "holder held %d%% / %d%%; waiters got it %.0f / %.0f "
                 "times/s", pct(held), pct(heldb), median(e, BENCH_REPS),
                 median(f, BENCH_REPS));
        snprintf(refused, sizeof refused, "not measuring waiting (holder held %d%%)",
                 pct(worst));
        report(what, a, b, "ms/s", 0.2, TRUE, pct(worst) < MIN_HELD_PCT ? refused : NULL, note);
        if (server) {
            for (int k = 0; k < BENCH_REPS; k++)
                c[k] = w[0][k].server, d[k] = w[1][k].server;
            report("  wineserver's CPU per s of those runs (context)", c, d, "ms/s", 0, TRUE,
                   NULL, NULL);
        }
        printf("  (waited: time inside lock calls; CPU: %s)\n", linux_clock
               ? "Linux's nanosecond clock of each waiter's threads, /proc/PID/task/*/schedstat"
               : "GetProcessTimes, in 10 ms steps under Wine");
        if (!linux_clock || !server)
            printf("  (a Linux clock was not readable: %s)\n", g_region->linux_why);
    }

    if (wanted("mutex")) {
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = op_mutex();
            b[k] = op_lock(N_FAST);
        }
        report("named mutex / our lock, uncontended", a, b, "ns/op", 1000.0, FALSE, NULL,
               NULL);
    }

    if (wanted("attach")) {
        attach_bench("warm", a, b);
        report("attach: LoadLibrary+FreeLibrary memscope.dll / empty", a, b, "ns/op", 1.5,
               TRUE, NULL, NULL);
        attach_bench("cold", a, b);
        report("  the same, advapi32 not yet loaded (context)", a, b, "ns/op", 0, TRUE, NULL,
               NULL);
    }

    if (wanted("text")) {
        for (int k = 0; k < BENCH_REPS; k++) {
            a[k] = op_text();
            b[k] = op_memcpy();
        }
        report("shared text read, 256 chars / memcpy of the same", a, b, "ns/op", 3.0, TRUE,
               NULL, NULL);
    }

    if (wanted("mix")) {
        scaling(c, a, att2, att32);
        snprintf(note, sizeof note, "attached: %d and %d", att32[0], att2[0]);
        report("op mix with 32 processes attached / with 2", a, c, "ns/op", 2.0, TRUE, NULL,
               note);
        printf("(op mix: counter increment + lock/unlock + 256-char text read)\n");
    }
    return 0;
}
