/*
 * fuzz_validate.c: libFuzzer target for dll/validate.c, the check of an untrusted block.
 * Built natively (no Win32) with clang -fsanitize=fuzzer,address,undefined: `make fuzz`.
 *
 * Each input is judged two ways:
 *   1. as the whole view: the raw bytes, of the input's own size (libFuzzer allocates them
 *      exactly, so ASan catches any read past view + view_size);
 *   2. as a patch on a valid block: a real header and a zero body, the first input bytes
 *      choose the view's size and where the rest of the input is copied.  This reaches the
 *      checks behind the magic (version, sizes, text lengths) in a few iterations, where raw
 *      bytes would need the magic guessed first.
 * After each call the verdict's own promises are checked (abort() = a finding):
 *   - the verdict is one of the enum's values and has a name;
 *   - MS_VALID only for a view of at least MS_V_BLOCK_SIZE bytes whose magic, version, size
 *     and text length are what memscope writes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

static uint32_t rd32(const unsigned char *p, size_t off)
{
    uint32_t v;
    memcpy(&v, p + off, sizeof v);
    return v;
}

static void check(const unsigned char *view, size_t size)
{
    ms_verdict v = ms_validate_block(view, size);
    if (v < MS_VALID || v > MS_NOT_COMMITTED)
        abort();
    const char *name = ms_verdict_name(v);
    if (name == NULL || name[0] == 0)
        abort();
    if (v == MS_VALID &&
        (view == NULL || size < MS_V_BLOCK_SIZE || rd32(view, MS_V_OFF_MAGIC) != MS_V_MAGIC ||
         rd32(view, MS_V_OFF_VERSION) != MS_V_VERSION ||
         rd32(view, MS_V_OFF_SIZE) != MS_V_BLOCK_SIZE ||
         rd32(view, MS_V_OFF_TEXT0_LEN) > MS_V_TEXT_MAX ||
         rd32(view, MS_V_OFF_TEXT1_LEN) > MS_V_TEXT_MAX))
        abort();
}

static void put32(unsigned char *p, size_t off, uint32_t v)
{
    memcpy(p + off, &v, sizeof v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    check(NULL, size);                 /* no view at all */

    if (size < 4)
        return 0;
    /* View size: 0 .. MS_V_BLOCK_SIZE + 255, biased towards the real size. */
    size_t view_size = (data[0] & 0x80) ? MS_V_BLOCK_SIZE + data[1]
                                        : ((size_t)data[1] << 8 | data[2]) % (MS_V_BLOCK_SIZE + 1);
    /* Patch offset: even bytes 0 .. 508 (the header, texts[0].len) or around texts[1].len. */
    size_t at = (data[3] & 1) ? MS_V_OFF_TEXT1_LEN - 128 + (size_t)(data[3] >> 1) * 2
                              : (size_t)(data[3] >> 1) * 4;
    const uint8_t *patch = data + 4;
    size_t patch_len = size - 4;

    unsigned char *view = malloc(view_size ? view_size : 1);
    if (view == NULL)
        return 0;
    memset(view, 0, view_size);
    if (view_size >= 64) {
        put32(view, MS_V_OFF_MAGIC, MS_V_MAGIC);
        put32(view, MS_V_OFF_VERSION, MS_V_VERSION);
        put32(view, MS_V_OFF_SIZE, MS_V_BLOCK_SIZE);
    }
    if (at < view_size) {
        size_t n = view_size - at < patch_len ? view_size - at : patch_len;
        memcpy(view + at, patch, n);
    }
    check(view, view_size);
    free(view);
    return 0;
}
