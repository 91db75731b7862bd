/*
 * notify.c: the block's change notification, a named manual-reset event
 * "<mapping name>.changed" that watchers (memscope watch) wait on instead of polling.
 *
 * It is set where the block changes in a way a watcher shows and that happens rarely: the
 * text (text.c) and the registry (registry.c).  It is *not* set by the counters: SetEvent is
 * a round trip to the kernel (30-45 us under Wine), thousands of times the interlocked
 * increment it would follow; a watcher rereads the counters on a timer instead.
 *
 * Only when someone watches.  A watcher asks for the event with MemscopeChangeEvent, which
 * counts it in the block's `watchers`; a process that changes the block opens the event
 * (with memscope's descriptor and owner check, security.c) and sets it only while that
 * count is above 0.  With nobody watching, attaching and detaching cost no event at all:
 * no create, no owner check, no SetEvent, no close (five wineserver round trips).  A
 * watcher that detaches takes itself off; one killed without detaching leaves the count up,
 * and processes then keep signalling for nobody: slower, never wrong.
 *
 * Manual-reset, so one SetEvent releases every watcher waiting at that moment (an
 * auto-reset event would wake only one of two consoles).  A watcher resets it *before* it
 * reads the block: a change after its read sets the event again, so none is lost for that
 * watcher.  Best effort: without the event the block works the same, watchers just refresh
 * on their timer.
 */
#include "internal.h"

static HANDLE volatile g_changed;  /* the named event once opened (published once), or NULL */
static volatile LONG g_failed;     /* opening it failed: not tried again */
static volatile LONG g_watching;   /* this process counted itself in `watchers` */

/* Opens the event once, without waiting for another thread (it may run in DllMain): two
 * threads that race both open it, and the loser closes its handle.  Returns it or NULL. */
static HANDLE changed_event(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 16];
    const WCHAR *failed = NULL;
    HANDLE h;
    if (g_changed != NULL || g_failed)
        return g_changed;
    ms_name_join(name, ARRAYSIZE(name), ms_g.name, MEMSCOPE_CHANGED_SUFFIX);
    if (ms_sec_create_event(name, TRUE, &h, &failed) != ERROR_SUCCESS) {
        InterlockedExchange(&g_failed, 1);
        ms_log_note("notify-open", "the change event is unusable: watchers will refresh on "
                                   "their timer");
        return NULL;
    }
    if (InterlockedCompareExchangePointer((void *volatile *)&g_changed, h, NULL) != NULL &&
        !CloseHandle(h))
        ms_log_win32("notify-race-close", "CloseHandle", GetLastError());
    return g_changed;
}

/* ms_notify_close: DLL_PROCESS_DETACH: takes this process off the watchers (interlocked) and,
 * by FreeLibrary, closes its handle. */
void ms_notify_close(BOOL process_terminating)
{
    if (InterlockedExchange(&g_watching, 0) && ms_g.block != NULL)
        InterlockedDecrement(&ms_g.block->watchers);
    if (process_terminating)
        return;
    if (g_changed != NULL && !CloseHandle(g_changed))
        ms_log_win32("notify-close", "CloseHandle", GetLastError());
    g_changed = NULL;
}

/* ms_notify_signal: tells the watchers the block changed, if there are any.  Never waits
 * (safe in DllMain: CreateEventW, the owner check and SetEvent only). */
void ms_notify_signal(void)
{
    HANDLE h;
    if (ms_g.block == NULL || ms_load32(&ms_g.block->watchers) <= 0)
        return;
    if ((h = changed_event()) != NULL && !SetEvent(h))
        ms_log_win32("notify-signal", "SetEvent", GetLastError());
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeChangeEvent(HANDLE *phEvent)
{
    DWORD err;
    HANDLE h, dup;
    MEMSCOPE_BLOCK *b;
    if (phEvent == NULL)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    if ((h = changed_event()) == NULL)
        return ERROR_INVALID_HANDLE;
    if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &dup, 0, FALSE,
                         DUPLICATE_SAME_ACCESS)) {
        err = GetLastError();
        ms_log_win32("notify-dup", "DuplicateHandle", err);
        return err;
    }
    if (InterlockedExchange(&g_watching, 1) == 0)
        InterlockedIncrement(&b->watchers);
    *phEvent = dup;
    return ERROR_SUCCESS;
}
