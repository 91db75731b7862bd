/*
 * notify.c: the block's change notification, a named manual-reset event
 * "<mapping name>.changed" that watchers (memscope watch) wait on instead of polling.
 *
 * It is set where the block changes in a way a watcher shows and that happens rarely: the
 * text (text.c) and the registry (registry.c).  It is *not* set by the counters: SetEvent is
 * a round trip to the kernel (30-45 us under Wine), thousands of times the interlocked
 * increment it would follow; a watcher rereads the counters on a timer instead.
 *
 * Manual-reset, so one SetEvent releases every watcher waiting at that moment (an
 * auto-reset event would wake only one of two consoles).  A watcher resets it *before* it
 * reads the block: a change after its read sets the event again, so none is lost for that
 * watcher.  Best effort: without the event the block works the same, watchers just refresh
 * on their timer.
 */
#include <wchar.h>

#include "internal.h"

static HANDLE g_changed;   /* the named event, or NULL (written in DllMain only) */

/* ms_notify_open: creates or opens "<mapping name>.changed" with the mapping's descriptor
 * (security.c); an existing event of another owner is not used.  Returns ERROR_SUCCESS or
 * the error (logged; the block stays usable, watchers refresh on their timer).  DllMain:
 * kernel32 and advapi32 only. */
DWORD ms_notify_open(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 16];
    const WCHAR *failed = NULL;
    ms_name_join(name, ARRAYSIZE(name), ms_g.name, MEMSCOPE_CHANGED_SUFFIX);
    DWORD err = ms_sec_create_event(name, TRUE, &g_changed, &failed);
    if (err != ERROR_SUCCESS)
        ms_log_note("notify-open", "the change event is unusable: watchers will refresh on "
                                   "their timer");
    return err;
}

void ms_notify_close(void)
{
    if (g_changed != NULL && !CloseHandle(g_changed))
        ms_log_win32("notify-close", "CloseHandle", GetLastError());
    g_changed = NULL;
}

/* ms_notify_signal: tells the watchers the block changed.  Never waits (safe in DllMain). */
void ms_notify_signal(void)
{
    if (g_changed != NULL && !SetEvent(g_changed))
        ms_log_win32("notify-signal", "SetEvent", GetLastError());
}
