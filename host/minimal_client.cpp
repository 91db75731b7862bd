/*
 * minimal_client.cpp: minimal_client.c from C++, to prove memscope.h works there: its
 * declarations are extern "C" (no C++ name mangling: the link finds the DLL's names) and
 * __declspec(dllimport).  The layout checks that memscope.h makes with _Static_assert in C
 * are made here with C++'s static_assert, so a C++ reader of the block agrees with C's.
 *
 *   x86_64-w64-mingw32-g++ minimal_client.cpp $(pkg-config --cflags --libs memscope)
 */
#include <windows.h>
#include <cstddef>
#include <cstdio>

#include <memscope.h>

static_assert(sizeof(MEMSCOPE_BLOCK) == MEMSCOPE_BLOCK_SIZE, "the block is 32 KiB in C++ too");
static_assert(offsetof(MEMSCOPE_BLOCK, text_pub) == 256, "text_pub offset as in C");
static_assert(offsetof(MEMSCOPE_BLOCK, texts) == 320, "text buffers' offset as in C");
static_assert(offsetof(MEMSCOPE_BLOCK, slots) == 8704, "registry offset as in C");

namespace {

// Writes text into the shared block and reads it back into out: true if it came back whole.
bool round_trip(const wchar_t *text, DWORD cch, wchar_t (&out)[MEMSCOPE_TEXT_CAPACITY])
{
    DWORD len = 0;
    return MemscopeSetText(text, cch) == ERROR_SUCCESS &&
           MemscopeGetText(out, MEMSCOPE_TEXT_CAPACITY, &len) == ERROR_SUCCESS && len == cch;
}

} // namespace

int main()
{
    wchar_t buf[MEMSCOPE_TEXT_CAPACITY];
    DWORD err = MemscopeStatus();
    if (err != ERROR_SUCCESS) {
        std::fprintf(stderr, "minimal_client_cpp: the block was refused: error %lu\n",
                     static_cast<unsigned long>(err));
        return 1;
    }
    if (!round_trip(L"from C++", 8, buf)) {
        std::fprintf(stderr, "minimal_client_cpp: set/get failed\n");
        return 1;
    }
    std::printf("minimal_client_cpp: ok %lu %ls\n", static_cast<unsigned long>(MemscopeStatus()),
                buf);
    return 0;
}
