/*
 * tour.c: `memscope tour [--procs N] [--file PATH] [--json]`: every claim of "Scope of
 * Allocated Memory", shown across live processes.
 *
 * The parent starts N child processes of memscope.exe (`memscope.exe tour-child`, see
 * tour_child.c).  Each loads memscope.dll, whose DllMain creates or opens the tour's own
 * block ("Local\memscope-tour-<parent pid>", passed in MEMSCOPE_NAME, so a block the user is
 * running is never touched).  The parent then drives them step by step over two pipes per
 * child: it writes one command line, the child answers one line with what it *observed* in
 * its own address space, and the parent computes each step's verdict from those answers.
 * Nothing is printed by fiat: a verdict says "holds" only when the observations say so.
 *
 * Robustness: every wait has a timeout.  A child that does not answer in time is killed and
 * reported; one that dies is reported with its exit code; the tour goes on with the others.
 * The children are in a job object that kills them when the parent's handle to it closes,
 * so none outlives the tour even if the parent itself is killed.
 *
 * The parent itself loaded memscope.dll too (memscope.exe links it), attached to the block
 * its own environment names; it never maps the tour's block.
 */
#include <windows.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "tour.h"

#define TOUR_PROCS_DEFAULT   3
#define TOUR_PROCS_MAX       8
#define TOUR_TIMEOUT_MS      10000    /* a child's answer to one command */
#define TOUR_RACE_TIMEOUT_MS 60000    /* a whole race round */
#define TOUR_ITERATIONS      2000000  /* increments per child and per way in step 7 */
#define TOUR_LINE_MAX        4096
#define TOUR_FILE_SIZE       4096     /* as tour_child.c */
#define TOUR_RECORD          32

/* One child process and its two pipes. */
typedef enum { CH_NONE, CH_LIVE, CH_HUNG, CH_DEAD, CH_EXITED } ch_state;

typedef struct child {
    int index;                 /* 1-based, as the tables show it */
    DWORD pid;
    HANDLE process;
    HANDLE to;                 /* our end of its stdin (overlapped named pipe) */
    HANDLE from;               /* our end of its stdout */
    HANDLE io_event;           /* for the overlapped reads and writes */
    ch_state state;
    DWORD exit_code;
    char buf[TOUR_LINE_MAX];   /* received, not yet consumed */
    size_t len;
    char reply[TOUR_LINE_MAX]; /* the last answer line */
    char hello[TOUR_LINE_MAX]; /* its answer to "hello" */
} child;

/* One step as it is rendered: table, notes, facts (for --json and the tests), verdict. */
#define ST_COLS  8
#define ST_ROWS  48
#define ST_CELL  80
#define ST_NOTES 40
#define ST_FACTS 28
typedef enum { V_HOLDS, V_FAILS, V_INCONCLUSIVE } verdict_t;
typedef enum { F_NUM, F_BOOL, F_STR } fact_kind;

static struct {
    int number;
    const char *claim;
    int ncols;
    const char *key[ST_COLS], *head[ST_COLS];
    int nrows;
    char cell[ST_ROWS][ST_COLS][ST_CELL];
    int nnotes;
    char note[ST_NOTES][320];
    int nfacts;
    struct { char key[40]; char val[ST_CELL]; fact_kind kind; } fact[ST_FACTS];
    verdict_t result;
    char verdict[800];
} S;

static struct {
    int procs;
    const char *file;          /* --file PATH, or NULL */
    BOOL json;
    DWORD timeout;
    long iterations;
    int fault_step;            /* --fault STEP:KIND: child 2 misbehaves at STEP */
    char fault_kind[8];
    BOOL fault_done;
    BOOL starting;             /* a child's start-up hello: never a fault's target */
    WCHAR exe[MAX_PATH];
    WCHAR name[MEMSCOPE_NAME_MAX + 1];       /* the tour's block */
    char name8[3 * MEMSCOPE_NAME_MAX + 1];
    HANDLE job;
    LONG pipe_seq;
    unsigned long run;         /* this run's tag, in the file's records */
    int step;
    child kids[TOUR_PROCS_MAX];
    int nkids;
    int holds, fails, inconclusive, steps_out;
} T;

/* ---- small helpers ------------------------------------------------------------------ */

static int win32_fail(const char *call)
{
    return host_fail(call, GetLastError());
}

static void to_utf8(const WCHAR *w, char *out, int cap)
{
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) == 0)
        snprintf(out, (size_t)cap, "?");
}

/* The value of " key=" in an answer line, copied and percent-decoded.  Returns FALSE if the
 * key is absent (out is then ""). */
static BOOL kv(const char *line, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    out[0] = 0;
    for (const char *p = strchr(line, ' '); p != NULL; p = strchr(p + 1, ' ')) {
        if (strncmp(p + 1, key, k) != 0 || p[1 + k] != '=')
            continue;
        const char *v = p + 2 + k;
        size_t n = 0;
        while (*v && *v != ' ' && n + 1 < cap) {
            if (v[0] == '%' && v[1] && v[2]) {
                char h[3] = { v[1], v[2], 0 };
                out[n++] = (char)strtoul(h, NULL, 16);
                v += 3;
            } else {
                out[n++] = *v++;
            }
        }
        out[n] = 0;
        return TRUE;
    }
    return FALSE;
}

static long long kvnum(const char *line, const char *key, long long dflt)
{
    char v[64];
    return kv(line, key, v, sizeof v) && v[0] ? strtoll(v, NULL, 0) : dflt;
}

static uint64_t kvaddr(const char *line, const char *key)
{
    char v[64];
    return kv(line, key, v, sizeof v) ? strtoull(v, NULL, 0) : 0;
}

static const char *hex(uint64_t a, char *buf)
{
    sprintf(buf, "0x%" PRIx64, a);
    return buf;
}

/* ---- rendering a step --------------------------------------------------------------- */

static void step_begin(int number, const char *claim)
{
    memset(&S, 0, sizeof S);
    S.number = number;
    S.claim = claim;
    T.step = number;
}

/* Columns: pairs of (json key, heading), ended by (const char *)NULL.  The cast matters: a
 * variadic argument gets no conversion to the type va_arg reads, and a bare NULL may be a
 * plain 0 of int size (C allows it), not a null `const char *`. */
static void step_cols(const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    for (const char *k = first; k != NULL && S.ncols < ST_COLS; k = va_arg(ap, const char *)) {
        S.key[S.ncols] = k;
        S.head[S.ncols++] = va_arg(ap, const char *);
    }
    va_end(ap);
}

/* Appends a row: one printf-style format per column, all given as already formatted
 * strings. */
