/* reader.c: level 0's second host.  It declares GetSharedMem as the sample's client does
 * (in C: no extern "C") and prints what another process left in the shared memory: the
 * empty string when no process holds the mapping, or holds another name. */
#include <windows.h>
#include <stdio.h>

VOID __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize);

int main(void)
{
    WCHAR cBuf[MAX_PATH];
    GetSharedMem(cBuf, MAX_PATH);
    printf("reader: \"%ls\"\n", cBuf);
    return 0;
}
