/*
 * child.c: what this test binary does when started as `--child CMD [ARG]...`: it runs the
 * commands in order, in a process that loaded memscope.dll with the MEMSCOPE_NAME its
 * parent chose, and prints what it observed as key=value lines for the parent to check.
 *
 *   info              status, pid, creator, created, view, slot, registration, attached
 *   statustext        MemscopeStatusText         -> statustext=<text>
 *   set TEXT          MemscopeSetText            -> set=<error>
 *   get               MemscopeGetText            -> get=<error> text=<text>
 *   sset TEXT         SetSharedMem               -> sset=<BOOL> sseterr=<GetLastError>
 *   sget              GetSharedMem (MAX_PATH)    -> sget=<BOOL> sgeterr=<error> stext=<text>
 *   inc               MemscopeCounterIncrement   -> inc=<error> counter=<value>
 *   counter           MemscopeCounterRead        -> counter=<value>
 *   global / section  image counters, +1         -> global=<value> / section=<value>
 *   private TEXT      MemscopeSetPrivateText     -> private=<error> privaddr=<address>
 *   ptext             MemscopeGetPrivateText     -> ptext=<text>
 *   peek ADDR         VirtualQuery of ADDR here  -> peek=free|reserve|commit, peektext=...
 *   lock MS           MemscopeLock(MS)           -> lock=<error> lockms=<elapsed ms>
 *   unlock            MemscopeUnlock             -> unlock=<error>
 *   lockedinc N       N x MemscopeLockedIncrement-> lockedinc=<error>, then t0= t1= qpf=:
 *                     QueryPerformanceCounter (system-wide) before and after the loop,
 *                     and its frequency
 *   atomicinc N       N x MemscopeCounterIncrement -> atomicinc=<error>, t0= t1= qpf=
 *   lockstate         MemscopeLockState          -> owner=, waiters=, abandoned=, total=
 *   mlock MS          MemscopeMutexLock(MS)      -> mlock=<error> mlockms=<elapsed ms>
 *   munlock           MemscopeMutexUnlock        -> munlock=<error>
 *   flip STOP READY   sets the text to 256 x 'A' (then READY), and keeps cycling it through
 *                     256 x 'A', 'B' and 'C' until the event STOP -> flips=<count>
 *   readtorn N MIN    MemscopeGetText N times, and on (up to 100 N) until the text was
 *                     seen to change MIN times (so reads and writes did overlap); counts
 *                     texts that are none of flip's three
 *                                    -> reads=, changes=, torn=, readerr=<first error>
 *   holdexit READY CODE  a second thread takes the lock and keeps it; once it holds it
 *                     (then READY), the main thread calls ExitProcess(CODE)
 *   ready EVENT       SetEvent on the named event
 *   wait EVENT        wait for it (60 s)         -> wait=<result>; exits 4 unless it was set
 *   list              MemscopeListProcesses      -> list=<pid>,<pid>,...
 *   allcalls          every block accessor once  -> r_<Function>=<error>
 *   exit CODE         ExitProcess(CODE)
 * A helper that cannot do what a command needs (open or set an event, wait for it) exits
 * non-zero (3 or 4): the tests check every helper's exit code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "mstest.h"

#define out mst_out
void mst_out(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void out_w(const char *key, const WCHAR *w)
{
    char utf8[4 * MEMSCOPE_TEXT_CAPACITY];
    WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, sizeof utf8, NULL, NULL);
    out("%s=%s", key, utf8);
}

static WCHAR *widen(const char *s)
{
    static WCHAR w[MEMSCOPE_TEXT_CAPACITY + 16];
    MultiByteToWideChar(CP_UTF8, 0, s, -1, w, ARRAYSIZE(w));
    return w;
}

static HANDLE open_event(const char *name)
{
    HANDLE h = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, name);
    if (h == NULL) {
        out("error=OpenEvent(%s) failed: %lu", name, GetLastError());
        ExitProcess(3);
    }
    return h;
}

static void set_or_exit(HANDLE h, const char *name)
{
    if (!SetEvent(h)) {
        out("error=SetEvent(%s) failed: %lu", name, GetLastError());
        ExitProcess(4);
    }
}

static void cmd_info(void)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    DWORD attached = 0;
    MemscopeGetInfo(&info);
    out("status=%lu", (unsigned long)info.status);
    out("pid=%lu", (unsigned long)info.pid);
    out("creator=%lu", (unsigned long)info.creatorPid);
    out("created=%d", info.createdHere ? 1 : 0);
    out("view=%p", info.view);
    out("cbview=%lu", (unsigned long)info.cbView);
    out("slot=%ld", (long)(LONG)info.slot);
    out("registration=%lu", (unsigned long)info.registration);
    out("attachederr=%lu", (unsigned long)MemscopeAttachedCount(&attached));
    out("attached=%lu", (unsigned long)attached);
}

static void cmd_peek(const char *arg)
{
    MEMORY_BASIC_INFORMATION mbi;
    /* The parent passes what "%p" printed here: hex digits without 0x. */
    void *addr = (void *)(uintptr_t)strtoull(arg, NULL, 16);
    if (VirtualQuery(addr, &mbi, sizeof mbi) == 0) {
        out("peek=invalid");
        return;
    }
    out("peek=%s", mbi.State == MEM_FREE ? "free" : mbi.State == MEM_RESERVE ? "reserve"
                                                                             : "commit");
    if (mbi.State == MEM_COMMIT && !(mbi.Protect & (PAGE_NOACCESS | PAGE_GUARD))) {
        WCHAR w[33];
        memcpy(w, addr, 32 * sizeof(WCHAR));
        w[32] = 0;
        for (int i = 0; i < 32; i++)          /* keep the line printable */
            if (w[i] != 0 && (w[i] < 32 || w[i] > 126))
                w[i] = L'.';
        out_w("peektext", w);
    }
}

