/*
 * test_exercises.c: the exercises of docs/exercises.md whose output is deterministic, run
 * as the page tells a student to run them: memscope.exe in two "consoles" with different
 * MEMSCOPE_NAMEs, and the foreign reader (examples/exercises/foreign_reader.c) on the
 * block a child set, on level 0's mapping, and on no block at all.
 */
#include <stdio.h>
#include <string.h>

#include "mstest.h"

/* Runs `memscope.exe ARGS` on the block `name` to its end; returns its exit code. */
static DWORD memscope(mst_child *c, const WCHAR *name, const char *args)
{
    mst_start_program(c, "memscope.exe", args, "MEMSCOPE_NAME", name, NULL);
    return mst_finish(c);
}

/* Exercise "the name is the whole contract": one console holds a text under its name; a
 * second console with the same MEMSCOPE_NAME reads it, one with another name reads the
 * empty text of a block of its own. */
START_TEST(test_exercise_other_name_shares_nothing)
{
    const WCHAR *name = mst_new_name(), *other = mst_new_name();
    mst_child holder, same, diff;
    mst_start_program(&holder, "memscope.exe", "--hold=60 set \"console one\"", "MEMSCOPE_NAME",
                      name, NULL);
    mst_wait_output(&holder, "holding the block", MST_CHILD_TIMEOUT_MS);
    ck_assert_uint_eq(memscope(&same, name, "get"), 0);
    ck_assert_uint_eq(memscope(&diff, other, "get"), 0);
    mst_kill(&holder);
    ck_assert_msg(strcmp(same.text, "console one\r\n") == 0 || strcmp(same.text, "console one\n") == 0,
                  "the same name did not share the text: '%s'", same.text);
    ck_assert_msg(strcmp(diff.text, "\r\n") == 0 || strcmp(diff.text, "\n") == 0,
                  "another name read something: '%s'", diff.text);
}
END_TEST

/* Exercise "a foreign reader": the solution reads, with nothing but memscope.h, the text a
 * child set, the creator's pid, and the child's registry slot. */
START_TEST(test_foreign_reader_reads_what_a_child_set)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child setter, reader;
    char want[128];
    mst_gate_create(&gate);
    mst_start_held(&setter, name, &gate, "set read-by-a-stranger", "");
    mst_start_program(&reader, "exercises\\foreign_reader.exe", "", "MEMSCOPE_NAME", name, NULL);
    DWORD rc = mst_finish(&reader);
    mst_gate_finish(&gate);
    ck_assert_msg(rc == 0, "foreign_reader exited %lu:\n%s", (unsigned long)rc, reader.text);
    snprintf(want, sizeof want, "layout 3, 32768 bytes, created by pid %lu",
             (unsigned long)setter.pid);
    ck_assert_msg(strstr(reader.text, want) != NULL, "no '%s' in:\n%s", want, reader.text);
    snprintf(want, sizeof want, "text \"read-by-a-stranger\" (buffer 1, written by pid %lu)",
             (unsigned long)setter.pid);
    ck_assert_msg(strstr(reader.text, want) != NULL, "no '%s' in:\n%s", want, reader.text);
    snprintf(want, sizeof want, ": pid %lu memscope_tests.exe", (unsigned long)setter.pid);
    ck_assert_msg(strstr(reader.text, want) != NULL, "no '%s' in:\n%s", want, reader.text);
}
END_TEST

/* The foreign reader checks before it trusts: level 0's mapping (4096 bytes of text, no
 * header) under the name is refused, and so is a name nobody holds. */
START_TEST(test_foreign_reader_refuses_what_is_not_a_block)
{
    const WCHAR *name = mst_new_name();
    mst_child writer, reader, none;
    HANDLE input;
    mst_start_program(&writer, "minimal\\writer.exe", "not-a-block", "MEMSCOPE_MINIMAL_NAME",
                      name, &input);
    mst_wait_output(&writer, "holding the mapping", MST_CHILD_TIMEOUT_MS);
    mst_start_program(&reader, "exercises\\foreign_reader.exe", "", "MEMSCOPE_NAME", name, NULL);
    DWORD rc = mst_finish(&reader);
    CloseHandle(input);
    ck_assert_uint_eq(mst_finish(&writer), 0);
    ck_assert_msg(rc == 1 && strstr(reader.text, "is not a memscope block of layout 3 (4096 "
                                    "bytes committed") != NULL,
                  "level 0's mapping was not refused (exit %lu):\n%s", (unsigned long)rc,
                  reader.text);
    mst_start_program(&none, "exercises\\foreign_reader.exe", "", "MEMSCOPE_NAME",
                      mst_new_name(), NULL);
    rc = mst_finish(&none);
    ck_assert_msg(rc == 1 && strstr(none.text, "no block named") != NULL,
                  "a name nobody holds (exit %lu):\n%s", (unsigned long)rc, none.text);
}
END_TEST

Suite *suite_exercises(void)
{
    Suite *s = suite_create("exercises");
    TCase *tc = tcase_create("docs/exercises.md, deterministic outputs");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_add_test(tc, test_exercise_other_name_shares_nothing);
    tcase_add_test(tc, test_foreign_reader_reads_what_a_child_set);
    tcase_add_test(tc, test_foreign_reader_refuses_what_is_not_a_block);
    suite_add_tcase(s, tc);
    return s;
}
