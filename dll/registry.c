/*
 * registry.c: one slot in the block per attached process (MEMSCOPE_SLOT).
 *
 * A slot is claimed by swapping its owner word from 0 to this process's
 * MEMSCOPE_OWNER(pid, tag) and freed by swapping it back: interlocked operations only, no
 * lock, so DLL_PROCESS_DETACH can free it even when the process is exiting with the lock
 * held by one of its killed threads.  A process ended by TerminateProcess never detaches:
 * its slot is reclaimed by the next process that attaches, and by MemscopeAttachedCount and
 * MemscopeListProcesses, once the owner is seen dead (procid.c).
 */
#include <stdatomic.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

static volatile LONG64 *slot_owner(MEMSCOPE_SLOT *s)
{
    return (volatile LONG64 *)&s->owner;
}

/* Frees every slot whose owner is dead.  Only the owner word decides: a dead owner's stale
 * fields are overwritten by the next claimant before it publishes state READY. */
static void reclaim_dead(MEMSCOPE_BLOCK *b)
{
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++) {
        uint64_t w = (uint64_t)ms_load64(&b->slots[i].owner);
        if (w != 0 && ms_proc_owner_dead(w) &&
            InterlockedCompareExchange64(slot_owner(&b->slots[i]), 0, (LONG64)w) == (LONG64)w)
            ms_log("registry: reclaimed slot %lu of dead process %lu", (unsigned long)i,
                   (unsigned long)MEMSCOPE_OWNER_PID(w));
    }
}

static void image_name(uint16_t *dst)
{
    WCHAR path[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, path, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        ms_log_win32("registry-image", "GetModuleFileNameW", GetLastError());
        path[0] = L'?';
        path[1] = 0;
    }
    const WCHAR *base = path;
    /* cppcheck-suppress uninitvar ; cppcheck 2.10's windows.cfg marks GetModuleFileNameW's
     * buffer as an input, but the call fills it (or it was set to "?" above) */
    for (const WCHAR *p = path; *p; p++)
        if (*p == L'\\' || *p == L'/')
            base = p + 1;
    size_t len = 0;
    while (len < MEMSCOPE_IMAGE_CHARS - 1 && base[len] != 0)
        len++;
    memcpy(dst, base, len * sizeof(WCHAR));
    dst[len] = 0;
}

/* ms_reg_attach: claims a free slot; with may_reclaim, first frees the slots of dead
 * processes (a liveness check each: not in DllMain, where a full registry is left for the
 * first call to retry).  OUT: ms_g.slot, and ms_g.registration (ERROR_SUCCESS, or
 * ERROR_DATABASE_FULL when no slot is free: the block stays usable, the process is just
 * not listed).  Interlocked writes, GetModuleFileNameW and SetEvent: safe in DllMain. */
void ms_reg_attach(BOOL may_reclaim)
{
    MEMSCOPE_BLOCK *b = ms_g.block;
    if (may_reclaim)
        reclaim_dead(b);
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++) {
        MEMSCOPE_SLOT *s = &b->slots[i];
        if (ms_load64(&s->owner) != 0 ||
            InterlockedCompareExchange64(slot_owner(s), (LONG64)ms_g.self_owner, 0) != 0)
            continue;
        InterlockedExchange(&s->state, MEMSCOPE_SLOT_CLAIMED);
        s->pid = GetCurrentProcessId();
        s->create_time = ms_g.self_create_time;
        s->attach_time = ms_proc_filetime_now();
        image_name(s->image);
        InterlockedExchange(&s->state, MEMSCOPE_SLOT_READY);
        ms_g.slot = i;
        ms_g.registration = ERROR_SUCCESS;
        ms_notify_signal();
        return;
    }
    ms_g.registration = ERROR_DATABASE_FULL;
    ms_log_note("registry", "every slot is taken; this process is not listed");
}

/* ms_reg_detach: frees this process's slot, with interlocked writes only. */
void ms_reg_detach(void)
{
    if (ms_g.slot == (DWORD)-1)
        return;
    MEMSCOPE_SLOT *s = &ms_g.block->slots[ms_g.slot];
    InterlockedExchange(&s->state, MEMSCOPE_SLOT_FREE);
    InterlockedCompareExchange64(slot_owner(s), 0, (LONG64)ms_g.self_owner);
    ms_g.slot = (DWORD)-1;
    ms_notify_signal();
}

/* Copies slot i if it holds a published, consistent entry.  Returns TRUE if it did. */
static BOOL read_slot(MEMSCOPE_BLOCK *b, DWORD i, MEMSCOPE_PROCESS *out)
{
    MEMSCOPE_SLOT *s = &b->slots[i];
    uint64_t w = (uint64_t)ms_load64(&s->owner);
    if (w == 0 || (DWORD)ms_load32(&s->state) != MEMSCOPE_SLOT_READY)
        return FALSE;
    atomic_thread_fence(memory_order_acquire);
    out->slot = i;
    out->pid = s->pid;
    out->createTime = s->create_time;
    out->attachTime = s->attach_time;
    memcpy(out->image, (const void *)s->image, sizeof out->image);
    out->image[MEMSCOPE_IMAGE_CHARS - 1] = 0;
    atomic_thread_fence(memory_order_acquire);
    /* Still the same owner, and the fields are its own (not a dead predecessor's). */
    return (uint64_t)ms_load64(&s->owner) == w && out->pid == MEMSCOPE_OWNER_PID(w) &&
           ms_proc_tag(out->createTime) == MEMSCOPE_OWNER_TAG(w) &&
           (DWORD)ms_load32(&s->state) == MEMSCOPE_SLOT_READY;
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeAttachedCount(DWORD *pCount)
{
    DWORD err, n = 0;
    MEMSCOPE_BLOCK *b;
    if (pCount == NULL)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    reclaim_dead(b);
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++)
        if (ms_load64(&b->slots[i].owner) != 0)
            n++;
    *pCount = n;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeListProcesses(MEMSCOPE_PROCESS *list, DWORD capacity, DWORD *pCount)
{
    DWORD err, n = 0;
    MEMSCOPE_BLOCK *b;
    MEMSCOPE_PROCESS p;
    if (pCount == NULL || (list == NULL && capacity > 0))
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    reclaim_dead(b);
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++) {
        if (!read_slot(b, i, &p))
            continue;
        if (n < capacity)
            list[n] = p;
        n++;
    }
    *pCount = n;
    return n > capacity ? ERROR_MORE_DATA : ERROR_SUCCESS;
}