static void step_row(const char *first, ...)
{
    va_list ap;
    if (S.nrows >= ST_ROWS)
        return;
    va_start(ap, first);
    const char *s = first;
    for (int c = 0; c < S.ncols; c++, s = va_arg(ap, const char *))
        snprintf(S.cell[S.nrows][c], ST_CELL, "%s", s != NULL ? s : "");
    va_end(ap);
    S.nrows++;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (T.step == 0 || T.step > 8) {           /* outside a step: no table to put it in */
        fputs("memscope tour: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    } else if (S.nnotes < ST_NOTES) {
        vsnprintf(S.note[S.nnotes++], sizeof S.note[0], fmt, ap);
    }
    va_end(ap);
}

static void fact(fact_kind kind, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fact(fact_kind kind, const char *key, const char *fmt, ...)
{
    va_list ap;
    if (S.nfacts >= ST_FACTS)
        return;
    snprintf(S.fact[S.nfacts].key, sizeof S.fact[0].key, "%s", key);
    S.fact[S.nfacts].kind = kind;
    va_start(ap, fmt);
    vsnprintf(S.fact[S.nfacts].val, ST_CELL, fmt, ap);
    va_end(ap);
    S.nfacts++;
}
#define fact_num(k, v)  fact(F_NUM, k, "%lld", (long long)(v))
#define fact_bool(k, v) fact(F_BOOL, k, "%s", (v) ? "true" : "false")
#define fact_str(k, v)  fact(F_STR, k, "%s", v)

static void verdict(verdict_t result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void verdict(verdict_t result, const char *fmt, ...)
{
    va_list ap;
    S.result = result;
    va_start(ap, fmt);
    vsnprintf(S.verdict, sizeof S.verdict, fmt, ap);
    va_end(ap);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", stdout);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static const char *result_name(verdict_t v)
{
    return v == V_HOLDS ? "holds" : v == V_FAILS ? "fails" : "inconclusive";
}

/* Prints text wrapped at 96 columns, each line after the first indented by `indent`. */
static void wrap(const char *text, int first_col, int indent)
{
    int col = first_col;
    BOOL first = TRUE;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (!first && col + 1 + (int)w > 96) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, w, stdout);
        col += (int)w;
        p += w;
        first = FALSE;
    }
    putchar('\n');
}

static void step_end(void)
{
    if (S.result == V_HOLDS)
        T.holds++;
    else if (S.result == V_FAILS)
        T.fails++;
    else
        T.inconclusive++;

    if (T.json) {
        printf("%s\n  {\"step\": %d, \"claim\": ", T.steps_out++ ? "," : "", S.number);
        json_str(S.claim);
        printf(",\n   \"rows\": [");
        for (int r = 0; r < S.nrows; r++) {
            printf("%s\n    {", r ? "," : "");
            for (int c = 0; c < S.ncols; c++) {
                printf("%s\"%s\": ", c ? ", " : "", S.key[c]);
                json_str(S.cell[r][c]);
            }
            putchar('}');
        }
        printf("],\n   \"notes\": [");
        for (int i = 0; i < S.nnotes; i++) {
            fputs(i ? ",\n    " : "\n    ", stdout);
            json_str(S.note[i]);
        }
        printf("],\n   \"facts\": {");
        for (int i = 0; i < S.nfacts; i++) {
            printf("%s\"%s\": ", i ? ", " : "", S.fact[i].key);
            if (S.fact[i].kind == F_STR)
                json_str(S.fact[i].val);
            else
                fputs(S.fact[i].val, stdout);
        }
        printf("},\n   \"result\": \"%s\", \"verdict\": ", result_name(S.result));
        json_str(S.verdict);
        printf("}");
        fflush(stdout);
        return;
    }

    printf("\nStep %d. ", S.number);
    wrap(S.claim, 9, 8);
    int width[ST_COLS] = { 0 };
    for (int c = 0; c < S.ncols; c++) {
        width[c] = (int)strlen(S.head[c]);
        for (int r = 0; r < S.nrows; r++)
            if ((int)strlen(S.cell[r][c]) > width[c])
                width[c] = (int)strlen(S.cell[r][c]);
    }
    if (S.ncols > 0) {
        fputs("\n ", stdout);
        for (int c = 0; c < S.ncols; c++)
            printf(" %-*s", c + 1 < S.ncols ? width[c] + 1 : 0, S.head[c]);
        fputs("\n ", stdout);
        for (int c = 0; c < S.ncols; c++)
            printf(" %.*s", width[c] + (c + 1 < S.ncols), "-----------------------------------"
                   "---------------------------------------------------------------------");
        putchar('\n');
        for (int r = 0; r < S.nrows; r++) {
            putchar(' ');
            for (int c = 0; c < S.ncols; c++)
                printf(" %-*s", c + 1 < S.ncols ? width[c] + 1 : 0, S.cell[r][c]);
            putchar('\n');
        }
    }
    if (S.nnotes > 0)
        putchar('\n');
    for (int i = 0; i < S.nnotes; i++) {
        fputs("  ", stdout);
        if (strncmp(S.note[i], "0", 1) == 0)    /* a hex dump line: never wrapped */
            puts(S.note[i]);
        else
            wrap(S.note[i], 2, 4);
    }
    printf("\n  verdict: %s. ", S.result == V_HOLDS ? "HOLDS" : S.result == V_FAILS
                                                               ? "DOES NOT HOLD" : "INCONCLUSIVE");
    wrap(S.verdict, S.result == V_HOLDS ? 18 : S.result == V_FAILS ? 26 : 25, 4);
    fflush(stdout);
}

/* ---- the children ------------------------------------------------------------------- */

/* Creates one direction of a child's stdio: a named pipe (our end, overlapped, so every
 * read and write can time out) and the child's end (inheritable, plain).  OUT *ours,
 * *theirs.  Returns FALSE after reporting the failed call. */
static BOOL make_pipe(BOOL child_reads, HANDLE *ours, HANDLE *theirs)
{
    WCHAR name[96];
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    swprintf(name, 96, L"\\\\.\\pipe\\memscope-tour-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             (long)InterlockedIncrement(&T.pipe_seq));
    *ours = CreateNamedPipeW(name, (child_reads ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) |
                             FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                             PIPE_TYPE_BYTE | PIPE_WAIT, 1, TOUR_LINE_MAX, TOUR_LINE_MAX, 0, NULL);
    if (*ours == INVALID_HANDLE_VALUE) {
        win32_fail("CreateNamedPipeW");
        return FALSE;
    }
    *theirs = CreateFileW(name, child_reads ? GENERIC_READ : GENERIC_WRITE, 0, &inherit,
                          OPEN_EXISTING, 0, NULL);
    if (*theirs == INVALID_HANDLE_VALUE) {
        win32_fail("CreateFileW(pipe)");
        CloseHandle(*ours);
        return FALSE;
    }
    return TRUE;
}

static void close_child_handles(child *c)
{
    HANDLE *hs[] = { &c->process, &c->to, &c->from, &c->io_event };
    for (size_t i = 0; i < ARRAYSIZE(hs); i++) {
        HANDLE h = *hs[i];
        if (h != NULL && h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
        *hs[i] = NULL;
    }
}

/* A child stopped answering or died: record how, make sure it is gone, and say so in the
 * current step. */
static void child_lost(child *c, BOOL hung)
{
    if (c->state != CH_LIVE)
        return;
    if (hung && !TerminateProcess(c->process, TOUR_KILLED_EXIT))
        win32_fail("TerminateProcess");
    if (WaitForSingleObject(c->process, T.timeout) != WAIT_OBJECT_0) {
        TerminateProcess(c->process, TOUR_KILLED_EXIT);
        WaitForSingleObject(c->process, T.timeout);
    }
    GetExitCodeProcess(c->process, &c->exit_code);
    c->state = hung ? CH_HUNG : CH_DEAD;
    if (hung)
        note("child %d (pid %lu) hung: no answer within %lu ms; killed, the tour goes on "
             "without it", c->index, (unsigned long)c->pid, (unsigned long)T.timeout);
    else
        note("child %d (pid %lu) died (exit code 0x%lx) without answering; the tour goes on "
             "without it", c->index, (unsigned long)c->pid, (unsigned long)c->exit_code);
    fact_str(hung ? "child_hung" : "child_died", c->hello[0] ? "yes" : "at start");
    close_child_handles(c);
}

/* Starts `memscope.exe tour-child` with MEMSCOPE_NAME=name, in the job, with its stdio on
 * two fresh pipes.  Returns FALSE (reported) if it could not be started. */
static BOOL spawn(child *c, int index, const WCHAR *name)
{
    HANDLE child_in = NULL, child_out = NULL;
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    WCHAR cmd[MAX_PATH + 32];
    BOOL ok = FALSE;

    memset(c, 0, sizeof *c);
    c->index = index;
    if ((c->io_event = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
        win32_fail("CreateEventW");
        goto done;
    }
    if (!make_pipe(TRUE, &c->to, &child_in) || !make_pipe(FALSE, &c->from, &child_out))
        goto done;
    /* The child's DLL reads the name when it loads; the parent's DLL already has. */
    if (!SetEnvironmentVariableW(MEMSCOPE_NAME_ENV, name)) {
        win32_fail("SetEnvironmentVariableW");
        goto done;
    }
    swprintf(cmd, ARRAYSIZE(cmd), L"\"%ls\" " TEXT(TOUR_CHILD_COMMAND), T.exe);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = child_in;
    si.hStdOutput = child_out;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    /* Suspended until it is in the job, so not even its DllMain runs outside it. */
    /* Under Wine a new process now and then dies while it starts and CreateProcess says
     * ERROR_INTERNAL_ERROR; another start succeeds, so that one error is retried. */
    BOOL started;
    for (int tries = 1;; tries++) {
        started = CreateProcessW(T.exe, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL,
                                 &si, &pi);
        if (started || GetLastError() != ERROR_INTERNAL_ERROR || tries == 5)
            break;
        Sleep(20 * tries);
    }
    if (!started) {
        win32_fail("CreateProcessW");
        goto done;
    }
    c->process = pi.hProcess;
    c->pid = pi.dwProcessId;
    if (T.job != NULL && !AssignProcessToJobObject(T.job, pi.hProcess))
        win32_fail("AssignProcessToJobObject");     /* reported; we still kill it ourselves */
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        win32_fail("ResumeThread");
        TerminateProcess(pi.hProcess, TOUR_KILLED_EXIT);
        CloseHandle(pi.hThread);
        goto done;
    }
    CloseHandle(pi.hThread);
    c->state = CH_LIVE;
    ok = TRUE;
done:
    /* Our copies of the child's ends: closed, so its exit breaks the pipes. */
    if (child_in != NULL)
        CloseHandle(child_in);
    if (child_out != NULL)
        CloseHandle(child_out);
    if (!ok)
        close_child_handles(c);
    return ok;
}

/* Waits for an overlapped operation on h for at most ms.  Returns TRUE when it completed
 * (OUT *n: bytes), FALSE on timeout (the operation is cancelled) or failure (*err). */
static BOOL finish_io(HANDLE h, OVERLAPPED *ov, DWORD ms, DWORD *n, DWORD *err)
{
    *err = GetLastError();
    if (*err != ERROR_IO_PENDING)
        return FALSE;
    DWORD w = WaitForSingleObject(ov->hEvent, ms);
    if (w != WAIT_OBJECT_0) {
        CancelIo(h);
        GetOverlappedResult(h, ov, n, TRUE);    /* the cancel completes at once */
        *err = w == WAIT_TIMEOUT ? ERROR_TIMEOUT : GetLastError();
        return FALSE;
    }
    if (!GetOverlappedResult(h, ov, n, FALSE)) {
        *err = GetLastError();
        return FALSE;
    }
    return TRUE;
}

/* Formats one command into line[TOUR_LINE_MAX], leaving room for the '\n' send_line adds.
 * Returns FALSE (reported) if it does not fit: a command cut short is another command. */
static BOOL format_cmd(char *line, const char *fmt, va_list ap)
{
    int n = vsnprintf(line, TOUR_LINE_MAX - 1, fmt, ap);
    if (n < 0 || n >= TOUR_LINE_MAX - 1) {
        note("a command longer than %d bytes was not sent", TOUR_LINE_MAX - 2);
        return FALSE;
    }
    return TRUE;
}

/* Sends line (from format_cmd: shorter than TOUR_LINE_MAX - 1) and its '\n'.  Returns FALSE
 * if the child is not (or no longer) there. */
static BOOL send_line(child *c, char *line)
{
    if (c->state != CH_LIVE)
        return FALSE;
    /* Fault injection (--fault STEP:KIND): child 2 gets "hang" or "crash" instead. */
    if (T.fault_step > 0 && T.fault_step == T.step && !T.fault_done && !T.starting &&
        c->index == (T.nkids >= 2 ? 2 : 1)) {
        T.fault_done = TRUE;
        snprintf(line, TOUR_LINE_MAX - 1, "%s", T.fault_kind);
    }
    size_t len = strlen(line);
    line[len++] = '\n';
    OVERLAPPED ov = { .hEvent = c->io_event };
    DWORD n = 0, err;
    ResetEvent(c->io_event);
    if (!WriteFile(c->to, line, (DWORD)len, &n, &ov) &&
        !finish_io(c->to, &ov, T.timeout, &n, &err)) {
        child_lost(c, err == ERROR_TIMEOUT);
        return FALSE;
    }
    return TRUE;
}

/* Sends one command line.  Returns FALSE if the child is not (or no longer) there, or the
 * command did not fit a line (reported). */
static BOOL send_cmd(child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static BOOL send_cmd(child *c, const char *fmt, ...)
{
    char line[TOUR_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    BOOL ok = format_cmd(line, fmt, ap);
    va_end(ap);
    return ok && send_line(c, line);
}

/* Reads one answer line into c->reply, waiting at most ms.  Returns TRUE if the answer is
 * "ok ..."; FALSE on "err ..." (the child is fine, c->reply says what failed), or when the
 * child hung (killed) or died (both reported). */
static BOOL recv_reply(child *c, DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;
    if (c->state != CH_LIVE)
        return FALSE;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - c->buf);
            memcpy(c->reply, c->buf, n);
            c->reply[n] = 0;
            if (n > 0 && c->reply[n - 1] == '\r')
                c->reply[n - 1] = 0;
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            if (strncmp(c->reply, "ok", 2) == 0 && (c->reply[2] == 0 || c->reply[2] == ' '))
                return TRUE;
            note("child %d (pid %lu) answered: %s", c->index, (unsigned long)c->pid, c->reply);
            return FALSE;
        }
        ULONGLONG now = GetTickCount64();
        if (c->len >= sizeof c->buf - 1 || now >= deadline) {
            child_lost(c, TRUE);
            return FALSE;
        }
        OVERLAPPED ov = { .hEvent = c->io_event };
        DWORD got = 0, err;
        ResetEvent(c->io_event);
        if (!ReadFile(c->from, c->buf + c->len, (DWORD)(sizeof c->buf - 1 - c->len), &got, &ov) &&
            !finish_io(c->from, &ov, (DWORD)(deadline - now), &got, &err)) {
            child_lost(c, err == ERROR_TIMEOUT);   /* else broken pipe: it exited */
            return FALSE;
        }
        c->len += got;
    }
}

static BOOL ask(child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static BOOL ask(child *c, const char *fmt, ...)
{
    char line[TOUR_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    BOOL ok = format_cmd(line, fmt, ap);
    va_end(ap);
    return ok && send_line(c, line) && recv_reply(c, T.timeout);
}

static BOOL live(const child *c)
{
    return c->state == CH_LIVE;
}

/* The next live child after i (cyclically), other than i; NULL if none. */
static child *peer_of(int i)
{
    for (int k = 1; k < T.nkids; k++) {
        child *p = &T.kids[(i + k) % T.nkids];
        if (live(p))
            return p;
    }
    return NULL;
}

static child *first_live(void)
{
    for (int i = 0; i < T.nkids; i++)
        if (live(&T.kids[i]))
            return &T.kids[i];
    return NULL;
}

/* Starts child `index` on the tour's block and asks its hello. */
static BOOL start_child(child *c, int index)
{
    if (!spawn(c, index, T.name))
        return FALSE;
    T.starting = TRUE;
    BOOL ok = ask(c, "hello");
    T.starting = FALSE;
    if (!ok)
        return FALSE;
    snprintf(c->hello, sizeof c->hello, "%s", c->reply);
    return TRUE;
}

/* Tells the child to exit and waits for it.  Returns TRUE if it exited by itself. */
static BOOL stop_child(child *c)
{
    if (!live(c))
        return FALSE;
    if (!ask(c, "exit"))
        return FALSE;
    if (WaitForSingleObject(c->process, T.timeout) != WAIT_OBJECT_0) {
        child_lost(c, TRUE);
        return FALSE;
    }
    GetExitCodeProcess(c->process, &c->exit_code);
    c->state = CH_EXITED;
    close_child_handles(c);
    return TRUE;
}

/* ---- the steps ---------------------------------------------------------------------- */

static const char *alloc_names[4] = { "HeapAlloc", "VirtualAlloc", "GlobalAlloc",
                                      "LocalAlloc" };
static const char *alloc_keys[4] = { "heap", "virtual", "global", "local" };

/* What another process found at an address: "free: nothing there", "reserve: nothing
 * there", or "memory holding <value>" (with ", its own value" when `own`: the value is the
 * one the looking process stored itself).  out is cut to cap, which 80 bytes never does. */
static void describe_peek(const char *line, int i, BOOL own, char *out, size_t cap)
{
    char key[8], state[16], val[32];
    snprintf(key, sizeof key, "s%d", i);
    kv(line, key, state, sizeof state);
    snprintf(key, sizeof key, "v%d", i);
    kv(line, key, val, sizeof val);
    if (strcmp(state, "commit") == 0)
        snprintf(out, cap, "memory holding %s%s", val, own ? ", its own value" : "");
    else
        snprintf(out, cap, "%s: nothing there", state);
}

static void step1(void)
{
    step_begin(1, "Memory from HeapAlloc, VirtualAlloc, GlobalAlloc and LocalAlloc is "
               "reachable only by the process that allocated it.");
    step_cols("child", "child", "pid", "pid", "allocator", "allocator", "address", "address",
              "value", "stored, read back", "peer", "other child", "peer_found",
              "what the other child finds at that address", (const char *)NULL);
    uint64_t addr[TOUR_PROCS_MAX][4];
    static char answer[TOUR_PROCS_MAX][TOUR_LINE_MAX];   /* each child's "alloc" answer */
    BOOL have[TOUR_PROCS_MAX] = { 0 };
    int allocations = 0, own_ok = 0, peeks = 0, saw_owner = 0, free_n = 0, other = 0;

    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (!ask(c, "alloc"))
            continue;
        have[i] = TRUE;
        snprintf(answer[i], sizeof answer[i], "%s", c->reply);
        for (int k = 0; k < 4; k++)
            addr[i][k] = kvaddr(c->reply, alloc_keys[k]);
    }
    for (int i = 0; i < T.nkids; i++) {
        if (!have[i] || !live(&T.kids[i]))
            continue;
        child *c = &T.kids[i], *p = peer_of(i);
        const char *own = answer[i];
        BOOL peeked = p != NULL && ask(p, "peek 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
                                       " 0x%" PRIx64, addr[i][0], addr[i][1], addr[i][2],
                                       addr[i][3]);
        for (int k = 0; k < 4; k++) {
            char a[32], v[32], key[16], found[80] = "-", pcol[32] = "-", pid[16];
            snprintf(key, sizeof key, "%sv", alloc_keys[k]);
            long long stored = kvnum(own, key, -1);
            long long expect = (long long)c->pid * 10 + k + 1;   /* what the child stores */
            allocations++;
            own_ok += stored == expect;
            if (peeked) {
                char sk[8], state[16];
                snprintf(sk, sizeof sk, "s%d", k + 1);
                kv(p->reply, sk, state, sizeof state);
                snprintf(sk, sizeof sk, "v%d", k + 1);
                long long seen = kvnum(p->reply, sk, -1);
                peeks++;
                if (strcmp(state, "commit") == 0 && seen == expect)
                    saw_owner++;
                else if (strcmp(state, "commit") == 0)
                    other++;
                else
                    free_n++;
                BOOL its_own = strcmp(state, "commit") == 0 &&
                               seen == (long long)p->pid * 10 + k + 1;
                describe_peek(p->reply, k + 1, its_own, found, sizeof found);
                snprintf(pcol, sizeof pcol, "%d (pid %lu)", p->index, (unsigned long)p->pid);
            }
            snprintf(v, sizeof v, "%lld", stored);
            snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
            char idx[8];
            snprintf(idx, sizeof idx, "%d", c->index);
            step_row(k == 0 ? idx : "", k == 0 ? pid : "", alloc_names[k],
                     hex(addr[i][k], a), v, pcol, found);
        }
    }
    fact_num("allocations", allocations);
    fact_num("own_readbacks_ok", own_ok);
    fact_num("peeks", peeks);
    fact_num("peeks_saw_owner_value", saw_owner);
    fact_num("peeks_found_nothing", free_n);
    fact_num("peeks_found_other_data", other);
    if (peeks == 0)
        verdict(V_INCONCLUSIVE, "fewer than two children answered, so no process could look "
                "at another's addresses.");
    else if (own_ok == allocations && peeks == allocations && saw_owner == 0)
        verdict(V_HOLDS, "every child read back its own 4 values. Another child, looking at "
                "the same %d numeric addresses in its own address space, found nothing at %d "
                "of them and its own, different data at %d, never the owner's value: a "
                "pointer means nothing in another process.", peeks, free_n, other);
    else
        verdict(V_FAILS, "%d of %d values read back by their owner; %d of %d looks from "
                "another process found the owner's value.", own_ok, allocations, saw_owner,
                peeks);
    step_end();
}

static void step2(void)
{
    step_begin(2, "Memory a DLL allocates lives in the address space of the process that "
               "called it: other processes using the same DLL cannot reach it.");
    step_cols("child", "child", "pid", "pid", "dll", "memscope.dll at", "address",
              "private text at", "text", "text the DLL stored", "peer", "other child",
              "peer_found", "what the other child finds there", (const char *)NULL);
    uint64_t addr[TOUR_PROCS_MAX] = { 0 };
    char text[TOUR_PROCS_MAX][64];
    int texts = 0, own_ok = 0, peeks = 0, saw_owner = 0, saw_own = 0;
    uint64_t dll0 = 0;
    BOOL same_dll = TRUE;

    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        text[i][0] = 0;
        if (!ask(c, "dllalloc"))
            continue;
        texts++;
        addr[i] = kvaddr(c->reply, "addr");
        kv(c->reply, "text", text[i], sizeof text[i]);
        char expect[64];
        snprintf(expect, sizeof expect, "private-of-%lu", (unsigned long)c->pid);
        own_ok += strcmp(text[i], expect) == 0;
        uint64_t dll = kvaddr(c->hello, "dll");
        if (dll0 == 0)
            dll0 = dll;
        same_dll = same_dll && dll == dll0;
    }
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i], *p;
        if (addr[i] == 0 || !live(c) || (p = peer_of(i)) == NULL)
            continue;
        char a[32], d[32], pid[16], idx[8], pcol[32], found[96], seen[80], state[16];
        if (!ask(p, "peektext 0x%" PRIx64, addr[i]))
            continue;
        peeks++;
        kv(p->reply, "s", state, sizeof state);
        kv(p->reply, "text", seen, sizeof seen);
        char theirs[64];
        snprintf(theirs, sizeof theirs, "private-of-%lu", (unsigned long)p->pid);
        if (strcmp(state, "commit") != 0)
            snprintf(found, sizeof found, "%s: nothing there", state);
        else if (strcmp(seen, text[i]) == 0)
            snprintf(found, sizeof found, "\"%s\": the owner's text!", seen), saw_owner++;
        else if (strcmp(seen, theirs) == 0)
            snprintf(found, sizeof found, "\"%s\" (its own text)", seen), saw_own++;
        else
            snprintf(found, sizeof found, "other bytes: \"%.40s\"", seen);
        snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
        snprintf(idx, sizeof idx, "%d", c->index);
        snprintf(pcol, sizeof pcol, "%d (pid %lu)", p->index, (unsigned long)p->pid);
        step_row(idx, pid, hex(kvaddr(c->hello, "dll"), d), hex(addr[i], a), text[i], pcol,
                 found);
    }
    fact_num("texts", texts);
    fact_num("own_texts_ok", own_ok);
    fact_num("peeks", peeks);
    fact_num("peeks_saw_owner_text", saw_owner);
    fact_num("peeks_saw_own_text", saw_own);
    fact_bool("dll_same_address", same_dll);
    if (same_dll && texts > 0)
        note("memscope.dll is loaded at the same address in every child: the same code, yet "
             "what it allocates is per process.");
    if (peeks == 0)
        verdict(V_INCONCLUSIVE, "fewer than two children answered.");
    else if (own_ok == texts && saw_owner == 0)
        verdict(V_HOLDS, "the DLL's HeapAlloc put each child's text in that child's heap; "
                "%d looks from another process at the same address never found the owner's "
                "text (%d found their own text there).", peeks, saw_own);
    else
        verdict(V_FAILS, "%d of %d children read their own text; %d looks found another "
                "process's text.", own_ok, texts, saw_owner);
    step_end();
}

static void step3(void)
{
    step_begin(3, "Shared memory needs a file mapping: the first process creates the named "
               "mapping (CreateFileMapping), the others get the same one by its name "
               "(ERROR_ALREADY_EXISTS, or OpenFileMapping).");
    step_cols("child", "child", "pid", "pid", "create", "CreateFileMapping in DllMain",
              "creator", "block's creator pid", "open", "OpenFileMapping by name",
              (const char *)NULL);
    int creators = 0, openers = 0, agreed = 0, open_ok = 0, n = 0;
    DWORD first_pid = 0;
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (c->hello[0] == 0)
            continue;
        if (first_pid == 0)
            first_pid = c->pid;
        n++;
        BOOL created = kvnum(c->hello, "created", 0) == 1;
        DWORD creator = (DWORD)kvnum(c->hello, "creator", 0);
        long long oerr = kvnum(c->hello, "openbyname", -1);
        creators += created;
        openers += !created;
        agreed += creator == first_pid;
        open_ok += oerr == 0;
        char idx[8], pid[16], cr[16], op[48];
        snprintf(idx, sizeof idx, "%d", c->index);
        snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
        snprintf(cr, sizeof cr, "%lu", (unsigned long)creator);
        snprintf(op, sizeof op, oerr == 0 ? "same object" : "failed: error %lld", oerr);
        step_row(idx, pid, created ? "created it" : "ERROR_ALREADY_EXISTS: opened it", cr, op);
    }
    note("block name: %s (from MEMSCOPE_NAME; the children were started one after another)",
         T.name8);
    fact_str("name", T.name8);
    fact_num("children", n);
    fact_num("creators", creators);
    fact_num("openers", openers);
    fact_bool("first_child_created", n > 0 && kvnum(T.kids[0].hello, "created", 0) == 1);
    fact_num("agree_on_creator", agreed);
    fact_num("open_by_name_ok", open_ok);
    if (n < 2)
        verdict(V_INCONCLUSIVE, "fewer than two children started.");
    else if (creators == 1 && openers == n - 1 && agreed == n && open_ok == n)
        verdict(V_HOLDS, "one child (pid %lu) created the mapping; the other %d got "
                "ERROR_ALREADY_EXISTS and the same block (all %d name pid %lu as its "
                "creator), and OpenFileMapping found it by name in every child.",
                (unsigned long)first_pid, openers, n, (unsigned long)first_pid);
    else
        verdict(V_FAILS, "%d creators, %d openers, %d of %d agree on the creator, %d opened "
                "it by name.", creators, openers, agreed, n, open_ok);
    step_end();
}

