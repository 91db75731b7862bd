/*
 * dllmain.c: the DLL's entry point.  Under the loader lock, so kernel32-level work only:
 * create or open the mapping, map, check, register (mapping.c).  No LoadLibrary, no thread,
 * no wait on another thread of this process, no user32.
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
         * were, so take no lock and free nothing the process is about to lose anyway. */
        ms_map_detach(reserved != NULL);
        if (reserved == NULL)
            ms_private_free();
        return TRUE;
    }
    return TRUE;
}
