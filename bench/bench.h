/*
 * bench.h: what bench.exe, its worker processes and attach.exe share: a small named region
 * of the bench's own (not memscope's block), holding the Boost peer's mutex and counter and
 * the timings the workers report.
 */
#ifndef BENCH_H
#define BENCH_H

#include <windows.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_MAX_REPS    16
#define BENCH_MAX_WORKERS 64

typedef struct bench_region {
    uint8_t boost_mutex[64];        /* Boost's interprocess_mutex, on a cache line of its own */
    volatile int64_t boost_counter; /* incremented under it */
    uint8_t pad[56];
    int64_t t0[BENCH_MAX_WORKERS];  /* QueryPerformanceCounter just before worker i's first
                                       locked increment */
    int64_t t1[BENCH_MAX_WORKERS];  /* ... and just after its last one */
    /* The waiter-CPU line: one holder keeps the lock most of the time, waiters queue for it. */
    volatile LONG stop;             /* set by the holder while it holds the lock a last time */
    int64_t hold_t0, hold_t1;       /* the holder's run: from the start barrier to its last
                                       unlock (QueryPerformanceCounter) */
    int64_t held;                   /* counts the holder spent holding the lock, in all */
    int64_t holds;                  /* how many times it took it */
    int64_t wait_counts[BENCH_MAX_WORKERS]; /* counts waiter i spent inside lock calls */
    int64_t cpu_100ns[BENCH_MAX_WORKERS];   /* its user+kernel CPU over its loop, from
                                               GetProcessTimes (100 ns units) */
    int64_t cpu_ns[BENCH_MAX_WORKERS];      /* the same from Linux (ns), -1 if unknown,
                                               less the clock's own cost (probe_ns) */
    int64_t probe_ns[BENCH_MAX_WORKERS];    /* what one reading of that clock costs (ns) */
    int64_t server_ns;              /* wineserver's CPU during the holder's run (ns), -1 if
                                       unknown */
    char linux_why[256];            /* why a child could not read a Linux CPU clock */
    int64_t acquired[BENCH_MAX_WORKERS];    /* times it got the lock */
    double attach_ours[BENCH_MAX_REPS];  /* attach.exe: ns per LoadLibrary+FreeLibrary */
    double attach_empty[BENCH_MAX_REPS];
} bench_region;

/* Prints "CALL failed: message (code)" and exits: the bench has nothing sensible to do
 * after a failed system call. */
static inline void bench_die(const char *call, DWORD err)
{
    char msg[256] = "";
    FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, err, 0,
                   msg, sizeof msg, NULL);
    fprintf(stderr, "bench: %s failed: %s(%lu)\n", call, msg, (unsigned long)err);
    ExitProcess(1);
}

/* Opens the region bench.exe created under `name`. */
static inline bench_region *bench_region_open(const char *name)
{
    HANDLE h = OpenFileMappingA(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
    if (h == NULL)
        bench_die("OpenFileMappingA", GetLastError());
    void *v = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(bench_region));
    if (v == NULL)
        bench_die("MapViewOfFile", GetLastError());
    return (bench_region *)v;
}

#endif