/* Step 4's results, reused by step 5. */
static struct {
    uint64_t view[TOUR_PROCS_MAX], second[TOUR_PROCS_MAX], fixed;
    long long value;
} V;

/* Candidates for the address every child maps at: below 2 GiB (i686 too), multiples of the
 * 64 KiB allocation granularity, away from where images and heaps usually sit. */
static const uint64_t fixed_candidates[] = {
    0x50000000, 0x58000000, 0x60000000, 0x68000000, 0x48000000, 0x40000000, 0x38000000,
    0x30000000, 0x70000000, 0x28000000,
};

static int distinct(const uint64_t *a, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        if (a[i] == 0)
            continue;
        BOOL seen = FALSE;
        for (int j = 0; j < i; j++)
            seen = seen || a[j] == a[i];
        d += !seen;
    }
    return d;
}

static void step4(void)
{
    step_begin(4, "Each process maps its own view of the same physical pages; the view's "
               "address may differ from process to process, unless MapViewOfFileEx maps it at "
               "a chosen address.");
    step_cols("child", "child", "pid", "pid", "dll_view", "view (DllMain)", "second_view",
              "2nd view (MapViewOfFile)", "fixed_view", "3rd view (MapViewOfFileEx)",
              "counter", "counter via 1/2/3", (const char *)NULL);
    memset(&V, 0, sizeof V);
    int n = 0, tried = 0, mapped = 0, agree = 0;
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (!ask(c, "view"))
            continue;
        V.view[i] = kvaddr(c->reply, "view");
        /* Child k first reserves (k-1) MiB of its own: as real programs differ. */
        if (ask(c, "mapany %d", (c->index - 1) * 1024))
            V.second[i] = kvaddr(c->reply, "second");
    }
    /* One address for everyone: free in every child (VirtualQuery there), then mapped. */
    for (size_t k = 0; k < ARRAYSIZE(fixed_candidates) && V.fixed == 0; k++) {
        uint64_t a = fixed_candidates[k];
        BOOL all_free = TRUE;
        tried++;
        for (int i = 0; i < T.nkids && all_free; i++)
            if (live(&T.kids[i]))
                all_free = ask(&T.kids[i], "isfree 0x%" PRIx64, a) &&
                           kvnum(T.kids[i].reply, "free", 0) == 1;
        if (!all_free)
            continue;
        BOOL all_mapped = TRUE;
        for (int i = 0; i < T.nkids; i++)
            if (live(&T.kids[i]))
                all_mapped = ask(&T.kids[i], "mapat 0x%" PRIx64, a) &&
                             kvaddr(T.kids[i].reply, "fixed") == a && all_mapped;
        if (all_mapped) {
            V.fixed = a;
        } else {
            for (int i = 0; i < T.nkids; i++)
                if (live(&T.kids[i]))
                    ask(&T.kids[i], "unmapfixed");
        }
    }
    child *w = first_live();
    if (V.fixed != 0 && w != NULL && ask(w, "fixedadd 1000"))
        V.value = kvnum(w->reply, "value", -1);
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (V.view[i] == 0 || !live(c))
            continue;
        n++;
        char idx[8], pid[16], a1[32], a2[32], a3[32], cnt[64] = "-";
        if (V.fixed != 0 && ask(c, "readviews")) {
            long long d = kvnum(c->reply, "dll", -1), s = kvnum(c->reply, "second", -1),
                      f = kvnum(c->reply, "fixed", -1);
            mapped++;
            agree += d == V.value && s == V.value && f == V.value;
            snprintf(cnt, sizeof cnt, "%lld / %lld / %lld", d, s, f);
        }
        snprintf(idx, sizeof idx, "%d", c->index);
        snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
        step_row(idx, pid, hex(V.view[i], a1), hex(V.second[i], a2),
                 V.fixed ? hex(V.fixed, a3) : "-", cnt);
    }
    int dv = distinct(V.view, T.nkids), ds = distinct(V.second, T.nkids);
    char fx[32];
    note("views mapped in DllMain: %d distinct address%s across %d children%s", dv,
         dv == 1 ? "" : "es", n, dv == 1 && n > 1 ? " (identical processes, identical "
         "layouts: a coincidence nothing guarantees)" : "");
    note("second views, mapped after each child reserved (k-1) MiB: %d distinct address%s",
         ds, ds == 1 ? "" : "es");
    if (V.fixed)
        note("child %d (pid %lu) added 1000 to the counter through its view at %s; every "
             "child then read it through all three of its views", w->index,
             (unsigned long)w->pid, hex(V.fixed, fx));
    fact_num("children", n);
    fact_num("dll_views_distinct", dv);
    fact_num("second_views_distinct", ds);
    fact_str("fixed_address", V.fixed ? hex(V.fixed, fx) : "");
    fact_num("fixed_candidates_tried", tried);
    fact_num("fixed_mapped", mapped);
    fact_num("written_value", V.value);
    fact_num("reads_agree", agree);
    if (n < 2)
        verdict(V_INCONCLUSIVE, "fewer than two children answered.");
    else if (V.fixed == 0)
        verdict(V_INCONCLUSIVE, "no candidate address was free in every child (%d tried).",
                tried);
    else if (mapped == n && agree == n)
        verdict(V_HOLDS, "%d children, %d distinct addresses for their second views, one "
                "address (%s) for the view MapViewOfFileEx mapped in all of them; one write "
                "was read back as %lld through every view of every child: the same pages "
                "behind every address.", n, ds, hex(V.fixed, fx), V.value);
    else
        verdict(V_FAILS, "%d of %d children mapped %s; %d of them read %lld through all "
                "their views.", mapped, n, hex(V.fixed, fx), agree, V.value);
    step_end();
}

