/*
 * test_robust.c: the faults the block's lock, the seqlock text and the named-mutex baseline
 * must survive, and totals at scale: 8 processes x 10^6 increments under the lock, x 5 10^6
 * interlocked, all at once; 10^6 reads against a writer that never stops (0 torn, and the test-only
 * build without the sequence check does see tears, so the test can fail); a process that
 * calls ExitProcess while another of its threads holds the lock; a killed waiter; the named
 * mutex's WAIT_ABANDONED.  No test here is timed beyond "within a second" for a takeover.
 */
#include <stdio.h>

#include "mstest.h"

/* 8 processes run `how each` ("lockedinc" or "atomicinc") at once (mst_contend checks that
 * their loops overlapped), a held keeper keeping the block alive: the lock's total and the
 * counter must come out exactly as expected, the lock free and never abandoned.  The counts
 * make loops of tens of ms even for a process alone (an interlocked increment costs ~10 ns,
 * an uncontended locked one ~16 ns), long beside the ms by which the starts differ. */
static void totals(const char *how, long each, long long want_total, long long want_counter)
{
    enum { PROCS = 8 };
    char cmds[64];
    mst_child check;
    snprintf(cmds, sizeof cmds, "%s %ld", how, each);
    mst_contend(&check, PROCS, cmds, how);
    ck_assert_int_eq(mst_num(&check, "total"), want_total);
    ck_assert_int_eq(mst_num(&check, "counter"), want_counter);
    ck_assert_int_eq(mst_num(&check, "abandoned"), 0);
    ck_assert_int_eq(mst_num(&check, "owner"), 0);
}

START_TEST(test_locked_8x1000000_exact)
{
    totals("lockedinc", 1000000, 8LL * 1000000, 0);   /* the lock's total; counter untouched */
}
END_TEST

START_TEST(test_interlocked_8x5000000_exact)
{
    totals("atomicinc", 5000000, 0, 8LL * 5000000);   /* the counter; lock's total untouched */
}
END_TEST

/* A writer flips the text between 256 x 'A' and 256 x 'B' while a reader reads it 10^6
 * times.  hooks NULL: this build; else the test build with those hooks (testhooks.c). */
static void flip_and_read(const char *hooks, long reads, long changes, long long *torn,
                          long long *flips)
{
    const WCHAR *name = mst_new_name();
    mst_busy writer;
    mst_child reader;
    mst_busy_start(&writer, hooks, name, "flip", "the writer's first text");
    if (hooks == NULL)
        mst_start(&reader, name, "readtorn %ld %ld", reads, changes);
    else
        mst_start_hooked(&reader, hooks, name, "readtorn %ld %ld", reads, changes);
    DWORD rc = mst_finish(&reader);
    mst_busy_stop(&writer);
    ck_assert_uint_eq(rc, 0);
    ck_assert_int_eq(mst_num(&reader, "readerr"), ERROR_SUCCESS);
    ck_assert_int_ge(mst_num(&reader, "reads"), reads);
    /* The reads overlapped the writes: the reader saw the text change many times. */
    ck_assert_int_ge(mst_num(&reader, "changes"), changes);
    ck_assert_int_eq(mst_num(&writer.child, "fliperr"), ERROR_SUCCESS);
    *torn = mst_num(&reader, "torn");
    *flips = mst_num(&writer.child, "flips");
}

START_TEST(test_seqlock_no_torn_read)
{
    long long torn, flips;
    flip_and_read(NULL, 1000000, 10000, &torn, &flips);
    ck_assert_int_gt(flips, 0);
    ck_assert_int_eq(torn, 0);
}
END_TEST

/* The same with a reader whose copy spans many writes (it sleeps every 64 WCHARs): still
 * no tear. */
START_TEST(test_seqlock_slow_reader_no_torn_read)
{
    long long torn, flips;
    flip_and_read("slowread", 50, 10, &torn, &flips);
    ck_assert_int_gt(flips, 0);
    ck_assert_int_eq(torn, 0);
}
END_TEST

/* The control: the same run with readers that skip the consistency re-check and copy
 * slowly (the test build's hooks).  If this saw no tear, the test above would prove
 * nothing. */
START_TEST(test_seqlock_off_sees_tears)
{
    long long torn, flips;
    flip_and_read("noseqcheck,slowread", 50, 10, &torn, &flips);
    ck_assert_int_gt(flips, 0);
    ck_assert_msg(torn > 0, "no torn read without the sequence check (%ld flips)",
                  (long)flips);
}
END_TEST

/* A process calls ExitProcess while its second thread holds the lock: it exits (its
 * DLL_PROCESS_DETACH takes no lock), and the next locker takes the lock over within a
 * second, told it was abandoned. */
