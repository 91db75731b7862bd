/*
 * test_faults.c: the faults a review reproduced in the robust layer, one test each, every
 * one forced rather than waited for: owner words forged with a reused id, a writer killed
 * or stopped at each stage of its write (the test build's hooks, dll/testhooks.c), a
 * squatter's manual-reset event under the lock's name, a stray unlock from another thread,
 * an unlock by a holder the lock was taken from, re-entry by the holder, MemscopeLock(0), a
 * lock held across FreeLibrary or by a thread that ended, a text length rewritten during
 * reads, a process whose own times cannot be read, a block whose creator never publishes
 * it, and a section whose pages are reserved but not committed.
 */
#include <stdio.h>
#include <string.h>

#include "mstest.h"

/* ---- 1. a reused id is not the owner -------------------------------------------------- */

/* The lock's owner word carries this process's id (or this thread's) but another creation
 * time: the process (thread) that wrote it is gone, and the lock is taken over. */
static void reused_id_owner(const char *who)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "forgelock %s lock 3000 lockstate unlock", who);
    mst_assert_took_over(&c);
    ck_assert_int_eq(mst_num(&c, "unlock"), ERROR_SUCCESS);
}

START_TEST(test_lock_owner_reused_pid)
{
    reused_id_owner("pid");
}
END_TEST

START_TEST(test_lock_owner_reused_tid)
{
    reused_id_owner("tid");
}
END_TEST

/* The same with the id of a thread that is alive, but not the thread the word names: it
 * was created at another time, so the id was reused and the owner is gone. */
START_TEST(test_lock_owner_live_tid_other_tag)
{
    reused_id_owner("other");
}
END_TEST

/* A registry slot under this process's id with another creation time is a dead process's:
 * it is not counted. */
START_TEST(test_registry_slot_reused_pid)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "forgeslot info");
    ck_assert_int_eq(mst_num(&c, "attachederr"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "attached"), 1);
}
END_TEST

/* A slot under the id of a live process (this test process) with another creation time is
 * not that process's: reclaimed, not counted. */
START_TEST(test_registry_slot_live_pid_other_tag)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "forgeslotof %lu info", (unsigned long)GetCurrentProcessId());
    ck_assert_int_eq(mst_num(&c, "attachederr"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "attached"), 1);
}
END_TEST

/* ---- 2 and 5. a writer killed, or stopped, inside its write --------------------------- */

#define OLD_CH 'A'
#define NEW_CH 'B'
#define WRITE_LEN 200   /* fits the sample's MAX_PATH buffer (sget) */

static const char *repeat(char ch, char *buf)
{
    memset(buf, ch, WRITE_LEN);
    buf[WRITE_LEN] = 0;
    return buf;
}

/* The block holds 200 x 'A'; a writer of 200 x 'B' dies at `stage` of its write (1 begun,
 * 2 half copied, 3 copied but not published, 4 published, lock still held).  Every reader
 * after that gets one of the two whole texts: 'A's before the publication, 'B's after; and
 * the next writer's text is read back whole. */
static void writer_dies_at(int stage)
{
    const WCHAR *name = mst_new_name();
    char a[WRITE_LEN + 1], b[WRITE_LEN + 1], hooks[32];
    mst_gate gate;
    mst_child keeper, writer, reader, next;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_run(&reader, name, "set %s", repeat(OLD_CH, a));
    snprintf(hooks, sizeof hooks, "diewrite=%d", stage);
    mst_start_hooked(&writer, hooks, name, "set %s", repeat(NEW_CH, b));
    ck_assert_uint_eq(mst_finish(&writer), 42);        /* killed itself inside the write */
    mst_run(&reader, name, "get sget");
    ck_assert_int_eq(mst_num(&reader, "get"), ERROR_SUCCESS);
    ck_assert_str_eq(mst_str(&reader, "text"), stage < 4 ? a : b);
    ck_assert_int_eq(mst_num(&reader, "sget"), 1);
    ck_assert_str_eq(mst_str(&reader, "stext"), stage < 4 ? a : b);
    mst_run(&next, name, "set after-the-death get");
    ck_assert_int_eq(mst_num(&next, "set"), ERROR_SUCCESS);
    ck_assert_str_eq(mst_str(&next, "text"), "after-the-death");
    mst_gate_finish(&gate);
}

START_TEST(test_writer_killed_at_each_stage)
{
    for (int stage = 1; stage <= 4; stage++)
        writer_dies_at(stage);
}
END_TEST

/* A writer stopped half way through its write (suspended, in a debugger) holds the lock but
 * must not hold up readers: they get the last whole text at once. */
