/*
 * test_sample.c: SetSharedMem / GetSharedMem, Microsoft's sample pair: TRUE on success,
 * FALSE with the exact last error otherwise (asserted after SetLastError(0xdeadbeef)).
 */
#include <string.h>
#include <wchar.h>

#include "mstest.h"

static WCHAR g_long[MEMSCOPE_TEXT_MAX + 2];

static void fill_long(DWORD n)
{
    wmemset(g_long, L'x', n);
    g_long[n] = 0;
}

static void expect_text(const WCHAR *want)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    ck_assert_uint_eq(MemscopeGetText(buf, MEMSCOPE_TEXT_CAPACITY, NULL), ERROR_SUCCESS);
    ck_assert_msg(wcscmp(buf, want) == 0, "shared text is '%ls', expected '%ls'", buf, want);
}

/* SetSharedMem(s) must fail with exactly `want` as the last error (read before Check's own
 * calls can reset it, after SetLastError(0xdeadbeef) so a stale value cannot pass). */
static void expect_set_fails(LPWSTR s, DWORD want)
{
    SetLastError(0xdeadbeef);
    BOOL ok = SetSharedMem(s);
    DWORD err = GetLastError();
    ck_assert(!ok);
    ck_assert_uint_eq(err, want);
}

/* The same for GetSharedMem(buf, cch). */
static void expect_get_fails(LPWSTR buf, DWORD cch, DWORD want)
{
    SetLastError(0xdeadbeef);
    BOOL ok = GetSharedMem(buf, cch);
    DWORD err = GetLastError();
    ck_assert(!ok);
    ck_assert_uint_eq(err, want);
}

START_TEST(test_SetSharedMem_roundtrip)
{
    WCHAR buf[MAX_PATH];
    ck_assert(SetSharedMem(L"This is a test string"));
    ck_assert(GetSharedMem(buf, MAX_PATH));
    ck_assert(wcscmp(buf, L"This is a test string") == 0);
}
END_TEST

START_TEST(test_SetSharedMem_null)
{
    ck_assert(SetSharedMem(L"keep"));
    expect_set_fails(NULL, ERROR_INVALID_PARAMETER);
    expect_text(L"keep");
}
END_TEST

START_TEST(test_SetSharedMem_too_long)
{
    ck_assert(SetSharedMem(L"keep"));
    fill_long(MEMSCOPE_TEXT_MAX + 1);
    expect_set_fails(g_long, ERROR_INSUFFICIENT_BUFFER);
    expect_text(L"keep");               /* not truncated, as the sample did: unchanged */
}
END_TEST

START_TEST(test_SetSharedMem_max_length)
{
    DWORD len = 0;
    fill_long(MEMSCOPE_TEXT_MAX);
    ck_assert(SetSharedMem(g_long));
    ck_assert_uint_eq(MemscopeGetText(NULL, 0, &len), ERROR_INSUFFICIENT_BUFFER);
    ck_assert_uint_eq(len, MEMSCOPE_TEXT_MAX);
}
END_TEST

START_TEST(test_SetSharedMem_empty)
{
    WCHAR buf[8] = L"zzz";
    ck_assert(SetSharedMem(L""));
    ck_assert(GetSharedMem(buf, 8));
    ck_assert_uint_eq(buf[0], 0);
}
END_TEST

START_TEST(test_GetSharedMem_null)
{
    expect_get_fails(NULL, MAX_PATH, ERROR_INVALID_PARAMETER);
}
END_TEST

START_TEST(test_GetSharedMem_zero_size)
{
    WCHAR buf[4] = L"ZZZ";
    ck_assert(SetSharedMem(L"abc"));
    expect_get_fails(buf, 0, ERROR_INVALID_PARAMETER);
    ck_assert(wcscmp(buf, L"ZZZ") == 0);  /* not one WCHAR written */
}
END_TEST

START_TEST(test_GetSharedMem_small_buffer)
{
    WCHAR buf[8];
    wmemset(buf, L'Z', 8);
    ck_assert(SetSharedMem(L"abcdef"));
    expect_get_fails(buf, 4, ERROR_INSUFFICIENT_BUFFER);
    ck_assert(wcscmp(buf, L"abc") == 0);   /* like the sample: cut and terminated */
    for (int i = 4; i < 8; i++)            /* and nothing past cchSize */
        ck_assert_uint_eq(buf[i], L'Z');
}
END_TEST

START_TEST(test_GetSharedMem_exact_fit)
{
    WCHAR buf[4];
    ck_assert(SetSharedMem(L"abc"));
    ck_assert(GetSharedMem(buf, 4));
    ck_assert(wcscmp(buf, L"abc") == 0);
}
END_TEST

/* The sample's promise: what one process sets, another process reads. */
START_TEST(test_SharedMem_two_processes)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b;

    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "sset hello-from-A", "");
    mst_run(&b, name, "sget");
    mst_gate_finish(&gate);
    ck_assert_str_eq(mst_str(&a, "sset"), "1");
    ck_assert_str_eq(mst_str(&b, "sget"), "1");
    ck_assert_str_eq(mst_str(&b, "stext"), "hello-from-A");
}
END_TEST

Suite *suite_sample(void)
{
    Suite *s = suite_create("sample");
    TCase *tc = tcase_create("SetSharedMem/GetSharedMem");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_SetSharedMem_roundtrip);
    tcase_add_test(tc, test_SetSharedMem_null);
    tcase_add_test(tc, test_SetSharedMem_too_long);
    tcase_add_test(tc, test_SetSharedMem_max_length);
    tcase_add_test(tc, test_SetSharedMem_empty);
    tcase_add_test(tc, test_GetSharedMem_null);
    tcase_add_test(tc, test_GetSharedMem_zero_size);
    tcase_add_test(tc, test_GetSharedMem_small_buffer);
    tcase_add_test(tc, test_GetSharedMem_exact_fit);
    tcase_add_test(tc, test_SharedMem_two_processes);
    suite_add_tcase(s, tc);
    return s;
}
