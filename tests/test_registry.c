/*
 * test_registry.c: one slot per attached process; slots of processes killed with
 * TerminateProcess (no DLL_PROCESS_DETACH) are reclaimed; a full table is an error, not a
 * crash, and the count stays right.
 */
#include <stdio.h>
#include <string.h>

#include "mstest.h"

static BOOL list_has(const char *list, DWORD pid)
{
    char want[16];
    snprintf(want, sizeof want, "%lu", (unsigned long)pid);
    if (list == NULL)
        return FALSE;
    for (const char *p = list; *p; p++) {       /* one comma-separated entry a turn */
        size_t n = strcspn(p, ",");
        if (n == strlen(want) && strncmp(p, want, n) == 0)
            return TRUE;
        p += n;
        if (*p == 0)
            break;
    }
    return FALSE;
}

START_TEST(test_attached_count_and_list)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child a, b, c;
    mst_gate_create(&gate);
    mst_start_held(&a, name, &gate, "", "");
    mst_start_held(&b, name, &gate, "", "");
    mst_run(&c, name, "info list");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&c, "attached"), 3);
    const char *list = mst_str(&c, "list");
    ck_assert_msg(list_has(list, a.pid) && list_has(list, b.pid) && list_has(list, c.pid),
                  "list %s lacks one of %lu %lu %lu", list, a.pid, b.pid, c.pid);
}
END_TEST

START_TEST(test_killed_process_slot_reclaimed)
{
    const WCHAR *name = mst_new_name();
    mst_gate gate;
    mst_child keeper, victim, after;
    mst_gate_create(&gate);
    /* The keeper keeps the block alive, so the victim's slot outlives the victim. */
    mst_start_held(&keeper, name, &gate, "", "");
    mst_start_held(&victim, name, &gate, "info", "");
    DWORD victim_pid = victim.pid;
    mst_kill(&victim);                    /* TerminateProcess: no DLL_PROCESS_DETACH */
    mst_run(&after, name, "info list");
    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&after, "attached"), 2);  /* the keeper and itself */
    ck_assert_msg(!list_has(mst_str(&after, "list"), victim_pid),
                  "the killed process %lu is still listed", (unsigned long)victim_pid);
}
END_TEST

/* Every slot taken by a live process (this one, forged in a block it lays out itself): the
 * next process attaches, uses the block, and says why it is not listed. */
START_TEST(test_full_registry)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    FILETIME created, exited, kernel, user;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                  MEMSCOPE_BLOCK_SIZE, name);
    ck_assert_ptr_nonnull(h);
    MEMSCOPE_BLOCK *b = MapViewOfFile(h, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ck_assert_ptr_nonnull(b);
    ck_assert(GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user));
    uint64_t ct = ((uint64_t)created.dwHighDateTime << 32) | created.dwLowDateTime;
    b->header.version = MEMSCOPE_LAYOUT_VERSION;
    b->header.size = MEMSCOPE_BLOCK_SIZE;
    b->header.creator_pid = GetCurrentProcessId();
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++) {
        b->slots[i].owner = (int64_t)MEMSCOPE_OWNER(GetCurrentProcessId(), MEMSCOPE_TIME_TAG(ct));
        b->slots[i].pid = GetCurrentProcessId();
        b->slots[i].create_time = ct;
        b->slots[i].state = MEMSCOPE_SLOT_READY;
    }
    b->header.magic = MEMSCOPE_MAGIC;
    mst_run(&c, name, "info set still-usable");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "registration"), ERROR_DATABASE_FULL);
    ck_assert_int_eq(mst_num(&c, "slot"), -1);
    ck_assert_int_eq(mst_num(&c, "attached"), MEMSCOPE_SLOTS);
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_SUCCESS);
    for (DWORD i = 0; i < MEMSCOPE_SLOTS; i++)       /* no live slot was taken over */
        ck_assert_uint_eq(b->slots[i].pid, GetCurrentProcessId());
    UnmapViewOfFile(b);
    CloseHandle(h);
}
END_TEST

/* DLL_PROCESS_DETACH frees the slot at once: the count drops while the process that
 * unloaded the DLL is still alive (so no reclaim of dead owners can have freed it).  A copy
 * of the DLL under another file name is loaded and unloaded beside the statically imported
 * one, which keeps its own slot. */
START_TEST(test_freelibrary_frees_slot_at_once)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    mst_run(&c, name, "dynattach dynfree");
    ck_assert_int_eq(mst_num(&c, "dynattached"), 2);   /* the static copy and the dynamic */
    ck_assert_int_eq(mst_num(&c, "dynfreed"), 1);
    ck_assert_int_eq(mst_num(&c, "afterfree"), 1);
}
END_TEST

Suite *suite_registry(void)
{
    Suite *s = suite_create("registry");
    TCase *tc = tcase_create("slots");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_attached_count_and_list);
    tcase_add_test(tc, test_killed_process_slot_reclaimed);
    tcase_add_test(tc, test_full_registry);
    tcase_add_test(tc, test_freelibrary_frees_slot_at_once);
    suite_add_tcase(s, tc);
    return s;
}