/* Every export that needs the block, with valid arguments: on a refused block each must
 * return the refusal's error. */
static void cmd_allcalls(void)
{
    WCHAR buf[64];
    LONGLONG v;
    DWORD n;
    void *view;
    MEMSCOPE_LOCK_STATE st;
    MEMSCOPE_PROCESS list[4];
    out("r_MemscopeStatus=%lu", (unsigned long)MemscopeStatus());
    out("r_MemscopeSetText=%lu", (unsigned long)MemscopeSetText(L"x", 1));
    out("r_MemscopeGetText=%lu", (unsigned long)MemscopeGetText(buf, 64, &n));
    out("r_MemscopeCounterIncrement=%lu", (unsigned long)MemscopeCounterIncrement(&v));
    out("r_MemscopeCounterRead=%lu", (unsigned long)MemscopeCounterRead(&v));
    out("r_MemscopeViewAddress=%lu", (unsigned long)MemscopeViewAddress(&view, NULL));
    out("r_MemscopeAttachedCount=%lu", (unsigned long)MemscopeAttachedCount(&n));
    out("r_MemscopeListProcesses=%lu", (unsigned long)MemscopeListProcesses(list, 4, &n));
    out("r_MemscopeLock=%lu", (unsigned long)MemscopeLock(0));
    out("r_MemscopeUnlock=%lu", (unsigned long)MemscopeUnlock());
    out("r_MemscopeLockedIncrement=%lu", (unsigned long)MemscopeLockedIncrement(&v));
    out("r_MemscopeRacyIncrement=%lu", (unsigned long)MemscopeRacyIncrement(&v));
    out("r_MemscopeLockState=%lu", (unsigned long)MemscopeLockState(&st));
}

