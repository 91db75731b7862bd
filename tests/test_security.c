/*
 * test_security.c: the descriptor memscope creates its named objects with, read back the
 * way any program would (GetSecurityInfo): owner this user, a protected DACL of exactly two
 * entries granting all rights of the object type to this user and to LocalSystem.
 *
 * A child creates the block and holds it; this process inspects the objects by name.
 * Where the platform does not implement GetSecurityInfo for kernel objects, the descriptor
 * test is not registered: the driver reports it as skipped, with the reason.
 */
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>

#include "mstest.h"

static BYTE g_user[SECURITY_MAX_SID_SIZE];

static PSID user_sid(void)
{
    HANDLE token;
    union {
        TOKEN_USER tu;
        /* cppcheck-suppress unusedStructMember ; it sizes the union: TOKEN_USER + its SID */
        BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } info;
    DWORD got;
    ck_assert_msg(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token),
                  "OpenProcessToken: %lu", GetLastError());
    ck_assert_msg(GetTokenInformation(token, TokenUser, &info, sizeof info, &got),
                  "GetTokenInformation: %lu", GetLastError());
    ck_assert(CopySid(sizeof g_user, (PSID)g_user, info.tu.User.Sid));
    CloseHandle(token);
    return (PSID)g_user;
}

static char *sid_text(PSID sid)
{
    static char s[4][200];
    static int next;
    char *out = s[next++ % 4];
    LPSTR str = NULL;
    if (sid != NULL && ConvertSidToStringSidA(sid, &str)) {
        snprintf(out, sizeof s[0], "%s", str);
        LocalFree(str);
    } else {
        snprintf(out, sizeof s[0], "(none)");
    }
    return out;
}

/* Checks the descriptor of h. */
static void check_descriptor(HANDLE h, const char *what, DWORD access)
{
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_DESCRIPTOR_CONTROL control;
    DWORD revision;
    BYTE system_buf[SECURITY_MAX_SID_SIZE];
    DWORD cb = sizeof system_buf;
    PSID me = user_sid();
    BOOL saw_me = FALSE, saw_system = FALSE;

    DWORD err = GetSecurityInfo(h, SE_KERNEL_OBJECT,
                                OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                &owner, NULL, &dacl, NULL, &sd);
    ck_assert_msg(err == ERROR_SUCCESS, "GetSecurityInfo(%s): %lu", what, (unsigned long)err);
    ck_assert(CreateWellKnownSid(WinLocalSystemSid, NULL, system_buf, &cb));

    ck_assert_msg(owner != NULL && EqualSid(owner, me), "%s owner is %s, not this user %s",
                  what, sid_text(owner), sid_text(me));
    ck_assert_msg(dacl != NULL, "%s has a NULL DACL (everyone may do anything)", what);
    ck_assert(GetSecurityDescriptorControl(sd, &control, &revision));
    ck_assert_msg(control & SE_DACL_PROTECTED, "%s DACL is not protected", what);
    ck_assert_msg(dacl->AceCount == 2, "%s DACL has %u entries, not 2", what, dacl->AceCount);
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACCESS_ALLOWED_ACE *ace;
        ck_assert(GetAce(dacl, i, (void **)&ace));
        ck_assert_msg(ace->Header.AceType == ACCESS_ALLOWED_ACE_TYPE,
                      "%s entry %lu is of type %u, not allow", what, i, ace->Header.AceType);
        ck_assert_msg(ace->Mask == access, "%s entry %lu grants 0x%lx, not 0x%lx", what, i,
                      (unsigned long)ace->Mask, (unsigned long)access);
        PSID sid = (PSID)&ace->SidStart;
        if (EqualSid(sid, me))
            saw_me = TRUE;
        else if (EqualSid(sid, (PSID)system_buf))
            saw_system = TRUE;
        else
            ck_abort_msg("%s entry %lu grants %s, neither this user nor SYSTEM", what, i,
                         sid_text(sid));
    }
    ck_assert_msg(saw_me && saw_system, "%s DACL lacks this user or SYSTEM", what);
    LocalFree(sd);
}

START_TEST(test_descriptor_user_and_system_only)
{
    const WCHAR *name = mst_new_name();
    WCHAR lock[MEMSCOPE_NAME_MAX + 8];
    mst_gate gate;
    mst_child keeper, waiter;

    mst_gate_create(&gate);
    mst_start_held(&keeper, name, &gate, "info lock 1000", "");   /* it creates the block */
    /* The lock's semaphore is opened at a waiter's first wait: this one times out, and holds
     * its handle while it is held at the gate. */
    mst_start_held(&waiter, name, &gate, "lock 100", "");
    HANDLE map = OpenFileMappingW(READ_CONTROL, FALSE, name);
    ck_assert_msg(map != NULL, "OpenFileMappingW: %lu", GetLastError());
    swprintf(lock, ARRAYSIZE(lock), L"%ls.lock", name);
    HANDLE lev = OpenSemaphoreW(READ_CONTROL, FALSE, lock);
    ck_assert_msg(lev != NULL, "OpenSemaphoreW(.lock): %lu", GetLastError());

    check_descriptor(map, "mapping", SECTION_ALL_ACCESS);
    check_descriptor(lev, "lock semaphore", SEMAPHORE_ALL_ACCESS);

    mst_gate_finish(&gate);
    ck_assert_int_eq(mst_num(&keeper, "created"), 1);
    CloseHandle(map);
    CloseHandle(lev);
}
END_TEST

/* Tight, not closed: this user, by name, can still open and map its own block read-write
 * (what every other memscope process of the user does). */
START_TEST(test_descriptor_grants_this_user_rw)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    ck_assert_uint_eq(MemscopeGetInfo(&info), ERROR_SUCCESS);
    HANDLE h = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, info.name);
    ck_assert_msg(h != NULL, "this user cannot open its own block read-write: %lu",
                  GetLastError());
    void *v = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(((MEMSCOPE_HEADER *)v)->magic, MEMSCOPE_MAGIC);
    UnmapViewOfFile(v);
    CloseHandle(h);
}
END_TEST

/* Whether GetSecurityInfo reads a kernel object's descriptor here: NULL if it does, else
 * why not.  Runs while the suite registers its tests: no Check assertion here. */
static const char *descriptors_unreadable(void)
{
    static char why[160];
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL;
    HANDLE h = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (h == NULL) {
        snprintf(why, sizeof why, "CreateEventW failed: %lu", GetLastError());
        return why;
    }
    DWORD err = GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL,
                                NULL, NULL, &sd);
    LocalFree(sd);
    if (!CloseHandle(h))
        fprintf(stderr, "descriptors_unreadable: CloseHandle: %lu\n", GetLastError());
    if (err == ERROR_CALL_NOT_IMPLEMENTED || err == ERROR_NOT_SUPPORTED) {
        snprintf(why, sizeof why, "GetSecurityInfo on a kernel object is not implemented here "
                 "(%lu): the descriptors were not checked", (unsigned long)err);
        return why;
    }
    return NULL;
}

Suite *suite_security(void)
{
    const char *why = descriptors_unreadable();
    Suite *s = suite_create("security descriptor");
    TCase *tc = tcase_create("user and SYSTEM only");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    if (why == NULL)
        tcase_add_test(tc, test_descriptor_user_and_system_only);
    else
        mst_skip_test(tc, test_descriptor_user_and_system_only, "%s", why);
    tcase_add_test(tc, test_descriptor_grants_this_user_rw);
    suite_add_tcase(s, tc);
    return s;
}
