/*
 * mapping.c: the named file mapping: create or open it, check it, map this process's view
 * (DllMain, ms_map_attach), finish the attachment at the first call (ms_block), and the
 * exports that describe the attachment.
 */
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#include "internal.h"

/* validate.c restates these without windows.h; hold it to memscope.h. */
_Static_assert(MS_V_OFF_MAGIC == offsetof(MEMSCOPE_BLOCK, header.magic), "magic offset");
_Static_assert(MS_V_OFF_VERSION == offsetof(MEMSCOPE_BLOCK, header.version), "version offset");
_Static_assert(MS_V_OFF_SIZE == offsetof(MEMSCOPE_BLOCK, header.size), "size offset");
_Static_assert(MS_V_OFF_TEXT0_LEN == offsetof(MEMSCOPE_BLOCK, texts[0].len), "texts[0].len");
_Static_assert(MS_V_OFF_TEXT1_LEN == offsetof(MEMSCOPE_BLOCK, texts[1].len), "texts[1].len");
_Static_assert(MS_V_MAGIC == MEMSCOPE_MAGIC, "magic");
_Static_assert(MS_V_VERSION == MEMSCOPE_LAYOUT_VERSION, "version");
_Static_assert(MS_V_BLOCK_SIZE == MEMSCOPE_BLOCK_SIZE, "block size");
_Static_assert(MS_V_TEXT_MAX == MEMSCOPE_TEXT_MAX, "text max");

/* How long the first call waits for a creator that is still initialising the block.  The
 * creator publishes within microseconds; this bound only matters when it died half way. */
#define MS_PUBLISH_WAIT_MS 2000


/* Why the attachment failed, for the status text built at the first call. */
static enum {
    MS_OK,          /* attached */
    MS_FAILED_CALL, /* a Win32 call failed: ms_g.failed_call, ms_g.status */
    MS_BAD_NAME,    /* MEMSCOPE_NAME too long */
    MS_FOREIGN,     /* an existing block owned by another user */
    MS_REFUSED      /* an existing block failed its check: ms_g.verdict */
} g_reason = MS_FAILED_CALL;


/* Records a failed Win32 call as this attachment's status (the text comes later). */
static void failed(const char *tag, const char *call, const WCHAR *wcall, DWORD err)
{
    ms_log_win32(tag, call, err);
    ms_g.status = err;
    ms_g.failed_call = wcall;
    g_reason = MS_FAILED_CALL;
}

static BOOL CALLBACK complete(PINIT_ONCE once, void *param, void **context);

static DWORD verdict_error(ms_verdict v)
{
    switch (v) {
    case MS_VALID:         return ERROR_SUCCESS;
    case MS_UNPUBLISHED:   return ERROR_TIMEOUT;
    case MS_BAD_MAGIC:     return ERROR_INVALID_DATA;
    case MS_BAD_VERSION:   return ERROR_REVISION_MISMATCH;
    case MS_BAD_SIZE:      return ERROR_BAD_LENGTH;
    case MS_BAD_CONTENT:   return ERROR_INVALID_DATA;
    case MS_NOT_COMMITTED: return ERROR_INVALID_ADDRESS;
    }
    return ERROR_INVALID_DATA;
}

static void refused(ms_verdict v)
{
    ms_g.verdict = v;
    ms_g.status = verdict_error(v);
    g_reason = MS_REFUSED;
    ms_log_note("map-check", "refused the existing block");
}

/* Reads MEMSCOPE_NAME into ms_g.name, or the default.  Returns ERROR_SUCCESS or
 * ERROR_INVALID_NAME (longer than MEMSCOPE_NAME_MAX). */
static DWORD read_name(void)
{
    DWORD n = GetEnvironmentVariableW(MEMSCOPE_NAME_ENV, ms_g.name, ARRAYSIZE(ms_g.name));
    if (n == 0) {                                   /* unset or empty */
        ms_name_join(ms_g.name, ARRAYSIZE(ms_g.name), MEMSCOPE_DEFAULT_NAME, L"");
        return ERROR_SUCCESS;
    }
    if (n >= ARRAYSIZE(ms_g.name)) {
        ms_name_join(ms_g.name, ARRAYSIZE(ms_g.name), L"(too long)", L"");
        return ERROR_INVALID_NAME;
    }
    return ERROR_SUCCESS;
}

/* The creator fills the header and publishes the magic last, with a full barrier, so an
 * opener that sees the magic sees every other header field too.  The rest of a new section
 * is already zero: a free lock, an empty text, an empty registry. */
