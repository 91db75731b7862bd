/*
 * test_block.c: a foreign block under our name.  This test process plays the squatter: it
 * creates the mapping first, with content (and a descriptor) of its own, or takes the name
 * with another kind of object; a child then loads memscope.dll on that name.  The child
 * must load, report the documented error from every accessor, and leave every byte as it
 * was.  The lock semaphore's name ("<name>.lock") is squatted too: that degrades the lock to
 * polling, it does not refuse the block (dll/lock.c says why).
 */
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
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

/* SECURITY_ATTRIBUTES from SDDL (LocalFree sa->lpSecurityDescriptor), or NULL security. */
static SECURITY_ATTRIBUTES *sddl_attributes(SECURITY_ATTRIBUTES *sa, const WCHAR *sddl)
{
    if (sddl == NULL)
        return NULL;
    sa->nLength = sizeof *sa;
    sa->bInheritHandle = FALSE;
    ck_assert_msg(ConvertStringSecurityDescriptorToSecurityDescriptorW(
                      sddl, SDDL_REVISION_1, &sa->lpSecurityDescriptor, NULL),
                  "ConvertStringSecurityDescriptorToSecurityDescriptorW(%ls): %lu", sddl,
                  GetLastError());
    return sa;
}

/* Creates a mapping of size bytes under a new name, zero-filled, with the descriptor of
 * sddl (NULL: default security).  Returns the creation's error (ERROR_SUCCESS: created and
 * mapped); the caller decides whether a failure is a skip. */
static DWORD squat_create_sd(squat *s, DWORD size, const WCHAR *sddl)
{
    SECURITY_ATTRIBUTES sa;
    SECURITY_ATTRIBUTES *psa = sddl_attributes(&sa, sddl);
    s->name = mst_new_name();
    s->size = size;
    s->mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, psa, PAGE_READWRITE, 0, size,
                                    s->name);
    DWORD err = s->mapping == NULL ? GetLastError() : ERROR_SUCCESS;
    if (psa != NULL)
        LocalFree(psa->lpSecurityDescriptor);
    if (err != ERROR_SUCCESS)
        return err;
    /* The creator's handle has every right it asked for, whatever the DACL says. */
    s->view = MapViewOfFile(s->mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    ck_assert_msg(s->view != NULL, "MapViewOfFile: %lu", GetLastError());
    return ERROR_SUCCESS;
}

static void squat_create(squat *s, DWORD size)
{
    DWORD err = squat_create_sd(s, size, NULL);
    ck_assert_msg(err == ERROR_SUCCESS, "CreateFileMappingW: %lu", (unsigned long)err);
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

/* squat_create + squat_valid_header: a section of size bytes laid out as memscope would,
 * for a test to spoil one field of. */
static void squat_laid_out(squat *s, DWORD size)
{
    squat_create(s, size);
    squat_valid_header(s);
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
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_HEADER *)s.view)->magic = 0x4B4E554A;   /* "JUNK" */
    memset(s.view + 64, 0xA5, 256);                      /* someone else's content... */
    ((MEMSCOPE_BLOCK *)s.view)->texts[0].len = 0;        /* ...that passes every other check:
                                                            refused for the magic alone */
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

START_TEST(test_refuse_wrong_version)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_HEADER *)s.view)->version = MEMSCOPE_LAYOUT_VERSION + 1;
    expect_refused(&s, ERROR_REVISION_MISMATCH);
}
END_TEST

/* A section smaller than ours whose header claims our size: the real size decides. */
START_TEST(test_refuse_small_section)
{
    squat s;
    squat_laid_out(&s, 4096);
    expect_refused(&s, ERROR_BAD_LENGTH);
}
END_TEST

START_TEST(test_refuse_wrong_size_field)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_HEADER *)s.view)->size = MEMSCOPE_BLOCK_SIZE / 2;
    expect_refused(&s, ERROR_BAD_LENGTH);
}
END_TEST

START_TEST(test_refuse_huge_text_length)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_BLOCK *)s.view)->texts[0].len = 0x7FFFFFFF;
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

/* The buffer that is not published is checked too: the next writer would publish it. */
START_TEST(test_refuse_huge_text_length_second_buffer)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_BLOCK *)s.view)->texts[1].len = 0x7FFFFFFF;
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

/* Forged lengths: the header claims a 4 GiB block. */
START_TEST(test_refuse_huge_size_field)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_HEADER *)s.view)->size = 0xFFFFFFFFu;
    ((MEMSCOPE_BLOCK *)s.view)->texts[0].len = 0xFFFFFFFFu;
    expect_refused(&s, ERROR_BAD_LENGTH);
}
END_TEST