START_TEST(test_exitprocess_while_holding)
{
    const WCHAR *name = mst_new_name();
    char held[64];
    HANDLE eheld = mst_new_event(held, sizeof held);
    mst_gate gate;
    mst_child keeper, quitter, next;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");
    mst_start(&quitter, name, "holdexit %s 7", held);
    mst_wait_event(eheld, "the quitter's thread to hold the lock");
    ck_assert_uint_eq(mst_finish(&quitter), 7);        /* it exited: no hang at detach */
    ck_assert_int_eq(mst_num(&quitter, "holderlock"), ERROR_SUCCESS);
    mst_run(&next, name, "lock 5000 lockstate unlock info");
    mst_gate_finish(&gate);
    mst_assert_took_over(&next);
    ck_assert_int_eq(mst_num(&next, "unlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&next, "attached"), 2);   /* its slot was freed at detach */
    CloseHandle(eheld);
}
END_TEST

/* A waiter killed while it waits must not leave the lock marked as contended for ever
 * (every later unlock would then pay a SetEvent, a wineserver round trip). */
START_TEST(test_killed_waiter_leaves_no_trace)
{
    const WCHAR *name = mst_new_name();
    char ready[64];
    HANDLE ev = mst_new_event(ready, sizeof ready);
    mst_gate gate;
    mst_child holder, waiter, after;
    mst_gate_create(&gate);
    mst_start_held(&holder, name, &gate, "lock 1000", "unlock lockstate");
    mst_start(&waiter, name, "ready %s lock 60000", ready);   /* not held: it goes on to wait */
    mst_wait_event(ev, "the waiter");
    /* The waiter marks the lock contended before it sleeps: wait until it did. */
    for (int k = 0; k < 100; k++) {
        mst_run(&after, name, "lockstate");
        if (mst_num(&after, "waiters") != 0)
            break;
    }
    ck_assert_int_ne(mst_num(&after, "waiters"), 0);
    mst_kill(&waiter);
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&holder, "unlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&holder, "waiters"), 0);
    CloseHandle(ev);
}
END_TEST

/* The named-mutex baseline: exclusion, and WAIT_ABANDONED reported as
 * ERROR_ABANDONED_WAIT_0 when its holder is killed. */
START_TEST(test_mutex_abandoned)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, holder, blocked, next;
    mst_gate_create(&gate);
    /* The keeper opens the mutex (a process opens it at its first call; an unlock it does
     * not hold is refused and changes nothing), so the mutex outlives its holder. */
    mst_start_held(&keeper, name, &gate, "munlock", "");
    mst_start_held(&holder, name, &gate, "mlock 1000", "");
    mst_run(&blocked, name, "mlock 200 munlock");
    mst_kill(&holder);
    mst_run(&next, name, "mlock 5000 munlock");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&blocked, "mlock"), ERROR_TIMEOUT);
    ck_assert_int_eq(mst_num(&blocked, "munlock"), ERROR_NOT_OWNER);
    ck_assert_msg(mst_num(&next, "mlock") == ERROR_ABANDONED_WAIT_0, "holder:\n%s\nblocked:\n%s\nnext:\n%s", holder.text, blocked.text, next.text);
    ck_assert_int_le(mst_num(&next, "mlockms"), 1000);
    ck_assert_int_eq(mst_num(&next, "munlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&keeper, "munlock"), ERROR_NOT_OWNER);
}
END_TEST

/* The named mutex's own weakness, shown, not hidden: when its holder is killed while no
 * other process has it open, the kernel object dies with the last handle, and the next
 * process creates a fresh, free mutex: no WAIT_ABANDONED, though the data it guarded may be
 * half written.  The block's own lock (test_lock.c: test_MemscopeLock_dead_owner) reports
 * the same death, because its owner word lives in the block. */
START_TEST(test_mutex_abandoned_state_dies_with_last_handle)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, holder, next;
    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "", "");          /* keeps the block, not the mutex */
    mst_start_held(&holder, name, &gate, "mlock 1000", "");
    mst_kill(&holder);
    mst_run(&next, name, "mlock 5000 munlock");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&holder, "mlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&next, "mlock"), ERROR_SUCCESS);   /* not ERROR_ABANDONED_WAIT_0 */
    ck_assert_int_eq(mst_num(&next, "munlock"), ERROR_SUCCESS);
}
END_TEST

Suite *suite_robust(void)
{
    Suite *s = suite_create("robustness");
    TCase *tc = tcase_create("faults and scale");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_locked_8x1000000_exact);
    tcase_add_test(tc, test_interlocked_8x5000000_exact);
    tcase_add_test(tc, test_seqlock_no_torn_read);
    tcase_add_test(tc, test_seqlock_slow_reader_no_torn_read);
    tcase_add_test(tc, test_seqlock_off_sees_tears);
    tcase_add_test(tc, test_exitprocess_while_holding);
    tcase_add_test(tc, test_killed_waiter_leaves_no_trace);
    tcase_add_test(tc, test_mutex_abandoned);
    tcase_add_test(tc, test_mutex_abandoned_state_dies_with_last_handle);
    suite_add_tcase(s, tc);
    return s;
}
