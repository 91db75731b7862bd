/*
 * test_text.c: the project's own text and counter API in this process, and the block as a
 * foreign reader sees it through memscope.h alone.
 */
#include <string.h>
#include <wchar.h>

#include "mstest.h"

#define UNICODE_TEXT L"h\u00e9llo \u4e16\u754c"

START_TEST(test_MemscopeSetText_roundtrip)
{
    WCHAR buf[32];
    DWORD len = 0;
    ck_assert_uint_eq(MemscopeSetText(UNICODE_TEXT, (DWORD)wcslen(UNICODE_TEXT)), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetText(buf, 32, &len), ERROR_SUCCESS);
    ck_assert_uint_eq(len, wcslen(UNICODE_TEXT));
    ck_assert(wcscmp(buf, UNICODE_TEXT) == 0);
}
END_TEST

START_TEST(test_MemscopeSetText_explicit_length)
{
    WCHAR buf[32];
    ck_assert_uint_eq(MemscopeSetText(L"abcdef", 3), ERROR_SUCCESS);  /* no NUL needed */
    ck_assert_uint_eq(MemscopeGetText(buf, 32, NULL), ERROR_SUCCESS);
    ck_assert(wcscmp(buf, L"abc") == 0);
}
END_TEST

START_TEST(test_MemscopeSetText_empty_null)
{
    WCHAR buf[4] = L"zz";
    DWORD len = 99;
    ck_assert_uint_eq(MemscopeSetText(NULL, 0), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetText(buf, 4, &len), ERROR_SUCCESS);
    ck_assert_uint_eq(len, 0);
    ck_assert_uint_eq(buf[0], 0);
}
END_TEST

START_TEST(test_MemscopeGetText_size_query)
{
    DWORD len = 0;
    ck_assert_uint_eq(MemscopeSetText(L"twelve chars", 12), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetText(NULL, 0, &len), ERROR_INSUFFICIENT_BUFFER);
    ck_assert_uint_eq(len, 12);
}
END_TEST

START_TEST(test_MemscopeGetText_too_small_untouched)
{
    WCHAR buf[8];
    DWORD len = 0;
    wmemset(buf, L'Z', 8);
    ck_assert_uint_eq(MemscopeSetText(L"abcdefgh", 8), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetText(buf, 8, &len), ERROR_INSUFFICIENT_BUFFER);
    ck_assert_uint_eq(len, 8);               /* needs 9 with the NUL */
    for (int i = 0; i < 8; i++)
        ck_assert_uint_eq(buf[i], L'Z');
}
END_TEST

START_TEST(test_MemscopeGetText_exact_fit)
{
    WCHAR buf[9];
    ck_assert_uint_eq(MemscopeSetText(L"abcdefgh", 8), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetText(buf, 9, NULL), ERROR_SUCCESS);
    ck_assert(wcscmp(buf, L"abcdefgh") == 0);
}
END_TEST

START_TEST(test_MemscopeCounterIncrement)
{
    LONGLONG before = -1, after = -1, read = -1;
    ck_assert_uint_eq(MemscopeCounterRead(&before), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeCounterIncrement(&after), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeCounterRead(&read), ERROR_SUCCESS);
    ck_assert_int_eq(after, before + 1);
    ck_assert_int_eq(read, after);
}
END_TEST

START_TEST(test_MemscopeStatus_attached)
{
    WCHAR text[512];
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    ck_assert_uint_eq(MemscopeStatus(), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetInfo(&info), ERROR_SUCCESS);
    ck_assert_uint_eq(info.pid, GetCurrentProcessId());
    ck_assert_uint_eq(info.status, ERROR_SUCCESS);
    ck_assert_uint_eq(info.registration, ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeStatusText(text, 512, NULL), ERROR_SUCCESS);
    ck_assert_msg(wcsstr(text, info.name) != NULL, "status text '%ls' names no block", text);
}
END_TEST

START_TEST(test_MemscopeViewAddress)
{
    void *view = NULL;
    SIZE_T size = 0;
    MEMORY_BASIC_INFORMATION mbi;
    ck_assert_uint_eq(MemscopeViewAddress(&view, &size), ERROR_SUCCESS);
    ck_assert_ptr_nonnull(view);
    ck_assert_uint_ge(size, MEMSCOPE_BLOCK_SIZE);
    ck_assert_uint_ne(VirtualQuery(view, &mbi, sizeof mbi), 0);
    ck_assert_uint_eq(mbi.Type, MEM_MAPPED);   /* a view of a section, not heap memory */
}
END_TEST

