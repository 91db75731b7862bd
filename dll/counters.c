/*
 * counters.c: the counters that show where a variable lives.
 *
 * - the block's counter: one copy for every process that maps the block (interlocked);
 * - an ordinary global of the DLL: each process that loads the DLL gets its own copy of the
 *   image's .data section (copy-on-write pages), so it counts per process;
 * - a global in the PE section ".shared", marked SHARED by GCC's `shared` attribute (MSVC:
 *   #pragma data_seg and /SECTION:.shared,RWS): one copy for every process that loads this
 *   DLL file.  It must be initialised, or GCC puts it in .bss, which is not shared.  It is a
 *   section object too, made by the loader from the DLL file, but it has no name, no
 *   security and no layout check: any process that can load the DLL, in any logon session,
 *   can read and write it.  Microsoft's security guidance forbids shipping a DLL with a
 *   shared writable section.  It is here as a demonstration only: NEVER SHIP THIS; share
 *   through a named file mapping with a security descriptor, as the rest of this DLL does.
 */
#include "internal.h"

static volatile LONG g_global_counter = 0;
static volatile LONG g_section_counter __attribute__((section(".shared"), shared)) = 0;

DWORD WINAPI MemscopeCounterIncrement(LONGLONG *pValue)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    LONGLONG v = InterlockedIncrement64((volatile LONG64 *)&b->counter);
    if (pValue != NULL)
        *pValue = v;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeCounterRead(LONGLONG *pValue)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (pValue == NULL)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    /* A compare-exchange that never changes anything: an atomic 64-bit read on i686 too. */
    *pValue = InterlockedCompareExchange64((volatile LONG64 *)&b->counter, 0, 0);
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeRacyIncrement(LONGLONG *pValue)
{
    DWORD err;
    MEMSCOPE_BLOCK *b = ms_block(&err);
    if (b == NULL)
        return err;
    /* Deliberately wrong: read, add, write.  Another process's increment between the read
     * and the write is lost. */
    volatile int64_t *racy = &b->racy;
    int64_t v = *racy + 1;
    *racy = v;
    if (pValue != NULL)
        *pValue = v;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeGlobalIncrement(LONG *pValue)
{
    LONG v = InterlockedIncrement(&g_global_counter);
    if (pValue != NULL)
        *pValue = v;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeSectionIncrement(LONG *pValue)
{
    LONG v = InterlockedIncrement(&g_section_counter);
    if (pValue != NULL)
        *pValue = v;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeImageCounters(LONG *pGlobal, LONG *pSection)
{
    if (pGlobal == NULL && pSection == NULL)
        return ERROR_INVALID_PARAMETER;
    if (pGlobal != NULL)
        *pGlobal = InterlockedCompareExchange(&g_global_counter, 0, 0);
    if (pSection != NULL)
        *pSection = InterlockedCompareExchange(&g_section_counter, 0, 0);
    return ERROR_SUCCESS;
}