START_TEST(test_reader_not_held_by_stopped_writer)
{
    const WCHAR *name = mst_new_name();
    char a[WRITE_LEN + 1], b[WRITE_LEN + 1], paused[64];
    mst_gate gate;
    mst_child keeper, writer, reader;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_run(&reader, name, "set %s", repeat(OLD_CH, a));
    mst_start_hooked(&writer, "pausewrite=2", name, "set %s", repeat(NEW_CH, b));
    snprintf(paused, sizeof paused, "Local\\mst-paused-%lu", (unsigned long)writer.pid);
    HANDLE ev = NULL;
    for (int k = 0; k < 6000 && ev == NULL; k++) {   /* the hook creates it when it stops */
        ev = OpenEventA(SYNCHRONIZE, FALSE, paused);
        if (ev == NULL)
            Sleep(10);
    }
    ck_assert_msg(ev != NULL, "the writer never reached its pause");
    mst_wait_event(ev, "the writer's pause");
    CloseHandle(ev);
    mst_run(&reader, name, "get lockstate");
    ck_assert_int_eq(mst_num(&reader, "get"), ERROR_SUCCESS);
    ck_assert_str_eq(mst_str(&reader, "text"), a);
    ck_assert_int_eq(mst_num(&reader, "owner"), writer.pid);  /* the lock is still held */
    mst_kill(&writer);
    mst_gate_finish(&gate);
}
END_TEST

/* ---- 3. a squatter's semaphore under "<name>.lock", always signalled ------------------ */

/* Every wait on it returns at once (its count is huge, as a manual-reset event's signal
 * would be): the dead owner must still be found, by elapsed time. */
START_TEST(test_lock_semaphore_always_signalled_squatter)
{
    const WCHAR *name = mst_new_name();
    WCHAR evname[128];
    mst_gate gate;
    mst_child keeper, holder, next;
    swprintf(evname, ARRAYSIZE(evname), L"%ls.lock", name);
    HANDLE squat = CreateSemaphoreW(NULL, LONG_MAX, LONG_MAX, evname);   /* always set */
    ck_assert_msg(squat != NULL, "CreateSemaphoreW: %lu", GetLastError());
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_start_held(&holder, name, &gate, "lock 1000", "");
    mst_kill(&holder);
    mst_run(&next, name, "lock 5000 lockstate unlock");
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
    CloseHandle(squat);
}
END_TEST

/* ---- 4. ownership names the thread; release checks who holds ------------------------- */

START_TEST(test_unlock_from_other_thread_refused)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "threadlock");
    ck_assert_int_eq(mst_num(&c, "tlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "strayunlock"), ERROR_NOT_OWNER);
    ck_assert_int_eq(mst_num(&c, "strayowner"), c.pid);       /* still held */
    ck_assert_int_eq(mst_num(&c, "tunlock"), ERROR_SUCCESS);
}
END_TEST

START_TEST(test_unlock_from_other_process_refused)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child holder, stray;
    mst_gate_create(&gate);
    mst_start_held(&holder, name, &gate, "lock 1000", "unlock");
    mst_run(&stray, name, "unlock lock 200 lockstate");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&stray, "unlock"), ERROR_NOT_OWNER);
    ck_assert_int_eq(mst_num(&stray, "lock"), ERROR_TIMEOUT);  /* exclusion intact */
    ck_assert_int_eq(mst_num(&stray, "owner"), holder.pid);
    ck_assert_int_eq(mst_num(&holder, "unlock"), ERROR_SUCCESS);
}
END_TEST

/* Release swaps the owner word from the caller's own word: a lock taken from its holder
 * (a waiter judged it dead and swapped in its own word) is not freed by the old holder's
 * unlock, which is told ERROR_NOT_OWNER; the new owner keeps it. */