static void step5(void)
{
    step_begin(5, "The shared pages are not global: a process that has not mapped a view "
               "cannot reach them.");
    step_cols("address", "address", "what", "in the tour's children", "outsider_found",
              "what the outsider finds at that address", (const char *)NULL);
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    child out;
    uint64_t addr[3 * TOUR_PROCS_MAX + 1];
    char what[3 * TOUR_PROCS_MAX + 1][48];
    int na = 0, probed = 0, found_tour = 0, nothing = 0, own_block = 0, other = 0;
    DWORD tour_creator = (DWORD)kvnum(T.kids[0].hello, "creator", 0);

    for (int i = 0; i < T.nkids; i++) {
        const uint64_t a[3] = { V.view[i], V.second[i], i == 0 ? V.fixed : 0 };
        const char *w[3] = { "view", "2nd view", "3rd view, every child" };
        for (int k = 0; k < 3; k++) {
            BOOL dup = a[k] == 0;
            for (int j = 0; j < na && !dup; j++)
                dup = addr[j] == a[k];
            if (dup)
                continue;
            addr[na] = a[k];
            if (k == 2)
                snprintf(what[na++], sizeof what[0], "%s", w[k]);
            else
                snprintf(what[na++], sizeof what[0], "child %d's %s", T.kids[i].index, w[k]);
        }
    }
    /* The outsider: memscope.exe like the others, but its DLL maps a block of another name,
     * so it never maps the tour's. */
    swprintf(name, ARRAYSIZE(name), L"%ls-outsider", T.name);
    BOOL up = spawn(&out, T.nkids + 1, name) && ask(&out, "hello");
    if (up) {
        snprintf(out.hello, sizeof out.hello, "%s", out.reply);
        char cmd[TOUR_LINE_MAX] = "probe";
        for (int j = 0; j < na; j++)
            sprintf(cmd + strlen(cmd), " 0x%" PRIx64, addr[j]);
        up = ask(&out, "%s", cmd);
    }
    if (up) {
        for (int j = 0; j < na; j++) {
            char key[8], state[16], a[32], found[96];
            snprintf(key, sizeof key, "s%d", j + 1);
            kv(out.reply, key, state, sizeof state);
            snprintf(key, sizeof key, "m%d", j + 1);
            BOOL magic = kvnum(out.reply, key, 0) == 1;
            snprintf(key, sizeof key, "c%d", j + 1);
            DWORD creator = (DWORD)kvnum(out.reply, key, 0);
            snprintf(key, sizeof key, "n%d", j + 1);
            long long counter = kvnum(out.reply, key, 0);
            probed++;
            if (strcmp(state, "commit") != 0) {
                nothing++;
                snprintf(found, sizeof found, "%s: nothing mapped there", state);
            } else if (magic && creator == tour_creator && tour_creator != 0) {
                found_tour++;
                snprintf(found, sizeof found, "the tour's block (creator %lu)!",
                         (unsigned long)creator);
            } else if (magic && creator == out.pid) {
                own_block++;
                snprintf(found, sizeof found, "its own block: counter %lld, not %lld", counter,
                         V.value);
            } else {
                other++;
                snprintf(found, sizeof found, "other memory of its own");
            }
            step_row(hex(addr[j], a), what[j], found);
        }
        char n8[3 * MEMSCOPE_NAME_MAX + 1], v[32];
        to_utf8(name, n8, sizeof n8);
        note("the outsider: pid %lu, memscope.exe with the same DLL, attached to %s (its own "
             "block, view at %s)", (unsigned long)out.pid, n8, hex(kvaddr(out.hello, "view"), v));
        stop_child(&out);
    }
    fact_num("probed", probed);
    fact_num("found_tour_block", found_tour);
    fact_num("found_nothing", nothing);
    fact_num("found_own_block", own_block);
    fact_num("found_other", other);
    if (probed == 0)
        verdict(V_INCONCLUSIVE, "the outsider could not be started or did not answer.");
    else if (found_tour == 0)
        verdict(V_HOLDS, "at the %d addresses where the tour's children see the block, a "
                "process that never mapped it found nothing at %d and memory of its own at "
                "%d, never the tour's block: the pages are reachable only through a view.",
                probed, nothing, own_block + other);
    else
        verdict(V_FAILS, "the outsider found the tour's block at %d of %d addresses.",
                found_tour, probed);
    step_end();
}

