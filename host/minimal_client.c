/*
 * minimal_client.c: the smallest program built against an *installed* memscope, the way a
 * user of the library builds one:
 *
 *   x86_64-w64-mingw32-gcc minimal_client.c $(pkg-config --cflags --libs memscope)
 *
 * It attaches (by loading memscope.dll), writes a text into the shared block, reads it back
 * and prints "minimal_client: ok <status> <text>".  scripts/test-install.sh builds and runs
 * it from a staged install; minimal_client.cpp is the same from C++.
 */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

#include <memscope.h>

int main(void)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    DWORD len = 0, err;

    if ((err = MemscopeStatus()) != ERROR_SUCCESS) {
        fprintf(stderr, "minimal_client: the block was refused: error %lu\n", (unsigned long)err);
        return 1;
    }
    if ((err = MemscopeSetText(L"installed", 9)) != ERROR_SUCCESS ||
        (err = MemscopeGetText(buf, MEMSCOPE_TEXT_CAPACITY, &len)) != ERROR_SUCCESS) {
        fprintf(stderr, "minimal_client: set/get failed: error %lu\n", (unsigned long)err);
        return 1;
    }
    printf("minimal_client: ok %lu %ls\n", (unsigned long)MemscopeStatus(), buf);
    return 0;
}
