/*
 * test_args.c: every export against NULL, zero, maximum, too-small and over-long arguments,
 * as a table.  Each row asserts the documented error and that nothing changed: the whole
 * shared block byte for byte, and this process's private text.
 */
#include <string.h>
#include <wchar.h>

#include "mstest.h"

static WCHAR g_long[MEMSCOPE_TEXT_MAX + 2];
static WCHAR g_buf[64];
static DWORD g_n;

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

static DWORD r_set_null(void)        { return MemscopeSetText(NULL, 5); }
static DWORD r_set_nul_inside(void)  { return MemscopeSetText(L"ab\0cd", 5); }
static DWORD r_set_over_long(void)   { return MemscopeSetText(g_long, MEMSCOPE_TEXT_MAX + 1); }
static DWORD r_set_max_dword(void)   { return MemscopeSetText(g_long, 0xFFFFFFFFu); }
static DWORD r_get_null(void)        { return MemscopeGetText(NULL, 10, &g_n); }
static DWORD r_get_one(void)         { return MemscopeGetText(g_buf, 1, &g_n); }
static DWORD r_get_query(void)       { return MemscopeGetText(NULL, 0, NULL); }
static DWORD r_counter_null(void)    { return MemscopeCounterRead(NULL); }
static DWORD r_pset_null(void)       { return MemscopeSetPrivateText(NULL, 1); }
static DWORD r_pset_nul_inside(void) { return MemscopeSetPrivateText(L"a\0", 2); }
static DWORD r_pset_over_long(void)  { return MemscopeSetPrivateText(g_long, MEMSCOPE_PRIVATE_MAX + 1); }
static DWORD r_pget_null(void)       { return MemscopeGetPrivateText(NULL, 5, NULL, NULL); }
static DWORD r_pget_small(void)      { return MemscopeGetPrivateText(g_buf, 2, &g_n, NULL); }
static DWORD r_image_null(void)      { return MemscopeImageCounters(NULL, NULL); }
static DWORD r_view_null(void)       { SIZE_T n; return MemscopeViewAddress(NULL, &n); }
static DWORD r_count_null(void)      { return MemscopeAttachedCount(NULL); }
static DWORD r_list_null_list(void)  { return MemscopeListProcesses(NULL, 3, &g_n); }
static DWORD r_list_null_count(void) { MEMSCOPE_PROCESS p[2]; return MemscopeListProcesses(p, 2, NULL); }
static DWORD r_list_none(void)       { return MemscopeListProcesses(NULL, 0, &g_n); }
static DWORD r_info_null(void)       { return MemscopeGetInfo(NULL); }
static DWORD r_info_size0(void)      { MEMSCOPE_INFO i = { .cbSize = 0 }; return MemscopeGetInfo(&i); }
static DWORD r_info_big(void)        { MEMSCOPE_INFO i = { .cbSize = sizeof i + 1 }; return MemscopeGetInfo(&i); }
static DWORD r_unlock_unheld(void)   { return MemscopeUnlock(); }
static DWORD r_lockstate_null(void)  { return MemscopeLockState(NULL); }
static DWORD r_status_null(void)     { return MemscopeStatusText(NULL, 5, &g_n); }
static DWORD r_status_small(void)    { return MemscopeStatusText(g_buf, 1, &g_n); }
static DWORD r_sset_null(void)       { return sample_set(NULL); }
static DWORD r_sset_over_long(void)  { return sample_set(g_long); }
static DWORD r_sget_null(void)       { return sample_get(NULL, 10); }
static DWORD r_sget_zero(void)       { return sample_get(g_buf, 0); }
static DWORD r_sget_null_zero(void)  { return sample_get(NULL, 0); }