/* Reads the whole file with plain ReadFile, as any program would.  Returns the bytes read,
 * or -1 (reported). */
static int read_file(const char *path, char *buf, int cap)
{
    DWORD got = 0;
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        win32_fail("CreateFileA");
        return -1;
    }
    BOOL ok = ReadFile(h, buf, (DWORD)cap, &got, NULL);
    if (!ok)
        win32_fail("ReadFile");
    CloseHandle(h);
    return ok ? (int)got : -1;
}

static int count_records(const char *buf, int n, const char *run)
{
    char tag[32];
    int found = 0;
    snprintf(tag, sizeof tag, "run %s", run);
    for (int k = 1; (k + 1) * TOUR_RECORD <= n; k++) {
        char rec[TOUR_RECORD + 1];
        memcpy(rec, buf + (size_t)k * TOUR_RECORD, TOUR_RECORD);
        rec[TOUR_RECORD] = 0;
        found += strncmp(rec, "child ", 6) == 0 && strstr(rec, tag) != NULL;
    }
    return found;
}

static void dump(const char *buf, int n)
{
    for (int off = 0; off < n; off += 16) {
        char line[120];
        int p = snprintf(line, sizeof line, "%04x ", off);
        for (int i = 0; i < 16; i++)
            p += snprintf(line + p, sizeof line - p, off + i < n ? " %02x" : "   ",
                          (unsigned char)buf[off + i]);
        p += snprintf(line + p, sizeof line - p, "  ");
        for (int i = 0; i < 16 && off + i < n; i++) {
            char ch = buf[off + i];
            if (ch < 32 || ch > 126)        /* not printable ASCII (signed char or not) */
                ch = '.';
            line[p++] = ch;
        }
        line[p] = 0;
        note("%s", line);
    }
}

