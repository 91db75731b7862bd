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
