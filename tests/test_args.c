/*
 * test_args.c: every export against NULL, zero, maximum, too-small and over-long arguments
 * and invalid values, as a table.  Each row asserts the documented error and that nothing
 * changed: the whole shared block byte for byte, and this process's private text.  A few
 * rows are valid extremes (the maximum length, a buffer size of 0xFFFFFFFF) that must
 * succeed: they say so in their flags, and they check themselves that nothing past what
 * the call may write was touched.
 */
#include <string.h>
#include <wchar.h>

#include "mstest.h"

static WCHAR g_long[MEMSCOPE_TEXT_MAX + 2];
#define BUF_CCH 600                    /* holds the status text (512) with room to spare */
static WCHAR g_buf[BUF_CCH];
static DWORD g_n;

/* g_buf is filled with a pattern that differs from element to element (and from any text
 * here), so a write anywhere, even of a shifted copy, shows. */
static WCHAR pattern(size_t k)
{
    return (WCHAR)(0x4E00 + k % 512);
}

/* Every element of g_buf from `from` on still holds the pattern. */
static void buf_intact_from(const char *what, size_t from)
{
    for (size_t k = from; k < BUF_CCH; k++)
        ck_assert_msg(g_buf[k] == pattern(k), "%s wrote g_buf[%u] (0x%04x), past the %u "
                      "elements it may write", what, (unsigned)k, (unsigned)g_buf[k],
                      (unsigned)from);
}

/* The sample pair reports through the last error: FALSE and the exact code, or a marker. */
static DWORD sample_set(LPWSTR s)
{
    SetLastError(0xdeadbeef);
    return SetSharedMem(s) ? 0xFFFFFFFFu : GetLastError();
}

static DWORD sample_get(LPWSTR buf, DWORD cch)
{
    SetLastError(0xdeadbeef);
    return GetSharedMem(buf, cch) ? 0xFFFFFFFFu : GetLastError();
}

/* Row flags. */
#define MUT_BLOCK   1u   /* a valid call that writes the block: no byte-for-byte check */
#define MUT_PRIVATE 2u   /* a valid call that replaces the private text */
#define BUF_INTACT  4u   /* g_buf must be untouched (too small: nothing written) */
#define MAXDW       0xFFFFFFFFu

/* SetText / SetSharedMem */
static DWORD r_set_null(void)        { return MemscopeSetText(NULL, 5); }
static DWORD r_set_null_max(void)    { return MemscopeSetText(NULL, MAXDW); }
static DWORD r_set_nul_inside(void)  { return MemscopeSetText(L"ab\0cd", 5); }
static DWORD r_set_over_long(void)   { return MemscopeSetText(g_long, MEMSCOPE_TEXT_MAX + 1); }
static DWORD r_set_max_dword(void)   { return MemscopeSetText(g_long, MAXDW); }
static DWORD r_set_null_zero(void)   { return MemscopeSetText(NULL, 0); }
static DWORD r_set_max(void)
{
    DWORD err = MemscopeSetText(g_long, MEMSCOPE_TEXT_MAX), len = 0;
    static WCHAR back[MEMSCOPE_TEXT_CAPACITY];
    ck_assert_uint_eq(MemscopeGetText(back, MEMSCOPE_TEXT_CAPACITY, &len), ERROR_SUCCESS);
    ck_assert_uint_eq(len, MEMSCOPE_TEXT_MAX);
    return err;
}
static DWORD r_sset_null(void)       { return sample_set(NULL); }
static DWORD r_sset_over_long(void)  { return sample_set(g_long); }
static DWORD r_sset_max(void)
{
    g_long[MEMSCOPE_TEXT_MAX] = 0;      /* exactly MEMSCOPE_TEXT_MAX characters */
    return sample_set(g_long);
}
static DWORD r_sset_empty(void)      { return sample_set(L""); }

