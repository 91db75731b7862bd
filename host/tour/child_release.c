/*
 * child_release.c: the child's side of step 6's release of the tour's block: a holder,
 * which keeps the block by a handle alone (holdopen, holdunmap, holdclose), and a reader,
 * which opens it by name afterwards (openread).
 *
 * Both run with a block name of their own in MEMSCOPE_NAME, so their DllMain never maps
 * the tour's block: the only handles and views of it they have are the ones made here.
 */
#include <inttypes.h>
#include <stdio.h>

#include "memscope.h"
#include "child.h"
#include "proto.h"
#include "win32.h"

static HANDLE tc_held;          /* holdopen's handle to the block, until holdclose */
static void *tc_held_view;      /* its only view of it, until holdunmap */

/* The block name argument (percent-encoded UTF-8), as UTF-16. */
static BOOL tc_block_name(int argc, char **argv, WCHAR *w, int cap)
{
    if (argc != 1) {
        tc_reply_err("NAME", ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    proto_dec(argv[0]);
    if (MultiByteToWideChar(CP_UTF8, 0, argv[0], -1, w, cap) == 0) {
        tc_reply_err("MultiByteToWideChar", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* Opens the block by name and maps a view of it: read-write, because the counter is an
 * [atomic] field and an interlocked read is a locked compare-exchange, which writes.  On
 * success *view is the view; when OpenFileMapping fails, *open_err says why (no answer
 * yet: that is an observation).  FALSE when a later call failed (answered "err ..."). */
static BOOL tc_open_block_by_name(const WCHAR *name, HANDLE *h, void **view, DWORD *open_err)
{
    *view = NULL;
    *open_err = ERROR_SUCCESS;
    *h = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
    if (*h == NULL) {
        *open_err = GetLastError();
        return TRUE;
    }
    *view = MapViewOfFile(*h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (*view == NULL) {
        tc_reply_err("MapViewOfFile", GetLastError());
        if (!CloseHandle(*h))
            w32_fail("CloseHandle");            /* on stderr: stdout is the answer */
        *h = NULL;
        return FALSE;
    }
    return TRUE;
}

/* The block's counter through view, or -1 if what is there is not a memscope block. */
static long long tc_block_counter(void *view)
{
    MEMSCOPE_BLOCK *b = view;
    tc_region r;
    tc_look(b, sizeof *b, &r);
    if (!r.readable || b->header.magic != MEMSCOPE_MAGIC)
        return -1;
    return (long long)InterlockedCompareExchange64((volatile LONG64 *)&b->counter, 0, 0);
}

/* holdopen NAME: the holder opens the block by name, maps its only view of it and reads
 * the counter there; it keeps both. */
void tc_holdopen(int argc, char **argv)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    DWORD open_err;
    if (tc_held != NULL) {
        tc_reply_err("holdopen (already holding)", ERROR_ALREADY_INITIALIZED);
        return;
    }
    if (!tc_block_name(argc, argv, name, ARRAYSIZE(name)) ||
        !tc_open_block_by_name(name, &tc_held, &tc_held_view, &open_err))
        return;
    if (tc_held == NULL) {
        char ename[32];
        tc_reply("open=%s", w32_error_name(open_err, ename, sizeof ename));
        return;
    }
    tc_reply("open=ERROR_SUCCESS view=0x%" PRIxPTR " counter=%lld", (uintptr_t)tc_held_view,
             tc_block_counter(tc_held_view));
}

/* holdunmap: UnmapViewOfFile on the holder's only view; the handle stays open.  Answers
 * what VirtualQuery now says where the view was (t). */
void tc_holdunmap(int argc, char **argv)
{
    tc_region r;
    (void)argc, (void)argv;
    if (tc_held_view == NULL) {
        tc_reply_err("holdunmap (no view)", ERROR_INVALID_HANDLE);
        return;
    }
    if (!UnmapViewOfFile(tc_held_view)) {
        tc_reply_err("UnmapViewOfFile", GetLastError());
        return;
    }
    const void *was = tc_held_view;     /* only asked about, never read: it is gone */
    tc_held_view = NULL;
    tc_look(was, 1, &r);
    tc_reply("t=%s", r.type);
}

/* holdclose: CloseHandle on the holder's handle, its last reference to the block. */
void tc_holdclose(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (tc_held == NULL) {
        tc_reply_err("holdclose (no handle)", ERROR_INVALID_HANDLE);
        return;
    }
    HANDLE h = tc_held;
    tc_held = NULL;
    if (!CloseHandle(h)) {
        tc_reply_err("CloseHandle", GetLastError());
        return;
    }
    tc_reply("%s", "");
}

/* openread NAME: the reader opens the block by name, maps a view, reads the counter, then
 * unmaps the view and closes the handle: it keeps nothing.  open= says what OpenFileMapping
 * said; counter= is there only when it succeeded. */
void tc_openread(int argc, char **argv)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    HANDLE h;
    void *view;
    DWORD open_err;
    if (!tc_block_name(argc, argv, name, ARRAYSIZE(name)) ||
        !tc_open_block_by_name(name, &h, &view, &open_err))
        return;
    if (h == NULL) {
        char ename[32];
        tc_reply("open=%s", w32_error_name(open_err, ename, sizeof ename));
        return;
    }
    long long counter = tc_block_counter(view);
    if (!UnmapViewOfFile(view)) {
        tc_reply_err("UnmapViewOfFile", GetLastError());
        if (!CloseHandle(h))
            w32_fail("CloseHandle");            /* on stderr: stdout is the answer */
        return;
    }
    if (!CloseHandle(h)) {
        tc_reply_err("CloseHandle", GetLastError());
        return;
    }
    tc_reply("open=ERROR_SUCCESS counter=%lld", counter);
}