START_TEST(test_unlock_after_takeover_refused)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "stolenunlock");
    ck_assert_int_eq(mst_num(&c, "lock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "stolenunlock"), ERROR_NOT_OWNER);
    ck_assert_int_eq(mst_num(&c, "stolenkept"), 1);
}
END_TEST

/* The holder calling what needs the lock again is told so at once, not made to wait for
 * itself. */
START_TEST(test_reentry_refused_at_once)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "reenter");
    ck_assert_int_eq(mst_num(&c, "lock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "relock"), ERROR_POSSIBLE_DEADLOCK);
    ck_assert_int_lt(mst_num(&c, "relockms"), 1000);
    ck_assert_int_eq(mst_num(&c, "reset"), ERROR_POSSIBLE_DEADLOCK);
    ck_assert_int_lt(mst_num(&c, "resetms"), 1000);
    ck_assert_int_eq(mst_num(&c, "resset"), 0);
    ck_assert_int_eq(mst_num(&c, "resseterr"), ERROR_POSSIBLE_DEADLOCK);
    ck_assert_int_eq(mst_num(&c, "reinc"), ERROR_POSSIBLE_DEADLOCK);
    ck_assert_int_lt(mst_num(&c, "reincms"), 1000);
    ck_assert_int_eq(mst_num(&c, "reunlock"), ERROR_SUCCESS);
}
END_TEST

/* ---- 8. MemscopeLock's timeout covers everything -------------------------------------- */

START_TEST(test_lock_zero_is_one_try)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, holder, tryer, waiter, next;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_start_held(&holder, name, &gate, "lock 1000", "");
    mst_run(&tryer, name, "lock 0 lockstate");
    ck_assert_int_eq(mst_num(&tryer, "lock"), ERROR_TIMEOUT);
    ck_assert_int_lt(mst_num(&tryer, "lockms"), 100);
    ck_assert_int_eq(mst_num(&tryer, "waiters"), 0);      /* a failed try marks nothing */
    mst_run(&waiter, name, "lock 300");
    ck_assert_int_eq(mst_num(&waiter, "lock"), ERROR_TIMEOUT);
    ck_assert_int_ge(mst_num(&waiter, "lockms"), 300);   /* never early */
    mst_kill(&holder);
    mst_run(&next, name, "lock 0 lockstate unlock");     /* one try takes a dead owner over */
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&next, "lock"), ERROR_ABANDONED_WAIT_0);
    ck_assert_int_eq(mst_num(&next, "owner"), next.pid);
    ck_assert_int_eq(mst_num(&next, "unlock"), ERROR_SUCCESS);
}
END_TEST

/* ---- 9. the writers' documented timeout ----------------------------------------------- */

START_TEST(test_settext_times_out_behind_live_holder)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child holder, writer;
    mst_gate_create(&gate);
    mst_start_held(&holder, name, &gate, "lock 1000", "unlock");
    mst_run(&writer, name, "set blocked sset blocked");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&writer, "set"), ERROR_TIMEOUT);
    ck_assert_int_eq(mst_num(&writer, "sset"), 0);
    ck_assert_int_eq(mst_num(&writer, "sseterr"), ERROR_TIMEOUT);
}
END_TEST

/* ---- 10. a lock held across FreeLibrary, or by a thread that ended -------------------- */

START_TEST(test_freelibrary_releases_held_lock)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child unloader, next;
    mst_gate_create(&gate);
    mst_start_held(&unloader, name, &gate, "dynhold", "");    /* alive after FreeLibrary */
    ck_assert_int_eq(mst_num(&unloader, "dynstatus"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&unloader, "dynlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&unloader, "freed"), 1);
    ck_assert_int_eq(mst_num(&unloader, "privlive"), 0);      /* the private text freed */
    mst_run(&next, name, "lock 3000 lockstate unlock");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&next, "lock"), ERROR_ABANDONED_WAIT_0);
    ck_assert_int_lt(mst_num(&next, "lockms"), 1000);
    ck_assert_int_eq(mst_num(&next, "abandoned"), 1);
}
END_TEST

START_TEST(test_thread_ended_holding_is_dead_owner)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child ender, next;
    mst_gate_create(&gate);
    mst_start_held(&ender, name, &gate, "threadexit", "");    /* its process lives on */
    ck_assert_int_eq(mst_num(&ender, "tlock"), ERROR_SUCCESS);
    mst_run(&next, name, "lock 3000 lockstate unlock");
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
}
END_TEST

/* The same when the process keeps the ended thread's handle: the thread object, and its
 * id, live on, so OpenThread finds it; its ended state is what says it is gone. */
START_TEST(test_thread_ended_holding_handle_open_is_dead_owner)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child ender, next;
    mst_gate_create(&gate);
    mst_start_held(&ender, name, &gate, "threadexitkeep", "");
    ck_assert_int_eq(mst_num(&ender, "tlock"), ERROR_SUCCESS);
    mst_run(&next, name, "lock 3000 lockstate unlock");
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
}
END_TEST

/* ---- 7. a length another process rewrites during a read ------------------------------- */

/* Another process rewrites the published buffer's length between 5 and 0x7FFFFFF0 in a
 * tight loop while a reader reads the text 10^6 times (and on, until the length it read
 * changed 10^5 times from one read to the next, so reads and rewrites really overlapped).
 * Read once and clamped, every text read has 5 or 2047 characters and the reader lives: a
 * length checked on one read and used from another would, once in a while, copy up to
 * 4 GiB into the reader's 4 KiB buffer.  (The reader attaches before the rewriting starts:
 * an opener refuses a block whose lengths are out of range.) */
