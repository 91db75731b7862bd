/*
 * child_io.c: how a tour child answers, and how it looks at an address (see child.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "child.h"
#include "win32.h"

void tc_reply(const char *fmt, ...)
{
    va_list ap;
    msg_fputs("ok", stdout);
    if (fmt[0] != 0)
        msg_putchar(' ');
    va_start(ap, fmt);
    msg_vfprintf(stdout, fmt, ap);
    va_end(ap);
    msg_putchar('\n');
    fflush(stdout);
}

void tc_reply_err(const char *call, DWORD err)
{
    char text[256];
    msg_printf("err %s: %s (%lu)\n", call, w32_message(err, text, sizeof text),
               (unsigned long)err);
    fflush(stdout);
}

uintptr_t tc_addr(const char *s)
{
    return (uintptr_t)strtoull(s, NULL, 0);
}

void tc_look(const void *p, SIZE_T n, tc_region *r)
{
    const DWORD rd = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                     PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
    MEMORY_BASIC_INFORMATION mbi;
    char protect[sizeof r->protect];
    /* VirtualQuery fails only for an address outside user space: nothing to see there,
     * which is an observation, not an error of this child. */
    if (VirtualQuery(p, &mbi, sizeof mbi) == 0) {
        snprintf(r->type, sizeof r->type, "-");
        snprintf(r->protect, sizeof r->protect, "-");
        r->readable = FALSE;
        return;
    }
    snprintf(r->type, sizeof r->type, "%s", w32_type_name(&mbi));
    snprintf(r->protect, sizeof r->protect, "%s", w32_protect_name(&mbi, protect, sizeof protect));
    r->readable = mbi.State == MEM_COMMIT && (mbi.Protect & rd) && !(mbi.Protect & PAGE_GUARD) &&
                  (const char *)p + n <= (const char *)mbi.BaseAddress + mbi.RegionSize;
}