/* A text length one past the maximum: the boundary, not just an absurd value. */
START_TEST(test_refuse_text_length_one_past)
{
    squat s;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    ((MEMSCOPE_BLOCK *)s.view)->texts[1].len = MEMSCOPE_TEXT_MAX + 1;
    expect_refused(&s, ERROR_INVALID_DATA);
}
END_TEST

/* The boundary from the other side: a block holding a full-length text in both buffers is
 * valid, and the text is read back whole. */
START_TEST(test_accept_full_length_text)
{
    squat s;
    mst_child c;
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    MEMSCOPE_BLOCK *b = (MEMSCOPE_BLOCK *)s.view;
    for (int k = 0; k < 2; k++) {
        for (DWORD i = 0; i < MEMSCOPE_TEXT_MAX; i++)
            b->texts[k].text[i] = (uint16_t)(k == 0 ? 'F' : 'G');
        b->texts[k].text[MEMSCOPE_TEXT_MAX] = 0;
        b->texts[k].len = MEMSCOPE_TEXT_MAX;
    }
    mst_run(&c, s.name, "info get");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "get"), ERROR_SUCCESS);
    const char *text = mst_val(&c, "text");
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq((long)strcspn(text, "\r\n"), MEMSCOPE_TEXT_MAX);
    ck_assert_int_eq((long)strspn(text, "F"), MEMSCOPE_TEXT_MAX);
    UnmapViewOfFile(s.view);
    CloseHandle(s.mapping);
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

/* Magic still 0 when the opener attaches, published 300 ms later: a creator that is
 * slow, not dead.  The opener's first call waits for it (up to 2 s) and uses the block. */
START_TEST(test_accept_late_publish)
{
    squat s;
    char ready[64];
    HANDLE ev = mst_new_event(ready, sizeof ready);
    mst_child c;
    squat_create(&s, MEMSCOPE_BLOCK_SIZE);
    mst_start(&c, s.name, "ready %s info set published-late get", ready);
    mst_wait_event(ev, "the child to attach");     /* DllMain ran: it saw magic 0 */
    Sleep(300);
    MEMSCOPE_HEADER *h = (MEMSCOPE_HEADER *)s.view;
    h->version = MEMSCOPE_LAYOUT_VERSION;
    h->size = MEMSCOPE_BLOCK_SIZE;
    h->creator_pid = GetCurrentProcessId();
    InterlockedExchange((volatile LONG *)&h->magic, (LONG)MEMSCOPE_MAGIC);   /* last */
    ck_assert_msg(mst_finish(&c) == 0, "child exited with %lu; output:\n%s",
                  (unsigned long)c.exit_code, c.text);
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "creator"), GetCurrentProcessId());
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_SUCCESS);
    ck_assert_str_eq(mst_str(&c, "text"), "published-late");
    CloseHandle(ev);
    UnmapViewOfFile(s.view);
    CloseHandle(s.mapping);
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

/* The name belongs to an event: the same refusal as for a mutex. */
START_TEST(test_refuse_name_taken_by_event)
{
    const WCHAR *name = mst_new_name();
    mst_child c;
    HANDLE e = CreateEventW(NULL, TRUE, FALSE, name);
    ck_assert_ptr_nonnull(e);
    mst_run(&c, name, "info allcalls");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_INVALID_HANDLE);
    ck_assert_int_eq(mst_num(&c, "r_MemscopeSetText"), ERROR_INVALID_HANDLE);
    ck_assert_int_eq(mst_num(&c, "r_MemscopeLock"), ERROR_INVALID_HANDLE);
    ck_assert_uint_eq(WaitForSingleObject(e, 0), WAIT_TIMEOUT);   /* nobody signalled it */
    CloseHandle(e);
}
END_TEST

/* A block laid out right, but whose DACL grants everyone read only: memscope maps
 * read-write or not at all, so the open is denied (Wine enforces DACLs too). */
START_TEST(test_refuse_read_only_dacl)
{
    squat s;
    DWORD err = squat_create_sd(&s, MEMSCOPE_BLOCK_SIZE, L"D:P(A;;GR;;;WD)");
    ck_assert_msg(err == ERROR_SUCCESS, "CreateFileMappingW(read-only DACL): %lu",
                  (unsigned long)err);
    squat_valid_header(&s);
    expect_refused(&s, ERROR_ACCESS_DENIED);
}
END_TEST

