/*
 * text.c: the shared text, under a sequence counter (a seqlock), and the exports that read
 * and write it, Microsoft's sample pair among them.
 *
 * Writers serialise on the block's lock and bracket their write with two increments of
 * text_seq (odd while writing).  Readers take no lock: they copy, then check that text_seq
 * was even and unchanged across the copy, and retry otherwise, so a reader never returns a
 * string that is half old, half new.  A writer that dies mid-write leaves text_seq odd;
 * the next process to take the lock (it is told the lock was abandoned) repairs it.
 */
#include <stdatomic.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

/* The test-only build (Makefile: build/<arch>/noseq/) defines MEMSCOPE_TEST_NO_SEQCHECK so
 * readers skip the sequence check: the seqlock test runs against it to show that without
 * the check a reader does see torn text, so the test can fail.  Never ship it. */
#define MS_TEXT_SEQCHECK (!MS_HOOK(noseqcheck))

#define MS_TEXT_LOCK_TIMEOUT_MS 10000 /* a writer gives up after this: ERROR_TIMEOUT */
#define MS_TEXT_CHECK_MS        50    /* a reader facing an odd sequence checks the writer */

static volatile LONG *seq_of(MEMSCOPE_BLOCK *b)
{
    return &b->text_seq;
}

DWORD ms_text_check_in(LPCWSTR text, DWORD cchText, DWORD max)
{
    if (text == NULL && cchText > 0)
        return ERROR_INVALID_PARAMETER;
    if (cchText > max)
        return ERROR_INSUFFICIENT_BUFFER;
    if (cchText > 0 && wmemchr(text, 0, cchText) != NULL)
        return ERROR_INVALID_PARAMETER;
    return ERROR_SUCCESS;
}

DWORD ms_text_copy_out(const WCHAR *src, DWORD len, LPWSTR buf, DWORD cchBuf, DWORD *pcch)
{
    if (buf == NULL && cchBuf > 0)
        return ERROR_INVALID_PARAMETER;
    if (pcch != NULL)
        *pcch = len;
    /* Room for len + 1 WCHARs, written so that len + 1 cannot wrap to 0. */
    if (cchBuf == 0 || cchBuf - 1 < len)
        return ERROR_INSUFFICIENT_BUFFER;
    memcpy(buf, src, len * sizeof(WCHAR));
    buf[len] = 0;
    return ERROR_SUCCESS;
}

/* ms_text_repair: the caller holds the lock.  If a writer died inside its write section,
 * close the section: the length is clamped and the text terminated, so readers get a
 * well-formed (possibly half-updated) string rather than spinning forever. */
void ms_text_repair(MEMSCOPE_BLOCK *b)
{
    if ((*seq_of(b) & 1) == 0)
        return;
    if (b->text_len > MEMSCOPE_TEXT_MAX)
        b->text_len = MEMSCOPE_TEXT_MAX;
    b->text[b->text_len] = 0;
    InterlockedIncrement(seq_of(b));
    ms_log("text: repaired a write section left open by a dead writer");
}

/* Writes len WCHARs (checked by the caller) under the lock.  Returns ERROR_SUCCESS or the
 * lock's ERROR_TIMEOUT. */
static DWORD text_write(MEMSCOPE_BLOCK *b, const WCHAR *text, DWORD len)
{
    DWORD err = ms_lock_acquire(b, MS_TEXT_LOCK_TIMEOUT_MS);
    if (err != ERROR_SUCCESS && err != ERROR_ABANDONED_WAIT_0)
        return err;
    InterlockedIncrement(seq_of(b));            /* odd: readers will retry */
    ms_hook_write_stage(1);
    if (len > 0) {
        memcpy(b->text, text, len / 2 * sizeof(WCHAR));
        ms_hook_write_stage(2);
        memcpy(b->text + len / 2, text + len / 2, (len - len / 2) * sizeof(WCHAR));
    }
    b->text[len] = 0;
    b->text_len = len;
    b->text_writer = GetCurrentProcessId();
    ms_hook_write_stage(3);
    InterlockedIncrement(seq_of(b));            /* even: a full barrier publishes the text */
    ms_hook_write_stage(4);
    ms_lock_release(b);
    ms_notify_signal();                         /* after the release: watchers read it */
    return ERROR_SUCCESS;
}

/* A reader found text_seq odd for a while: if the writer died, take the lock (which repairs
 * the section) and let go at once.  A live writer is simply waited for. */
