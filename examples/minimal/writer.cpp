// writer.cpp: level 0's first host.  It declares SetSharedMem exactly as the sample's
// client does, puts its argument in the shared memory, and keeps minimal.dll loaded (so
// the mapping alive: the last view gone, the pages go) until Enter or end of input.
#include <windows.h>
#include <cstdio>

extern "C" VOID __cdecl SetSharedMem(LPWSTR lpszBuf);

int wmain(int argc, wchar_t **argv)
{
    if (argc != 2) {
        std::fputs("usage: writer TEXT\n", stderr);
        return 2;
    }
    SetSharedMem(argv[1]);
    std::printf("writer: text set; holding the mapping until Enter\n");
    std::fflush(stdout);
    std::getchar();
    return 0;
}
