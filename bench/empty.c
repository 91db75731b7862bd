/* empty.c: the smallest DLL, built like memscope.dll (static runtime): the baseline for the
 * cost of LoadLibrary + FreeLibrary that memscope.dll's attach is compared with. */
#include <windows.h>

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
    (void)instance;
    (void)reason;
    (void)reserved;
    return TRUE;
}