/* A block laid out right and open to everyone, but owned by someone other than this user
 * (here BUILTIN\Administrators, which an elevated process may assign): refused on the
 * owner alone.  Registered only where the platform lets the squatter assign that owner and
 * reports it (foreign_owner_unsupported); here any failure to do so fails the test. */
START_TEST(test_refuse_foreign_owner)
{
    squat s;
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD cb = sizeof admins;

    DWORD err = squat_create_sd(&s, MEMSCOPE_BLOCK_SIZE, L"O:BAD:P(A;;GA;;;WD)");
    ck_assert_msg(err == ERROR_SUCCESS, "CreateFileMappingW(owner BUILTIN\\Administrators): "
                  "%lu", (unsigned long)err);
    ck_assert(CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &cb));
    err = GetSecurityInfo(s.mapping, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner,
                          NULL, NULL, NULL, &sd);
    ck_assert_msg(err == ERROR_SUCCESS, "GetSecurityInfo: %lu", (unsigned long)err);
    BOOL assigned = owner != NULL && EqualSid(owner, admins);
    LocalFree(sd);
    ck_assert_msg(assigned, "the squatter's mapping is not owned by BUILTIN\\Administrators");
    squat_valid_header(&s);
    expect_refused(&s, ERROR_INVALID_OWNER);
}
END_TEST

/* The lock semaphore's name squatted: by a mutex, by a semaphore another owner holds, by a
 * semaphore whose DACL keeps us out.  The block is still used; a waiter, which opens the event at its
 * first wait, polls instead, still excluded (its lock times out while a holder keeps it),
 * the status text says why, and the lock works on once the holder lets go. */
static void expect_lock_degraded(const WCHAR *name, const char *why)
{
    mst_gate gate;
    mst_child holder, waiter, after;
    mst_gate_create(&gate);
    mst_start_held(&holder, name, &gate, "lock 1000", "unlock");
    mst_run(&waiter, name, "info lock 200 lockstate statustext");
    mst_gate_finish(&gate);
    mst_run(&after, name, "lockedinc 3 lockstate");
    ck_assert_int_eq(mst_num(&holder, "lock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&holder, "unlock"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&waiter, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&waiter, "lock"), ERROR_TIMEOUT);
    ck_assert_int_eq(mst_num(&waiter, "owner"), holder.pid);
    ck_assert_int_eq(mst_num(&after, "lockedinc"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&after, "total"), 3);
    const char *text = mst_str(&waiter, "statustext");
    ck_assert_msg(strstr(text, "lock semaphore") != NULL && strstr(text, "poll") != NULL &&
                  strstr(text, why) != NULL, "status text does not say the lock polls "
                  "because of '%s': %s", why, text);
}

static const WCHAR *lock_name(const WCHAR *name)
{
    static WCHAR lock[MEMSCOPE_NAME_MAX + 8];
    swprintf(lock, ARRAYSIZE(lock), L"%ls.lock", name);
    return lock;
}

START_TEST(test_lock_name_taken_by_mutex)
{
    const WCHAR *name = mst_new_name();
    HANDLE m = CreateMutexW(NULL, FALSE, lock_name(name));
    ck_assert_ptr_nonnull(m);
    expect_lock_degraded(name, ", 6)");                /* ERROR_INVALID_HANDLE */
    CloseHandle(m);
}
END_TEST

START_TEST(test_lock_semaphore_read_only_dacl)
{
    const WCHAR *name = mst_new_name();
    SECURITY_ATTRIBUTES sa;
    HANDLE e = CreateSemaphoreW(sddl_attributes(&sa, L"D:P(A;;GR;;;WD)"), 0, 1,
                                lock_name(name));
    LocalFree(sa.lpSecurityDescriptor);
    ck_assert_ptr_nonnull(e);
    expect_lock_degraded(name, ", 5)");                /* ERROR_ACCESS_DENIED */
    CloseHandle(e);
}
END_TEST

START_TEST(test_lock_semaphore_foreign_owner)
{
    const WCHAR *name = mst_new_name();
    SECURITY_ATTRIBUTES sa;
    HANDLE e = CreateSemaphoreW(sddl_attributes(&sa, L"O:BAD:P(A;;GA;;;WD)"), 0, 1,
                            lock_name(name));
    DWORD err = GetLastError();
    LocalFree(sa.lpSecurityDescriptor);
    ck_assert_msg(e != NULL, "CreateSemaphoreW(owner BUILTIN\\Administrators): %lu",
                  (unsigned long)err);
    expect_lock_degraded(name, "owner is not this user");
    CloseHandle(e);
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
    squat_laid_out(&s, MEMSCOPE_BLOCK_SIZE);
    mst_run(&c, s.name, "info set accepted");
    ck_assert_int_eq(mst_num(&c, "status"), ERROR_SUCCESS);
    ck_assert_int_eq(mst_num(&c, "created"), 0);
    ck_assert_int_eq(mst_num(&c, "creator"), GetCurrentProcessId());
    ck_assert_int_eq(mst_num(&c, "set"), ERROR_SUCCESS);
    const MEMSCOPE_BLOCK *b = (const MEMSCOPE_BLOCK *)s.view;
    ck_assert_uint_eq(b->texts[b->text_pub & 1].len, 8);
    UnmapViewOfFile(s.view);
    CloseHandle(s.mapping);
}
END_TEST

/* Whether this platform lets a process create a mapping (event: an event) owned by
 * BUILTIN\Administrators, as an elevated squatter may, and reports that owner back: NULL
 * if it does, else why not.  Runs while the suite registers its tests, outside any test:
 * no Check assertion here. */
static const char *foreign_owner_unsupported(BOOL event)
{
    static char why[200];
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, FALSE };
    BYTE admins[SECURITY_MAX_SID_SIZE];
    DWORD cb = sizeof admins, err;
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    const char *what = event ? "an event" : "a mapping";

    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            L"O:BAD:P(A;;GA;;;WD)", SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL) ||
        !CreateWellKnownSid(WinBuiltinAdministratorsSid, NULL, admins, &cb)) {
        snprintf(why, sizeof why, "building the descriptor O:BA failed: %lu", GetLastError());
        return why;
    }
    HANDLE h = event ? CreateEventW(&sa, FALSE, FALSE, mst_new_name())
                     : CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE, 0, 4096,
                                          mst_new_name());
    err = GetLastError();
    LocalFree(sa.lpSecurityDescriptor);
    if (h == NULL) {
        snprintf(why, sizeof why, "this process may not make BUILTIN\\Administrators the "
                 "owner of %s (%lu)", what, (unsigned long)err);
        return why;
    }
    err = GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL,
                          NULL, &sd);
    BOOL assigned = err == ERROR_SUCCESS && owner != NULL && EqualSid(owner, admins);
    LocalFree(sd);
    if (!CloseHandle(h))
        fprintf(stderr, "foreign_owner_unsupported: CloseHandle: %lu\n", GetLastError());
    if (!assigned) {
        snprintf(why, sizeof why, "the platform did not record the owner asked for on %s "
                 "(GetSecurityInfo: %lu)", what, (unsigned long)err);
        return why;
    }
    return NULL;
}

