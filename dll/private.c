/*
 * private.c: text kept in memory the DLL allocates with HeapAlloc.  The DLL's code is shared
 * by every process that loads it, but what it allocates lands in the heap of the process that
 * called it: another process at the same address finds its own memory, or nothing.
 */
#include <string.h>

#include "internal.h"

/* This process's threads may race on it: a slim reader/writer lock (per process, like the
 * text it guards) keeps a reader off memory a writer is freeing. */
static SRWLOCK g_private_lock = SRWLOCK_INIT;
static WCHAR *g_private;      /* [g_private_lock] NUL-terminated heap copy, or NULL */
static DWORD g_private_len;   /* [g_private_lock] its length in WCHARs */

static void free_locked(void)
{
    if (g_private != NULL && !HeapFree(GetProcessHeap(), 0, g_private))
        ms_log_win32("private-free", "HeapFree", GetLastError());
    g_private = NULL;
    g_private_len = 0;
}

DWORD WINAPI MemscopeSetPrivateText(LPCWSTR text, DWORD cchText)
{
    DWORD err = ms_text_check_in(text, cchText, MEMSCOPE_PRIVATE_MAX);
    if (err != ERROR_SUCCESS)
        return err;
    WCHAR *p = HeapAlloc(GetProcessHeap(), 0, (cchText + 1) * sizeof(WCHAR));
    if (p == NULL) {
        ms_log("private: HeapAlloc of %lu bytes failed",
               (unsigned long)((cchText + 1) * sizeof(WCHAR)));
        return ERROR_NOT_ENOUGH_MEMORY;
    }
    if (cchText > 0)
        memcpy(p, text, cchText * sizeof(WCHAR));
    p[cchText] = 0;
    AcquireSRWLockExclusive(&g_private_lock);
    free_locked();
    g_private = p;
    g_private_len = cchText;
    ReleaseSRWLockExclusive(&g_private_lock);
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeGetPrivateText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText, void **ppAddress)
{
    AcquireSRWLockShared(&g_private_lock);
    DWORD err = ms_text_copy_out(g_private != NULL ? g_private : L"", g_private_len, buf, cchBuf,
                                 pcchText);
    if (err == ERROR_SUCCESS && ppAddress != NULL)
        *ppAddress = g_private;
    ReleaseSRWLockShared(&g_private_lock);
    return err;
}

/* ms_private_free: at DLL_PROCESS_DETACH by FreeLibrary: give the memory back to the
 * process that stays. */
void ms_private_free(void)
{
    AcquireSRWLockExclusive(&g_private_lock);
    free_locked();
    ReleaseSRWLockExclusive(&g_private_lock);
}