/* GetText / GetSharedMem (the text is "unchanged", 9 characters) */
static DWORD r_get_null(void)        { return MemscopeGetText(NULL, 10, &g_n); }
static DWORD r_get_null_max(void)    { return MemscopeGetText(NULL, MAXDW, &g_n); }
static DWORD r_get_one(void)         { return MemscopeGetText(g_buf, 1, &g_n); }
static DWORD r_get_query(void)       { return MemscopeGetText(NULL, 0, NULL); }
static DWORD r_get_one_short(void)
{
    DWORD err = MemscopeGetText(g_buf, 9, &g_n);     /* room for the text, not its NUL */
    ck_assert_uint_eq(g_n, 9);                       /* the length, to size a buffer */
    return err;
}
static DWORD r_get_exact(void)
{
    DWORD err = MemscopeGetText(g_buf, 10, &g_n);
    ck_assert(wcscmp(g_buf, L"unchanged") == 0 && g_n == 9);
    buf_intact_from("MemscopeGetText(buf, 10)", 10);
    return err;
}
static DWORD r_get_max_dword(void)
{
    DWORD err = MemscopeGetText(g_buf, MAXDW, NULL); /* a size it cannot check: writes 10 */
    ck_assert(wcscmp(g_buf, L"unchanged") == 0);
    buf_intact_from("MemscopeGetText(buf, 0xFFFFFFFF)", 10);
    return err;
}
static DWORD r_sget_null(void)       { return sample_get(NULL, 10); }
static DWORD r_sget_zero(void)       { return sample_get(g_buf, 0); }
static DWORD r_sget_null_zero(void)  { return sample_get(NULL, 0); }
static DWORD r_sget_null_max(void)   { return sample_get(NULL, MAXDW); }
static DWORD r_sget_short(void)
{
    DWORD err = sample_get(g_buf, 9);                /* the sample's truncation, kept */
    ck_assert(wcscmp(g_buf, L"unchange") == 0);
    buf_intact_from("GetSharedMem(buf, 9)", 9);
    return err;
}
static DWORD r_sget_max_dword(void)
{
    DWORD err = sample_get(g_buf, MAXDW);
    ck_assert(wcscmp(g_buf, L"unchanged") == 0);
    buf_intact_from("GetSharedMem(buf, 0xFFFFFFFF)", 10);
    return err;
}

/* Counters (nothing to get wrong but NULL) */
static DWORD r_counter_null(void)    { return MemscopeCounterRead(NULL); }
static DWORD r_inc_null(void)        { return MemscopeCounterIncrement(NULL); }
static DWORD r_locked_inc_null(void) { return MemscopeLockedIncrement(NULL); }
static DWORD r_racy_inc_null(void)   { return MemscopeRacyIncrement(NULL); }
static DWORD r_global_null(void)     { return MemscopeGlobalIncrement(NULL); }
static DWORD r_section_null(void)    { return MemscopeSectionIncrement(NULL); }
static DWORD r_image_null(void)      { return MemscopeImageCounters(NULL, NULL); }
static DWORD r_image_global(void)    { LONG g; return MemscopeImageCounters(&g, NULL); }
static DWORD r_image_section(void)   { LONG s; return MemscopeImageCounters(NULL, &s); }

/* Private text (it is "mine") */
static DWORD r_pset_null(void)       { return MemscopeSetPrivateText(NULL, 1); }
static DWORD r_pset_null_max(void)   { return MemscopeSetPrivateText(NULL, MAXDW); }
static DWORD r_pset_nul_inside(void) { return MemscopeSetPrivateText(L"a\0", 2); }
static DWORD r_pset_over_long(void)  { return MemscopeSetPrivateText(g_long, MEMSCOPE_PRIVATE_MAX + 1); }
static DWORD r_pset_max_dword(void)  { return MemscopeSetPrivateText(g_long, MAXDW); }
static DWORD r_pset_max(void)        { return MemscopeSetPrivateText(g_long, MEMSCOPE_PRIVATE_MAX); }
static DWORD r_pget_null(void)       { return MemscopeGetPrivateText(NULL, 5, NULL, NULL); }
static DWORD r_pget_null_max(void)   { return MemscopeGetPrivateText(NULL, MAXDW, NULL, NULL); }
static DWORD r_pget_small(void)      { return MemscopeGetPrivateText(g_buf, 2, &g_n, NULL); }
static DWORD r_pget_query(void)
{
    DWORD err = MemscopeGetPrivateText(NULL, 0, &g_n, NULL);
    ck_assert_uint_eq(g_n, 4);
    return err;
}

