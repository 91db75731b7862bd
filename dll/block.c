/*
 * block.c: this process's attachment (ms_g) and ms_block, the door every export goes
 * through.  The lowest layer of the DLL after the log: every other file may use it, and it
 * uses none of them.
 *
 * The attachment is made in two parts.  DllMain (mapping.c, under the loader lock) does
 * only what must happen before the host's first call; the rest (waiting for a block's
 * creator, building the status text, writing the log) waits for that first call.  So that
 * the files below mapping.c need not call up into it, mapping.c hands its second part to
 * ms_block_on_first_call at attach, and ms_block runs it exactly once
 * (InitOnceExecuteOnce) before any export reads the attachment.
 */
#include "internal.h"

ms_state ms_g = { .status = ERROR_INVALID_HANDLE, .slot = (DWORD)-1,
                  .registration = ERROR_INVALID_HANDLE, .tls = TLS_OUT_OF_INDEXES };

static INIT_ONCE g_once = INIT_ONCE_STATIC_INIT;
static PINIT_ONCE_FN g_first_call;   /* set in DllMain, before any export can run */
/* 1 once the first call's work is done: every later call skips InitOnceExecuteOnce (a call
 * into ntdll) for one plain read, on the path of every export. */
static volatile LONG g_done;

static BOOL CALLBACK first_call(PINIT_ONCE once, void *param, void **context)
{
    if (g_first_call != NULL)
        g_first_call(once, param, context);
    InterlockedExchange(&g_done, 1);     /* a full barrier: ms_g is written before it */
    return TRUE;
}

/* ms_block_on_first_call: fn runs once, at the first ms_block (DllMain: a plain store). */
void ms_block_on_first_call(PINIT_ONCE_FN fn)
{
    g_first_call = fn;
}

MEMSCOPE_BLOCK *ms_block(DWORD *err)
{
    if (!g_done)
        InitOnceExecuteOnce(&g_once, first_call, NULL, NULL);
    if (ms_g.block == NULL) {
        *err = ms_g.status != ERROR_SUCCESS ? ms_g.status : ERROR_INVALID_HANDLE;
        return NULL;
    }
    *err = ERROR_SUCCESS;
    return ms_g.block;
}

void ms_name_join(WCHAR *dst, size_t cap, const WCHAR *src, const WCHAR *suffix)
{
    size_t n = 0;
    for (; *src && n + 1 < cap; src++)
        dst[n++] = *src;
    for (; *suffix && n + 1 < cap; suffix++)
        dst[n++] = *suffix;
    dst[n] = 0;
}