static void step6(void)
{
    step_begin(6, "When the last process unmaps its view or exits, the pages are released; a "
               "file-backed mapping has its file updated, and FlushViewOfFile writes it "
               "earlier.");
    step_cols("who", "who", "pid", "pid", "event", "what happened", (const char *)NULL);
    char run[16], path8[MAX_PATH * 3], name8[3 * MEMSCOPE_NAME_MAX + 16], enc_path[MAX_PATH * 9],
        enc_name[sizeof name8 * 3], buf[TOUR_FILE_SIZE];
    int writers = 0, flushed = 0, in_file_open = -1, in_file_after = -1, parent_after = -1;
    long long counter_before = V.value;
    snprintf(run, sizeof run, "%08lx", T.run);

    if (T.file != NULL) {
        /* The file starts empty each run, so old records cannot pass for new ones. */
        HANDLE h = CreateFileA(T.file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        if (h == INVALID_HANDLE_VALUE)
            win32_fail("CreateFileA(--file)");
        else
            CloseHandle(h);
        snprintf(path8, sizeof path8, "%s", T.file);
        snprintf(name8, sizeof name8, "%s.file", T.name8);
        /* Percent-encoded: a path may hold spaces. */
        char *w = enc_path;
        for (const char *s = path8; *s; s++)
            w += sprintf(w, (*s == ' ' || *s == '%') ? "%%%02X" : "%c", (unsigned char)*s);
        *w = 0;
        w = enc_name;
        for (const char *s = name8; *s; s++)
            w += sprintf(w, (*s == ' ' || *s == '%') ? "%%%02X" : "%c", (unsigned char)*s);
        *w = 0;
        for (int i = 0; i < T.nkids; i++) {
            child *c = &T.kids[i];
            char pid[16], ev[80];
            if (!ask(c, "fileopen %s %s", enc_path, enc_name))
                continue;
            snprintf(ev, sizeof ev, "%s the file mapping; wrote record %d",
                     kvnum(c->reply, "created", 0) ? "created" : "opened", c->index);
            if (!ask(c, "filewrite %d %s", c->index, run))
                continue;
            writers++;
            snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
            char who[16];
            snprintf(who, sizeof who, "child %d", c->index);
            step_row(who, pid, ev);
        }
        child *f = first_live();
        if (f != NULL && ask(f, "fileflush")) {
            char pid[16], who[16];
            flushed = 1;
            snprintf(pid, sizeof pid, "%lu", (unsigned long)f->pid);
            snprintf(who, sizeof who, "child %d", f->index);
            step_row(who, pid, "FlushViewOfFile: OK (every view still mapped)");
        }
        int n = read_file(T.file, buf, sizeof buf);
        if (n >= 0) {
            in_file_open = count_records(buf, n, run);
            note("the file as the parent reads it with ReadFile, views still open (%d bytes, "
                 "first %d shown):", n, (T.nkids + 1) * TOUR_RECORD);
            dump(buf, n < (T.nkids + 1) * TOUR_RECORD ? n : (T.nkids + 1) * TOUR_RECORD);
        }
    }

    int exited = 0, n_before = 0;
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (!live(c))
            continue;
        n_before++;
        char pid[16], who[16], ev[64];
        BOOL ok = stop_child(c);
        exited += ok;
        snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
        snprintf(who, sizeof who, "child %d", c->index);
        snprintf(ev, sizeof ev, ok ? "exited (code %lu): its views are gone"
                                   : "did not exit cleanly (%lu)", (unsigned long)c->exit_code);
        step_row(who, pid, ev);
    }
    /* The parent never mapped the block: can it still open it by name? */
    DWORD gone_err = ERROR_SUCCESS;
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, T.name);
    if (h == NULL)
        gone_err = GetLastError();
    else
        CloseHandle(h);
    char ge[80];
    snprintf(ge, sizeof ge, gone_err == ERROR_FILE_NOT_FOUND
             ? "OpenFileMapping by name: ERROR_FILE_NOT_FOUND" : "OpenFileMapping: error %lu",
             (unsigned long)gone_err);
    char ppid[16];
    snprintf(ppid, sizeof ppid, "%lu", (unsigned long)GetCurrentProcessId());
    step_row("tour", ppid, ge);

    /* A new child on the same name. */
    child *fresh = &T.kids[0];
    BOOL started = start_child(fresh, 1);
    long long counter_after = -1;
    BOOL created = FALSE;
    if (started) {
        created = kvnum(fresh->hello, "created", 0) == 1;
        if (ask(fresh, "state"))
            counter_after = kvnum(fresh->reply, "counter", -1);
        char pid[16], ev[96];
        snprintf(pid, sizeof pid, "%lu", (unsigned long)fresh->pid);
        snprintf(ev, sizeof ev, "%s the block: counter %lld (was %lld)",
                 created ? "created" : "opened", counter_after, counter_before);
        step_row("new child", pid, ev);
        if (T.file != NULL && ask(fresh, "fileopen %s %s", enc_path, enc_name) &&
            ask(fresh, "fileread %s", run)) {
            in_file_after = (int)kvnum(fresh->reply, "records", -1);
            snprintf(ev, sizeof ev, "mapped the file again: %d records of this run in it",
                     in_file_after);
            step_row("new child", pid, ev);
        }
    }
    if (T.file != NULL) {
        int n = read_file(T.file, buf, sizeof buf);
        if (n >= 0)
            parent_after = count_records(buf, n, run);
    }
    T.nkids = started ? 1 : 0;

    fact_num("children_before", n_before);
    fact_num("exited", exited);
    fact_num("open_after_exit_error", gone_err);
    fact_bool("fresh_created", created);
    fact_num("counter_before", counter_before);
    fact_num("counter_after", counter_after);
    fact_bool("file", T.file != NULL);
    if (T.file != NULL) {
        fact_num("file_writers", writers);
        fact_bool("flushed", flushed);
        fact_num("file_records_views_open", in_file_open);
        fact_num("file_records_after_exit", in_file_after);
        fact_num("file_records_parent_after_exit", parent_after);
    }
    BOOL file_ok = T.file == NULL || (writers > 0 && flushed && in_file_open == writers &&
                                      in_file_after == writers && parent_after == writers);
    if (!started || n_before == 0)
        verdict(V_INCONCLUSIVE, "no child was left to exit, or the new child did not start.");
    else if (exited == n_before && gone_err == ERROR_FILE_NOT_FOUND && created &&
             counter_after == 0 && file_ok) {
        if (T.file != NULL)
            verdict(V_HOLDS, "after all %d children exited the name was gone, and a new child "
                    "created a fresh block (counter 0, was %lld). The file-backed mapping's %d "
                    "records were in the file while the views were open (after "
                    "FlushViewOfFile), and are still there for the new child and for ReadFile "
                    "after every view was released.", exited, counter_before, writers);
        else
            verdict(V_HOLDS, "after all %d children exited the name was gone "
                    "(ERROR_FILE_NOT_FOUND), and a new child created a fresh block: counter "
                    "0, where it was %lld. (Run with --file PATH to see a file-backed "
                    "mapping keep its state.)", exited, counter_before);
    } else
        verdict(V_FAILS, "%d of %d exited, the name %s, the new child %s the block (counter "
                "%lld)%s.", exited, n_before, gone_err == ERROR_FILE_NOT_FOUND ? "was gone"
                : "still existed", created ? "created" : "opened", counter_after,
                file_ok ? "" : "; the file's records did not all survive");
    step_end();
}

