/*
 * child_memory.c: the child's side of steps 1 and 2.  It allocates (itself, or through
 * memscope.dll), and it looks at numbers another child's allocations had, in its own
 * address space.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memscope.h"
#include "child.h"
#include "proto.h"

static void *tc_allocs[4];      /* step 1: heap, virtual, global, local; kept until exit */

/* Step 1: one 8-byte value, pid*10+k, in memory from each of the four allocators. */
void tc_alloc(int argc, char **argv)
{
    static const char *names[4] = { "heap", "virtual", "global", "local" };
    uint64_t base = (uint64_t)GetCurrentProcessId() * 10;
    char line[512] = "";
    (void)argc, (void)argv;
    if ((tc_allocs[0] = HeapAlloc(GetProcessHeap(), 0, 8)) == NULL) {
        tc_reply_err("HeapAlloc", ERROR_NOT_ENOUGH_MEMORY);  /* HeapAlloc sets no last error */
        return;
    }
    if ((tc_allocs[1] = VirtualAlloc(NULL, 8, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)) == NULL) {
        tc_reply_err("VirtualAlloc", GetLastError());
        return;
    }
    if ((tc_allocs[2] = GlobalAlloc(GMEM_FIXED, 8)) == NULL) {
        tc_reply_err("GlobalAlloc", GetLastError());
        return;
    }
    /* cppcheck-suppress LocalAllocCalled ; LocalAlloc is one of the four allocators step 1
     * shows on purpose (Microsoft's article names it); a program would use HeapAlloc */
    if ((tc_allocs[3] = LocalAlloc(LMEM_FIXED, 8)) == NULL) {
        tc_reply_err("LocalAlloc", GetLastError());
        return;
    }
    for (int k = 0; k < 4; k++) {
        *(volatile uint64_t *)tc_allocs[k] = base + (uint64_t)k + 1;
        /* Read back through the same pointer: the owner sees its value. */
        uint64_t v = *(volatile uint64_t *)tc_allocs[k];
        size_t n = strlen(line);
        snprintf(line + n, sizeof line - n, "%s%s=0x%" PRIxPTR " %sv=%" PRIu64, k ? " " : "",
                 names[k], (uintptr_t)tc_allocs[k], names[k], v);
    }
    tc_reply("%s", line);
}

/* Step 1: what is at these numbers here (they are another child's allocations):
 * tN, pN what VirtualQuery says, vN the 8 bytes there if readable, else "-". */
void tc_peek(int argc, char **argv)
{
    char line[2048] = "";
    for (int i = 0; i < argc; i++) {
        const volatile uint64_t *p = (const volatile uint64_t *)tc_addr(argv[i]);
        tc_region r;
        size_t n = strlen(line);
        tc_look((const void *)p, 8, &r);
        snprintf(line + n, sizeof line - n, "%st%d=%s p%d=%s v%d=", i ? " " : "", i + 1,
                 r.type, i + 1, r.protect, i + 1);
        n = strlen(line);
        if (r.readable)
            snprintf(line + n, sizeof line - n, "%" PRIu64, *p);
        else
            snprintf(line + n, sizeof line - n, "-");
    }
    tc_reply("%s", line);
}

/* Step 2: the DLL allocates (HeapAlloc inside memscope.dll) on this process's behalf. */
void tc_dllalloc(int argc, char **argv)
{
    WCHAR text[64], back[64];
    char utf8[3 * 64], enc[sizeof utf8 * 3];
    void *addr = NULL;
    DWORD err;
    (void)argc, (void)argv;
    swprintf(text, 64, L"private-of-%lu", (unsigned long)GetCurrentProcessId());
    if ((err = MemscopeSetPrivateText(text, (DWORD)wcslen(text))) != ERROR_SUCCESS) {
        tc_reply_err("MemscopeSetPrivateText", err);
        return;
    }
    if ((err = MemscopeGetPrivateText(back, 64, NULL, &addr)) != ERROR_SUCCESS) {
        tc_reply_err("MemscopeGetPrivateText", err);
        return;
    }
    if (WideCharToMultiByte(CP_UTF8, 0, back, -1, utf8, sizeof utf8, NULL, NULL) == 0) {
        tc_reply_err("WideCharToMultiByte", GetLastError());
        return;
    }
    tc_reply("addr=0x%" PRIxPTR " text=%s", (uintptr_t)addr, proto_enc(utf8, enc, sizeof enc));
}

/* Step 2: what is at another child's text address here: t, p from VirtualQuery, and the
 * text (32 characters at most, unprintable ones as '.') if readable, else "-". */
void tc_peektext(int argc, char **argv)
{
    char utf8[3 * 32 + 1], enc[sizeof utf8 * 3];
    WCHAR w[33];
    tc_region r;
    if (argc < 1) {
        tc_reply_err("peektext ADDRESS", ERROR_INVALID_PARAMETER);
        return;
    }
    const WCHAR *p = (const WCHAR *)tc_addr(argv[0]);
    tc_look(p, 32 * sizeof(WCHAR), &r);
    if (!r.readable) {
        tc_reply("t=%s p=%s text=-", r.type, r.protect);
        return;
    }
    memcpy(w, p, 32 * sizeof(WCHAR));
    w[32] = 0;
    for (int i = 0; i < 32 && w[i]; i++)       /* keep the line printable */
        if (w[i] < 32 || w[i] > 126)
            w[i] = L'.';
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, sizeof utf8, NULL, NULL) == 0) {
        tc_reply_err("WideCharToMultiByte", GetLastError());
        return;
    }
    tc_reply("t=%s p=%s text=%s", r.type, r.protect, proto_enc(utf8, enc, sizeof enc));
}
