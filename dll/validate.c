/*
 * validate.c: is this block ours?  Plain C on bytes, no Win32: the fuzz target's subject.
 */
#include <string.h>

#include "validate.h"

static uint32_t read_u32(const unsigned char *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof v);   /* no alignment assumed, no strict-aliasing games */
    return v;
}

ms_verdict ms_validate_block(const void *view, size_t view_size)
{
    const unsigned char *p = view;

    if (p == NULL || view_size < 64)
        return MS_BAD_SIZE;
    uint32_t magic = read_u32(p, MS_V_OFF_MAGIC);
    if (magic == 0)
        return MS_UNPUBLISHED;
    if (magic != MS_V_MAGIC)
        return MS_BAD_MAGIC;
    if (read_u32(p, MS_V_OFF_VERSION) != MS_V_VERSION)
        return MS_BAD_VERSION;
    /* Both the size the creator wrote and the size the section really has: a squatter can
     * write our size into a smaller section. */
    if (read_u32(p, MS_V_OFF_SIZE) != MS_V_BLOCK_SIZE || view_size < MS_V_BLOCK_SIZE)
        return MS_BAD_SIZE;
    /* Both text buffers: a block holding a full-length text (MS_V_TEXT_MAX) is valid. */
    if (read_u32(p, MS_V_OFF_TEXT0_LEN) > MS_V_TEXT_MAX ||
        read_u32(p, MS_V_OFF_TEXT1_LEN) > MS_V_TEXT_MAX)
        return MS_BAD_CONTENT;
    return MS_VALID;
}

const char *ms_verdict_name(ms_verdict v)
{
    switch (v) {
    case MS_VALID:       return "valid";
    case MS_UNPUBLISHED: return "never published by its creator (magic still 0)";
    case MS_BAD_MAGIC:   return "wrong magic: not a memscope block";
    case MS_BAD_VERSION: return "memscope block of another layout version";
    case MS_BAD_SIZE:    return "wrong size";
    case MS_BAD_CONTENT: return "field out of range";
    case MS_NOT_COMMITTED: return "pages not committed read-write";
    }
    return "unknown verdict";
}