/* One race round: every live child waits for the start event, then increments. */
typedef struct round {
    long long before, after, lost;
    double slowest_ms, overlap_ms;
    int racers;
} round;

static const char *race_field(const char *mode)
{
    return strcmp(mode, "racy") == 0 ? "racy" : strcmp(mode, "atomic") == 0 ? "counter"
                                                                            : "locked";
}

/* How long at least two of the n runs [t0[i], t1[i]) were going at the same time: only then
 * can an update be lost.  QueryPerformanceCounter is one clock for the whole machine, so
 * the children's readings compare.  A sweep over the 2n start and end points. */
static long long overlap_ticks(const long long *t0, const long long *t1, int n)
{
    long long total = 0, prev = 0;
    int running = 0;
    for (;;) {
        /* The next point after prev: the earliest start or end still ahead. */
        long long next = 0;
        BOOL any = FALSE;
        for (int i = 0; i < n; i++) {
            if (t0[i] > prev && (!any || t0[i] < next))
                next = t0[i], any = TRUE;
            if (t1[i] > prev && (!any || t1[i] < next))
                next = t1[i], any = TRUE;
        }
        if (!any)
            return total;
        if (running >= 2)
            total += next - prev;
        running = 0;
        for (int i = 0; i < n; i++)
            running += t0[i] <= next && next < t1[i];
        prev = next;
    }
}

static BOOL race(HANDLE go, const char *mode, round *r)
{
    child *reader = first_live();
    LARGE_INTEGER freq;
    long long t0[TOUR_PROCS_MAX], t1[TOUR_PROCS_MAX];
    QueryPerformanceFrequency(&freq);
    memset(r, 0, sizeof *r);
    if (reader == NULL || !ask(reader, "state"))
        return FALSE;
    r->before = kvnum(reader->reply, race_field(mode), -1);
    if (!ResetEvent(go))
        return win32_fail("ResetEvent"), FALSE;
    BOOL sent[TOUR_PROCS_MAX] = { 0 };
    for (int i = 0; i < T.nkids; i++)
        sent[i] = send_cmd(&T.kids[i], "race %s %ld", mode, T.iterations);
    /* Every racer is blocked on the event, or about to be: let them all go at once. */
    if (!SetEvent(go))
        return win32_fail("SetEvent"), FALSE;
    int racers = 0;             /* t0[] and t1[] are filled up to here */
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (!sent[i] || !recv_reply(c, TOUR_RACE_TIMEOUT_MS))
            continue;
        t0[racers] = kvnum(c->reply, "t0", 0);
        t1[racers] = kvnum(c->reply, "t1", 0);
        double ms = (double)(t1[racers] - t0[racers]) * 1000.0 / (double)freq.QuadPart;
        if (ms > r->slowest_ms)
            r->slowest_ms = ms;
        racers++;
    }
    r->racers = racers;
    r->overlap_ms = (double)overlap_ticks(t0, t1, racers) * 1000.0 / (double)freq.QuadPart;
    if ((reader = first_live()) == NULL || !ask(reader, "state"))
        return FALSE;
    r->after = kvnum(reader->reply, race_field(mode), -1);
    r->lost = (long long)r->racers * T.iterations - (r->after - r->before);
    return TRUE;
}

static void step7(void)
{
    step_begin(7, "Several writers must synchronise their access to shared memory.");
    step_cols("way", "way", "expected", "increments", "counted", "counted", "lost", "lost",
              "slowest_ms", "slowest (ms)", "overlap_ms", "overlap (ms)", (const char *)NULL);
    static const char *modes[3] = { "racy", "atomic", "locked" };   /* also the facts' keys */
    round r[3] = { 0 };
    BOOL ok[3] = { 0 };
    WCHAR go_name[MEMSCOPE_NAME_MAX + 8];
    char go8[sizeof T.name8 + 8];

    /* The cast for steps 7 and 8: the new child of step 6 and N-1 more. */
    for (int i = T.nkids; i < T.procs; i++) {
        start_child(&T.kids[i], i + 1);
        T.nkids = i + 1;    /* one that failed to start stays CH_NONE: no step asks it */
    }
    swprintf(go_name, ARRAYSIZE(go_name), L"%ls.go", T.name);
    to_utf8(go_name, go8, sizeof go8);
    /* Manual-reset: one SetEvent releases every waiting racer, not just one. */
    HANDLE go = CreateEventW(NULL, TRUE, FALSE, go_name);
    if (go == NULL) {
        win32_fail("CreateEventW");
    } else {
        static const char *ways[3] = { "racy: read, add, write",
                                       "atomic: InterlockedIncrement64",
                                       "locked: the block's lock" };
        for (int i = 0; i < T.nkids; i++)
            ask(&T.kids[i], "arm %s", go8);
        for (int m = 0; m < 3; m++) {
            ok[m] = race(go, modes[m], &r[m]);
            char e[32], c[32], l[32], s[32], o[32];
            snprintf(e, sizeof e, "%d x %ld", r[m].racers, T.iterations);
            snprintf(c, sizeof c, "%lld", r[m].after - r[m].before);
            snprintf(l, sizeof l, "%lld", r[m].lost);
            snprintf(s, sizeof s, "%.1f", r[m].slowest_ms);
            snprintf(o, sizeof o, "%.1f", r[m].overlap_ms);
            step_row(ways[m], ok[m] ? e : "-", ok[m] ? c : "-", ok[m] ? l : "-",
                     ok[m] ? s : "-", ok[m] ? o : "-");
        }
        CloseHandle(go);
        note("all racers wait on the named manual-reset event %s and start when the tour "
             "sets it; overlap: how long two or more of them were incrementing at once "
             "(QueryPerformanceCounter in each child).", go8);
    }
    for (int m = 0; m < 3; m++) {
        char k[32];
        snprintf(k, sizeof k, "%s_expected", modes[m]);
        fact_num(k, (long long)r[m].racers * T.iterations);
        snprintf(k, sizeof k, "%s_counted", modes[m]);
        fact_num(k, r[m].after - r[m].before);
        snprintf(k, sizeof k, "%s_lost", modes[m]);
        fact_num(k, r[m].lost);
        snprintf(k, sizeof k, "%s_overlap_us", modes[m]);
        fact_num(k, (long long)(r[m].overlap_ms * 1000.0));
    }
    fact_num("racers", r[0].racers);
    fact_num("iterations", T.iterations);
    if (!ok[0] || !ok[1] || !ok[2] || r[0].racers < 2)
        verdict(V_INCONCLUSIVE, "fewer than two children raced in every round.");
    else if (r[1].lost == 0 && r[2].lost == 0 && r[0].lost > 0)
        verdict(V_HOLDS, "unsynchronised, %lld of %lld increments were lost (%.1f%%): two "
                "processes read the same old value and both wrote value+1. Interlocked and "
                "locked, every one of the %lld counted.", r[0].lost,
                (long long)r[0].racers * T.iterations,
                100.0 * (double)r[0].lost / (double)(r[0].racers * T.iterations),
                (long long)r[1].racers * T.iterations);
    else if (r[1].lost == 0 && r[2].lost == 0 && r[0].lost == 0)
        verdict(V_HOLDS, "interlocked and locked, every increment counted. Unsynchronised, "
                "no update happened to be lost this time (the children overlapped for %.1f "
                "ms): the race did not bite, which is luck, not correctness; run again, or "
                "with more --iterations.", r[0].overlap_ms);
    else
        verdict(V_FAILS, "lost updates: %lld unsynchronised, %lld interlocked, %lld locked; "
                "the last two must be 0.", r[0].lost, r[1].lost, r[2].lost);
    step_end();
}

