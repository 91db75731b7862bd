/*
 * test_lock.c: the block's lock: exclusion across processes, a holder killed while holding
 * it, exact totals under contention, and its wake-ups (dll/lock.c).
 */
#include <stdio.h>

#include "mstest.h"

START_TEST(test_MemscopeLock_unlock)
{
    MEMSCOPE_LOCK_STATE st;
    ck_assert_uint_eq(MemscopeLock(1000), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeLockState(&st), ERROR_SUCCESS);
    ck_assert_uint_eq(st.ownerPid, GetCurrentProcessId());
    ck_assert_uint_eq(MemscopeUnlock(), ERROR_SUCCESS);
    ck_assert_uint_eq(MemscopeLockState(&st), ERROR_SUCCESS);
    ck_assert_uint_eq(st.ownerPid, 0);
    ck_assert_uint_eq(MemscopeUnlock(), ERROR_NOT_OWNER);
}
END_TEST

/* While A holds the lock, B times out; after A lets go, C gets it at once. */
START_TEST(test_MemscopeLock_excludes_other_process)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b, c;
    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "lock 1000", "unlock");
    mst_run(&b, name, "lock 300 lockstate");
    mst_gate_finish(&gate);
    mst_run(&c, name, "lock 1000");
    ck_assert_int_eq(mst_num(&a, "lock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&a, "unlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&b, "lock"), ERROR_TIMEOUT);
    ck_assert_int_eq(mst_num(&b, "owner"), a.pid);
    ck_assert_int_eq(mst_num(&c, "lock"), ERROR_SUCCESS);
}
END_TEST

/* The holder is killed with TerminateProcess: the next locker takes the lock over within a
 * second and is told it was abandoned. */
START_TEST(test_MemscopeLock_dead_owner)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, holder, next;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");   /* keeps the block alive */
    mst_start_held(&holder, name, &gate, "set before-the-crash lock 1000", "");
    mst_kill(&holder);
    mst_run(&next, name, "lock 1000 lockstate get unlock");
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
    ck_assert_str_eq(mst_str(&next, "text"), "before-the-crash");   /* invariants hold */
    ck_assert_int_eq(mst_num(&next, "unlock"), ERROR_SUCCESS);
}
END_TEST

/* Several processes increment under the lock, and atomically, all at once (mst_contend
 * checks that their loops overlapped): no update is lost.  10^6 each: a loop lasts ~20 ms
 * even alone (more under contention), long beside the ms by which the starts differ. */
START_TEST(test_exact_totals_under_contention)
{
    enum { PROCS = 4, EACH = 1000000 };
    char cmds[64];
    mst_child check;
    snprintf(cmds, sizeof cmds, "lockedinc %d atomicinc %d", EACH, EACH);
    mst_contend(&check, PROCS, cmds, "lockedinc");
    ck_assert_int_eq(mst_num(&check, "total"), (long long)PROCS * EACH);
    ck_assert_int_eq(mst_num(&check, "counter"), (long long)PROCS * EACH);
    ck_assert_int_eq(mst_num(&check, "abandoned"), 0);
}
END_TEST

/* A release wakes a parked waiter at once (it sets the lock's event for it), instead of
 * leaving it to the end of its 50 ms wait.  Ten hand-overs to a waiter that is inside its
 * wait: the median must be under 25 ms, half that 50 ms, so neither a slow moment of the
 * machine nor the scheduler's granularity decides (a waiter that is not woken takes about
 * 45 ms every time: its 50 ms wait less the 5 ms it had already waited). */
START_TEST(test_unlock_wakes_parked_waiter_at_once)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "handover 10");
    ck_assert_int_eq(mst_num(&c, "handovererr"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "handovers"), 10);
    ck_assert_msg(mst_num(&c, "handovermedianus") < 25000,
                  "a parked waiter got a released lock only after %ld us (median of 10; "
                  "slowest %ld us): the release did not wake it",
                  (long)mst_num(&c, "handovermedianus"), (long)mst_num(&c, "handovermaxus"));
}
END_TEST

/* A releaser wakes a parked waiter before it lets go (so that a releaser that locks again
 * at once keeps the lock).  The woken waiter may find the lock still held and park again
 * before it is free; the releaser must then wake it again after letting go, or it sleeps
 * to the end of its wait (250 ms).  The slowrelease hook holds the releaser 20 ms between
 * the two, so the waiter does park again in between. */
START_TEST(test_waiter_parked_again_during_release_is_woken)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_start_hooked(&c, "slowrelease", name, "prewake");
    ck_assert_uint_eq(mst_finish(&c), 0);
    ck_assert_int_eq(mst_num(&c, "prewakeerr"), ERROR_SUCCESS);
    ck_assert_msg(mst_num(&c, "prewakeus") < 150000,
                  "the waiter got the released lock %ld us after the unlock returned: the "
                  "release did not wake it again", (long)mst_num(&c, "prewakeus"));
}
END_TEST

/* Two releases that each take a parked waiter off the count before either waiter is inside
 * its wait (each counted itself, then was preempted: the slowpark hook) must wake both.  An
 * auto-reset event holds one signal: the second waiter then slept to the end of its wait
 * (250 ms) with the lock free; the lock's semaphore holds one signal per release. */
START_TEST(test_two_releases_before_the_waits_wake_both)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_start_hooked(&c, "slowpark", name, "twopark");
    ck_assert_uint_eq(mst_finish(&c), 0);
    ck_assert_int_eq(mst_num(&c, "twoparkerr"), ERROR_SUCCESS);
    ck_assert_msg(mst_num(&c, "twoparkus") < 150000,
                  "the second waiter got the released lock %ld us after the last unlock: "
                  "one of the two wake-ups was lost", (long)mst_num(&c, "twoparkus"));
}
END_TEST

/* A waiter sleeps 1 ms at a time while the lock's count of acquisitions moves, and parks
 * only once it stops.  Another process can keep that count moving: the holder's liveness
 * is still checked by elapsed time, and a dead holder's lock taken over within a second. */
START_TEST(test_moving_count_does_not_hide_dead_owner)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child ender, next;
    mst_busy bumper;
    mst_gate_create(&gate);
    mst_start_held(&ender, name, &gate, "threadexit", "");      /* a dead owner */
    ck_assert_int_eq(mst_num(&ender, "tlock"), ERROR_SUCCESS);
    mst_busy_start(&bumper, NULL, name, "acqbump", "the count to start moving");
    mst_run(&next, name, "lock 3000 lockstate unlock");
    mst_busy_stop(&bumper);
    ck_assert_int_ge(mst_num(&bumper.child, "acqbumps"), 100000);     /* it did run */
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
}
END_TEST

Suite *suite_lock(void)
{
    Suite *s = suite_create("lock");
    TCase *tc = tcase_create("in the block");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_MemscopeLock_unlock);
    tcase_add_test(tc, test_MemscopeLock_excludes_other_process);
    tcase_add_test(tc, test_MemscopeLock_dead_owner);
    tcase_add_test(tc, test_exact_totals_under_contention);
    tcase_add_test(tc, test_unlock_wakes_parked_waiter_at_once);
    tcase_add_test(tc, test_waiter_parked_again_during_release_is_woken);
    tcase_add_test(tc, test_moving_count_does_not_hide_dead_owner);
    tcase_add_test(tc, test_two_releases_before_the_waits_wake_both);
    suite_add_tcase(s, tc);
    return s;
}