/* View, registry, info, status */
static DWORD r_view_null(void)       { SIZE_T n; return MemscopeViewAddress(NULL, &n); }
static DWORD r_view_no_size(void)    { void *v; return MemscopeViewAddress(&v, NULL); }
static DWORD r_count_null(void)      { return MemscopeAttachedCount(NULL); }
static DWORD r_list_null_list(void)  { return MemscopeListProcesses(NULL, 3, &g_n); }
static DWORD r_list_null_max(void)   { return MemscopeListProcesses(NULL, MAXDW, &g_n); }
static DWORD r_list_null_count(void) { MEMSCOPE_PROCESS p[2]; return MemscopeListProcesses(p, 2, NULL); }
static DWORD r_list_none(void)       { return MemscopeListProcesses(NULL, 0, &g_n); }
static DWORD r_list_zero(void)
{
    MEMSCOPE_PROCESS p[1];
    DWORD err = MemscopeListProcesses(p, 0, &g_n);   /* capacity 0: count only */
    ck_assert_uint_ge(g_n, 1);                       /* this process at least */
    return err;
}
static DWORD r_info_null(void)       { return MemscopeGetInfo(NULL); }
static DWORD r_info_size0(void)      { MEMSCOPE_INFO i = { .cbSize = 0 }; return MemscopeGetInfo(&i); }
static DWORD r_info_small(void)      { MEMSCOPE_INFO i = { .cbSize = sizeof i - 1 }; return MemscopeGetInfo(&i); }
static DWORD r_info_big(void)        { MEMSCOPE_INFO i = { .cbSize = sizeof i + 1 }; return MemscopeGetInfo(&i); }
static DWORD r_info_max(void)        { MEMSCOPE_INFO i = { .cbSize = MAXDW }; return MemscopeGetInfo(&i); }
static DWORD r_status(void)          { return MemscopeStatus(); }
static DWORD r_status_null(void)     { return MemscopeStatusText(NULL, 5, &g_n); }
static DWORD r_status_null_max(void) { return MemscopeStatusText(NULL, MAXDW, &g_n); }
static DWORD r_status_small(void)    { return MemscopeStatusText(g_buf, 1, &g_n); }
static DWORD r_status_query(void)
{
    DWORD err = MemscopeStatusText(NULL, 0, &g_n);
    ck_assert_uint_gt(g_n, 0);
    return err;
}
static DWORD r_status_max(void)
{
    DWORD err = MemscopeStatusText(g_buf, MAXDW, NULL);
    size_t len = wcsnlen(g_buf, BUF_CCH);
    ck_assert_uint_lt(len, BUF_CCH);
    buf_intact_from("MemscopeStatusText(buf, 0xFFFFFFFF)", len + 1);
    return err;
}

/* Lock */
static DWORD r_unlock_unheld(void)   { return MemscopeUnlock(); }
static DWORD r_lockstate_null(void)  { return MemscopeLockState(NULL); }
static DWORD r_changed_null(void)    { return MemscopeChangeEvent(NULL); }
static DWORD r_lock_recursive(void)
{
    ck_assert_uint_eq(MemscopeLock(0), ERROR_SUCCESS);
    DWORD err = MemscopeLock(0);                     /* not recursive: refused at once */
    ck_assert_uint_eq(MemscopeUnlock(), ERROR_SUCCESS);
    return err;
}
static DWORD r_lock_infinite(void)
{
    DWORD err = MemscopeLock(INFINITE);              /* free: taken at once */
    ck_assert_uint_eq(MemscopeUnlock(), ERROR_SUCCESS);
    return err;
}
static DWORD r_unlock_twice(void)
{
    ck_assert_uint_eq(MemscopeLock(0), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeUnlock(), ERROR_SUCCESS);
    return MemscopeUnlock();
}

#define OK_MARK 0xFFFFFFFFu   /* what sample_set/sample_get return for TRUE */

