/*
 * test_lock.c: the block's lock: exclusion across processes, a holder killed while holding
 * it, and exact totals under contention.
 */
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
    char ready[64], go[64];
    HANDLE ev = mst_new_event(ready, sizeof ready), ego = mst_new_event(go, sizeof go);
    mst_child a, b, c;
    mst_start(&a, name, "lock 1000 ready %s wait %s unlock", ready, go);
    mst_wait_event(ev, "child A to lock");
    mst_run(&b, name, "lock 300 lockstate");
    SetEvent(ego);
    ck_assert_uint_eq(mst_finish(&a), 0);
    mst_run(&c, name, "lock 1000");
    ck_assert_int_eq(mst_num(&a, "lock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&a, "unlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&b, "lock"), ERROR_TIMEOUT);
    ck_assert_int_eq(mst_num(&b, "owner"), a.pid);
    ck_assert_int_eq(mst_num(&c, "lock"), ERROR_SUCCESS);
    CloseHandle(ev);
    CloseHandle(ego);
}
END_TEST

/* The holder is killed with TerminateProcess: the next locker takes the lock over within a
 * second and is told it was abandoned. */
START_TEST(test_MemscopeLock_dead_owner)
{
    const WCHAR *name = mst_new_name();
    char r1[64], r2[64], go[64];
    HANDLE e1 = mst_new_event(r1, sizeof r1), e2 = mst_new_event(r2, sizeof r2);
    HANDLE ego = mst_new_event(go, sizeof go);
    mst_child keeper, holder, next;
    mst_start(&keeper, name, "ready %s wait %s", r1, go);   /* keeps the block alive */
    mst_wait_event(e1, "the keeper");
    mst_start(&holder, name, "set before-the-crash lock 1000 ready %s wait %s", r2, go);
    mst_wait_event(e2, "the holder to lock");
    mst_kill(&holder);
    mst_run(&next, name, "lock 1000 lockstate get unlock");
    SetEvent(ego);
    ck_assert_uint_eq(mst_finish(&keeper), 0);
    ck_assert_int_eq(mst_num(&next, "lock"), ERROR_ABANDONED_WAIT_0);
    ck_assert_int_le(mst_num(&next, "lockms"), 1000);
    ck_assert_int_eq(mst_num(&next, "owner"), next.pid);
    ck_assert_int_eq(mst_num(&next, "abandoned"), 1);
    ck_assert_str_eq(mst_str(&next, "text"), "before-the-crash");   /* invariants hold */
    ck_assert_int_eq(mst_num(&next, "unlock"), ERROR_SUCCESS);
    CloseHandle(e1);
    CloseHandle(e2);
    CloseHandle(ego);
}
END_TEST

/* Several processes increment under the lock, and atomically: no update is lost. */
START_TEST(test_exact_totals_under_contention)
{
    enum { PROCS = 4, EACH = 5000 };
    const WCHAR *name = mst_new_name();
    char ready[64], go[64];
    HANDLE ev = mst_new_event(ready, sizeof ready), ego = mst_new_event(go, sizeof go);
    mst_child keeper, w[PROCS], check;
    mst_start(&keeper, name, "ready %s wait %s", ready, go);
    mst_wait_event(ev, "the keeper");
    for (int i = 0; i < PROCS; i++)
        mst_start(&w[i], name, "lockedinc %d atomicinc %d", EACH, EACH);
    for (int i = 0; i < PROCS; i++) {
        ck_assert_uint_eq(mst_finish(&w[i]), 0);
        ck_assert_int_eq(mst_num(&w[i], "lockedinc"), ERROR_SUCCESS);
    }
    mst_run(&check, name, "lockstate counter");
    SetEvent(ego);
    ck_assert_uint_eq(mst_finish(&keeper), 0);
    ck_assert_int_eq(mst_num(&check, "total"), (long long)PROCS * EACH);
    ck_assert_int_eq(mst_num(&check, "counter"), (long long)PROCS * EACH);
    ck_assert_int_eq(mst_num(&check, "abandoned"), 0);
    CloseHandle(ev);
    CloseHandle(ego);
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
    suite_add_tcase(s, tc);
    return s;
}
