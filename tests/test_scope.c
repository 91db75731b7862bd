/*
 * test_scope.c: the article's claims across real processes.  Each test gives its children a
 * block name of its own; a child that must stay attached while others run is held at a gate
 * (mst_start_held) until the test releases it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

/* Claim 3 and 4: the named mapping is one block; the second process opens the first's. */
START_TEST(test_second_process_sees_text_and_counter)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b;
    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "set shared-by-A inc inc info", "");
    mst_run(&b, name, "get counter info");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&a, "created"), 1);
    ck_assert_int_eq(mst_num(&b, "created"), 0);          /* ERROR_ALREADY_EXISTS */
    ck_assert_int_eq(mst_num(&b, "creator"), a.pid);
    ck_assert_str_eq(mst_str(&b, "text"), "shared-by-A");
    ck_assert_int_eq(mst_num(&b, "counter"), 2);
}
END_TEST

/* Claims 1 and 2: what the DLL allocates with HeapAlloc for A lives in A's address space;
 * B, at the same numeric address, finds nothing or something else. */
START_TEST(test_private_heap_not_shared)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b;
    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "private secret-of-A", "");
    char addr[40];
    snprintf(addr, sizeof addr, "%s", mst_str(&a, "privaddr"));
    /* Without A's real address the peek below would prove nothing. */
    ck_assert_msg(strtoull(addr, NULL, 16) != 0, "child A reported no private address: %s",
                  addr);
    mst_run(&b, name, "ptext peek %s", addr);
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&a, "private"), ERROR_SUCCESS);
    ck_assert_str_eq(mst_str(&b, "ptext"), "");           /* B's own private text */
    const char *peek = mst_str(&b, "peek");
    ck_assert_msg(strcmp(peek, "commit") != 0 ||
                  strncmp(mst_str(&b, "peektext"), "secret-of-A", 11) != 0,
                  "process B read A's private text at %s", addr);
}
END_TEST

/* The DLL image: its ordinary global is per process, its .shared section is one copy. */
START_TEST(test_global_per_process_section_shared)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b;
    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "global global global section section", "");
    mst_run(&b, name, "global section");
    mst_gate_finish(&gate);
    /* mst_num reads the first "key=" line: A's first increment of each. */
    ck_assert_int_eq(mst_num(&a, "global"), 1);
    ck_assert_int_eq(mst_num(&b, "global"), 1);      /* B's own copy starts at 0 again */
    long long a_last_section = mst_num(&a, "section") + 1;
    ck_assert_int_eq(mst_num(&b, "section"), a_last_section + 1);  /* B continues A's count */
}
END_TEST

/* Claim 6: once every process has detached, the pages are gone: a new process creates a
 * fresh block. */
START_TEST(test_fresh_block_after_all_detach)
{
    const WCHAR *name = mst_new_name();
    mst_child a, b;
    mst_run(&a, name, "set gone-with-A inc info");
    mst_run(&b, name, "info get counter");
    ck_assert_int_eq(mst_num(&a, "created"), 1);
    ck_assert_int_eq(mst_num(&b, "created"), 1);
    ck_assert_int_eq(mst_num(&b, "creator"), b.pid);
    ck_assert_str_eq(mst_str(&b, "text"), "");
    ck_assert_int_eq(mst_num(&b, "counter"), 0);
}
END_TEST

/* While one process keeps a view, the block outlives the processes that wrote it. */
START_TEST(test_block_lives_while_one_view_remains)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, writer, reader;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_run(&writer, name, "set written-then-exited inc");
    mst_run(&reader, name, "get counter info");
    mst_gate_finish(&gate);
    ck_assert_str_eq(mst_str(&reader, "text"), "written-then-exited");
    ck_assert_int_eq(mst_num(&reader, "counter"), 1);
    ck_assert_int_eq(mst_num(&reader, "creator"), keeper.pid);
}
END_TEST

/* This test process is attached to a block of another name: it never sees the children's. */
START_TEST(test_other_name_other_block)
{
    const WCHAR *name = mst_new_name();
    WCHAR buf[64];
    mst_child a;
    ck_assert_uint_eq(MemscopeSetText(L"parent's", 8), ERROR_SUCCESS);
    mst_run(&a, name, "set child-only get");
    ck_assert_str_eq(mst_str(&a, "text"), "child-only");
    ck_assert_uint_eq(MemscopeGetText(buf, 64, NULL), ERROR_SUCCESS);
    ck_assert(wcscmp(buf, L"parent's") == 0);
}
END_TEST

Suite *suite_scope(void)
{
    Suite *s = suite_create("scope across processes");
    TCase *tc = tcase_create("claims");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_second_process_sees_text_and_counter);
    tcase_add_test(tc, test_private_heap_not_shared);
    tcase_add_test(tc, test_global_per_process_section_shared);
    tcase_add_test(tc, test_fresh_block_after_all_detach);
    tcase_add_test(tc, test_block_lives_while_one_view_remains);
    tcase_add_test(tc, test_other_name_other_block);
    suite_add_tcase(s, tc);
    return s;
}