static const struct row {
    const char *what;
    DWORD (*call)(void);
    DWORD expected;
} rows[] = {
    { "MemscopeSetText(NULL, 5)",              r_set_null,        ERROR_INVALID_PARAMETER },
    { "MemscopeSetText(NUL inside)",           r_set_nul_inside,  ERROR_INVALID_PARAMETER },
    { "MemscopeSetText(TEXT_MAX + 1)",         r_set_over_long,   ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeSetText(0xFFFFFFFF)",           r_set_max_dword,   ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeGetText(NULL, 10)",             r_get_null,        ERROR_INVALID_PARAMETER },
    { "MemscopeGetText(buf, 1)",               r_get_one,         ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeGetText(NULL, 0)",              r_get_query,       ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeCounterRead(NULL)",             r_counter_null,    ERROR_INVALID_PARAMETER },
    { "MemscopeSetPrivateText(NULL, 1)",       r_pset_null,       ERROR_INVALID_PARAMETER },
    { "MemscopeSetPrivateText(NUL inside)",    r_pset_nul_inside, ERROR_INVALID_PARAMETER },
    { "MemscopeSetPrivateText(MAX + 1)",       r_pset_over_long,  ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeGetPrivateText(NULL, 5)",       r_pget_null,       ERROR_INVALID_PARAMETER },
    { "MemscopeGetPrivateText(buf, 2)",        r_pget_small,      ERROR_INSUFFICIENT_BUFFER },
    { "MemscopeImageCounters(NULL, NULL)",     r_image_null,      ERROR_INVALID_PARAMETER },
    { "MemscopeViewAddress(NULL)",             r_view_null,       ERROR_INVALID_PARAMETER },
    { "MemscopeAttachedCount(NULL)",           r_count_null,      ERROR_INVALID_PARAMETER },
    { "MemscopeListProcesses(NULL, 3)",        r_list_null_list,  ERROR_INVALID_PARAMETER },
    { "MemscopeListProcesses(count NULL)",     r_list_null_count, ERROR_INVALID_PARAMETER },
    { "MemscopeListProcesses(NULL, 0)",        r_list_none,       ERROR_MORE_DATA },
    { "MemscopeGetInfo(NULL)",                 r_info_null,       ERROR_INVALID_PARAMETER },
    { "MemscopeGetInfo(cbSize 0)",             r_info_size0,      ERROR_INVALID_PARAMETER },
    { "MemscopeGetInfo(cbSize too big)",       r_info_big,        ERROR_INVALID_PARAMETER },
    { "MemscopeUnlock(not held)",              r_unlock_unheld,   ERROR_NOT_OWNER },
    { "MemscopeLockState(NULL)",               r_lockstate_null,  ERROR_INVALID_PARAMETER },
    { "MemscopeStatusText(NULL, 5)",           r_status_null,     ERROR_INVALID_PARAMETER },
    { "MemscopeStatusText(buf, 1)",            r_status_small,    ERROR_INSUFFICIENT_BUFFER },
    { "SetSharedMem(NULL)",                    r_sset_null,       ERROR_INVALID_PARAMETER },
    { "SetSharedMem(TEXT_MAX + 1)",            r_sset_over_long,  ERROR_INSUFFICIENT_BUFFER },
    { "GetSharedMem(NULL, 10)",                r_sget_null,       ERROR_INVALID_PARAMETER },
    { "GetSharedMem(buf, 0)",                  r_sget_zero,       ERROR_INVALID_PARAMETER },
    { "GetSharedMem(NULL, 0)",                 r_sget_null_zero,  ERROR_INVALID_PARAMETER },
};

START_TEST(test_bad_argument)
{
    const struct row *r = &rows[_i];
    static unsigned char before[MEMSCOPE_BLOCK_SIZE];
    void *view;
    WCHAR ptext[16];

    wmemset(g_long, L'x', MEMSCOPE_TEXT_MAX + 1);
    g_long[MEMSCOPE_TEXT_MAX + 1] = 0;
    wmemset(g_buf, L'Z', 64);
    ck_assert_uint_eq(MemscopeSetText(L"unchanged", 9), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeSetPrivateText(L"mine", 4), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeViewAddress(&view, NULL), ERROR_SUCCESS);
    memcpy(before, view, MEMSCOPE_BLOCK_SIZE);

    DWORD got = r->call();

    ck_assert_msg(got == r->expected, "%s returned %lu, documented %lu", r->what,
                  (unsigned long)got, (unsigned long)r->expected);
    ck_assert_msg(memcmp(before, view, MEMSCOPE_BLOCK_SIZE) == 0,
                  "%s changed the shared block", r->what);
    ck_assert_uint_eq(MemscopeGetPrivateText(ptext, 16, NULL, NULL), ERROR_SUCCESS);
    ck_assert_msg(wcscmp(ptext, L"mine") == 0, "%s changed the private text", r->what);
    if (r->call == r_get_one || r->call == r_status_small)
        ck_assert_msg(g_buf[0] == L'Z', "%s wrote into a buffer too small for it", r->what);
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
