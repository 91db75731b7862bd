/*
 * sample_client.c: a program written against Microsoft's sample "Using Shared Memory in a
 * Dynamic-Link Library", as such programs are: it declares the two functions itself, exactly
 * as the sample's client programs do (VOID __cdecl, extern "C" from C++), and links with
 * the import library, nothing of memscope.h.  Built for i686 it proves the import library
 * binds the sample's __cdecl references (_SetSharedMem) to the undecorated exports.
 * (memscope's functions return BOOL where the sample's return VOID: a caller that expects
 * VOID ignores the return register, so nothing breaks; this client cannot see errors.)
 *
 *   sample_client.exe set TEXT     SetSharedMem(TEXT)
 *   sample_client.exe get          GetSharedMem into a MAX_PATH buffer, printed
 */
#include <windows.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif
VOID __cdecl SetSharedMem(LPWSTR lpszBuf);
VOID __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize);
#ifdef __cplusplus
}
#endif

int main(int argc, char **argv)
{
    WCHAR buf[MAX_PATH];
    if (argc == 3 && strcmp(argv[1], "set") == 0) {
        if (MultiByteToWideChar(CP_UTF8, 0, argv[2], -1, buf, MAX_PATH) == 0) {
            fprintf(stderr, "sample_client: text too long\n");
            return 1;
        }
        SetSharedMem(buf);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "get") == 0) {
        GetSharedMem(buf, MAX_PATH);
        printf("%ls\n", buf);
        return 0;
    }
    fprintf(stderr, "usage: sample_client set TEXT | sample_client get\n");
    return 2;
}
