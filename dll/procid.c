/*
 * procid.c: who a process, or a thread, is across processes.
 *
 * An id alone is not an identity: Windows reuses process and thread ids as soon as the
 * object is gone.  An owner word is MEMSCOPE_OWNER(id, tag), the tag coming from the
 * creation time.  The registry's words name processes; the lock's name threads (a lock is
 * held by a thread, and a thread can end while its process lives on).
 *
 * Liveness is judged from the word alone, with one rule first: a word equal to my own
 * whole word is me; a word carrying my id with another tag is a process (thread) that had
 * my id before me, so it is gone.  Otherwise the id is opened: no such id, an object that
 * has ended, or one created at another time, means the owner is dead.  When the answer
 * cannot be known (access denied, an unexpected failure), the owner counts as alive:
 * taking a live owner's lock would break exclusion, waiting only costs time, and every
 * wait is bounded by its caller's timeout.
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
 * Returns ERROR_SUCCESS, or GetProcessTimes' error (logged; then both are 0): without its
 * creation time a process cannot be told from a dead one with its id, so the caller must
 * not attach.  (DllMain: kernel32 only.) */
DWORD ms_proc_self(uint64_t *owner, uint64_t *create_time)
{
    FILETIME created, exited, kernel, user;
    *owner = *create_time = 0;
    if (MS_HOOK(selftimes) ||
        !GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) {
        DWORD err = MS_HOOK(selftimes) ? ERROR_ACCESS_DENIED : GetLastError();
        ms_log_win32("proc-self", "GetProcessTimes", err);
        return err;
    }
    *create_time = ft64(created);
    *owner = MEMSCOPE_OWNER(GetCurrentProcessId(), ms_proc_tag(*create_time));
    return ERROR_SUCCESS;
}

/* The same question for a process or a thread, whose calls have the same shapes:
 * open(id) (OpenProcess / OpenThread) and times(handle) (GetProcessTimes / GetThreadTimes).
 * TRUE when the owner of `word` is gone: no such id, an object that has ended, or one
 * created at another time.  Unknown (access denied, a failure) counts as alive.  The names
 * and tag are for the log. */
typedef HANDLE (WINAPI *ms_open_fn)(DWORD access, BOOL inherit, DWORD id);
typedef BOOL (WINAPI *ms_times_fn)(HANDLE h, LPFILETIME created, LPFILETIME exited,
                                   LPFILETIME kernel, LPFILETIME user);

static BOOL owner_gone(uint64_t word, ms_open_fn open, const char *open_name, DWORD access,
                       ms_times_fn times, const char *times_name, const char *tag)
{
    FILETIME created, exited, kernel, user;
    BOOL dead = FALSE;
    HANDLE h = open(access, FALSE, MEMSCOPE_OWNER_ID(word));
    if (h == NULL) {
        DWORD err = GetLastError();
        if (err == ERROR_INVALID_PARAMETER)     /* no process (thread) has this id */
            return TRUE;
        if (err != ERROR_ACCESS_DENIED)
            ms_log_win32(tag, open_name, err);
        return FALSE;
    }
    if (WaitForSingleObject(h, 0) == WAIT_OBJECT_0)
        dead = TRUE;                            /* ended; a handle keeps its id alive */
    else if (times(h, &created, &exited, &kernel, &user))
        dead = ms_proc_tag(ft64(created)) != MEMSCOPE_OWNER_TAG(word);   /* id reused */
    else
        ms_log_win32(tag, times_name, GetLastError());
    if (!CloseHandle(h))
        ms_log_win32(tag, "CloseHandle", GetLastError());
    return dead;
}

/* ms_proc_owner_dead: TRUE when the process named by a registry owner word is gone. */
BOOL ms_proc_owner_dead(uint64_t owner)
{
    if (owner == ms_g.self_owner)
        return FALSE;
    if (MEMSCOPE_OWNER_PID(owner) == GetCurrentProcessId())
        return TRUE;                            /* my id, another creation time */
    return owner_gone(owner, OpenProcess, "OpenProcess",
                      PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, GetProcessTimes,
                      "GetProcessTimes", "proc-dead");
}

/* ---- threads -------------------------------------------------------------------------- */

/* ms_thread_init: allocates the TLS slot that caches each thread's tag (DllMain: TlsAlloc
 * is kernel32).  Without a slot every lock call reads the thread's times again: slower,
 * still correct.  Returns ERROR_SUCCESS or TlsAlloc's error (logged). */