static void initialise(MEMSCOPE_BLOCK *b)
{
    b->header.version = MEMSCOPE_LAYOUT_VERSION;
    b->header.size = MEMSCOPE_BLOCK_SIZE;
    b->header.creator_pid = GetCurrentProcessId();
    b->header.creator_time = ms_g.self_create_time;
    b->header.created_at = ms_proc_filetime_now();
    InterlockedExchange((volatile LONG *)&b->header.magic, (LONG)MEMSCOPE_MAGIC);
}

/* Walks the view with VirtualQuery before one byte of it is read: every page committed and
 * read-write (a section created with SEC_RESERVE maps pages that are only reserved: reading
 * them is an access violation on Windows).  OUT *size: the view's real size, whole pages.
 * Returns MS_VALID, MS_NOT_COMMITTED, or MS_BAD_SIZE with *err set when VirtualQuery
 * fails. */
static ms_verdict check_pages(void *view, SIZE_T *size, DWORD *err)
{
    MEMORY_BASIC_INFORMATION mbi;
    BYTE *p = view;
    ms_verdict v = MS_VALID;
    *size = 0;
    *err = ERROR_SUCCESS;
    for (;;) {
        if (VirtualQuery(p, &mbi, sizeof mbi) == 0) {
            if (*size > 0)
                break;                  /* the end of the address space */
            *err = GetLastError();
            return MS_BAD_SIZE;
        }
        if (mbi.AllocationBase != view)
            break;
        if (mbi.State != MEM_COMMIT || mbi.Protect != PAGE_READWRITE)
            v = MS_NOT_COMMITTED;
        *size += mbi.RegionSize;
        p += mbi.RegionSize;
    }
    return v;
}

/* A block is accepted: what a valid attachment opens, and the registry. */
static void accept_block(MEMSCOPE_BLOCK *view, BOOL may_reclaim)
{
    ms_g.block = view;
    ms_g.pending = NULL;
    ms_g.status = ERROR_SUCCESS;
    g_reason = MS_OK;
    ms_reg_attach(may_reclaim);
}

/* ms_map_attach: DLL_PROCESS_ATTACH, under the loader lock: only what must happen before
 * the host's first call.  Creates or opens the named mapping, maps it, checks it and, for a
 * valid block, registers the process.  A block whose creator has not published it yet is left mapped in ms_g.pending
 * for the first call to wait for (ms_map_complete): no wait here.  OUT: ms_g.  On failure
 * ms_g.block stays NULL, the status says why, and not one byte of an existing block has
 * been written.
 *
 * Under the loader lock this calls only kernel32 (GetProcessTimes, TlsAlloc,
 * GetEnvironmentVariableW, CreateFileMappingW, MapViewOfFile, VirtualQuery, CreateEventW and
 * SetEvent (only while a watcher watches: notify.c), GetModuleFileNameW, Interlocked*) and advapi32's token and
 * security-descriptor functions (static imports, initialised before us: security.c says
 * why they are safe), plus memcpy.  It formats nothing, logs nothing (ms_log_defer keeps
 * the lines for the first call), waits for nothing and loads nothing.
 *
 * What an existing block must pass before one byte of it is trusted, in this order:
 *   1. the name is a section at all (else CreateFileMapping fails: ERROR_INVALID_HANDLE);
 *   2. its DACL lets this user map it read-write (else ERROR_ACCESS_DENIED);
 *   3. its owner is this user, where the platform reports owners (else ERROR_INVALID_OWNER);
 *   4. every page of the view is committed read-write (else ERROR_INVALID_ADDRESS);
 *   5. the section's real size and the header (validate.c: ERROR_BAD_LENGTH, ...). */