static const struct row {
    const char *what;
    DWORD (*call)(void);
    DWORD expected;
    unsigned flags;
} rows[] = {
    { "MemscopeSetText(NULL, 5)",              r_set_null,        ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetText(NULL, 0xFFFFFFFF)",     r_set_null_max,    ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetText(NUL inside)",           r_set_nul_inside,  ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetText(TEXT_MAX + 1)",         r_set_over_long,   ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeSetText(0xFFFFFFFF)",           r_set_max_dword,   ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeSetText(NULL, 0) empties",      r_set_null_zero,   ERROR_SUCCESS, MUT_BLOCK },
    { "MemscopeSetText(TEXT_MAX) fits",        r_set_max,         ERROR_SUCCESS, MUT_BLOCK },
    { "SetSharedMem(NULL)",                    r_sset_null,       ERROR_INVALID_PARAMETER, 0 },
    { "SetSharedMem(TEXT_MAX + 1)",            r_sset_over_long,  ERROR_INSUFFICIENT_BUFFER, 0 },
    { "SetSharedMem(TEXT_MAX) fits",           r_sset_max,        OK_MARK, MUT_BLOCK },
    { "SetSharedMem(\"\") empties",            r_sset_empty,      OK_MARK, MUT_BLOCK },
    { "MemscopeGetText(NULL, 10)",             r_get_null,        ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetText(NULL, 0xFFFFFFFF)",     r_get_null_max,    ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetText(buf, 1)",               r_get_one,         ERROR_INSUFFICIENT_BUFFER, BUF_INTACT },
    { "MemscopeGetText(buf, len): no NUL room", r_get_one_short,  ERROR_INSUFFICIENT_BUFFER, BUF_INTACT },
    { "MemscopeGetText(NULL, 0)",              r_get_query,       ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeGetText(buf, len + 1)",         r_get_exact,       ERROR_SUCCESS, 0 },
    { "MemscopeGetText(buf, 0xFFFFFFFF)",      r_get_max_dword,   ERROR_SUCCESS, 0 },
    { "GetSharedMem(NULL, 10)",                r_sget_null,       ERROR_INVALID_PARAMETER, 0 },
    { "GetSharedMem(buf, 0)",                  r_sget_zero,       ERROR_INVALID_PARAMETER, BUF_INTACT },
    { "GetSharedMem(NULL, 0)",                 r_sget_null_zero,  ERROR_INVALID_PARAMETER, 0 },
    { "GetSharedMem(NULL, 0xFFFFFFFF)",        r_sget_null_max,   ERROR_INVALID_PARAMETER, 0 },
    { "GetSharedMem(buf, len) truncates",      r_sget_short,      ERROR_INSUFFICIENT_BUFFER, 0 },
    { "GetSharedMem(buf, 0xFFFFFFFF)",         r_sget_max_dword,  OK_MARK, 0 },
    { "MemscopeCounterRead(NULL)",             r_counter_null,    ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeCounterIncrement(NULL)",        r_inc_null,        ERROR_SUCCESS, MUT_BLOCK },
    { "MemscopeLockedIncrement(NULL)",         r_locked_inc_null, ERROR_SUCCESS, MUT_BLOCK },
    { "MemscopeRacyIncrement(NULL)",           r_racy_inc_null,   ERROR_SUCCESS, MUT_BLOCK },
    { "MemscopeGlobalIncrement(NULL)",         r_global_null,     ERROR_SUCCESS, 0 },
    { "MemscopeSectionIncrement(NULL)",        r_section_null,    ERROR_SUCCESS, 0 },
    { "MemscopeImageCounters(NULL, NULL)",     r_image_null,      ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeImageCounters(global only)",    r_image_global,    ERROR_SUCCESS, 0 },
    { "MemscopeImageCounters(section only)",   r_image_section,   ERROR_SUCCESS, 0 },
    { "MemscopeSetPrivateText(NULL, 1)",       r_pset_null,       ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetPrivateText(NULL, 0xFFFFFFFF)", r_pset_null_max, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetPrivateText(NUL inside)",    r_pset_nul_inside, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeSetPrivateText(MAX + 1)",       r_pset_over_long,  ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeSetPrivateText(0xFFFFFFFF)",    r_pset_max_dword,  ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeSetPrivateText(MAX) fits",      r_pset_max,        ERROR_SUCCESS, MUT_PRIVATE },
    { "MemscopeGetPrivateText(NULL, 5)",       r_pget_null,       ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetPrivateText(NULL, 0xFFFFFFFF)", r_pget_null_max, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetPrivateText(buf, 2)",        r_pget_small,      ERROR_INSUFFICIENT_BUFFER, BUF_INTACT },
    { "MemscopeGetPrivateText(NULL, 0)",       r_pget_query,      ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeViewAddress(NULL)",             r_view_null,       ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeViewAddress(size NULL)",        r_view_no_size,    ERROR_SUCCESS, 0 },
    { "MemscopeAttachedCount(NULL)",           r_count_null,      ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeListProcesses(NULL, 3)",        r_list_null_list,  ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeListProcesses(NULL, 0xFFFFFFFF)", r_list_null_max, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeListProcesses(count NULL)",     r_list_null_count, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeListProcesses(NULL, 0)",        r_list_none,       ERROR_MORE_DATA, 0 },
    { "MemscopeListProcesses(list, 0)",        r_list_zero,       ERROR_MORE_DATA, 0 },
    { "MemscopeGetInfo(NULL)",                 r_info_null,       ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetInfo(cbSize 0)",             r_info_size0,      ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetInfo(cbSize too small)",     r_info_small,      ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetInfo(cbSize too big)",       r_info_big,        ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeGetInfo(cbSize 0xFFFFFFFF)",    r_info_max,        ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeStatus()",                      r_status,          ERROR_SUCCESS, 0 },
    { "MemscopeStatusText(NULL, 5)",           r_status_null,     ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeStatusText(NULL, 0xFFFFFFFF)",  r_status_null_max, ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeStatusText(buf, 1)",            r_status_small,    ERROR_INSUFFICIENT_BUFFER, BUF_INTACT },
    { "MemscopeStatusText(NULL, 0)",           r_status_query,    ERROR_INSUFFICIENT_BUFFER, 0 },
    { "MemscopeStatusText(buf, 0xFFFFFFFF)",   r_status_max,      ERROR_SUCCESS, 0 },
    { "MemscopeUnlock(not held)",              r_unlock_unheld,   ERROR_NOT_OWNER, 0 },
    { "MemscopeUnlock(twice)",                 r_unlock_twice,    ERROR_NOT_OWNER, MUT_BLOCK },
    { "MemscopeLock(0) while held here",       r_lock_recursive,  ERROR_POSSIBLE_DEADLOCK, MUT_BLOCK },
    { "MemscopeLock(INFINITE) when free",      r_lock_infinite,   ERROR_SUCCESS, MUT_BLOCK },
    { "MemscopeLockState(NULL)",               r_lockstate_null,  ERROR_INVALID_PARAMETER, 0 },
    { "MemscopeChangeEvent(NULL)",             r_changed_null,    ERROR_INVALID_PARAMETER, 0 },
};

START_TEST(test_bad_argument)
{
    const struct row *r = &rows[_i];
    static unsigned char before[MEMSCOPE_BLOCK_SIZE];
    void *view;

    wmemset(g_long, L'x', MEMSCOPE_TEXT_MAX + 1);
    g_long[MEMSCOPE_TEXT_MAX + 1] = 0;
    for (size_t k = 0; k < BUF_CCH; k++)
        g_buf[k] = pattern(k);
    ck_assert_uint_eq(MemscopeSetText(L"unchanged", 9), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeSetPrivateText(L"mine", 4), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeViewAddress(&view, NULL), ERROR_SUCCESS);
    memcpy(before, view, MEMSCOPE_BLOCK_SIZE);

    DWORD got = r->call();

    ck_assert_msg(got == r->expected, "%s returned %lu, documented %lu", r->what,
                  (unsigned long)got, (unsigned long)r->expected);
    if (!(r->flags & MUT_BLOCK))
        ck_assert_msg(memcmp(before, view, MEMSCOPE_BLOCK_SIZE) == 0,
                      "%s changed the shared block", r->what);
    if (!(r->flags & MUT_PRIVATE)) {
        WCHAR ptext[16];
        ck_assert_uint_eq(MemscopeGetPrivateText(ptext, 16, NULL, NULL), ERROR_SUCCESS);
        ck_assert_msg(wcscmp(ptext, L"mine") == 0, "%s changed the private text", r->what);
    }
    if (r->flags & BUF_INTACT)         /* too small: not one element written */
        buf_intact_from(r->what, 0);
}
END_TEST

Suite *suite_args(void)
{
    Suite *s = suite_create("bad arguments");
    TCase *tc = tcase_create("every export");
    tcase_add_loop_test(tc, test_bad_argument, 0, (int)(sizeof rows / sizeof rows[0]));
    suite_add_tcase(s, tc);
    return s;
}
