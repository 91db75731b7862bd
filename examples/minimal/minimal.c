/*
 * minimal.c: level 0 (docs/levels.md), Microsoft's sample "Using Shared Memory in a
 * Dynamic-Link Library" written again for memscope in the sample's shape: DllMain creates a
 * named file mapping with NULL security and maps it; two exported __cdecl accessors copy
 * text in and out.  No lock, no header, no owner check: each level of docs/levels.md adds
 * one and names the failure it prevents.  A teaching DLL: never ship it.
 *
 * Its own mapping name, Local\memscope-minimal (the sample's is "dllmemfilemap"), or the
 * environment variable MEMSCOPE_MINIMAL_NAME when set: tests use it to stay isolated.
 */
#include <windows.h>
#include <string.h>

#define SHMEMSIZE  4096                          /* bytes, as in the sample */
#define SHMEMCHARS (SHMEMSIZE / sizeof(WCHAR))   /* WCHARs: the sample's bound used bytes */

static LPWSTR lpvMem = NULL;      /* this process's view of the shared memory */
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
        n = GetEnvironmentVariableW(L"MEMSCOPE_MINIMAL_NAME", name, MAX_PATH);
        if (n == 0 || n >= MAX_PATH)
            lstrcpyW(name, L"Local\\memscope-minimal");
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

/* SetSharedMem: copies the NUL-terminated lpszBuf into the shared memory (cut to fit). */
__declspec(dllexport) VOID __cdecl SetSharedMem(LPWSTR lpszBuf)
{
    LPWSTR lpszTmp = lpvMem;
    DWORD dwCount = 1;
    while (*lpszBuf && dwCount < SHMEMCHARS) {
        *lpszTmp++ = *lpszBuf++;
        dwCount++;
    }
    *lpszTmp = L'\0';
}

/* GetSharedMem: copies the shared text into lpszBuf, at most cchSize WCHARs with the NUL. */
__declspec(dllexport) VOID __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize)
{
    LPWSTR lpszTmp = lpvMem;
    if (cchSize == 0)
        return;
    while (*lpszTmp && --cchSize)
        *lpszBuf++ = *lpszTmp++;
    *lpszBuf = L'\0';
}
