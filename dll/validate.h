/*
 * validate.h: the check of an untrusted block, in plain C with no Win32 types, so it also
 * compiles natively (for a fuzzer) and tells exactly what the DLL trusts before it writes.
 */
#ifndef MEMSCOPE_VALIDATE_H
#define MEMSCOPE_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

/* The layout facts the check needs, restated without windows.h; mapping.c asserts at
 * compile time that they equal memscope.h's offsets and constants. */
#define MS_V_OFF_MAGIC     0u
#define MS_V_OFF_VERSION   4u
#define MS_V_OFF_SIZE      8u
#define MS_V_OFF_TEXT0_LEN 320u     /* texts[0].len */
#define MS_V_OFF_TEXT1_LEN 4480u    /* texts[1].len */
#define MS_V_MAGIC         0x5043534Du
#define MS_V_VERSION       3u
#define MS_V_BLOCK_SIZE    32768u
#define MS_V_TEXT_MAX      2047u

typedef enum ms_verdict {
    MS_VALID = 0,      /* ours: magic, version, sizes and contents as this DLL writes them */
    MS_UNPUBLISHED,    /* magic still 0: a creator may be initialising it */
    MS_BAD_MAGIC,      /* not a memscope block */
    MS_BAD_VERSION,    /* a memscope block of another layout version */
    MS_BAD_SIZE,       /* header size or the view's real size is not MEMSCOPE_BLOCK_SIZE */
    MS_BAD_CONTENT,    /* right header, but a field out of range (e.g. a text length) */
    MS_NOT_COMMITTED   /* the view's pages are not all committed read-write (mapping.c
                          finds this with VirtualQuery before anything reads them) */
} ms_verdict;

/* ms_validate_block: judges the view_size bytes at view (a snapshot of them; the caller
 * still clamps every value it reads later, since another process can change them).
 * Never reads past view + view_size.  Returns MS_VALID or the first problem found. */
ms_verdict ms_validate_block(const void *view, size_t view_size);

/* ms_verdict_name: a short English phrase for the verdict ("wrong magic", ...). */
const char *ms_verdict_name(ms_verdict v);

#endif