static void cmd_list(void)
{
    MEMSCOPE_PROCESS list[MEMSCOPE_SLOTS];
    DWORD n = 0;
    char line[MEMSCOPE_SLOTS * 12 + 8] = "";
    out("listerr=%lu", (unsigned long)MemscopeListProcesses(list, MEMSCOPE_SLOTS, &n));
    for (DWORD k = 0; k < n && k < MEMSCOPE_SLOTS; k++)
        sprintf(line + strlen(line), "%s%lu", k ? "," : "", (unsigned long)list[k].pid);
    out("list=%s", line);
}

/* The three texts flip cycles through: a torn read mixes them.  Three, not two: the DLL
 * writes into its two text buffers in turn, so with two texts each buffer would only ever
 * be overwritten with the text it already holds, and no tear could show. */
#define FLIP_LEN 256
static void flip_text(WCHAR *w, WCHAR ch)
{
    for (int k = 0; k < FLIP_LEN; k++)
        w[k] = ch;
    w[FLIP_LEN] = 0;
}

static void cmd_flip(const char *stop_name, const char *ready_name)
{
    WCHAR t[3][FLIP_LEN + 1];
    HANDLE stop = open_event(stop_name);
    long flips = 0;
    DWORD err;
    for (int k = 0; k < 3; k++)
        flip_text(t[k], (WCHAR)(L'A' + k));
    err = MemscopeSetText(t[0], FLIP_LEN);
    HANDLE ready = open_event(ready_name);
    set_or_exit(ready, ready_name);
    CloseHandle(ready);
    /* Check the stop event only every 256 writes: a wait is a wineserver round trip, and the
     * point is to write as often as possible. */
    while (err == ERROR_SUCCESS) {
        for (int k = 0; k < 256 && err == ERROR_SUCCESS; k++, flips++)
            err = MemscopeSetText(t[(flips + 1) % 3], FLIP_LEN);
        if (WaitForSingleObject(stop, 0) != WAIT_TIMEOUT)
            break;
    }
    CloseHandle(stop);
    out("fliperr=%lu", (unsigned long)err);
    out("flips=%ld", flips);
}

static void cmd_readtorn(long n, long min_changes)
{
    WCHAR a[FLIP_LEN + 1], b[FLIP_LEN + 1], c[FLIP_LEN + 1], buf[FLIP_LEN + 1];
    long torn = 0, changes = 0, k;
    WCHAR last = 0;
    DWORD err = ERROR_SUCCESS, len;
    flip_text(a, L'A');
    flip_text(b, L'B');
    flip_text(c, L'C');
    /* 10^6 reads take ~10 ms, less than a time slice: on a busy machine they could all
     * happen while the writer waits for a core.  Reading on until the text was seen to
     * change makes sure reads and writes really overlapped. */
    for (k = 0; k < n || (changes < min_changes && k < 100 * n); k++) {
        if ((err = MemscopeGetText(buf, ARRAYSIZE(buf), &len)) != ERROR_SUCCESS)
            break;
        if (wmemcmp(buf, a, FLIP_LEN + 1) != 0 && wmemcmp(buf, b, FLIP_LEN + 1) != 0 &&
            wmemcmp(buf, c, FLIP_LEN + 1) != 0)
            torn++;
        if (buf[0] != last)
            changes++;
        last = buf[0];
    }
    out("readerr=%lu", (unsigned long)err);
    out("reads=%ld", k);
    out("changes=%ld", changes);
    out("torn=%ld", torn);
}

/* holdexit's second thread: takes the lock, says so, and keeps it until the process ends. */
static DWORD WINAPI hold_forever(void *held_event)
{
    DWORD err = MemscopeLock(10000);
    out("holderlock=%lu", (unsigned long)err);
    SetEvent((HANDLE)held_event);
    Sleep(INFINITE);
    return 0;
}

/* The main thread calls ExitProcess while another thread holds the lock: DLL_PROCESS_DETACH
 * runs with lpvReserved non-NULL after that thread was killed, and must not wait for it. */