void ms_map_attach(void)
{
    HANDLE h = NULL;
    MEMSCOPE_BLOCK *view = NULL;
    ms_sec_attr attr;
    ms_verdict v;
    DWORD err;

    ms_log_defer(TRUE);
    ms_block_on_first_call(complete);   /* the rest of the attachment, outside the lock */
    if ((err = ms_proc_self(&ms_g.self_owner, &ms_g.self_create_time)) != ERROR_SUCCESS) {
        ms_g.status = err;
        ms_g.failed_call = L"GetProcessTimes";
        goto fail;
    }
    ms_thread_init();        /* without a TLS slot the lock is slower, not wrong */
    if ((err = read_name()) != ERROR_SUCCESS) {
        ms_g.status = err;
        g_reason = MS_BAD_NAME;
        ms_log_note("map-name", "MEMSCOPE_NAME is too long");
        goto fail;
    }

    /* Never NULL security: without our descriptor, the block is not created at all. */
    if ((err = ms_sec_init()) != ERROR_SUCCESS ||
        (err = ms_sec_attributes(&attr, SECTION_ALL_ACCESS)) != ERROR_SUCCESS) {
        ms_g.status = err;
        ms_g.failed_call = L"building the security descriptor: a call";
        goto fail;   /* (the failing call was logged by security.c) */
    }
    h = CreateFileMappingW(INVALID_HANDLE_VALUE, &attr.sa, PAGE_READWRITE, 0,
                           MEMSCOPE_BLOCK_SIZE, ms_g.name);
    if (h == NULL) {
        failed("map-create", "CreateFileMappingW", L"CreateFileMappingW", GetLastError());
        goto fail;
    }
    ms_g.created_here = GetLastError() != ERROR_ALREADY_EXISTS;

    /* Someone else's object is refused before it is even mapped. */
    if (!ms_g.created_here) {
        err = ms_sec_check_owner(h, &ms_g.owner_known);
        if (err == ERROR_INVALID_OWNER) {
            ms_g.status = err;
            g_reason = MS_FOREIGN;
            ms_log_note("map-owner", "refused the existing block: its owner is not this user");
            goto fail;
        }
        if (err != ERROR_SUCCESS) {
            failed("map-owner", "GetKernelObjectSecurity", L"GetKernelObjectSecurity", err);
            goto fail;
        }
    }

    /* Size 0 maps the whole section, whatever size its creator gave it. */
    view = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (view == NULL) {
        failed("map-view", "MapViewOfFile", L"MapViewOfFile", GetLastError());
        goto fail;
    }
    /* An existing section keeps the size and page states its creator chose: ask the view,
     * not our request, before reading it. */
    v = check_pages(view, &ms_g.view_size, &err);
    if (err != ERROR_SUCCESS) {
        failed("map-query", "VirtualQuery", L"VirtualQuery", err);
        goto fail;
    }
    if (v == MS_VALID)
        v = ms_g.created_here ? MS_VALID : ms_validate_block(view, ms_g.view_size);
    if (v == MS_UNPUBLISHED) {
        ms_g.mapping = h;                /* judged at the first call */
        ms_g.pending = view;
        return;
    }
    if (v != MS_VALID) {
        refused(v);
        goto fail;
    }
    if (ms_g.created_here)
        initialise(view);
    ms_g.mapping = h;
    accept_block(view, FALSE);
    return;

fail:
    if (view != NULL && !UnmapViewOfFile(view))
        ms_log_win32("map-fail-unmap", "UnmapViewOfFile", GetLastError());
    if (h != NULL && !CloseHandle(h))
        ms_log_win32("map-fail-close", "CloseHandle", GetLastError());
    ms_g.mapping = NULL;
}

/* Builds the status text (FormatMessage is called here, never in DllMain). */
static void status_text(void)
{
    WCHAR msg[256];
    WCHAR *t = ms_g.status_text;
    size_t cap = ARRAYSIZE(ms_g.status_text) - 1;
    switch (g_reason) {
    case MS_OK:
        _snwprintf(t, cap, L"attached to %ls (%ls, creator pid %lu%ls)", ms_g.name,
                   ms_g.created_here ? L"created by this process" : L"opened the existing block",
                   (unsigned long)(ms_g.block != NULL ? ms_g.block->header.creator_pid : 0),
                   ms_g.created_here || ms_g.owner_known ? L"" : L"; owner not reported");
        break;
    case MS_BAD_NAME:
        _snwprintf(t, cap, L"MEMSCOPE_NAME is longer than %u characters", MEMSCOPE_NAME_MAX);
        break;
    case MS_FOREIGN:
        _snwprintf(t, cap, L"refused the existing block %ls: its owner is not this user; "
                   L"nothing was written to it", ms_g.name);
        break;
    case MS_REFUSED:
        _snwprintf(t, cap, L"refused the existing block %ls: %hs (%lu bytes mapped); nothing "
                   L"was written to it", ms_g.name, ms_verdict_name(ms_g.verdict),
                   (unsigned long)ms_g.view_size);
        break;
    case MS_FAILED_CALL:
        ms_log_message(ms_g.status, msg, ARRAYSIZE(msg));
        _snwprintf(t, cap, L"%ls(%ls) failed: %ls (%lu)",
                   ms_g.failed_call != NULL ? ms_g.failed_call : L"attach", ms_g.name, msg,
                   (unsigned long)ms_g.status);
        break;
    }
    t[cap] = 0;
}

/* complete: the rest of the attachment, run once (block.c: ms_block) by the first call of
 * any export, outside the loader lock: waits (bounded) for a block its creator had
 * not published when DllMain ran, and judges it; registers the process if DllMain found
 * every slot taken (reclaiming dead processes' slots first, which takes a liveness check
 * each); builds the status text; writes the log lines DllMain kept. */
