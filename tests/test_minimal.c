/*
 * test_minimal.c: level 0 and level 1 of docs/levels.md (examples/minimal/,
 * examples/levels/), run the way their hosts are run: as separate processes, each given a
 * mapping name of the test's own through the DLLs' own variables (MEMSCOPE_MINIMAL_NAME,
 * MEMSCOPE_LEVEL1_NAME).
 */
#include <stdio.h>
#include <string.h>

#include "mstest.h"

#define L0_ENV "MEMSCOPE_MINIMAL_NAME"
#define L1_ENV "MEMSCOPE_LEVEL1_NAME"

/* Runs level 0's reader on the mapping `name` and returns its output (in *r). */
static void read_level0(mst_child *r, const WCHAR *name)
{
    mst_start_program(r, "minimal\\reader.exe", "", L0_ENV, name, NULL);
    ck_assert_msg(mst_finish(r) == 0, "reader exited %lu:\n%s", (unsigned long)r->exit_code,
                  r->text);
}

/* Level 0, as the sample runs: the writer sets a text and holds the mapping; while it
 * holds, the reader, another process, prints that text.  A reader given another name sees
 * an empty mapping of its own; once the writer let go (the last view unmapped), so does a
 * reader given the writer's name. */
START_TEST(test_minimal_text_crosses_processes)
{
    const WCHAR *name = mst_new_name();
    mst_child writer, same, other, after;
    HANDLE input;
    mst_start_program(&writer, "minimal\\writer.exe", "\"set by the writer\"", L0_ENV, name,
                      &input);
    mst_wait_output(&writer, "holding the mapping", MST_CHILD_TIMEOUT_MS);
    read_level0(&same, name);
    read_level0(&other, mst_new_name());
    CloseHandle(input);                          /* end of input: the writer lets go */
    ck_assert_msg(mst_finish(&writer) == 0, "writer exited %lu:\n%s",
                  (unsigned long)writer.exit_code, writer.text);
    read_level0(&after, name);
    ck_assert_msg(strstr(same.text, "reader: \"set by the writer\"") != NULL,
                  "the reader did not print the writer's text:\n%s", same.text);
    ck_assert_msg(strstr(other.text, "reader: \"\"") != NULL,
                  "another name shared the text:\n%s", other.text);
    ck_assert_msg(strstr(after.text, "reader: \"\"") != NULL,
                  "the text outlived the last view:\n%s", after.text);
}
END_TEST

/* Level 0's DllMain returns FALSE when it cannot create its mapping (here: the name is a
 * mutex's): a host that imports the DLL then never starts: the loader ends it with
 * STATUS_DLL_INIT_FAILED before main.  (memscope.dll loads, and every accessor says
 * ERROR_INVALID_HANDLE: test_refuse_name_taken_by_mutex.) */
START_TEST(test_level0_dllmain_false_stops_the_host)
{
    const WCHAR *name = mst_new_name();
    mst_child reader;
    HANDLE squatter = CreateMutexW(NULL, FALSE, name);
    ck_assert_msg(squatter != NULL, "CreateMutexW: %lu", GetLastError());
    mst_start_program(&reader, "minimal\\reader.exe", "", L0_ENV, name, NULL);
    DWORD rc = mst_finish(&reader);
    CloseHandle(squatter);
    ck_assert_msg(rc == 0xC0000142u, "reader exited 0x%08lX, not STATUS_DLL_INIT_FAILED:\n%s",
                  (unsigned long)rc, reader.text);
    ck_assert_msg(strstr(reader.text, "reader:") == NULL, "main ran:\n%s", reader.text);
}
END_TEST

/* The hammer (examples/levels/hammer.c) on level `level`: one process cycles the text
 * through three long texts, another reads it `reads` times and on until it saw it change
 * `changes` times.  Returns the reader's counts. */