DWORD ms_thread_init(void)
{
    ms_g.tls = TlsAlloc();
    if (ms_g.tls == TLS_OUT_OF_INDEXES) {
        DWORD err = GetLastError();
        ms_log_win32("thread-tls", "TlsAlloc", err);
        return err;
    }
    return ERROR_SUCCESS;
}

/* ms_thread_fini: frees the TLS slot (DLL_PROCESS_DETACH by FreeLibrary). */
void ms_thread_fini(void)
{
    if (ms_g.tls != TLS_OUT_OF_INDEXES && !TlsFree(ms_g.tls))
        ms_log_win32("thread-tls-free", "TlsFree", GetLastError());
    ms_g.tls = TLS_OUT_OF_INDEXES;
}

/* ms_thread_self: OUT *word: the calling thread's owner word, MEMSCOPE_OWNER(thread id, tag
 * of its creation time).  Read once per thread (GetThreadTimes: a system call) and kept in
 * TLS: on x86_64 the whole word (a TLS slot holds 64 bits; one TlsGetValue per call), on
 * i686 the tag, with the id from GetCurrentThreadId.  A tag is never 0, so a slot holding 0
 * means "not read yet".  Returns ERROR_SUCCESS or GetThreadTimes' error (then *word is 0
 * and the caller must not take the lock). */
DWORD ms_thread_self(uint64_t *word)
{
    uintptr_t kept = 0;
    if (ms_g.tls != TLS_OUT_OF_INDEXES)
        kept = (uintptr_t)TlsGetValue(ms_g.tls);
#ifdef _WIN64
    if (kept != 0) {
        *word = kept;
        return ERROR_SUCCESS;
    }
#else
    if (kept != 0) {
        *word = MEMSCOPE_OWNER(GetCurrentThreadId(), kept);
        return ERROR_SUCCESS;
    }
#endif
    FILETIME created, exited, kernel, user;
    *word = 0;
    if (MS_HOOK(selftimes) ||
        !GetThreadTimes(GetCurrentThread(), &created, &exited, &kernel, &user)) {
        DWORD err = MS_HOOK(selftimes) ? ERROR_ACCESS_DENIED : GetLastError();
        ms_log_win32("thread-self", "GetThreadTimes", err);
        return err;
    }
    *word = MEMSCOPE_OWNER(GetCurrentThreadId(), ms_proc_tag(ft64(created)));
#ifdef _WIN64
    kept = (uintptr_t)*word;
#else
    kept = MEMSCOPE_OWNER_TAG(*word);
#endif
    if (ms_g.tls != TLS_OUT_OF_INDEXES && !TlsSetValue(ms_g.tls, (void *)kept))
        ms_log_win32("thread-self", "TlsSetValue", GetLastError());
    return ERROR_SUCCESS;
}

/* ms_thread_owner_dead: TRUE when the thread named by a lock owner word has ended (its
 * process may live on), or never was (an id no thread has, a process's id).  self is the
 * calling thread's word. */
BOOL ms_thread_owner_dead(uint64_t word, uint64_t self)
{
    if (word == self)
        return FALSE;
    if (MEMSCOPE_OWNER_ID(word) == GetCurrentThreadId())
        return TRUE;                            /* my id, another creation time */
    return owner_gone(word, OpenThread, "OpenThread",
                      THREAD_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, GetThreadTimes,
                      "GetThreadTimes", "thread-dead");
}

/* ms_thread_process: the id of the process of the live thread named by a lock owner word,
 * or 0 (no such thread now, or its creation time differs: the owner is gone). */
DWORD ms_thread_process(uint64_t word)
{
    DWORD pid = 0;
    FILETIME created, exited, kernel, user;
    HANDLE h = OpenThread(THREAD_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                          MEMSCOPE_OWNER_ID(word));
    if (h == NULL)
        return 0;
    if (WaitForSingleObject(h, 0) == WAIT_TIMEOUT &&
        GetThreadTimes(h, &created, &exited, &kernel, &user) &&
        ms_proc_tag(ft64(created)) == MEMSCOPE_OWNER_TAG(word))
        pid = GetProcessIdOfThread(h);
    if (!CloseHandle(h))
        ms_log_win32("thread-pid-close", "CloseHandle", GetLastError());
    return pid;
}
