/*
 * attach.c: the attach measurement of `make bench`, in a process of its own because it must
 * not import memscope.dll (a DLL already loaded is only reference-counted by LoadLibrary).
 *
 *   attach.exe REGION REPS N warm|cold
 *
 * memscope.dll imports advapi32 (for its objects' DACL, dll/security.c); empty.dll imports
 * nothing.  "warm" loads advapi32 first and keeps it, as nearly every Windows program has it
 * loaded: the pair then measures memscope's own attach.  "cold" does not, so every
 * LoadLibrary of memscope.dll also maps advapi32 and its dependencies, and FreeLibrary
 * unloads them again: the price a process without advapi32 pays.
 *
 * For each of REPS repetitions, side by side: N x (LoadLibrary + FreeLibrary) of
 * memscope.dll, then of empty.dll (a DllMain that returns TRUE, built the same way), both
 * from this program's folder.  Writes the nanoseconds per pair of each repetition into the
 * bench's shared region (bench.h), which bench.exe created and named in REGION.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static double load_free_ns(const WCHAR *dll, int n)
{
    LARGE_INTEGER f, t0, t1;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t0);
    for (int i = 0; i < n; i++) {
        HMODULE h = LoadLibraryW(dll);
        if (h == NULL)
            bench_die("LoadLibraryW", GetLastError());
        if (!FreeLibrary(h))
            bench_die("FreeLibrary", GetLastError());
    }
    QueryPerformanceCounter(&t1);
    return (double)(t1.QuadPart - t0.QuadPart) * 1e9 / (double)f.QuadPart / n;
}

int main(int argc, char **argv)
{
    if (argc != 5 || (strcmp(argv[4], "warm") != 0 && strcmp(argv[4], "cold") != 0)) {
        fprintf(stderr, "usage: attach.exe REGION REPS N warm|cold\n");
        return 2;
    }
    if (strcmp(argv[4], "warm") == 0 && LoadLibraryW(L"advapi32.dll") == NULL)
        bench_die("LoadLibraryW(advapi32.dll)", GetLastError());
    bench_region *r = bench_region_open(argv[1]);
    int reps = atoi(argv[2]), n = atoi(argv[3]);
    if (reps < 1 || reps > BENCH_MAX_REPS || n < 1) {
        fprintf(stderr, "attach.exe: REPS must be 1..%d and N positive\n", BENCH_MAX_REPS);
        return 2;
    }
    load_free_ns(L"memscope.dll", 1);       /* warm the file cache and the loader */
    load_free_ns(L"empty.dll", 1);
    for (int k = 0; k < reps; k++) {
        r->attach_ours[k] = load_free_ns(L"memscope.dll", n);
        r->attach_empty[k] = load_free_ns(L"empty.dll", n);
    }
    return 0;
}
