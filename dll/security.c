/*
 * security.c: who may open memscope's named objects, and whether an object we opened by
 * name is ours.
 *
 * The mapping and the lock's event are created with an explicit security descriptor:
 *   owner  this process's user (not the token's default owner, which for an elevated
 *          administrator is the Administrators group);
 *   DACL   protected (no ACE inherited from the namespace directory), two entries:
 *          allow <all rights of the object type> to this user, and to LocalSystem.
 * In SDDL: O:<user>D:P(A;;<all>;;;<user>)(A;;<all>;;;SY).  Not NULL security: with a NULL
 * descriptor the object gets the token's default DACL, whatever the session configured.
 *
 * When the name already exists, CreateFileMapping/CreateEvent ignore our descriptor and hand
 * back the existing object.  ms_sec_check_owner then asks the object's owner: an object
 * owned by anyone but this user was not created by memscope running as this user, and is
 * refused (ERROR_INVALID_OWNER).
 *
 * DllMain and advapi32.  These run under the loader lock.  Microsoft's DllMain guidance
 * warns against advapi32 because a DLL that is not initialised yet may be called; here
 * advapi32 is a static import of memscope.dll, so the loader initialises it before our
 * DllMain, and every function used below is a thin wrapper over ntdll that loads no DLL,
 * starts no thread, touches no registry and allocates nothing (since Windows 7 they are
 * forwarded to kernelbase.dll, api-ms-win-security-base, the kernel32 level the rules
 * allow).  Deliberately not used: ConvertStringSecurityDescriptorToSecurityDescriptorW
 * (sechost, an SDDL parser that allocates) and GetSecurityInfo (loads ntmarta.dll with
 * LoadLibrary): the hosts and tests use those, outside DllMain.
 */
#include "internal.h"

/* LocalSystem (S-1-5-18) is a constant: no CreateWellKnownSid call needed. */
static SID g_system_sid = { SID_REVISION, 1, { SECURITY_NT_AUTHORITY }, { SECURITY_LOCAL_SYSTEM_RID } };

/* This process's user SID, read once by ms_sec_init (DllMain, serialised by the loader). */
static union {
    SID sid;
    BYTE bytes[SECURITY_MAX_SID_SIZE];
} g_user;
static BOOL g_user_known;

/* ms_sec_init: reads this process's user SID from its token.  Returns ERROR_SUCCESS or the
 * error of OpenProcessToken/GetTokenInformation/CopySid (logged). */
DWORD ms_sec_init(void)
{
    HANDLE token = NULL;
    union {
        TOKEN_USER tu;
        /* cppcheck-suppress unusedStructMember ; it sizes the union: TOKEN_USER + its SID */
        BYTE bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
    } info;
    DWORD got, err = ERROR_SUCCESS;

    if (g_user_known)
        return ERROR_SUCCESS;
    /* The process token's pseudo-handle (GetCurrentProcessToken, Windows 8 and later):
     * no handle to open and close, two wineserver round trips fewer at every attach.
     * Windows 7 refuses it: then the token is opened. */
    if (!GetTokenInformation((HANDLE)(LONG_PTR)-4, TokenUser, &info, sizeof info, &got)) {
        if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
            err = GetLastError();
            ms_log_win32("sec-token", "OpenProcessToken", err);
            token = NULL;
            goto done;
        }
        if (!GetTokenInformation(token, TokenUser, &info, sizeof info, &got)) {
            err = GetLastError();
            ms_log_win32("sec-user", "GetTokenInformation", err);
            goto done;
        }
    }
    if (!CopySid(sizeof g_user.bytes, &g_user.sid, info.tu.User.Sid)) {
        err = GetLastError();
        ms_log_win32("sec-copy", "CopySid", err);
        goto done;
    }
    g_user_known = TRUE;

done:
    if (token != NULL && !CloseHandle(token))
        ms_log_win32("sec-token-close", "CloseHandle", GetLastError());
    return err;
}

/* ms_sec_attributes: fills *out with SECURITY_ATTRIBUTES (not inheritable) whose descriptor
 * makes this user the owner and grants `access` to this user and to LocalSystem only.  *out
 * points into itself: keep it in place while the create call uses it.  Needs ms_sec_init.
 * Returns ERROR_SUCCESS or the failing call's error (logged); *out is then unusable. */
DWORD ms_sec_attributes(ms_sec_attr *out, DWORD access)
{
    const char *call;

    if (!g_user_known)
        return ERROR_INVALID_SID;
    call = "InitializeSecurityDescriptor";
    if (!InitializeSecurityDescriptor(&out->sd, SECURITY_DESCRIPTOR_REVISION))
        goto fail;
    call = "InitializeAcl";
    if (!InitializeAcl(&out->acl.acl, sizeof out->acl.bytes, ACL_REVISION))
        goto fail;
    call = "AddAccessAllowedAce";
    if (!AddAccessAllowedAce(&out->acl.acl, ACL_REVISION, access, &g_user.sid) ||
        !AddAccessAllowedAce(&out->acl.acl, ACL_REVISION, access, &g_system_sid))
        goto fail;
    call = "SetSecurityDescriptorDacl";
    if (!SetSecurityDescriptorDacl(&out->sd, TRUE, &out->acl.acl, FALSE))
        goto fail;
    /* Protected: the ACEs the namespace directory would pass on are not merged in. */
    call = "SetSecurityDescriptorControl";
    if (!SetSecurityDescriptorControl(&out->sd, SE_DACL_PROTECTED, SE_DACL_PROTECTED))
        goto fail;
    call = "SetSecurityDescriptorOwner";
    if (!SetSecurityDescriptorOwner(&out->sd, &g_user.sid, FALSE))
        goto fail;
    out->sa.nLength = sizeof out->sa;
    out->sa.lpSecurityDescriptor = &out->sd;
    out->sa.bInheritHandle = FALSE;
    return ERROR_SUCCESS;

fail:;
    DWORD err = GetLastError();
    ms_log_win32("sec-build", call, err);
    return err;
}

