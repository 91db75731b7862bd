/*
 * text.c: the shared text, in two buffers and a published index, and the exports that read
 * and write it, Microsoft's sample pair among them.
 *
 * Writers serialise on the block's lock and fill the buffer that is *not* published, then
 * publish it with one interlocked exchange of text_pub (which buffer, and a count of
 * publications).  So the published buffer is never written to:
 * - a writer that dies anywhere in its write leaves the published text whole; the half
 *   written buffer is simply overwritten by the next writer: nothing to repair;
 * - readers take no lock and wait for no writer: they copy the published buffer and check
 *   that text_pub did not change during the copy (if it did, a writer may have started on
 *   the buffer they were reading, two publications later), and retry; after
 *   MS_TEXT_READ_TRIES retries they take the lock, under which nothing is published, so a
 *   flood of writers cannot starve them and a stopped writer cannot hold them up.
 * Every field is read once, into a local, and clamped before it is used: another process
 * can write any byte of the block at any time.
 */
#include <stdatomic.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

#define MS_TEXT_READ_TRIES 16    /* lock-free copies before a reader takes the lock */

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

/* Writes len WCHARs (checked by the caller) into the unpublished buffer and publishes it,
 * under the lock.  Returns ERROR_SUCCESS or the lock's error (ERROR_TIMEOUT,
 * ERROR_POSSIBLE_DEADLOCK, an identity error): then nothing changed.  An abandoned lock
 * needs no repair here: the published text is whole whatever the last writer did. */
static DWORD text_write(MEMSCOPE_BLOCK *b, const WCHAR *text, DWORD len)
{
    uint64_t me;
    DWORD err = ms_lock_acquire(b, MEMSCOPE_WRITE_WAIT_MS, &me);
    if (err != ERROR_SUCCESS && err != ERROR_ABANDONED_WAIT_0)
        return err;
    LONG pub = ms_load32(&b->text_pub);
    LONG target = (pub & 1) ^ 1;
    MEMSCOPE_TEXTBUF *t = &b->texts[target];
    ms_hook_write_stage(1);
    t->len = len;
    t->writer = GetCurrentProcessId();
    /* Two halves only so that the test build can stop a writer half way (stage 2). */
    memcpy(t->text, text, len / 2 * sizeof(WCHAR));
    ms_hook_write_stage(2);
    memcpy(t->text + len / 2, text + len / 2, (len - len / 2) * sizeof(WCHAR));
    t->text[len] = 0;
    ms_hook_write_stage(3);
    /* One more publication, now of `target`: a full barrier, so a reader that sees the new
     * text_pub sees the whole text before it. */
    InterlockedExchange(&b->text_pub, (LONG)(((ULONG)pub & ~1ul) + 2ul) | target);
    ms_hook_write_stage(4);
    ms_lock_release(b, me);
    ms_notify_signal();                         /* after the release: watchers read it */
    return ERROR_SUCCESS;
}

/* Copies n WCHARs of a published buffer (hook slowread: one at a time, sleeping, so a copy
 * spans many writes). */
static void copy_text(WCHAR *dst, const MEMSCOPE_TEXTBUF *t, DWORD n)
{
    if (!MS_HOOK(slowread)) {
        memcpy(dst, (const void *)t->text, n * sizeof(WCHAR));
        return;
    }
    for (DWORD k = 0; k < n; k++) {
        dst[k] = ((const volatile uint16_t *)t->text)[k];
        if (k % 64 == 63)
            Sleep(1);
    }
}

/* One copy of the published text into snap (MEMSCOPE_TEXT_CAPACITY WCHARs, terminated).
 * OUT *len: its length.  Returns TRUE if text_pub did not change meanwhile (the copy is one
 * whole text), FALSE if the caller must try again. */
static BOOL copy_published(MEMSCOPE_BLOCK *b, WCHAR *snap, DWORD *len)
{
    LONG pub = ms_load32(&b->text_pub);
    atomic_thread_fence(memory_order_acquire);
    const MEMSCOPE_TEXTBUF *t = &b->texts[pub & 1];
    DWORD n = (DWORD)ms_load32(&t->len);        /* once: another process can change it */
    if (n > MEMSCOPE_TEXT_MAX)
        n = MEMSCOPE_TEXT_MAX;
    copy_text(snap, t, n);
    snap[n] = 0;
    *len = n;
    atomic_thread_fence(memory_order_acquire);
    return MS_HOOK(noseqcheck) || ms_load32(&b->text_pub) == pub;
}

/* text_read: one whole text into snap (MEMSCOPE_TEXT_CAPACITY WCHARs); OUT *len: its
 * length.  Returns ERROR_SUCCESS, or the lock's error when writers kept publishing and the
 * lock could not be had within MEMSCOPE_WRITE_WAIT_MS. */
static DWORD text_read(MEMSCOPE_BLOCK *b, WCHAR *snap, DWORD *len)
{
    for (int tries = 0; tries < MS_TEXT_READ_TRIES; tries++)
        if (copy_published(b, snap, len))
            return ERROR_SUCCESS;
    /* Copy under the lock, where nothing is published (ERROR_POSSIBLE_DEADLOCK: this
     * thread holds it already, which serves as well). */
    uint64_t me;
    DWORD err = ms_lock_acquire(b, MEMSCOPE_WRITE_WAIT_MS, &me);
    BOOL mine = err == ERROR_SUCCESS || err == ERROR_ABANDONED_WAIT_0;
    if (!mine && err != ERROR_POSSIBLE_DEADLOCK)
        return err;
    copy_published(b, snap, len);
    if (mine)
        ms_lock_release(b, me);
    return ERROR_SUCCESS;
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
    WCHAR snap[MEMSCOPE_TEXT_CAPACITY];
    DWORD len = 0;
    if ((err = text_read(b, snap, &len)) != ERROR_SUCCESS)
        return err;
    return ms_text_copy_out(snap, len, buf, cchBuf, pcchText);
}

BOOL __cdecl SetSharedMem(LPWSTR lpszBuf)
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

BOOL __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize)
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
    WCHAR snap[MEMSCOPE_TEXT_CAPACITY];
    DWORD len = 0;
    if ((err = text_read(b, snap, &len)) != ERROR_SUCCESS) {
        lpszBuf[0] = 0;
        SetLastError(err);
        return FALSE;
    }
    /* Like the sample: what fits, terminated; FALSE says it was cut. */
    BOOL cut = len > cchSize - 1;
    DWORD n = cut ? cchSize - 1 : len;
    memcpy(lpszBuf, snap, n * sizeof(WCHAR));
    lpszBuf[n] = 0;
    if (cut) {
        SetLastError(ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    return TRUE;
}
