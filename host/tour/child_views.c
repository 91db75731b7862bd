/*
 * child_views.c: the child's side of steps 3 to 5: the named mapping its DllMain created
 * or opened, the same mapping opened by name, the views this child maps of it itself, and
 * what a process that never mapped it finds at the addresses of other processes' views.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "child.h"
#include "proto.h"
#include "win32.h"

static HANDLE tc_mapping;       /* the block opened by name, for the views below */
static void *tc_second;         /* MapViewOfFile, at an address this process picked */
static void *tc_fixed;          /* MapViewOfFileEx, at the address the tour chose */

/* Step 3: this child's attachment.  The DLL reports created=1 when its CreateFileMapping
 * did not say ERROR_ALREADY_EXISTS. */
void tc_hello(int argc, char **argv)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    char name[MEMSCOPE_NAME_MAX * 3 + 1], enc[sizeof name * 3];
    DWORD err;
    const void *dll = GetModuleHandleW(L"memscope.dll");
    tc_region r;
    (void)argc, (void)argv;
    if (dll == NULL) {
        tc_reply_err("GetModuleHandleW(memscope.dll)", GetLastError());
        return;
    }
    if ((err = MemscopeGetInfo(&info)) != ERROR_SUCCESS) {
        tc_reply_err("MemscopeGetInfo", err);
        return;
    }
    w32_to_utf8(info.name, name, sizeof name);
    tc_look(dll, 1, &r);
    tc_reply("pid=%lu status=%lu created=%d creator=%lu view=0x%" PRIxPTR " size=%lu "
             "name=%s dll=0x%" PRIxPTR " dlltype=%s",
             (unsigned long)info.pid, (unsigned long)info.status, info.createdHere ? 1 : 0,
             (unsigned long)info.creatorPid, (uintptr_t)info.view, (unsigned long)info.cbView,
             proto_enc(name, enc, sizeof enc), (uintptr_t)dll, r.type);
}

void tc_view(int argc, char **argv)
{
    void *view = NULL;
    SIZE_T size = 0;
    (void)argc, (void)argv;
    DWORD err = MemscopeViewAddress(&view, &size);
    if (err != ERROR_SUCCESS) {
        tc_reply_err("MemscopeViewAddress", err);
        return;
    }
    tc_reply("view=0x%" PRIxPTR " size=%lu", (uintptr_t)view, (unsigned long)size);
}

/* Opens the block by name (once) for the views this file maps itself. */
static BOOL tc_open_block(void)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    DWORD err;
    if (tc_mapping != NULL)
        return TRUE;
    if ((err = MemscopeGetInfo(&info)) != ERROR_SUCCESS) {
        tc_reply_err("MemscopeGetInfo", err);
        return FALSE;
    }
    tc_mapping = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, info.name);
    if (tc_mapping == NULL) {
        tc_reply_err("OpenFileMappingW", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* Step 4: real processes differ in what they allocated before they map a view; reserving
 * KB of address space first stands for that.  Then MapViewOfFile picks the address: the
 * same pages, at an address this process alone decided.  The reservation is kept while the
 * view is (until the child exits), as a real program's allocations would be; if no view
 * was mapped it is released. */
void tc_mapany(int argc, char **argv)
{
    SIZE_T kb = argc > 0 ? (SIZE_T)strtoul(argv[0], NULL, 0) : 0;
    void *reserved = NULL;
    if (kb > 0 && (reserved = VirtualAlloc(NULL, kb * 1024, MEM_RESERVE, PAGE_NOACCESS)) == NULL) {
        tc_reply_err("VirtualAlloc", GetLastError());
        return;
    }
    if (!tc_open_block())
        goto failed;
    if (tc_second == NULL &&
        (tc_second = MapViewOfFile(tc_mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0)) == NULL) {
        tc_reply_err("MapViewOfFile", GetLastError());
        goto failed;
    }
    tc_reply("reserved=0x%" PRIxPTR " second=0x%" PRIxPTR, (uintptr_t)reserved,
             (uintptr_t)tc_second);
    return;
failed:     /* already answered "err ..." */
    if (reserved != NULL && !VirtualFree(reserved, 0, MEM_RELEASE))
        w32_fail("VirtualFree");                /* on stderr: stdout is the answer */
}

/* Step 4: is [A, A + block size) free here, so a view can be mapped at A? */
void tc_isfree(int argc, char **argv)
{
    MEMORY_BASIC_INFORMATION mbi;
    const char *p = argc > 0 ? (const char *)tc_addr(argv[0]) : NULL;
    if (VirtualQuery(p, &mbi, sizeof mbi) == 0) {
        tc_reply_err("VirtualQuery", GetLastError());
        return;
    }
    BOOL free_here = mbi.State == MEM_FREE &&
                     p + MEMSCOPE_BLOCK_SIZE <= (const char *)mbi.BaseAddress + mbi.RegionSize;
    tc_reply("free=%d t=%s", free_here ? 1 : 0, w32_type_name(&mbi));
}

void tc_mapat(int argc, char **argv)
{
    void *want = argc > 0 ? (void *)tc_addr(argv[0]) : NULL;
    if (!tc_open_block())
        return;
    if (tc_fixed == NULL &&
        (tc_fixed = MapViewOfFileEx(tc_mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0, want))
            == NULL) {
        tc_reply_err("MapViewOfFileEx", GetLastError());
        return;
    }
    tc_reply("fixed=0x%" PRIxPTR, (uintptr_t)tc_fixed);
}

void tc_unmapfixed(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (tc_fixed != NULL && !UnmapViewOfFile(tc_fixed)) {
        tc_reply_err("UnmapViewOfFile", GetLastError());
        return;
    }
    tc_fixed = NULL;
    tc_reply("%s", "");
}

static volatile LONG64 *tc_counter_in(void *view)
{
    return (volatile LONG64 *)&((MEMSCOPE_BLOCK *)view)->counter;
}

/* Step 3: the block opened the second way, by name, and whether that handle is the same
 * section as the one DllMain got from CreateFileMapping.  A handle says nothing by itself,
 * so this child looks: it maps a view of the new handle, adds its pid to the block's
 * counter through that view, reads through DllMain's view (MemscopeCounterRead) how much
 * the counter grew, and takes its pid back off (steps 4 and 7 count from that counter).
 * open: what OpenFileMapping said; added, grew: the two numbers, when it succeeded. */
void tc_openbyname(int argc, char **argv)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    LONGLONG before = 0, after = 0;
    DWORD err;
    (void)argc, (void)argv;
    if ((err = MemscopeGetInfo(&info)) != ERROR_SUCCESS) {
        tc_reply_err("MemscopeGetInfo", err);
        return;
    }
    HANDLE h = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, info.name);
    if (h == NULL) {
        char ename[32];
        tc_reply("open=%s", w32_error_name(GetLastError(), ename, sizeof ename));
        return;
    }
    void *view = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (view == NULL) {
        tc_reply_err("MapViewOfFile", GetLastError());
    } else {
        LONG64 add = (LONG64)GetCurrentProcessId();
        if ((err = MemscopeCounterRead(&before)) == ERROR_SUCCESS) {
            InterlockedExchangeAdd64(tc_counter_in(view), add);
            err = MemscopeCounterRead(&after);
            InterlockedExchangeAdd64(tc_counter_in(view), -add);
        }
        if (err != ERROR_SUCCESS)
            tc_reply_err("MemscopeCounterRead", err);
        else
            tc_reply("open=ERROR_SUCCESS view=0x%" PRIxPTR " added=%lld grew=%lld",
                     (uintptr_t)view, (long long)add, (long long)(after - before));
        if (!UnmapViewOfFile(view))
            w32_fail("UnmapViewOfFile");        /* on stderr: stdout is the answer */
    }
    if (!CloseHandle(h))
        w32_fail("CloseHandle");
}