static BOOL CALLBACK complete(PINIT_ONCE once, void *param, void **context)
{
    (void)once;
    (void)param;
    (void)context;
    ms_log_flush();
    if (ms_g.pending != NULL) {
        MEMSCOPE_BLOCK *view = ms_g.pending;
        ULONGLONG deadline = GetTickCount64() + MS_PUBLISH_WAIT_MS;
        ms_verdict v;
        while ((v = ms_validate_block(view, ms_g.view_size)) == MS_UNPUBLISHED &&
               GetTickCount64() < deadline)
            Sleep(1);
        if (v == MS_VALID) {
            accept_block(view, TRUE);
        } else {
            refused(v);
            ms_g.pending = NULL;
            if (!UnmapViewOfFile(view))
                ms_log_win32("map-late-unmap", "UnmapViewOfFile", GetLastError());
            if (!CloseHandle(ms_g.mapping))
                ms_log_win32("map-late-close", "CloseHandle", GetLastError());
            ms_g.mapping = NULL;
        }
    } else if (ms_g.block != NULL && ms_g.registration == ERROR_DATABASE_FULL) {
        ms_reg_attach(TRUE);
    }
    status_text();
    ms_log_flush();
    return TRUE;
}

/* ms_map_detach: DLL_PROCESS_DETACH, under the loader lock: hands a lock held by one of this
 * process's threads on as abandoned, leaves the registry, unmaps and closes.  When the
 * process is terminating (lpvReserved non-NULL) its other threads are already gone,
 * possibly holding the lock: nothing here waits or takes the lock; the lock and the slot
 * are handed back with interlocked writes alone and the kernel takes the view and handles
 * away with the process. */
void ms_map_detach(BOOL process_terminating)
{
    ms_log_defer(TRUE);     /* what fails now is kept, not formatted under the loader lock */
    if (ms_g.block != NULL) {
        ms_lock_detach(ms_g.block, process_terminating);
        ms_notify_close(process_terminating);   /* no longer a watcher: before the slot */
        ms_reg_detach();
    }
    if (process_terminating)
        return;
    ms_mutex_close();
    MEMSCOPE_BLOCK *view = ms_g.block != NULL ? ms_g.block : ms_g.pending;
    if (view != NULL && !UnmapViewOfFile(view))
        ms_log_win32("map-detach-unmap", "UnmapViewOfFile", GetLastError());
    if (ms_g.mapping != NULL && !CloseHandle(ms_g.mapping))
        ms_log_win32("map-detach-close", "CloseHandle", GetLastError());
    ms_g.block = ms_g.pending = NULL;
    ms_g.mapping = NULL;
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeStatus(void)
{
    DWORD err;
    ms_block(&err);
    return err;
}

DWORD WINAPI MemscopeStatusText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText)
{
    WCHAR text[ARRAYSIZE(ms_g.status_text) + 200];
    const WCHAR *what = L"";
    DWORD err;
    ms_block(&err);
    size_t n = (size_t)_snwprintf(text, ARRAYSIZE(text) - 1, L"%ls", ms_g.status_text);
    /* A lock semaphore that turned out unusable at its first use degrades the lock: say so. */
    if (n < ARRAYSIZE(text) - 1 && (err = ms_lock_wake_status(&what)) != ERROR_SUCCESS) {
        WCHAR msg[128];
        ms_log_message(err, msg, ARRAYSIZE(msg));
        _snwprintf(text + n, ARRAYSIZE(text) - 1 - n, L"; lock semaphore %ls.lock unusable (%ls: "
                   L"%ls, %lu): waiters poll every 50 ms", ms_g.name, what, msg,
                   (unsigned long)err);
    }
    text[ARRAYSIZE(text) - 1] = 0;
    return ms_text_copy_out(text, (DWORD)wcslen(text), buf, cchBuf, pcchText);
}

DWORD WINAPI MemscopeViewAddress(void **ppView, SIZE_T *pcbView)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (ppView == NULL)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    *ppView = b;
    if (pcbView != NULL)
        *pcbView = ms_g.view_size;
    return ERROR_SUCCESS;
}

DWORD WINAPI MemscopeGetInfo(MEMSCOPE_INFO *pInfo)
{
    DWORD err;
    if (pInfo == NULL || pInfo->cbSize != sizeof(MEMSCOPE_INFO))
        return ERROR_INVALID_PARAMETER;
    ms_block(&err);
    pInfo->status = err;
    pInfo->pid = GetCurrentProcessId();
    pInfo->creatorPid = ms_g.block != NULL ? ms_g.block->header.creator_pid : 0;
    pInfo->createdHere = ms_g.block != NULL && ms_g.created_here;
    pInfo->slot = ms_g.slot;
    pInfo->registration = ms_g.registration;
    pInfo->view = ms_g.block;
    pInfo->cbView = ms_g.block != NULL ? ms_g.view_size : 0;
    wcscpy(pInfo->name, ms_g.name);
    return ERROR_SUCCESS;
}
