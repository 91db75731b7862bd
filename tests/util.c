/*
 * util.c: starting this binary again as a child process, feeding it a block name, reading
 * what it printed, and waiting for it with timeouts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

#define MST_MAX_LIVE 64
static mst_child *g_live[MST_MAX_LIVE];   /* started, not yet finished */
static LONG g_seq;

static void track(mst_child *c, BOOL on)
{
    for (int i = 0; i < MST_MAX_LIVE; i++) {
        if (on && g_live[i] == NULL) {
            g_live[i] = c;
            return;
        }
        if (!on && g_live[i] == c) {
            g_live[i] = NULL;
            return;
        }
    }
}

const WCHAR *mst_new_name(void)
{
    static WCHAR names[8][64];
    LONG n = InterlockedIncrement(&g_seq);
    WCHAR *w = names[n % 8];
    swprintf(w, 64, L"Local\\memscope-t%lu-%ld", (unsigned long)GetCurrentProcessId(), (long)n);
    return w;
}

HANDLE mst_new_event(char *name_out, size_t cap)
{
    LONG n = InterlockedIncrement(&g_seq);
    snprintf(name_out, cap, "Local\\mst-ev-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             (long)n);
    HANDLE h = CreateEventA(NULL, TRUE, FALSE, name_out);
    ck_assert_msg(h != NULL, "CreateEventA(%s) failed: %lu", name_out, GetLastError());
    return h;
}

/* mst_create_process: CreateProcessA(NULL, cmd, ..., inherit handles, si, pi), retried
 * when it fails with ERROR_INTERNAL_ERROR: under Wine a new process now and then dies while
 * it starts (about one start in a few hundred here) and the parent gets that error; a second
 * start succeeds.  Any other failure is returned at once.  OUT *pi as CreateProcess.
 * Returns TRUE, or FALSE with the last error set. */
BOOL mst_create_process(char *cmd, STARTUPINFOA *si, PROCESS_INFORMATION *pi)
{
    for (int tries = 1;; tries++) {
        if (CreateProcessA(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, si, pi))
            return TRUE;
        DWORD err = GetLastError();
        if (err != ERROR_INTERNAL_ERROR || tries == 5) {
            SetLastError(err);
            return FALSE;
        }
        fprintf(stderr, "mstest: CreateProcess failed with ERROR_INTERNAL_ERROR, retrying\n");
        Sleep(20 * tries);
    }
}

/* A pipe for a child's stdout: OUT *rd (ours, not inherited), *wr (the child's, inherited),
 * and *si set to hand the child wr as stdout, our stderr and our stdin.  Fails the test on
 * error. */
static void stdout_pipe(SECURITY_ATTRIBUTES *sa, HANDLE *rd, HANDLE *wr, STARTUPINFOA *si)
{
    ck_assert_msg(CreatePipe(rd, wr, sa, 65536), "CreatePipe: %lu", GetLastError());
    ck_assert(SetHandleInformation(*rd, HANDLE_FLAG_INHERIT, 0));
    si->dwFlags = STARTF_USESTDHANDLES;
    si->hStdOutput = *wr;
    si->hStdError = GetStdHandle(STD_ERROR_HANDLE);
    si->hStdInput = GetStdHandle(STD_INPUT_HANDLE);
}

/* Starts cmd with si (its stdout the pipe rd/wr: stdout_pipe), closes the child's ends of
 * the pipes in this process (wr, and in_rd unless NULL), and records the child in *c,
 * reading rd.  Fails the test if the process cannot start. */
static void spawn(mst_child *c, char *cmd, STARTUPINFOA *si, HANDLE rd, HANDLE wr,
                  HANDLE in_rd)
{
    PROCESS_INFORMATION pi;
    BOOL ok = mst_create_process(cmd, si, &pi);
    DWORD err = GetLastError();
    CloseHandle(wr);
    if (in_rd != NULL)
        CloseHandle(in_rd);
    ck_assert_msg(ok, "CreateProcess(%s) failed: %lu", cmd, err);
    CloseHandle(pi.hThread);
    c->process = pi.hProcess;
    c->pid = pi.dwProcessId;
    c->out = rd;
    track(c, TRUE);
}

static void vstart(mst_child *c, const char *exe, const WCHAR *name, const char *fmt,
                   va_list ap)
{
    char self[MAX_PATH], args[4096], cmd[MAX_PATH + 4200];
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE rd, wr;
    STARTUPINFOA si = { .cb = sizeof si };

    memset(c, 0, sizeof *c);
    if (exe == NULL) {
        DWORD n = GetModuleFileNameA(NULL, self, MAX_PATH);
        ck_assert_msg(n > 0 && n < MAX_PATH, "GetModuleFileNameA: %lu", GetLastError());
        exe = self;
    }
    vsnprintf(args, sizeof args, fmt, ap);
    /* cppcheck-suppress uninitvar ; cppcheck 2.10's windows.cfg marks GetModuleFileNameA's
     * buffer as an input, but the call fills it (and n > 0 was asserted) */
    snprintf(cmd, sizeof cmd, "\"%s\" --child %s", exe, args);
    stdout_pipe(&sa, &rd, &wr, &si);
    /* The child's DLL reads MEMSCOPE_NAME when it loads; ours already has. */
    ck_assert(SetEnvironmentVariableW(MEMSCOPE_NAME_ENV, name));
    spawn(c, cmd, &si, rd, wr, NULL);
}

void mst_start(mst_child *c, const WCHAR *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vstart(c, NULL, name, fmt, ap);
    va_end(ap);
}

void mst_start_exe(mst_child *c, const char *exe, const WCHAR *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vstart(c, exe, name, fmt, ap);
    va_end(ap);
}

void mst_path_beside(char path[MAX_PATH], const char *file)
{
    DWORD n = GetModuleFileNameA(NULL, path, MAX_PATH);
    ck_assert_msg(n > 0 && n < MAX_PATH, "GetModuleFileNameA: %lu", GetLastError());
    /* cppcheck-suppress uninitvar ; cppcheck 2.10's windows.cfg marks GetModuleFileNameA's
     * buffer as an input, but the call fills it (and n > 0 was asserted) */
    char *slash = strrchr(path, '\\');
    ck_assert(slash != NULL);
    size_t room = MAX_PATH - (size_t)(slash + 1 - path);
    ck_assert_msg(snprintf(slash + 1, room, "%s", file) < (int)room,
                  "%s: no room for %s beside it", path, file);
}

const char *mst_hooks_exe(void)
{
    static char path[MAX_PATH];
    mst_path_beside(path, "hooks\\memscope_tests.exe");
    ck_assert_msg(GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES,
                  "%s is missing: `make tests` builds it", path);
    return path;
}

void mst_set_hooks(const char *hooks)
{
    ck_assert_msg(SetEnvironmentVariableA("MEMSCOPE_TEST_HOOKS", hooks),
                  "SetEnvironmentVariableA(MEMSCOPE_TEST_HOOKS) failed: %lu", GetLastError());
}

void mst_start_hooked(mst_child *c, const char *hooks, const WCHAR *name, const char *fmt, ...)
{
    va_list ap;
    mst_set_hooks(hooks);
    va_start(ap, fmt);
    vstart(c, mst_hooks_exe(), name, fmt, ap);
    va_end(ap);
    mst_set_hooks(NULL);
}

/* Reads whatever the child wrote so far (without blocking), then, once it has exited, the
 * rest up to EOF. */
static void drain(mst_child *c, BOOL to_eof)
{
    for (;;) {
        DWORD avail = 0, got = 0;
        if (!to_eof) {
            if (!PeekNamedPipe(c->out, NULL, 0, NULL, &avail, NULL) || avail == 0)
                return;
        }
        size_t room = sizeof c->text - 1 - c->len;
        if (room == 0)
            return;
        if (!ReadFile(c->out, c->text + c->len, (DWORD)room, &got, NULL) || got == 0)
            return;
        c->len += got;
        c->text[c->len] = 0;
    }
}

DWORD mst_finish(mst_child *c)
{
    ULONGLONG deadline = GetTickCount64() + MST_CHILD_TIMEOUT_MS;
    DWORD w;
    /* Poll the pipe while waiting, so a chatty child never blocks on a full pipe. */
    while ((w = WaitForSingleObject(c->process, 20)) == WAIT_TIMEOUT &&
           GetTickCount64() < deadline)
        drain(c, FALSE);
    if (w != WAIT_OBJECT_0) {
        mst_kill(c);
        ck_abort_msg("child %lu did not finish within %d ms; output so far:\n%s",
                     (unsigned long)c->pid, MST_CHILD_TIMEOUT_MS, c->text);
    }
    drain(c, TRUE);
    ck_assert_msg(GetExitCodeProcess(c->process, &c->exit_code), "GetExitCodeProcess: %lu",
                  GetLastError());
    CloseHandle(c->process);
    CloseHandle(c->out);
    c->process = c->out = NULL;
    track(c, FALSE);
    return c->exit_code;
}

void mst_kill(mst_child *c)
{
    if (c->process == NULL)
        return;
    /* TerminateProcess fails on a process that has already ended: only the wait says. */
    BOOL killed = TerminateProcess(c->process, 99);
    DWORD err = GetLastError();
    DWORD w = WaitForSingleObject(c->process, MST_CHILD_TIMEOUT_MS);
    ck_assert_msg(w == WAIT_OBJECT_0, "child %lu did not end after TerminateProcess (%s, %lu)",
                  (unsigned long)c->pid, killed ? "done" : "failed", (unsigned long)err);
    drain(c, FALSE);
    CloseHandle(c->process);
    CloseHandle(c->out);
    c->process = c->out = NULL;
    track(c, FALSE);
}

void mst_run(mst_child *c, const WCHAR *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vstart(c, NULL, name, fmt, ap);
    va_end(ap);
    ck_assert_msg(mst_finish(c) == 0, "child exited with %lu; output:\n%s",
                  (unsigned long)c->exit_code, c->text);
}

void mst_wait_event(HANDLE ev, const char *what)
{
    DWORD w = WaitForSingleObject(ev, MST_CHILD_TIMEOUT_MS);
    ck_assert_msg(w == WAIT_OBJECT_0, "waiting for %s: WaitForSingleObject returned %lu",
                  what, (unsigned long)w);
}

void mst_busy_start(mst_busy *b, const char *hooks, const WCHAR *name, const char *cmd,
                    const char *what)
{
    b->ready = mst_new_event(b->ready_name, sizeof b->ready_name);
    b->stop = mst_new_event(b->stop_name, sizeof b->stop_name);
    if (hooks == NULL)
        mst_start(&b->child, name, "%s %s %s", cmd, b->stop_name, b->ready_name);
    else
        mst_start_hooked(&b->child, hooks, name, "%s %s %s", cmd, b->stop_name, b->ready_name);
    mst_wait_event(b->ready, what);
}

void mst_busy_stop(mst_busy *b)
{
    ck_assert_msg(SetEvent(b->stop), "SetEvent(%s): %lu", b->stop_name, GetLastError());
    ck_assert_uint_eq(mst_finish(&b->child), 0);
    CloseHandle(b->ready);
    CloseHandle(b->stop);
}

void mst_gate_create(mst_gate *g)
{
    memset(g, 0, sizeof *g);
    g->go = mst_new_event(g->name, sizeof g->name);
}

void mst_start_held(mst_child *c, const WCHAR *name, mst_gate *g, const char *before,
                    const char *after)
{
    char ready[64], what[160];
    ck_assert_msg(g->count < MST_GATE_MAX, "more than %d children held at one gate",
                  MST_GATE_MAX);
    HANDLE ev = mst_new_event(ready, sizeof ready);
    mst_start(c, name, "%s ready %s wait %s %s", before, ready, g->name, after);
    g->held[g->count++] = c;
    snprintf(what, sizeof what, "child %lu (\"%s\") to be held at the gate",
             (unsigned long)c->pid, before);
    mst_wait_event(ev, what);
    CloseHandle(ev);
    /* What the child printed before it said ready is read now, so the test can use it
     * (an address, a pid) while the child is still held. */
    drain(c, FALSE);
}

void mst_gate_finish(mst_gate *g)
{
    ck_assert_msg(SetEvent(g->go), "SetEvent(%s) failed: %lu", g->name, GetLastError());
    for (int i = 0; i < g->count; i++) {
        mst_child *c = g->held[i];
        if (c->process == NULL)          /* killed by the test: nothing to collect */
            continue;
        ck_assert_msg(mst_finish(c) == 0, "held child %lu exited with %lu; output:\n%s",
                      (unsigned long)c->pid, (unsigned long)c->exit_code, c->text);
    }
    CloseHandle(g->go);
    g->go = NULL;
}

/* The value of "what=" on a line after the child's "key=" line (a command's later output). */
static long long num_after(const mst_child *c, const char *key, const char *what)
{
    char pat[32];
    const char *v = mst_val(c, key);
    snprintf(pat, sizeof pat, "\n%s=", what);
    const char *p = v != NULL ? strstr(v, pat) : NULL;
    ck_assert_msg(p != NULL, "child output has no %s= after %s=; output:\n%s", what, key,
                  c->text);
    return p != NULL ? strtoll(p + strlen(pat), NULL, 0) : 0;
}

/* One contention run on a new block: `procs` workers held at a start gate, released at
 * once, each must exit 0 and report ERROR_SUCCESS as "key=".  Returns the largest share of
 * the shorter loop that some two workers' loops overlapped (QueryPerformanceCounter is one
 * clock for every process); their spans go to spans.  *check: "lockstate counter" run
 * afterwards on the same block. */
static double contend_once(mst_child *check, int procs, const char *cmds, const char *key,
                           char *spans, size_t cap)
{
    const WCHAR *name = mst_new_name();
    mst_gate keep, start;
    mst_child keeper, w[MST_CONTEND_MAX];
    long long t0[MST_CONTEND_MAX], t1[MST_CONTEND_MAX];
    mst_gate_create(&keep);
    mst_gate_create(&start);
    mst_start_held(&keeper, name, &keep, "", "");
    /* Every worker attached and waiting at the start gate before any increments: started
     * one after another instead, each could finish before the next began (under Wine a
     * process start costs tens of ms), and nothing would contend. */
    for (int i = 0; i < procs; i++)
        mst_start_held(&w[i], name, &start, "", cmds);
    mst_gate_finish(&start);             /* all go at once; each must exit 0 */
    long long qpf = num_after(&w[0], key, "qpf");
    spans[0] = 0;
    for (int i = 0; i < procs; i++) {
        ck_assert_int_eq(mst_num(&w[i], key), ERROR_SUCCESS);
        t0[i] = num_after(&w[i], key, "t0");
        t1[i] = num_after(&w[i], key, "t1");
        ck_assert_int_eq(num_after(&w[i], key, "qpf"), qpf);
        ck_assert_int_ge(t1[i], t0[i]);
        size_t used = strlen(spans);
        snprintf(spans + used, cap - used, " [%.1f, %.1f]",
                 (double)(t0[i] - t0[0]) * 1000.0 / (double)qpf,
                 (double)(t1[i] - t0[0]) * 1000.0 / (double)qpf);
    }
    double best = 0;
    for (int i = 0; i < procs; i++)
        for (int j = i + 1; j < procs; j++) {
            long long lo = t0[i] > t0[j] ? t0[i] : t0[j], hi = t1[i] < t1[j] ? t1[i] : t1[j];
            long long shorter = t1[i] - t0[i] < t1[j] - t0[j] ? t1[i] - t0[i] : t1[j] - t0[j];
            double share = hi > lo && shorter > 0 ? (double)(hi - lo) / (double)shorter : 0;
            if (share > best)
                best = share;
        }
    mst_run(check, name, "lockstate counter");
    mst_gate_finish(&keep);
    return best;
}

/* Contention must be shown, not assumed: some two workers were both inside their loops for
 * at least half of the shorter loop.  Workers that ran one after another overlap by
 * nothing.  On a machine loaded by other work a whole loop can fit in one time slice and
 * the workers still run one by one; such a run proves nothing either way and is done
 * again, on a new block, up to MST_CONTEND_TRIES times: the caller checks the totals of
 * the run that did overlap. */
#define MST_CONTEND_TRIES 3
void mst_contend(mst_child *check, int procs, const char *cmds, const char *key)
{
    char spans[MST_CONTEND_TRIES][MST_CONTEND_MAX * 48];
    ck_assert_int_le(procs, MST_CONTEND_MAX);
    ck_assert_int_ge(procs, 2);
    for (int k = 0; k < MST_CONTEND_TRIES; k++)
        if (contend_once(check, procs, cmds, key, spans[k], sizeof spans[k]) >= 0.5)
            return;
    ck_abort_msg("in %d runs the workers' %s loops never overlapped by half the shorter "
                 "loop: nothing contended; their spans in ms from the first start:\n%s\n%s\n%s",
                 MST_CONTEND_TRIES, key, spans[0], spans[1], spans[2]);
}

void mst_assert_took_over(const mst_child *c)
{
    ck_assert_int_eq(mst_num(c, "lock"), ERROR_ABANDONED_WAIT_0);
    ck_assert_int_le(mst_num(c, "lockms"), 1000);
    ck_assert_int_eq(mst_num(c, "owner"), c->pid);
    ck_assert_int_eq(mst_num(c, "abandoned"), 1);
}

const char *mst_val(const mst_child *c, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = c->text; p != NULL && *p; ) {
        if (strncmp(p, key, k) == 0 && p[k] == '=')
            return p + k + 1;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return NULL;
}

const char *mst_str(const mst_child *c, const char *key)
{
    static char bufs[4][4200];
    static int next;
    char *b = bufs[next++ % 4];
    const char *v = mst_val(c, key);
    if (v == NULL)
        return "(missing)";
    size_t n = strcspn(v, "\r\n");
    if (n >= sizeof bufs[0])
        n = sizeof bufs[0] - 1;
    memcpy(b, v, n);
    b[n] = 0;
    return b;
}

long long mst_num(const mst_child *c, const char *key)
{
    const char *v = mst_val(c, key);
    ck_assert_msg(v != NULL, "child output has no %s=; output:\n%s", key, c->text);
    return strtoll(v, NULL, 0);
}

void mst_teardown(void)
{
    SetEnvironmentVariableA("MEMSCOPE_TEST_HOOKS", NULL);
    for (int i = 0; i < MST_MAX_LIVE; i++)
        if (g_live[i] != NULL)
            mst_kill(g_live[i]);
}

/* mst_start_program: starts `exe ARGS`, exe a path relative to this test binary's folder
 * (a program that is not this binary: the examples' hosts, memscope.exe), with the
 * environment variable env_name set to env_value (NULL: left as it is), its stdout piped to
 * *c.  stdin_write NULL: the child inherits this process's stdin; else the child reads a
 * pipe whose write end is returned there, and sees end of input when the caller closes it.
 * Fails the test on error.  Collect it with mst_finish or mst_kill, as any child. */
void mst_start_program(mst_child *c, const char *exe, const char *args, const char *env_name,
                       const WCHAR *env_value, HANDLE *stdin_write)
{
    char path[MAX_PATH], cmd[MAX_PATH + 1024];
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    HANDLE rd, wr, in_rd = NULL;
    STARTUPINFOA si = { .cb = sizeof si };

    memset(c, 0, sizeof *c);
    mst_path_beside(path, exe);
    ck_assert_msg(GetFileAttributesA(path) != INVALID_FILE_ATTRIBUTES,
                  "%s is missing: `make` builds it", path);
    snprintf(cmd, sizeof cmd, "\"%s\" %s", path, args);
    stdout_pipe(&sa, &rd, &wr, &si);
    if (stdin_write != NULL) {
        ck_assert_msg(CreatePipe(&in_rd, stdin_write, &sa, 4096), "CreatePipe: %lu",
                      GetLastError());
        ck_assert(SetHandleInformation(*stdin_write, HANDLE_FLAG_INHERIT, 0));
        si.hStdInput = in_rd;
    }
    if (env_name != NULL) {
        WCHAR wname[64];
        ck_assert(MultiByteToWideChar(CP_UTF8, 0, env_name, -1, wname, ARRAYSIZE(wname)) > 0);
        ck_assert_msg(SetEnvironmentVariableW(wname, env_value), "SetEnvironmentVariableW: %lu",
                      GetLastError());
    }
    spawn(c, cmd, &si, rd, wr, in_rd);
}

/* mst_wait_output: waits until the child's output so far holds `needle` (reading it as it
 * comes), failing the test after ms milliseconds or if the child ends first. */
void mst_wait_output(mst_child *c, const char *needle, DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;
    for (;;) {
        drain(c, FALSE);
        if (strstr(c->text, needle) != NULL)
            return;
        if (WaitForSingleObject(c->process, 20) != WAIT_TIMEOUT) {
            drain(c, FALSE);              /* what it printed just before it ended */
            ck_assert_msg(strstr(c->text, needle) != NULL, "child %lu ended before it printed "
                          "\"%s\"; output:\n%s", (unsigned long)c->pid, needle, c->text);
            return;
        }
        ck_assert_msg(GetTickCount64() < deadline, "child %lu did not print \"%s\" within %lu "
                      "ms; output so far:\n%s", (unsigned long)c->pid, needle,
                      (unsigned long)ms, c->text);
    }
}