/* ms_sec_check_owner: is the object behind h owned by this process's user?
 * Returns ERROR_SUCCESS (ours, or the platform does not tell: then *known is FALSE);
 * ERROR_INVALID_OWNER (someone else's); or the error of GetKernelObjectSecurity (logged).
 * OUT *known (may be NULL): whether the owner could be compared.  Needs READ_CONTROL on h
 * (CreateFileMapping and CreateEvent return handles with all access). */
DWORD ms_sec_check_owner(HANDLE h, BOOL *known)
{
    union {
        SECURITY_DESCRIPTOR_RELATIVE sd;
        /* cppcheck-suppress unusedStructMember ; it sizes the union: header + owner SID */
        BYTE bytes[sizeof(SECURITY_DESCRIPTOR_RELATIVE) + SECURITY_MAX_SID_SIZE + 64];
    } buf;
    DWORD need = 0, err;
    PSID owner = NULL;
    BOOL defaulted;

    if (known != NULL)
        *known = FALSE;
    if (!g_user_known)
        return ERROR_INVALID_SID;
    if (!GetKernelObjectSecurity(h, OWNER_SECURITY_INFORMATION, &buf, sizeof buf, &need)) {
        err = GetLastError();
        if (err == ERROR_CALL_NOT_IMPLEMENTED || err == ERROR_NOT_SUPPORTED) {
            ms_log_note("sec-owner", "the platform does not report object owners: not compared");
            return ERROR_SUCCESS;
        }
        ms_log_win32("sec-owner", "GetKernelObjectSecurity", err);
        return err;
    }
    if (!GetSecurityDescriptorOwner(&buf, &owner, &defaulted)) {
        err = GetLastError();
        ms_log_win32("sec-owner", "GetSecurityDescriptorOwner", err);
        return err;
    }
    if (owner == NULL) {         /* the kernel always sets one; a platform that does not */
        ms_log_note("sec-owner", "the object has no owner on record: not compared");
        return ERROR_SUCCESS;
    }
    if (known != NULL)
        *known = TRUE;
    return EqualSid(owner, &g_user.sid) ? ERROR_SUCCESS : ERROR_INVALID_OWNER;
}

/* Creates (or opens) the named event or semaphore `name` with memscope's descriptor, which
 * grants `access` to this user and SYSTEM; an existing one must be owned by this user.  ms_sec_create_event and
 * ms_sec_create_semaphore say the rest. */
static DWORD create_waitable(const WCHAR *name, BOOL semaphore, BOOL manual_reset,
                             DWORD access, HANDLE *out, const WCHAR **failed)
{
    ms_sec_attr attr;
    const WCHAR *what = L"security descriptor";
    DWORD err;
    HANDLE h = NULL;

    *out = NULL;
    if ((err = ms_sec_attributes(&attr, access)) != ERROR_SUCCESS)
        goto fail;
    what = semaphore ? L"CreateSemaphoreW" : L"CreateEventW";
    h = semaphore ? CreateSemaphoreW(&attr.sa, 0, LONG_MAX, name)
                  : CreateEventW(&attr.sa, manual_reset, FALSE, name);
    if (h == NULL) {
        err = GetLastError();
        ms_log_win32("sec-create", semaphore ? "CreateSemaphoreW" : "CreateEventW", err);
        goto fail;
    }
    if (GetLastError() == ERROR_ALREADY_EXISTS &&
        (err = ms_sec_check_owner(h, NULL)) != ERROR_SUCCESS) {
        what = err == ERROR_INVALID_OWNER ? L"owner is not this user" : L"GetKernelObjectSecurity";
        goto fail;
    }
    *out = h;
    return ERROR_SUCCESS;

fail:
    if (h != NULL && !CloseHandle(h))
        ms_log_win32("sec-create-close", "CloseHandle", GetLastError());
    if (failed != NULL)
        *failed = what;
    return err;
}

/* ms_sec_create_event: creates (or opens) the named event `name` with memscope's descriptor;
 * an existing event must be owned by this user.  OUT *out: the handle, or NULL on failure.
 * OUT *failed (may be NULL): on failure, what failed ("security descriptor", "CreateEventW",
 * "owner is not this user", "GetKernelObjectSecurity"), for a status text.  Returns
 * ERROR_SUCCESS, the descriptor's or CreateEventW's error (logged), or ERROR_INVALID_OWNER.
 * Used for every named event of the DLL, so they are all made and checked the same way. */
DWORD ms_sec_create_event(const WCHAR *name, BOOL manual_reset, HANDLE *out,
                          const WCHAR **failed)
{
    return create_waitable(name, FALSE, manual_reset, EVENT_ALL_ACCESS, out, failed);
}

/* ms_sec_create_semaphore: the same for a named semaphore (count 0, at most LONG_MAX),
 * made and checked exactly as the events are ("CreateSemaphoreW" in *failed). */
DWORD ms_sec_create_semaphore(const WCHAR *name, HANDLE *out, const WCHAR **failed)
{
    return create_waitable(name, TRUE, FALSE, SEMAPHORE_ALL_ACCESS, out, failed);
}