START_TEST(test_text_length_rewritten_during_reads)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child reader;
    mst_busy flipper;
    mst_gate_create(&gate);
    mst_start_held(&reader, name, &gate, "", "lenread 1000000 100000");
    mst_busy_start(&flipper, NULL, name, "lenflip", "the rewriting to start");
    mst_gate_finish(&gate);                      /* the reader must exit 0 */
    mst_busy_stop(&flipper);
    /* A reader whose stack a 4 GiB copy ran over can even end with exit code 0 under Wine;
     * its report then never comes. */
    ck_assert_msg(mst_val(&reader, "lenreads") != NULL, "the reader ended (exit code %lu) "
                  "without its report: it died during its reads; output:\n%s",
                  (unsigned long)reader.exit_code, reader.text);
    ck_assert_int_eq(mst_num(&reader, "lenerr"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&reader, "lenother"), 0);
    ck_assert_int_ge(mst_num(&reader, "lenchanges"), 100000);
}
END_TEST

/* ---- 11. a process that cannot read its own identity does not attach ------------------ */

START_TEST(test_own_times_unreadable_refuses_attach)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_start_hooked(&c, "selftimes", name, "info set x");
    ck_assert_uint_eq(mst_finish(&c), 0);
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_ACCESS_DENIED);
    ck_assert_int_eq(mst_num(&c, "slot"), -1);
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_ACCESS_DENIED);
}
END_TEST

/* ---- 12. DllMain does not wait for another process ------------------------------------ */

/* A block whose creator never publishes it: LoadLibrary returns at once (the bounded wait
 * for the publication happens at the first call, outside the loader lock), and that first
 * call reports ERROR_TIMEOUT. */
START_TEST(test_unpublished_block_waited_outside_dllmain)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                  MEMSCOPE_BLOCK_SIZE, name);
    ck_assert_msg(h != NULL, "CreateFileMappingW: %lu", GetLastError());
    mst_run(&c, name, "dynload");
    ck_assert_int_lt(mst_num(&c, "loadms"), 1000);
    ck_assert_int_eq(mst_num(&c, "dynstatus"), ERROR_TIMEOUT);
    ck_assert_int_ge(mst_num(&c, "statusms"), 1000);
    CloseHandle(h);
}
END_TEST

/* ---- 6. reserved but uncommitted pages are refused before they are read --------------- */

START_TEST(test_reserved_section_refused)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_RESERVE, 0,
                                  MEMSCOPE_BLOCK_SIZE, name);
    ck_assert_msg(h != NULL, "CreateFileMappingW(SEC_RESERVE): %lu", GetLastError());
    mst_run(&c, name, "info statustext");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_INVALID_ADDRESS);
    ck_assert_int_eq(mst_num(&c, "slot"), -1);
    CloseHandle(h);
}
END_TEST

Suite *suite_faults(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("forced");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_lock_owner_reused_pid);
    tcase_add_test(tc, test_lock_owner_reused_tid);
    tcase_add_test(tc, test_lock_owner_live_tid_other_tag);
    tcase_add_test(tc, test_registry_slot_reused_pid);
    tcase_add_test(tc, test_registry_slot_live_pid_other_tag);
    tcase_add_test(tc, test_writer_killed_at_each_stage);
    tcase_add_test(tc, test_reader_not_held_by_stopped_writer);
    tcase_add_test(tc, test_lock_semaphore_always_signalled_squatter);
    tcase_add_test(tc, test_unlock_from_other_thread_refused);
    tcase_add_test(tc, test_unlock_from_other_process_refused);
    tcase_add_test(tc, test_unlock_after_takeover_refused);
    tcase_add_test(tc, test_reentry_refused_at_once);
    tcase_add_test(tc, test_lock_zero_is_one_try);
    tcase_add_test(tc, test_settext_times_out_behind_live_holder);
    tcase_add_test(tc, test_freelibrary_releases_held_lock);
    tcase_add_test(tc, test_thread_ended_holding_is_dead_owner);
    tcase_add_test(tc, test_thread_ended_holding_handle_open_is_dead_owner);
    tcase_add_test(tc, test_text_length_rewritten_during_reads);
    tcase_add_test(tc, test_own_times_unreadable_refuses_attach);
    tcase_add_test(tc, test_unpublished_block_waited_outside_dllmain);
    tcase_add_test(tc, test_reserved_section_refused);
    suite_add_tcase(s, tc);
    return s;
}
