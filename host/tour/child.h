/*
 * child.h: the child's side of the tour (`memscope.exe tour-child`, started only by the
 * tour).  The child is an ordinary process that loaded memscope.dll, so its DllMain already
 * created or opened the block named by MEMSCOPE_NAME (the tour's own name).  It reads one
 * command a line, does it in its own address space, and answers one line (proto.h) with
 * what it observed.
 *
 * Layers: child_io.c (answers, VirtualQuery) at the bottom; one file per group of steps
 * with the commands they use; child.c on top (the loop and the command table).
 */
#ifndef MEMSCOPE_TOUR_CHILD_H
#define MEMSCOPE_TOUR_CHILD_H

#include <windows.h>
#include <stdint.h>

#include "../msg.h"     /* the answers are written like all memscope.exe's text (msg.h):
                         * into the parent's pipe, that is the bytes, unchanged */

/* ---- child_io.c ---- */

/* Answers "ok ..." on one line and flushes: the parent is waiting for it. */
void tc_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Answers "err CALL: <system message> (code)". */
void tc_reply_err(const char *call, DWORD err);

/* An address argument ("0x..."), as this process would use the number. */
uintptr_t tc_addr(const char *s);

/* What VirtualQuery says about p here, in Windows' words (win32.h), and whether n bytes
 * there can be read.  A foreign address is looked at this way, never dereferenced blindly. */
typedef struct tc_region {
    char type[16];              /* MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE, MEM_FREE, or "-" */
    char protect[64];           /* PAGE_..., MEM_RESERVE, or "-" */
    BOOL readable;
} tc_region;
void tc_look(const void *p, SIZE_T n, tc_region *r);

/* ---- the commands: argv holds the words after the command's name ---- */

typedef void tc_command(int argc, char **argv);

/* child_memory.c, steps 1 and 2: what a process allocates, and what another finds there */
tc_command tc_alloc, tc_peek, tc_dllalloc, tc_peektext;
/* child_views.c, steps 3 to 5: the named mapping and its views */
tc_command tc_hello, tc_openbyname, tc_view, tc_mapany, tc_isfree, tc_mapat, tc_unmapfixed,
    tc_fixedadd, tc_readviews, tc_probe;
/* child_file.c, step 6: a file-backed mapping, its two flushes, its view unmapped */
tc_command tc_fileopen, tc_filewrite, tc_fileflushview, tc_fileflushbuffers, tc_fileclose;
/* child_release.c, step 6: a handle kept with no view (holder), the name opened (reader) */
tc_command tc_holdopen, tc_holdunmap, tc_holdclose, tc_openread;
/* child_race.c, steps 6 to 8: the block's counters, the race, the DLL image's counters */
tc_command tc_state, tc_arm, tc_race, tc_image;
/* child_why.c, steps 9 to 11: level 0 against memscope.dll */
tc_command tc_whywrite, tc_whyread, tc_whyhold, tc_whytake, tc_whyopen, tc_whyl0,
    tc_whystatus;

#endif
