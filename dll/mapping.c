/*
 * mapping.c: the named file mapping: create or open it, check it, map this process's view,
 * and the exports that describe the attachment.  Runs in DllMain: kernel32 calls only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <wchar.h>

#include "internal.h"

/* validate.c restates these without windows.h; hold it to memscope.h. */
_Static_assert(MS_V_OFF_MAGIC == offsetof(MEMSCOPE_BLOCK, header.magic), "magic offset");
_Static_assert(MS_V_OFF_VERSION == offsetof(MEMSCOPE_BLOCK, header.version), "version offset");
_Static_assert(MS_V_OFF_SIZE == offsetof(MEMSCOPE_BLOCK, header.size), "size offset");
_Static_assert(MS_V_OFF_TEXT_LEN == offsetof(MEMSCOPE_BLOCK, text_len), "text_len offset");
_Static_assert(MS_V_MAGIC == MEMSCOPE_MAGIC, "magic");
_Static_assert(MS_V_VERSION == MEMSCOPE_LAYOUT_VERSION, "version");
_Static_assert(MS_V_BLOCK_SIZE == MEMSCOPE_BLOCK_SIZE, "block size");
_Static_assert(MS_V_TEXT_MAX == MEMSCOPE_TEXT_MAX, "text max");

/* How long an opener waits for a creator that is still initialising the block.  The creator
 * publishes within microseconds; this bound only matters when it died half way. */
#define MS_PUBLISH_WAIT_MS 2000

ms_state ms_g = { .status = ERROR_INVALID_HANDLE, .slot = (DWORD)-1,
                  .registration = ERROR_INVALID_HANDLE };

static void status_printf(const WCHAR *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    _vsnwprintf(ms_g.status_text, ARRAYSIZE(ms_g.status_text) - 1, fmt, ap);
    va_end(ap);
    ms_g.status_text[ARRAYSIZE(ms_g.status_text) - 1] = 0;
}

/* Records a Win32 failure as this attachment's status, and logs it. */
static void status_win32(const char *tag, const char *call, const WCHAR *wcall, DWORD err)
{
    WCHAR msg[256];
    ms_log_message(err, msg, ARRAYSIZE(msg));
    ms_log_win32(tag, call, err);
    ms_g.status = err;
    status_printf(L"%ls(%ls) failed: %ls (%lu)", wcall, ms_g.name, msg, (unsigned long)err);
}

static DWORD verdict_error(ms_verdict v)
{
    switch (v) {
    case MS_VALID:       return ERROR_SUCCESS;
    case MS_UNPUBLISHED: return ERROR_TIMEOUT;
    case MS_BAD_MAGIC:   return ERROR_INVALID_DATA;
    case MS_BAD_VERSION: return ERROR_REVISION_MISMATCH;
    case MS_BAD_SIZE:    return ERROR_BAD_LENGTH;
    case MS_BAD_CONTENT: return ERROR_INVALID_DATA;
    }
    return ERROR_INVALID_DATA;
}

/* Reads MEMSCOPE_NAME into ms_g.name, or the default.  Returns ERROR_SUCCESS or
 * ERROR_INVALID_NAME (longer than MEMSCOPE_NAME_MAX). */
