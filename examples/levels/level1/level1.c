/*
 * level1.c: level 1 (docs/levels.md): level 0 (examples/minimal/minimal.c) and a lock.
 * The accessors copy the text only while they hold a lock word that lives in the shared
 * memory itself, so a reader never sees half of one text and half of another.  Still no
 * header, no owner check, and a lock that nobody owns: a holder that dies holds it for
 * ever (level 4).  A teaching DLL: never ship it.
 *
 * Its own mapping name, Local\memscope-level1 (its layout is not level 0's), or the
 * environment variable MEMSCOPE_LEVEL1_NAME when set: tests use it to stay isolated.
 */
#include <windows.h>
#include <string.h>

#define SHMEMSIZE  4096                          /* bytes, as in the sample */
#define SHMEMCHARS ((SHMEMSIZE - sizeof(LONG)) / sizeof(WCHAR))   /* the text's WCHARs */

typedef struct SHAREDMEM {        /* the shared memory's layout */
    volatile LONG lock;           /* 0: free; 1: a thread of some process holds it */
    WCHAR text[SHMEMCHARS];
} SHAREDMEM;

static SHAREDMEM *lpvMem = NULL;  /* this process's view of the shared memory */
static HANDLE hMapObject = NULL;  /* this process's handle to the mapping object */

BOOL WINAPI DllMain(HINSTANCE hinstDLL, DWORD fdwReason, LPVOID lpvReserved)
{
    WCHAR name[MAX_PATH];
    DWORD n;
    BOOL fInit;
    (void)hinstDLL;
    (void)lpvReserved;
    switch (fdwReason) {
    case DLL_PROCESS_ATTACH:
        n = GetEnvironmentVariableW(L"MEMSCOPE_LEVEL1_NAME", name, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
            lstrcpyW(name, L"Local\\memscope-level1");
        hMapObject = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                        SHMEMSIZE, name);
        if (hMapObject == NULL)
            return FALSE;
        fInit = GetLastError() != ERROR_ALREADY_EXISTS;   /* the first process initialises */
        lpvMem = MapViewOfFile(hMapObject, FILE_MAP_WRITE, 0, 0, 0);
        if (lpvMem == NULL)
            return FALSE;
        if (fInit)
            memset(lpvMem, 0, SHMEMSIZE);
        break;
    case DLL_PROCESS_DETACH:
        UnmapViewOfFile(lpvMem);
        CloseHandle(hMapObject);
        break;
    }
    return TRUE;
}

/* The lock: one interlocked compare-exchange from 0 to 1, tried again (giving the core
 * away) while anyone holds it; released by writing 0. */
static void Lock(void)
{
    while (InterlockedCompareExchange(&lpvMem->lock, 1, 0) != 0)
        SwitchToThread();
}

static void Unlock(void)
{
    InterlockedExchange(&lpvMem->lock, 0);
}

/* SetSharedMem: copies the NUL-terminated lpszBuf into the shared memory (cut to fit). */
__declspec(dllexport) VOID __cdecl SetSharedMem(LPWSTR lpszBuf)
{
    LPWSTR lpszTmp = lpvMem->text;
    DWORD dwCount = 1;
    Lock();
    while (*lpszBuf && dwCount < SHMEMCHARS) {
        *lpszTmp++ = *lpszBuf++;
        dwCount++;
    }
    *lpszTmp = L'\0';
    Unlock();
}

/* GetSharedMem: copies the shared text into lpszBuf, at most cchSize WCHARs with the NUL. */
__declspec(dllexport) VOID __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize)
{
    LPWSTR lpszTmp = lpvMem->text;
    if (cchSize == 0)
        return;
    Lock();
    while (*lpszTmp && --cchSize)
        *lpszBuf++ = *lpszTmp++;
    *lpszBuf = L'\0';
    Unlock();
}