static void step8(void)
{
    step_begin(8, "The DLL's own kind of sharing: a variable in a PE section marked shared is "
               "one copy for every process that loads the DLL; an ordinary global is one copy "
               "per process.");
    step_cols("who", "who", "pid", "pid", "dll", "memscope.dll at", "global",
              "ordinary global after +1", "section", ".shared counter after +1",
              (const char *)NULL);
    int n = 0, ones = 0, steps_ok = 0;
    long long first = -1, prev = -1, last = -1;
    for (int i = 0; i < T.nkids; i++) {
        child *c = &T.kids[i];
        if (!ask(c, "image"))
            continue;
        long long g = kvnum(c->reply, "global", -1), s = kvnum(c->reply, "section", -1);
        ones += g == 1;
        if (n > 0)
            steps_ok += s == prev + 1;
        if (first < 0)
            first = s;
        prev = last = s;
        n++;
        char who[16], pid[16], d[32], gs[16], ss[16];
        snprintf(who, sizeof who, "child %d", c->index);
        snprintf(pid, sizeof pid, "%lu", (unsigned long)c->pid);
        snprintf(gs, sizeof gs, "%lld", g);
        snprintf(ss, sizeof ss, "%lld", s);
        step_row(who, pid, hex(kvaddr(c->reply, "dll"), d), gs, ss);
    }
    /* The parent loaded the same DLL file and never incremented either counter. */
    LONG pg = -1, ps = -1;
    MemscopeImageCounters(&pg, &ps);
    char pid[16], d[32], gs[16], ss[16];
    snprintf(pid, sizeof pid, "%lu", (unsigned long)GetCurrentProcessId());
    snprintf(gs, sizeof gs, "%ld (never +1)", (long)pg);
    snprintf(ss, sizeof ss, "%ld (never +1)", (long)ps);
    step_row("tour (parent)", pid, hex((uintptr_t)GetModuleHandleW(L"memscope.dll"), d), gs, ss);
    if (n > 0)
        note("before the children, the .shared counter was %lld: it counts every increment "
             "made since the DLL was loaded by the first process still running (the parent "
             "keeps it loaded throughout).", first - 1);
    fact_num("children", n);
    fact_num("globals_one", ones);
    fact_num("section_consecutive", steps_ok);
    fact_num("section_first", first);
    fact_num("section_last", last);
    fact_num("parent_global", pg);
    fact_num("parent_section", ps);
    if (n < 2)
        verdict(V_INCONCLUSIVE, "fewer than two children answered.");
    else if (ones == n && steps_ok == n - 1 && pg == 0 && ps >= last)
        verdict(V_HOLDS, "each child's ordinary global went from 0 to 1: %d copies. The "
                ".shared counter went %lld, ..., %lld across the children, and the parent, "
                "which never touched it, reads %ld: one copy for all.", n, first, last,
                (long)ps);
    else
        verdict(V_FAILS, "%d of %d globals were 1; %d of %d .shared steps were +1; parent "
                "global %ld, section %ld (last child %lld).", ones, n, steps_ok, n - 1,
                (long)pg, (long)ps, last);
    step_end();
}

/* ---- the command -------------------------------------------------------------------- */

static void tour_usage(FILE *f)
{
    fprintf(f,
        "usage: memscope tour [--procs N] [--file PATH] [--json] [--iterations K]\n"
        "                     [--timeout MS] [--fault STEP:hang|crash]\n"
        "  --procs N        child processes (2..%d, default %d)\n"
        "  --file PATH      step 6 also shows a mapping backed by the file PATH\n"
        "  --json           the observations as one JSON document\n"
        "  --iterations K   increments per child in step 7 (default %d)\n"
        "  --timeout MS     how long a child may take to answer (default %d)\n"
        "  --fault S:KIND   child 2 hangs or crashes at step S (to see the tour go on)\n",
        TOUR_PROCS_MAX, TOUR_PROCS_DEFAULT, TOUR_ITERATIONS, TOUR_TIMEOUT_MS);
}

/* Kills the children in the job when the tour's handle to it closes, whatever happens to
 * the tour.  Returns the job or NULL (reported: the tour still ends its children itself). */
static HANDLE make_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim = { 0 };
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job == NULL) {
        win32_fail("CreateJobObjectW");
        return NULL;
    }
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim)) {
        win32_fail("SetInformationJobObject");
        CloseHandle(job);
        return NULL;
    }
    return job;
}

int tour_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "procs", required_argument, NULL, 'n' },
        { "file", required_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "iterations", required_argument, NULL, 'i' },
        { "timeout", required_argument, NULL, 't' },
        { "fault", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    char *end;

    memset(&T, 0, sizeof T);
    T.procs = TOUR_PROCS_DEFAULT;
    T.timeout = TOUR_TIMEOUT_MS;
    T.iterations = TOUR_ITERATIONS;
    optind = 0;     /* 0: a full reset of getopt after main's own parse (MinGW, BSD) */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            T.procs = (int)strtol(optarg, &end, 10);
            if (*end || T.procs < 2 || T.procs > TOUR_PROCS_MAX) {
                fprintf(stderr, "memscope tour: --procs wants 2 to %d\n", TOUR_PROCS_MAX);
                return EXIT_USAGE;
            }
            break;
        case 'f':
            T.file = optarg;
            break;
        case 'j':
            T.json = TRUE;
            break;
        case 'i':
            T.iterations = strtol(optarg, &end, 10);
            if (*end || T.iterations < 1 || T.iterations > 100000000) {
                fprintf(stderr, "memscope tour: --iterations wants 1 to 100000000\n");
                return EXIT_USAGE;
            }
            break;
        case 't':
            T.timeout = (DWORD)strtoul(optarg, &end, 10);
            if (*end || T.timeout < 100) {
                fprintf(stderr, "memscope tour: --timeout wants at least 100 (ms)\n");
                return EXIT_USAGE;
            }
            break;
        case 'F':
            T.fault_step = (int)strtol(optarg, &end, 10);
            if (*end != ':' || T.fault_step < 1 || T.fault_step > 8 ||
                (strcmp(end + 1, "hang") != 0 && strcmp(end + 1, "crash") != 0)) {
                fprintf(stderr, "memscope tour: --fault wants STEP:hang or STEP:crash\n");
                return EXIT_USAGE;
            }
            snprintf(T.fault_kind, sizeof T.fault_kind, "%s", end + 1);
            break;
        case 'h':
            tour_usage(stdout);
            return 0;
        default:
            tour_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        tour_usage(stderr);
        return EXIT_USAGE;
    }

    DWORD n = GetModuleFileNameW(NULL, T.exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH)
        return win32_fail("GetModuleFileNameW");
    swprintf(T.name, ARRAYSIZE(T.name), L"Local\\memscope-tour-%lu",
             (unsigned long)GetCurrentProcessId());
    to_utf8(T.name, T.name8, sizeof T.name8);
    T.run = (unsigned long)(GetTickCount64() ^ ((ULONGLONG)GetCurrentProcessId() << 16));
    T.job = make_job();

    if (T.json) {
        printf("{\"tour\": {\"version\": \"%s\", \"procs\": %d, \"block\": ", MEMSCOPE_VERSION,
               T.procs);
        json_str(T.name8);
        printf(", \"file\": ");
        if (T.file)
            json_str(T.file);
        else
            fputs("null", stdout);
        printf(", \"iterations\": %ld, \"parent_pid\": %lu, \"pointer_bits\": %u},\n"
               " \"steps\": [", T.iterations, (unsigned long)GetCurrentProcessId(),
               (unsigned)(8 * sizeof(void *)));
    } else {
        printf("memscope tour: %d child processes of memscope.exe on the block %s\n"
               "Each child loads memscope.dll; the tour sends it one command a line and prints "
               "what it\nanswers. Every verdict below is computed from those answers.\n",
               T.procs, T.name8);
    }
    fflush(stdout);

    /* One after another, so the first one is the block's creator (step 3). */
    T.step = 0;
    for (int i = 0; i < T.procs; i++) {
        start_child(&T.kids[i], i + 1);
        T.nkids = i + 1;
    }

    step1();
    step2();
    step3();
    step4();
    step5();
    step6();
    step7();
    step8();

    T.step = 9;
    for (int i = 0; i < T.nkids; i++)
        stop_child(&T.kids[i]);
    if (T.job != NULL)
        CloseHandle(T.job);         /* kills whatever is still in it */

    if (T.json) {
        printf("\n ],\n \"summary\": {\"steps\": 8, \"holds\": %d, \"fails\": %d, "
               "\"inconclusive\": %d}}\n", T.holds, T.fails, T.inconclusive);
    } else {
        printf("\nSummary: %d of 8 claims hold", T.holds);
        if (T.fails)
            printf(", %d do not", T.fails);
        if (T.inconclusive)
            printf(", %d inconclusive", T.inconclusive);
        printf(". No child is left running.\n");
    }
    fflush(stdout);
    return T.holds == 8 ? 0 : 1;
}