/* Step 4: writes through the view at the tour's address.  The block's counter is an
 * [atomic] field, so an interlocked add is the right way to write it from any view. */
void tc_fixedadd(int argc, char **argv)
{
    if (tc_fixed == NULL || argc < 1) {
        tc_reply_err("fixedadd (no view at the chosen address)", ERROR_INVALID_HANDLE);
        return;
    }
    LONG64 add = strtoll(argv[0], NULL, 0);
    LONG64 v = InterlockedExchangeAdd64(tc_counter_in(tc_fixed), add) + add;
    tc_reply("value=%lld", (long long)v);
}

/* Step 4: the counter as each of this process's three views shows it (nN), and what
 * VirtualQuery says each view is (tN, pN): 1 the DLL's, 2 the second, 3 the fixed one. */
void tc_readviews(int argc, char **argv)
{
    void *views[3] = { NULL, tc_second, tc_fixed };
    SIZE_T size = 0;
    char line[512] = "";
    (void)argc, (void)argv;
    DWORD err = MemscopeViewAddress(&views[0], &size);
    if (err != ERROR_SUCCESS) {
        tc_reply_err("MemscopeViewAddress", err);
        return;
    }
    for (int k = 0; k < 3; k++) {
        tc_region r;
        size_t n = strlen(line);
        tc_look(views[k], sizeof(MEMSCOPE_BLOCK), &r);
        snprintf(line + n, sizeof line - n, "%st%d=%s p%d=%s n%d=", k ? " " : "", k + 1,
                 r.type, k + 1, r.protect, k + 1);
        n = strlen(line);
        if (views[k] != NULL && r.readable)     /* an atomic field: read it atomically */
            snprintf(line + n, sizeof line - n, "%lld",
                     (long long)InterlockedCompareExchange64(tc_counter_in(views[k]), 0, 0));
        else
            snprintf(line + n, sizeof line - n, "-");
    }
    tc_reply("%s", line);
}

/* Step 5: what is at these addresses in a process that never mapped the tour's block:
 * tN, pN what VirtualQuery says; where readable, whether a block is there (mN: its magic),
 * whose (cN: its creator) and its counter (nN). */
void tc_probe(int argc, char **argv)
{
    char line[TOUR_LINE_MAX - 16] = "";
    for (int i = 0; i < argc; i++) {
        const MEMSCOPE_BLOCK *b = (const MEMSCOPE_BLOCK *)tc_addr(argv[i]);
        tc_region r;
        size_t n = strlen(line);
        tc_look(b, offsetof(MEMSCOPE_BLOCK, counter) + 8, &r);
        snprintf(line + n, sizeof line - n, "%st%d=%s p%d=%s", i ? " " : "", i + 1, r.type,
                 i + 1, r.protect);
        n = strlen(line);
        if (r.readable)
            snprintf(line + n, sizeof line - n, " m%d=%d c%d=%lu n%d=%lld", i + 1,
                     b->header.magic == MEMSCOPE_MAGIC, i + 1,
                     (unsigned long)b->header.creator_pid, i + 1, (long long)b->counter);
    }
    tc_reply("%s", line);
}
