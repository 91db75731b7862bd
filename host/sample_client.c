/*
 * sample_client.c: a program written against Microsoft's sample "Using Shared Memory in a
 * Dynamic-Link Library", as such programs are: it declares the two functions itself and
 * links with the import library, nothing of memscope.h.  Built for i686 it proves the
 * import library binds WINAPI (stdcall) references to the undecorated exports.
 *
 *   sample_client.exe set TEXT     SetSharedMem(TEXT)
 *   sample_client.exe get          GetSharedMem into a MAX_PATH buffer, printed
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

__declspec(dllimport) BOOL WINAPI SetSharedMem(LPWSTR lpszBuf);
__declspec(dllimport) BOOL WINAPI GetSharedMem(LPWSTR lpszBuf, DWORD cchSize);

int main(int argc, char **argv)
{
    WCHAR buf[MAX_PATH];
    if (argc == 3 && strcmp(argv[1], "set") == 0) {
        if (MultiByteToWideChar(CP_UTF8, 0, argv[2], -1, buf, MAX_PATH) == 0) {
            fprintf(stderr, "sample_client: text too long\n");
            return 1;
        }
        if (!SetSharedMem(buf)) {
            fprintf(stderr, "sample_client: SetSharedMem failed: error %lu\n", GetLastError());
            return 1;
        }
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "get") == 0) {
        if (!GetSharedMem(buf, MAX_PATH)) {
            fprintf(stderr, "sample_client: GetSharedMem failed: error %lu\n", GetLastError());
            return 1;
        }
        printf("%ls\n", buf);
        return 0;
    }
    fprintf(stderr, "usage: sample_client set TEXT | sample_client get\n");
    return 2;
}