/* A program with nothing but memscope.h opens the block by name and reads the same values. */
START_TEST(test_foreign_reader)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    LONGLONG counter;
    ck_assert_uint_eq(MemscopeSetText(L"read me", 7), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeCounterIncrement(&counter), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetInfo(&info), ERROR_SUCCESS);

    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, info.name);
    ck_assert_msg(h != NULL, "OpenFileMappingW: %lu", GetLastError());
    const MEMSCOPE_BLOCK *b = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_ne(b, info.view);              /* a second view: another address */
    ck_assert_uint_eq(b->header.magic, MEMSCOPE_MAGIC);
    ck_assert_uint_eq(b->header.version, MEMSCOPE_LAYOUT_VERSION);
    ck_assert_uint_eq(b->header.size, MEMSCOPE_BLOCK_SIZE);
    ck_assert_uint_eq(b->header.creator_pid, info.creatorPid);
    ck_assert_int_eq(b->counter, counter);
    const MEMSCOPE_TEXTBUF *t = &b->texts[b->text_pub & 1];   /* the published buffer */
    ck_assert_uint_eq(t->len, 7);
    ck_assert(memcmp((const void *)t->text, L"read me", 8 * sizeof(WCHAR)) == 0);
    ck_assert_uint_eq(b->slots[info.slot].pid, GetCurrentProcessId());
    UnmapViewOfFile(b);
    CloseHandle(h);
}
END_TEST

/* The change event: nobody is signalled while nobody watches (the block says watchers 0);
 * once this process asks for the event, a text set by another process, and its attach and
 * detach, set it. */
START_TEST(test_MemscopeChangeEvent)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    HANDLE ev = NULL;
    mst_child c;
    ck_assert_uint_eq(MemscopeGetInfo(&info), ERROR_SUCCESS);
    const MEMSCOPE_BLOCK *b = info.view;
    LONG before = b->watchers;
    ck_assert_uint_eq(MemscopeChangeEvent(&ev), ERROR_SUCCESS);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_eq(b->watchers, before + 1);
    HANDLE again = NULL;                           /* asking twice counts once */
    ck_assert_uint_eq(MemscopeChangeEvent(&again), ERROR_SUCCESS);
    ck_assert_int_eq(b->watchers, before + 1);
    CloseHandle(again);
    ck_assert(ResetEvent(ev));
    mst_run(&c, info.name, "set watched");
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_SUCCESS);
    ck_assert_uint_eq(WaitForSingleObject(ev, 0), WAIT_OBJECT_0);
    CloseHandle(ev);
}
END_TEST

START_TEST(test_MemscopePrivateText)
{
    WCHAR buf[16];
    void *addr = NULL;
    MEMORY_BASIC_INFORMATION mbi;
    ck_assert_uint_eq(MemscopeSetPrivateText(L"mine", 4), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeGetPrivateText(buf, 16, NULL, &addr), ERROR_SUCCESS);
    ck_assert(wcscmp(buf, L"mine") == 0);
    ck_assert_ptr_nonnull(addr);
    ck_assert(wcscmp(addr, L"mine") == 0);
    ck_assert_uint_ne(VirtualQuery(addr, &mbi, sizeof mbi), 0);
    ck_assert_uint_eq(mbi.Type, MEM_PRIVATE);  /* this process's heap */
}
END_TEST

Suite *suite_text(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("own API, this process");
    tcase_add_test(tc, test_MemscopeSetText_roundtrip);
    tcase_add_test(tc, test_MemscopeSetText_explicit_length);
    tcase_add_test(tc, test_MemscopeSetText_empty_null);
    tcase_add_test(tc, test_MemscopeGetText_size_query);
    tcase_add_test(tc, test_MemscopeGetText_too_small_untouched);
    tcase_add_test(tc, test_MemscopeGetText_exact_fit);
    tcase_add_test(tc, test_MemscopeCounterIncrement);
    tcase_add_test(tc, test_MemscopeStatus_attached);
    tcase_add_test(tc, test_MemscopeViewAddress);
    tcase_add_test(tc, test_foreign_reader);
    tcase_add_test(tc, test_MemscopePrivateText);
    tcase_add_test(tc, test_MemscopeChangeEvent);
    suite_add_tcase(s, tc);
    return s;
}
