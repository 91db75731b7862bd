/*
 * hammer.c: torn text, counted (docs/levels.md, level 1; docs/exercises.md).  One process
 * rewrites the shared text as fast as it can while another reads it and counts the texts
 * that are none of the ones written: torn reads, half of one text and half of another.
 *
 *   hammer LEVEL flip MS          for MS milliseconds, cycle the text through FLIP_LEN x 'A',
 *                                 'B' and 'C' (SetSharedMem); says "flipping" once the
 *                                 first text is set                    -> flips=<count>
 *   hammer LEVEL readtorn N MIN   read the text N times (GetSharedMem), and on (up to 100 N)
 *                                 until it was seen to change MIN times, so reads and writes
 *                                 really overlapped  -> reads=, changes=, torn=, empty=
 *                                 (empty: no text yet, so no writer: not counted as torn)
 *
 * LEVEL 0 loads level0.dll (examples/minimal/minimal.c: no lock), 1 loads level1.dll
 * (examples/levels/level1/level1.c: a lock), both from this program's folder, by name,
 * with LoadLibrary, and finds the sample's two exports with GetProcAddress: the exports
 * are undecorated, on i686 too.  The block's name: MEMSCOPE_MINIMAL_NAME (level 0) or
 * MEMSCOPE_LEVEL1_NAME (level 1), as the DLLs read them.
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define FLIP_LEN 2000    /* long texts: a long copy is a wide window for a tear */

typedef VOID (__cdecl *set_fn)(LPWSTR lpszBuf);
typedef VOID (__cdecl *get_fn)(LPWSTR lpszBuf, DWORD cchSize);

static WCHAR g_text[3][FLIP_LEN + 1];

static void flip(set_fn set, long ms)
{
    ULONGLONG end = GetTickCount64() + (ULONGLONG)ms;
    long flips = 0;
    set(g_text[0]);
    printf("flipping\n");
    fflush(stdout);
    while (GetTickCount64() < end)
        for (int k = 0; k < 256; k++, flips++)
            set(g_text[flips % 3]);
    printf("flips=%ld\n", flips);
}

static void readtorn(get_fn get, long n, long min_changes)
{
    static WCHAR buf[FLIP_LEN + 1];
    long torn = 0, changes = 0, empty = 0, k;
    WCHAR last = 0;
    for (k = 0; k < n || (changes < min_changes && k < 100 * n); k++) {
        get(buf, FLIP_LEN + 1);
        if (buf[0] == 0)
            empty++;
        else if (wcscmp(buf, g_text[0]) != 0 && wcscmp(buf, g_text[1]) != 0 &&
                 wcscmp(buf, g_text[2]) != 0)
            torn++;
        if (buf[0] != last)
            changes++;
        last = buf[0];
    }
    printf("reads=%ld\nchanges=%ld\ntorn=%ld\nempty=%ld\n", k, changes, torn, empty);
}

int main(int argc, char **argv)
{
    const char *level = argc > 1 ? argv[1] : "";
    const WCHAR *dll = strcmp(level, "0") == 0 ? L"level0.dll"
                     : strcmp(level, "1") == 0 ? L"level1.dll" : NULL;
    BOOL is_flip = argc == 4 && strcmp(argv[2], "flip") == 0;
    if (dll == NULL || (!is_flip && (argc != 5 || strcmp(argv[2], "readtorn") != 0))) {
        fputs("usage: hammer 0|1 flip MS | hammer 0|1 readtorn N MIN\n", stderr);
        return 2;
    }
    HMODULE h = LoadLibraryW(dll);
    if (h == NULL) {
        fprintf(stderr, "hammer: LoadLibrary(%ls) failed: %lu\n", dll, GetLastError());
        return 1;
    }
    /* GetProcAddress returns a generic function pointer: through void (*)(void), the one
     * function type every other converts from without a warning. */
    set_fn set = (set_fn)(void (*)(void))GetProcAddress(h, "SetSharedMem");
    get_fn get = (get_fn)(void (*)(void))GetProcAddress(h, "GetSharedMem");
    if (set == NULL || get == NULL) {
        fprintf(stderr, "hammer: %ls does not export SetSharedMem and GetSharedMem\n", dll);
        FreeLibrary(h);
        return 1;
    }
    for (int k = 0; k < 3; k++) {
        wmemset(g_text[k], (WCHAR)(L'A' + k), FLIP_LEN);
        g_text[k][FLIP_LEN] = 0;
    }
    if (is_flip)
        flip(set, strtol(argv[3], NULL, 10));
    else
        readtorn(get, strtol(argv[3], NULL, 10), strtol(argv[4], NULL, 10));
    FreeLibrary(h);
    return 0;
}