static void cmd_holdexit(const char *ready_name, UINT code)
{
    HANDLE held = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (held == NULL) {
        out("error=CreateEvent failed: %lu", GetLastError());
        ExitProcess(3);
    }
    HANDLE t = CreateThread(NULL, 0, hold_forever, held, 0, NULL);
    if (t == NULL) {
        out("error=CreateThread failed: %lu", GetLastError());
        ExitProcess(3);
    }
    out("heldwait=%lu", (unsigned long)WaitForSingleObject(held, MST_CHILD_TIMEOUT_MS));
    HANDLE ready = open_event(ready_name);
    set_or_exit(ready, ready_name);
    out("exiting=%u", code);
    ExitProcess(code);
}

/* Calls lock (MemscopeLock or MemscopeMutexLock) with the timeout in ms_arg and prints
 * "<key>=<its error>" and "<key>ms=<how long it took>". */
static void timed_lock(const char *key, DWORD (WINAPI *lock)(DWORD), const char *ms_arg)
{
    ULONGLONG t0 = GetTickCount64();
    DWORD err = lock((DWORD)strtoul(ms_arg, NULL, 0));
    out("%s=%lu", key, (unsigned long)err);
    out("%sms=%llu", key, (unsigned long long)(GetTickCount64() - t0));
}

