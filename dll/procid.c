/*
 * procid.c: who a process is, across processes.  A process id alone is not an identity:
 * Windows reuses ids as soon as a process is gone.  The lock and the registry record an
 * owner word, MEMSCOPE_OWNER(pid, tag), whose tag comes from the process creation time, and
 * judge an owner dead when its id names no process, a process that has exited, or a
 * process created at another time.
 */
#include "internal.h"

static uint64_t ft64(FILETIME ft)
{
    return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

uint64_t ms_proc_filetime_now(void)
{
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return ft64(ft);
}

uint32_t ms_proc_tag(uint64_t create_time)
{
    return MEMSCOPE_TIME_TAG(create_time);
}

/* ms_proc_self: OUT *owner: this process's owner word; OUT *create_time: its creation time.
 * Returns ERROR_SUCCESS or GetProcessTimes' error (then both are set from the id alone). */
DWORD ms_proc_self(uint64_t *owner, uint64_t *create_time)
{
    FILETIME created, exited, kernel, user;
    DWORD err = ERROR_SUCCESS;
    *create_time = 0;
    if (!MS_HOOK(selftimes) &&
        GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user))
        *create_time = ft64(created);
    else {
        err = MS_HOOK(selftimes) ? ERROR_ACCESS_DENIED : GetLastError();
        ms_log_win32("proc-self", "GetProcessTimes", err);
    }
    *owner = MEMSCOPE_OWNER(GetCurrentProcessId(), ms_proc_tag(*create_time));
    return err;
}

/* ms_proc_owner_dead: TRUE when the process that wrote the owner word is gone.  When the
 * answer cannot be known (access denied, an unexpected failure) it says FALSE: taking a
 * live owner's lock would be worse than waiting. */
BOOL ms_proc_owner_dead(uint64_t owner)
{
    DWORD pid = MEMSCOPE_OWNER_PID(owner);
    BOOL dead = FALSE;
    HANDLE h;

    if (pid == GetCurrentProcessId())
        return FALSE;
    h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE, pid);
    if (h == NULL) {
        DWORD err = GetLastError();
        if (err == ERROR_INVALID_PARAMETER)     /* no process has this id */
            return TRUE;
        if (err != ERROR_ACCESS_DENIED)
            ms_log_win32("proc-dead-open", "OpenProcess", err);
        return FALSE;
    }
    if (WaitForSingleObject(h, 0) == WAIT_OBJECT_0) {
        dead = TRUE;                            /* exited; a handle keeps its id alive */
    } else {
        FILETIME created, exited, kernel, user;
        if (GetProcessTimes(h, &created, &exited, &kernel, &user))
            dead = ms_proc_tag(ft64(created)) != MEMSCOPE_OWNER_TAG(owner); /* id reused */
        else
            ms_log_win32("proc-dead-times", "GetProcessTimes", GetLastError());
    }
    CloseHandle(h);
    return dead;
}
