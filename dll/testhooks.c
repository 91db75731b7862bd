/*
 * testhooks.c: faults a test can force on the DLL, compiled only into the test variant
 * (Makefile: build/<arch>/hooks/, -DMEMSCOPE_TEST_HOOKS), never into the shipped DLL.
 *
 * Some states are too rare to reach on purpose: a writer killed between two particular
 * stores, a process whose own times cannot be read.  The test variant reads the environment
 * variable MEMSCOPE_TEST_HOOKS at attach, a comma-separated list:
 *   noseqcheck   text readers return their copy without the consistency re-check
 *   slowread     text readers copy one WCHAR at a time and sleep 1 ms every 64, so a
 *                reader's copy spans many writes (a tear is likely where one is possible)
 *   diewrite=N   a text writer kills its own process at stage N of its write
 *   pausewrite=N a text writer stops for ever at stage N (a suspended writer)
 *   selftimes    GetProcessTimes/GetThreadTimes on this process or thread "fail"
 *   slowrelease  a releaser that woke a parked waiter before letting go sleeps 20 ms
 *                before it lets go (as if preempted there)
 *   slowpark     a waiter that has counted itself parked sleeps 50 ms before its wait
 *                (as if preempted there)
 * Write stages: 1 the write has begun (the lock is held), 2 half the text is copied,
 * 3 all of it is copied but not yet published, 4 published, the lock still held.
 */
#include "internal.h"

#ifdef MEMSCOPE_TEST_HOOKS

ms_hooks ms_hook;

static int parse_stage(const char *list, const char *key)
{
    for (const char *p = list; *p; ) {
        const char *k = key;
        const char *q = p;
        while (*k && *q == *k) {
            k++;
            q++;
        }
        if (*k == 0 && (*q == 0 || *q == ',' || *q == '='))
            return *q == '=' ? (q[1] >= '0' && q[1] <= '9' ? q[1] - '0' : 1) : 1;
        while (*p && *p != ',')
            p++;
        if (*p == ',')
            p++;
    }
    return 0;
}

/* ms_hooks_read: parses MEMSCOPE_TEST_HOOKS into ms_hook (DllMain: kernel32 only). */
void ms_hooks_read(void)
{
    char list[128];
    DWORD n = GetEnvironmentVariableA("MEMSCOPE_TEST_HOOKS", list, sizeof list);
    if (n == 0 || n >= sizeof list)
        return;
    ms_hook.noseqcheck = parse_stage(list, "noseqcheck") != 0;
    ms_hook.slowread = parse_stage(list, "slowread") != 0;
    ms_hook.selftimes = parse_stage(list, "selftimes") != 0;
    ms_hook.slowrelease = parse_stage(list, "slowrelease") != 0;
    ms_hook.slowpark = parse_stage(list, "slowpark") != 0;
    ms_hook.diewrite = parse_stage(list, "diewrite");
    ms_hook.pausewrite = parse_stage(list, "pausewrite");
}

/* ms_hook_write_stage: a text writer reached `stage`.  diewrite: the process ends here
 * (exit code 42).  pausewrite: it stops for good, after creating the named event
 * "Local\mst-paused-<pid>" (set) so the test knows where it stopped. */
void ms_hook_write_stage(int stage)
{
    if (ms_hook.diewrite == stage)
        TerminateProcess(GetCurrentProcess(), 42);
    if (ms_hook.pausewrite == stage) {
        char name[48] = "Local\\mst-paused-";
        char digits[12];
        int n = 0, len = lstrlenA(name);
        DWORD pid = GetCurrentProcessId();
        do {
            digits[n++] = (char)('0' + pid % 10);
            pid /= 10;
        } while (pid != 0);
        while (n > 0)
            name[len++] = digits[--n];
        name[len] = 0;
        HANDLE ev = CreateEventA(NULL, TRUE, TRUE, name);
        (void)ev;        /* kept open: the test opens it by name */
        Sleep(INFINITE);
    }
}

#else
typedef int ms_testhooks_empty;   /* ISO C wants something in a translation unit */
#endif