static void hammer(int level, long reads, long changes, long long *torn, long long *seen)
{
    const WCHAR *name = mst_new_name();
    const char *env = level == 0 ? L0_ENV : L1_ENV;
    char args[64];
    mst_child writer, reader;
    snprintf(args, sizeof args, "%d flip 60000", level);
    mst_start_program(&writer, "levels\\hammer.exe", args, env, name, NULL);
    mst_wait_output(&writer, "flipping", MST_CHILD_TIMEOUT_MS);
    snprintf(args, sizeof args, "%d readtorn %ld %ld", level, reads, changes);
    mst_start_program(&reader, "levels\\hammer.exe", args, env, name, NULL);
    DWORD rc = mst_finish(&reader);
    mst_kill(&writer);
    ck_assert_msg(rc == 0, "reader exited %lu:\n%s", (unsigned long)rc, reader.text);
    ck_assert_int_ge(mst_num(&reader, "reads"), reads);
    ck_assert_int_eq(mst_num(&reader, "empty"), 0);      /* the writer had set a text */
    *torn = mst_num(&reader, "torn");
    *seen = mst_num(&reader, "changes");
}

/* The control: level 0 has no lock, and the hammer sees torn texts.  If it saw none, the
 * next test's 0 would prove nothing. */
START_TEST(test_level0_hammer_sees_torn_text)
{
    long long torn, seen;
    hammer(0, 20000, 20, &torn, &seen);
    ck_assert_int_ge(seen, 20);
    ck_assert_msg(torn > 0, "no torn text without a lock (%lld changes seen)", seen);
}
END_TEST

/* Level 1: the lock around each copy; while the writer never stops and the reader sees the
 * text change, not one read is torn. */
START_TEST(test_level1_lock_no_torn_text)
{
    long long torn, seen;
    hammer(1, 20000, 20, &torn, &seen);
    ck_assert_int_ge(seen, 20);
    ck_assert_int_eq(torn, 0);
}
END_TEST

/* Level 1's lock word says "held", not by whom: a holder that dies (killed in the middle of
 * a copy) leaves it 1, and every reader after it spins for ever.  The test leaves the word
 * as a dead holder would, in a level-1 mapping it creates and keeps (so the reader opens
 * it), and finds the reader still spinning 2 s later.  (memscope takes a dead owner's lock
 * over: test_MemscopeLock_dead_owner.) */
START_TEST(test_level1_dead_holder_hangs_every_reader)
{
    const WCHAR *name = mst_new_name();
    mst_child reader;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    ck_assert_msg(h != NULL, "CreateFileMappingW: %lu", GetLastError());
    void *view = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0);
    ck_assert_ptr_nonnull(view);
    InterlockedExchange((volatile LONG *)view, 1);   /* level 1's lock word, at offset 0:
                                                        held, by a holder that is gone */
    mst_start_program(&reader, "levels\\hammer.exe", "1 readtorn 1 0", L1_ENV, name, NULL);
    DWORD w = WaitForSingleObject(reader.process, 2000);
    mst_kill(&reader);
    UnmapViewOfFile(view);
    CloseHandle(h);
    ck_assert_msg(w == WAIT_TIMEOUT, "the reader finished behind a dead holder's lock:\n%s",
                  reader.text);
    ck_assert_msg(strstr(reader.text, "reads=") == NULL, "a read got through:\n%s", reader.text);
}
END_TEST

Suite *suite_minimal(void)
{
    Suite *s = suite_create("minimal and levels");
    TCase *tc = tcase_create("level 0 and level 1, across processes");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_add_test(tc, test_minimal_text_crosses_processes);
    tcase_add_test(tc, test_level0_dllmain_false_stops_the_host);
    tcase_add_test(tc, test_level0_hammer_sees_torn_text);
    tcase_add_test(tc, test_level1_lock_no_torn_text);
    tcase_add_test(tc, test_level1_dead_holder_hangs_every_reader);
    suite_add_tcase(s, tc);
    return s;
}