Suite *suite_block(void)
{
    const char *why;
    Suite *s = suite_create("foreign block");
    TCase *tc = tcase_create("refused, untouched");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_refuse_wrong_magic);
    tcase_add_test(tc, test_refuse_wrong_version);
    tcase_add_test(tc, test_refuse_small_section);
    tcase_add_test(tc, test_refuse_wrong_size_field);
    tcase_add_test(tc, test_refuse_huge_text_length);
    tcase_add_test(tc, test_refuse_huge_text_length_second_buffer);
    tcase_add_test(tc, test_accept_full_length_text);
    tcase_add_test(tc, test_refuse_huge_size_field);
    tcase_add_test(tc, test_refuse_text_length_one_past);
    tcase_add_test(tc, test_refuse_unpublished);
    tcase_add_test(tc, test_accept_late_publish);
    tcase_add_test(tc, test_refuse_name_taken_by_mutex);
    tcase_add_test(tc, test_refuse_name_taken_by_event);
    tcase_add_test(tc, test_refuse_read_only_dacl);
    if ((why = foreign_owner_unsupported(FALSE)) == NULL)
        tcase_add_test(tc, test_refuse_foreign_owner);
    else
        mst_skip_test(tc, test_refuse_foreign_owner, "%s: the owner check is not shown", why);
    tcase_add_test(tc, test_lock_name_taken_by_mutex);
    tcase_add_test(tc, test_lock_semaphore_read_only_dacl);
    if ((why = foreign_owner_unsupported(TRUE)) == NULL)
        tcase_add_test(tc, test_lock_semaphore_foreign_owner);
    else
        mst_skip_test(tc, test_lock_semaphore_foreign_owner, "%s", why);
    tcase_add_test(tc, test_refuse_name_too_long);
    tcase_add_test(tc, test_accept_valid_foreign_block);
    suite_add_tcase(s, tc);
    return s;
}