int mst_child_main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *c = argv[i];
        const char *a = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(c, "info") == 0) {
            cmd_info();
        } else if (strcmp(c, "statustext") == 0) {
            WCHAR buf[512];
            DWORD err = MemscopeStatusText(buf, ARRAYSIZE(buf), NULL);
            out_w("statustext", err == ERROR_SUCCESS ? buf : L"(too long)");
        } else if (strcmp(c, "set") == 0) {
            WCHAR *w = widen(a);
            out("set=%lu", (unsigned long)MemscopeSetText(w, (DWORD)wcslen(w)));
            i++;
        } else if (strcmp(c, "get") == 0) {
            WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
            DWORD len = 0, err = MemscopeGetText(buf, ARRAYSIZE(buf), &len);
            out("get=%lu", (unsigned long)err);
            out_w("text", err == ERROR_SUCCESS ? buf : L"");
        } else if (strcmp(c, "sset") == 0) {
            SetLastError(0xdeadbeef);
            BOOL ok = SetSharedMem(widen(a));
            out("sset=%d", ok ? 1 : 0);
            out("sseterr=%lu", (unsigned long)GetLastError());
            i++;
        } else if (strcmp(c, "sget") == 0) {
            WCHAR buf[MAX_PATH];
            SetLastError(0xdeadbeef);
            BOOL ok = GetSharedMem(buf, MAX_PATH);
            out("sget=%d", ok ? 1 : 0);
            out("sgeterr=%lu", (unsigned long)GetLastError());
            out_w("stext", buf);
        } else if (strcmp(c, "inc") == 0) {
            LONGLONG v = -1;
            out("inc=%lu", (unsigned long)MemscopeCounterIncrement(&v));
            out("counter=%lld", (long long)v);
        } else if (strcmp(c, "counter") == 0) {
            LONGLONG v = -1;
            out("counterr=%lu", (unsigned long)MemscopeCounterRead(&v));
            out("counter=%lld", (long long)v);
        } else if (strcmp(c, "global") == 0) {
            LONG v = -1;
            MemscopeGlobalIncrement(&v);
            out("global=%ld", (long)v);
        } else if (strcmp(c, "section") == 0) {
            LONG v = -1;
            MemscopeSectionIncrement(&v);
            out("section=%ld", (long)v);
        } else if (strcmp(c, "private") == 0) {
            WCHAR *w = widen(a);
            void *addr = NULL;
            out("private=%lu", (unsigned long)MemscopeSetPrivateText(w, (DWORD)wcslen(w)));
            MemscopeGetPrivateText(NULL, 0, NULL, NULL);
            WCHAR buf[64];
            MemscopeGetPrivateText(buf, ARRAYSIZE(buf), NULL, &addr);
            out("privaddr=%p", addr);
            i++;
        } else if (strcmp(c, "ptext") == 0) {
            WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
            DWORD err = MemscopeGetPrivateText(buf, ARRAYSIZE(buf), NULL, NULL);
            out_w("ptext", err == ERROR_SUCCESS ? buf : L"");
        } else if (strcmp(c, "peek") == 0) {
            cmd_peek(a);
            i++;
        } else if (strcmp(c, "lock") == 0) {
            timed_lock("lock", MemscopeLock, a);
            i++;
        } else if (strcmp(c, "unlock") == 0) {
            out("unlock=%lu", (unsigned long)MemscopeUnlock());
        } else if (strcmp(c, "lockedinc") == 0 || strcmp(c, "atomicinc") == 0) {
            long n = strtol(a, NULL, 0);
            BOOL locked = c[0] == 'l';
            DWORD err = ERROR_SUCCESS;
            LARGE_INTEGER t0, t1, f;
            if (!QueryPerformanceFrequency(&f) || !QueryPerformanceCounter(&t0)) {
                out("error=QueryPerformanceCounter failed: %lu", GetLastError());
                ExitProcess(3);
            }
            for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
                err = locked ? MemscopeLockedIncrement(NULL) : MemscopeCounterIncrement(NULL);
            if (!QueryPerformanceCounter(&t1)) {
                out("error=QueryPerformanceCounter failed: %lu", GetLastError());
                ExitProcess(3);
            }
            out("%s=%lu", c, (unsigned long)err);
            out("t0=%lld", (long long)t0.QuadPart);
            out("t1=%lld", (long long)t1.QuadPart);
            out("qpf=%lld", (long long)f.QuadPart);
            i++;
        } else if (strcmp(c, "lockstate") == 0) {
            MEMSCOPE_LOCK_STATE st;
            out("lockstate=%lu", (unsigned long)MemscopeLockState(&st));
            out("owner=%lu", (unsigned long)st.ownerPid);
            out("waiters=%ld", (long)st.waiters);
            out("abandoned=%ld", (long)st.abandoned);
            out("total=%lld", (long long)st.lockedTotal);
        } else if (strcmp(c, "mlock") == 0) {
            timed_lock("mlock", MemscopeMutexLock, a);
            i++;
        } else if (strcmp(c, "munlock") == 0) {
            out("munlock=%lu", (unsigned long)MemscopeMutexUnlock());
        } else if (strcmp(c, "flip") == 0) {
            cmd_flip(a, i + 2 < argc ? argv[i + 2] : "");
            i += 2;
        } else if (strcmp(c, "readtorn") == 0) {
            cmd_readtorn(strtol(a, NULL, 0), strtol(i + 2 < argc ? argv[i + 2] : "0", NULL, 0));
            i += 2;
        } else if (strcmp(c, "holdexit") == 0) {
            cmd_holdexit(a, (UINT)strtoul(i + 2 < argc ? argv[i + 2] : "0", NULL, 0));
            i += 2;
        } else if (strcmp(c, "ready") == 0) {
            HANDLE h = open_event(a);
            set_or_exit(h, a);
            CloseHandle(h);
            i++;
        } else if (strcmp(c, "wait") == 0) {
            HANDLE h = open_event(a);
            DWORD w = WaitForSingleObject(h, MST_CHILD_TIMEOUT_MS);
            out("wait=%lu", (unsigned long)w);
            if (w != WAIT_OBJECT_0)
                ExitProcess(4);
            CloseHandle(h);
            i++;
        } else if (strcmp(c, "allcalls") == 0) {
            cmd_allcalls();
        } else if (strcmp(c, "list") == 0) {
            cmd_list();
        } else if (strcmp(c, "exit") == 0) {
            ExitProcess((UINT)strtoul(a, NULL, 0));
        } else {
            int used = mst_child_fault_cmd(argc - i, argv + i);
            if (used < 0) {
                out("error=unknown child command %s", c);
                return 2;
            }
            i += used;
        }
    }
    return 0;
}