static void wait_for_writer(MEMSCOPE_BLOCK *b, ULONGLONG *since)
{
    ULONGLONG now = GetTickCount64();
    if (*since == 0) {
        *since = now;
    } else if (now - *since >= MS_TEXT_CHECK_MS) {
        *since = now;
        uint64_t owner = (uint64_t)ms_load64(&b->lock.owner);
        if (owner == 0 || ms_proc_owner_dead(owner)) {
            DWORD err = ms_lock_acquire(b, MS_TEXT_LOCK_TIMEOUT_MS);
            if (err == ERROR_SUCCESS || err == ERROR_ABANDONED_WAIT_0) {
                ms_text_repair(b);
                ms_lock_release(b);
            }
        }
    }
    SwitchToThread();
}

/* text_read: copies a consistent snapshot of the text.  With truncate, copies at most
 * cchDst-1 WCHARs (cchDst > 0); without, copies only if the whole text fits (dst untouched
 * otherwise).  dst is always NUL-terminated when something was copied.  Returns the full
 * length of the snapshot. */
static DWORD text_read(MEMSCOPE_BLOCK *b, WCHAR *dst, DWORD cchDst, BOOL truncate)
{
    ULONGLONG since = 0;
    for (;;) {
        LONG s1 = *seq_of(b);
        if (MS_TEXT_SEQCHECK && (s1 & 1)) {
            wait_for_writer(b, &since);
            continue;
        }
        atomic_thread_fence(memory_order_acquire);
        DWORD len = *(volatile uint32_t *)&b->text_len;
        if (len > MEMSCOPE_TEXT_MAX)        /* another process wrote it: never trust it */
            len = MEMSCOPE_TEXT_MAX;
        DWORD n = len;
        if (len + 1 > cchDst) {
            if (!truncate) {
                atomic_thread_fence(memory_order_acquire);
                if (*seq_of(b) == s1)
                    return len;
                continue;
            }
            n = cchDst - 1;
        }
        if (MS_HOOK(slowread)) {
            for (DWORD k = 0; k < n; k++) {
                dst[k] = ((volatile uint16_t *)b->text)[k];
                if (k % 32 == 31)
                    SwitchToThread();
            }
        } else {
            memcpy(dst, (const void *)b->text, n * sizeof(WCHAR));
        }
        atomic_thread_fence(memory_order_acquire);
        if (MS_TEXT_SEQCHECK && *seq_of(b) != s1)
            continue;
        dst[n] = 0;
        return len;
    }
}

/* ---- exports ------------------------------------------------------------------------ */

DWORD WINAPI MemscopeSetText(LPCWSTR text, DWORD cchText)
{
    DWORD err = ms_text_check_in(text, cchText, MEMSCOPE_TEXT_MAX);
    MEMSCOPE_BLOCK *b;
    if (err != ERROR_SUCCESS)
        return err;
    if ((b = ms_block(&err)) == NULL)
        return err;
    return text_write(b, text, cchText);
}

DWORD WINAPI MemscopeGetText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (buf == NULL && cchBuf > 0)
        return ERROR_INVALID_PARAMETER;
    if ((b = ms_block(&err)) == NULL)
        return err;
    DWORD len = text_read(b, buf, cchBuf, FALSE);
    if (pcchText != NULL)
        *pcchText = len;
    return len + 1 > cchBuf ? ERROR_INSUFFICIENT_BUFFER : ERROR_SUCCESS;
}

BOOL WINAPI SetSharedMem(LPWSTR lpszBuf)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (lpszBuf == NULL) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    size_t len = wcsnlen(lpszBuf, MEMSCOPE_TEXT_MAX + 1);
    if (len > MEMSCOPE_TEXT_MAX)
        err = ERROR_INSUFFICIENT_BUFFER;
    else if ((b = ms_block(&err)) != NULL)
        err = text_write(b, lpszBuf, (DWORD)len);
    if (err != ERROR_SUCCESS) {
        SetLastError(err);
        return FALSE;
    }
    return TRUE;
}

BOOL WINAPI GetSharedMem(LPWSTR lpszBuf, DWORD cchSize)
{
    DWORD err;
    MEMSCOPE_BLOCK *b;
    if (lpszBuf == NULL || cchSize == 0) {
        SetLastError(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    if ((b = ms_block(&err)) == NULL) {
        lpszBuf[0] = 0;
        SetLastError(err);
        return FALSE;
    }
    if (text_read(b, lpszBuf, cchSize, TRUE) + 1 > cchSize) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    return TRUE;
}