static DWORD read_name(void)
{
    DWORD n = GetEnvironmentVariableW(MEMSCOPE_NAME_ENV, ms_g.name, ARRAYSIZE(ms_g.name));
    if (n == 0) {                                   /* unset or empty */
        wcscpy(ms_g.name, MEMSCOPE_DEFAULT_NAME);
        return ERROR_SUCCESS;
    }
    if (n >= ARRAYSIZE(ms_g.name)) {
        wcscpy(ms_g.name, L"(too long)");
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

/* Checks an existing block, waiting a bounded time for a creator still initialising it. */
static ms_verdict check_existing(const MEMSCOPE_BLOCK *b, SIZE_T size)
{
    ULONGLONG deadline = GetTickCount64() + MS_PUBLISH_WAIT_MS;
    ms_verdict v;
    while ((v = ms_validate_block(b, size)) == MS_UNPUBLISHED && GetTickCount64() < deadline)
        Sleep(1);   /* another process's progress, not one of our threads: safe in DllMain */
    return v;
}

/* ms_map_status_append: adds a remark to the attach status text (a degraded but working
 * attachment, e.g. a lock event that cannot be used).  Truncates silently. */
void ms_map_status_append(const WCHAR *fmt, ...)
{
    size_t used = wcslen(ms_g.status_text);
    size_t room = ARRAYSIZE(ms_g.status_text) - 1 - used;
    va_list ap;
    if (room == 0)
        return;
    va_start(ap, fmt);
    _vsnwprintf(ms_g.status_text + used, room, fmt, ap);
    va_end(ap);
    ms_g.status_text[ARRAYSIZE(ms_g.status_text) - 1] = 0;
}

/* ms_map_attach: creates or opens the named mapping, maps it, checks it and, for a valid
 * block, opens the lock's event and the baseline's named mutex and registers the process.
 * OUT: ms_g (status, mapping, block, view_size, created_here, status_text).  On failure
 * ms_g.block stays NULL, the status says why, and not one byte of an existing block has
 * been written.
 *
 * What an existing block must pass before one byte of it is trusted, in this order:
 *   1. the name is a section at all (else CreateFileMapping fails: ERROR_INVALID_HANDLE);
 *   2. its DACL lets this user map it read-write (else ERROR_ACCESS_DENIED);
 *   3. its owner is this user, where the platform reports owners (else ERROR_INVALID_OWNER);
 *   4. the section's real size and the header (validate.c: ERROR_BAD_LENGTH, ...). */
void ms_map_attach(void)
{
    HANDLE h = NULL;
    MEMSCOPE_BLOCK *view = NULL;
    MEMORY_BASIC_INFORMATION mbi;
    ms_sec_attr attr;
    BOOL owner_known = FALSE;
    DWORD err;

    ms_proc_self(&ms_g.self_owner, &ms_g.self_create_time);
    if ((err = read_name()) != ERROR_SUCCESS) {
        ms_g.status = err;
        status_printf(L"MEMSCOPE_NAME is longer than %u characters", MEMSCOPE_NAME_MAX);
        ms_log("map-name: MEMSCOPE_NAME is longer than %u characters", MEMSCOPE_NAME_MAX);
        goto fail;
    }

    /* Never NULL security: without our descriptor, the block is not created at all. */
    if ((err = ms_sec_init()) != ERROR_SUCCESS ||
        (err = ms_sec_attributes(&attr, SECTION_ALL_ACCESS)) != ERROR_SUCCESS) {
        WCHAR msg[256];
        ms_log_message(err, msg, ARRAYSIZE(msg));
        ms_g.status = err;
        status_printf(L"building the security descriptor for %ls failed: %ls (%lu)",
                      ms_g.name, msg, (unsigned long)err);
        goto fail;   /* (the failing call was logged by security.c) */
    }
    h = CreateFileMappingW(INVALID_HANDLE_VALUE, &attr.sa, PAGE_READWRITE, 0,
                           MEMSCOPE_BLOCK_SIZE, ms_g.name);
    if (h == NULL) {
        status_win32("map-create", "CreateFileMappingW", L"CreateFileMappingW", GetLastError());
        goto fail;
    }
    ms_g.created_here = GetLastError() != ERROR_ALREADY_EXISTS;

    /* Someone else's object is refused before it is even mapped. */
    if (!ms_g.created_here) {
        err = ms_sec_check_owner(h, &owner_known);
        if (err == ERROR_INVALID_OWNER) {
            ms_g.status = err;
            status_printf(L"refused the existing block %ls: its owner is not this user; "
                          L"nothing was written to it", ms_g.name);
            ms_log("map-owner: refused the existing block: its owner is not this user");
            goto fail;
        }
        if (err != ERROR_SUCCESS) {
            status_win32("map-owner", "GetKernelObjectSecurity", L"GetKernelObjectSecurity",
                         err);
            goto fail;
        }
    }

    /* Size 0 maps the whole section, whatever size its creator gave it. */
    view = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (view == NULL) {
        status_win32("map-view", "MapViewOfFile", L"MapViewOfFile", GetLastError());
        goto fail;
    }
    /* An existing section keeps the size its creator chose: ask the view, not our request. */
    if (VirtualQuery(view, &mbi, sizeof mbi) == 0) {
        status_win32("map-query", "VirtualQuery", L"VirtualQuery", GetLastError());
        goto fail;
    }
    ms_g.view_size = mbi.RegionSize;

    if (ms_g.created_here) {
        initialise(view);
    } else {
        ms_verdict v = check_existing(view, ms_g.view_size);
        if (v != MS_VALID) {
            ms_g.status = verdict_error(v);
            status_printf(L"refused the existing block %ls: %hs (%lu bytes mapped); "
                          L"nothing was written to it", ms_g.name, ms_verdict_name(v),
                          (unsigned long)ms_g.view_size);
            ms_log("map-check: refused the existing block: %s", ms_verdict_name(v));
            goto fail;
        }
    }

    ms_g.mapping = h;
    ms_g.block = view;
    ms_g.status = ERROR_SUCCESS;
    status_printf(L"attached to %ls (%ls, creator pid %lu%ls)", ms_g.name,
                  ms_g.created_here ? L"created by this process" : L"opened the existing block",
                  (unsigned long)view->header.creator_pid,
                  ms_g.created_here || owner_known ? L"" : L"; owner not reported");
    ms_lock_open();
    ms_mutex_open();
    ms_notify_open();     /* before the registry: attaching is a change watchers show */
    ms_reg_attach();
    return;

fail:
    if (view != NULL && !UnmapViewOfFile(view))
        ms_log_win32("map-fail-unmap", "UnmapViewOfFile", GetLastError());
    if (h != NULL && !CloseHandle(h))
        ms_log_win32("map-fail-close", "CloseHandle", GetLastError());
    ms_g.view_size = 0;
}

/* ms_map_detach: leaves the registry, unmaps and closes.  When the process is terminating
 * (lpvReserved non-NULL) other threads are already gone, possibly holding the lock: nothing
 * here waits or takes the lock; the registry slot is freed with interlocked writes alone and
 * the kernel takes the view and handles away with the process. */
void ms_map_detach(BOOL process_terminating)
{
    if (ms_g.block == NULL)
        return;
    ms_reg_detach();
    if (process_terminating)
        return;
    ms_lock_close();
    ms_mutex_close();
    ms_notify_close();
    if (!UnmapViewOfFile(ms_g.block))
        ms_log_win32("map-detach-unmap", "UnmapViewOfFile", GetLastError());
    if (!CloseHandle(ms_g.mapping))
        ms_log_win32("map-detach-close", "CloseHandle", GetLastError());
    ms_g.block = NULL;
    ms_g.mapping = NULL;
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeStatus(void)
{
    return ms_g.block != NULL ? ERROR_SUCCESS : ms_g.status;
}

DWORD WINAPI MemscopeStatusText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText)
{
    return ms_text_copy_out(ms_g.status_text, (DWORD)wcslen(ms_g.status_text), buf, cchBuf,
                            pcchText);
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
    if (pInfo == NULL || pInfo->cbSize != sizeof(MEMSCOPE_INFO))
        return ERROR_INVALID_PARAMETER;
    pInfo->status = MemscopeStatus();
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
