/*
 * dllmain.c: the DLL's entry point.  It runs under the loader lock, which every other
 * thread of the process needs to load a DLL, start or end: so only what must happen before
 * the host's first call happens here (mapping.c says exactly which calls: kernel32 and
 * advapi32, both static imports initialised before us).  No LoadLibrary, no thread, no
 * wait and no sleep, no user32, no formatting or logging: waiting for a block's creator,
 * reclaiming dead processes' slots, building the status text and writing the log wait for
 * the first call (ms_block).
 */
#include "internal.h"

/* cppcheck-suppress constParameter ; the loader's prototype, not ours to change */
BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    switch (reason) {
    case DLL_PROCESS_ATTACH:
        /* DLL_THREAD_* notifications are left on: the static runtime linked in uses them,
         * and nothing here is per thread. */
        ms_hooks_read();
        ms_map_attach();
        /* A refused block still loads the DLL: the host gets a clear error from every
         * accessor instead of a failed LoadLibrary it cannot explain. */
        return TRUE;
    case DLL_PROCESS_DETACH:
        /* reserved != NULL: the process is exiting; other threads were killed wherever they
         * were, so take no lock and free nothing the process is about to lose anyway.
         * reserved == NULL: FreeLibrary, and the process lives on: a lock one of its
         * threads holds is handed on as abandoned, and what it allocated is given back. */
        ms_map_detach(reserved != NULL);
        if (reserved == NULL) {
            ms_private_free();
            ms_thread_fini();
        }
        return TRUE;
    }
    return TRUE;
}
