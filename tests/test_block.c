/*
 * test_block.c: a foreign block under our name.  This test process plays the squatter: it
 * creates the mapping first, with content of its own; a child then loads memscope.dll on
 * that name.  The child must load, report the documented error from every accessor, and
 * leave every byte as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

typedef struct squat {
    const WCHAR *name;
    HANDLE mapping;
    unsigned char *view;
    DWORD size;
    unsigned char before[MEMSCOPE_BLOCK_SIZE];
} squat;

/* Creates a mapping of size bytes under a new name, zero-filled. */
static void squat_create(squat *s, DWORD size)
{
    s->name = mst_new_name();
    s->size = size;
    s->mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, s->name);
    ck_assert_msg(s->mapping != NULL, "CreateFileMappingW: %lu", GetLastError());
    s->view = MapViewOfFile(s->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ck_assert_ptr_nonnull(s->view);
}

/* A header as memscope writes it, with this process as the creator. */
static void squat_valid_header(squat *s)
{
    MEMSCOPE_HEADER *h = (MEMSCOPE_HEADER *)s->view;
    h->magic = MEMSCOPE_MAGIC;
    h->version = MEMSCOPE_LAYOUT_VERSION;
    h->size = MEMSCOPE_BLOCK_SIZE;
    h->creator_pid = GetCurrentProcessId();
}

static void squat_snapshot(squat *s)
{
    memcpy(s->before, s->view, s->size < MEMSCOPE_BLOCK_SIZE ? s->size : MEMSCOPE_BLOCK_SIZE);
}

static void squat_done(squat *s)
{
    ck_assert_msg(memcmp(s->before, s->view,
                         s->size < MEMSCOPE_BLOCK_SIZE ? s->size : MEMSCOPE_BLOCK_SIZE) == 0,
                  "the child wrote into the refused block");
    UnmapViewOfFile(s->view);
    CloseHandle(s->mapping);
}

/* The child: attach, every accessor, the sample pair, the image counters. */
static void expect_refused(squat *s, DWORD err)
{
    mst_child c;
    squat_snapshot(s);
    mst_run(&c, s->name, "info allcalls sset x sget section");
    ck_assert_int_eq(mst_num(&c, "status"), err);
    static const char *calls[] = {
        "r_MemscopeStatus", "r_MemscopeSetText", "r_MemscopeGetText",
        "r_MemscopeCounterIncrement", "r_MemscopeCounterRead", "r_MemscopeViewAddress",
        "r_MemscopeAttachedCount", "r_MemscopeListProcesses", "r_MemscopeLock",
        "r_MemscopeUnlock", "r_MemscopeLockedIncrement", "r_MemscopeRacyIncrement",
        "r_MemscopeLockState",
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
        ck_assert_msg(mst_num(&c, calls[i]) == (long long)err, "%s returned %lld, not %lu",
                      calls[i], mst_num(&c, calls[i]), (unsigned long)err);
    ck_assert_int_eq(mst_num(&c, "sset"), 0);
    ck_assert_int_eq(mst_num(&c, "sseterr"), err);     /* the exact last error */
    ck_assert_int_eq(mst_num(&c, "sget"), 0);
    ck_assert_int_eq(mst_num(&c, "sgeterr"), err);
    ck_assert_int_eq(mst_num(&c, "creator"), 0);
    ck_assert_uint_eq(strtoull(mst_str(&c, "view"), NULL, 16), 0);   /* no view kept */
    ck_assert_int_ge(mst_num(&c, "section"), 1);       /* the DLL loaded and works */
    squat_done(s);
}

START_TEST(test_refuse_wrong_magic)
{
    squat s;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    squat_valid_header(&s);
    ((MEMSCOPE_HEADER *)s.view)->magic = 0x4B4E554A;   /* "JUNK" */
    memset(s.view + 64, 0xA5, 256);
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

START_TEST(test_refuse_wrong_version)
{
    squat s;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    squat_valid_header(&s);
    ((MEMSCOPE_HEADER *)s.view)->version = MEMSCOPE_LAYOUT_VERSION + 1;
    expect_refused(&s, ERROR_REVISION_MISMATCH);
}
END_TEST

/* A section smaller than ours whose header claims our size: the real size decides. */
START_TEST(test_refuse_small_section)
{
    squat s;
    squat_create(&s, 4096);
    squat_valid_header(&s);
    expect_refused(&s, ERROR_BAD_LENGTH);
}
END_TEST

START_TEST(test_refuse_wrong_size_field)
{
    squat s;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    squat_valid_header(&s);
    ((MEMSCOPE_HEADER *)s.view)->size = MEMSCOPE_BLOCK_SIZE / 2;
    expect_refused(&s, ERROR_BAD_LENGTH);
}
END_TEST

START_TEST(test_refuse_huge_text_length)
{
    squat s;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    squat_valid_header(&s);
    ((MEMSCOPE_BLOCK *)s.view)->text_len = 0x7FFFFFFF;
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

/* Magic still 0: a creator that never published.  The opener waits a bounded time. */
START_TEST(test_refuse_unpublished)
{
    squat s;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    expect_refused(&s, ERROR_TIMEOUT);
}
END_TEST

/* The name belongs to a mutex: CreateFileMapping fails, the DLL still loads. */
START_TEST(test_refuse_name_taken_by_mutex)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    HANDLE m = CreateMutexW(NULL, FALSE, name);
    ck_assert_ptr_nonnull(m);
    mst_run(&c, name, "info sset x section");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_INVALID_HANDLE);
    ck_assert_int_eq(mst_num(&c, "sseterr"), ERROR_INVALID_HANDLE);
    ck_assert_int_ge(mst_num(&c, "section"), 1);
    CloseHandle(m);
}
END_TEST

START_TEST(test_refuse_name_too_long)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 8];
    mst_child c;
    wcscpy(name, L"Local\\");
    for (size_t i = wcslen(name); i < MEMSCOPE_NAME_MAX + 4; i++)
        name[i] = L'n';
    name[MEMSCOPE_NAME_MAX + 4] = 0;
    mst_run(&c, name, "info");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_INVALID_NAME);
}
END_TEST

/* The check is not a blanket refusal: a block laid out right by another program is used. */
START_TEST(test_accept_valid_foreign_block)
{
    squat s;
    mst_child c;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    squat_valid_header(&s);
    mst_run(&c, s.name, "info set accepted");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "created"), 0);
    ck_assert_int_eq(mst_num(&c, "creator"), GetCurrentProcessId());
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_SUCCESS);
    ck_assert_uint_eq(((MEMSCOPE_BLOCK *)s.view)->text_len, 8);
    UnmapViewOfFile(s.view);
    CloseHandle(s.mapping);
}
END_TEST

Suite *suite_block(void)
{
    Suite *s = suite_create("foreign block");
    TCase *tc = tcase_create("refused, untouched");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_refuse_wrong_magic);
    tcase_add_test(tc, test_refuse_wrong_version);
    tcase_add_test(tc, test_refuse_small_section);
    tcase_add_test(tc, test_refuse_wrong_size_field);
    tcase_add_test(tc, test_refuse_huge_text_length);
    tcase_add_test(tc, test_refuse_unpublished);
    tcase_add_test(tc, test_refuse_name_taken_by_mutex);
    tcase_add_test(tc, test_refuse_name_too_long);
    tcase_add_test(tc, test_accept_valid_foreign_block);
    suite_add_tcase(s, tc);
    return s;
}
