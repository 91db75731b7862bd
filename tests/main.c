/*
 * main.c: the test driver.  memscope_tests.exe runs in one of four ways:
 *
 *   memscope_tests.exe [--results DIR]     the driver: every suite in a process of its own
 *   memscope_tests.exe --suite NAME --from K --xml FILE
 *                                          one suite, its runs from index K on, Check's XML
 *                                          report written to FILE (what the driver starts)
 *   memscope_tests.exe --list              every planned run and skipped test, one a line
 *   memscope_tests.exe --child CMD...      a helper process of a test (child.c)
 *
 * Why a driver.  Check's MinGW build has no fork: every test runs in the runner's own
 * process, so tcase timeouts are ignored and one crash ends the whole run, taking the
 * reports of every later suite with it.  The driver starts one process per suite (in a job
 * object, so the helpers a killed suite started go with it), and watches Check's XML report
 * grow, one <test> element per finished run (Check flushes it after each):
 *   - a run that reports nothing within its test case's time limit (tcase_set_timeout, else
 *     CK_DEFAULT_TIMEOUT, else 4 s, times CK_TIMEOUT_MULTIPLIER: Check's own rules) is
 *     killed, with the suite's process, and reported as an error under its own name;
 *   - a suite process that ends before its report is complete (a crash) is reported as an
 *     error of the run it was in, with the exit code;
 *   - either way the suite is started again from the run after that one, so every other
 *     test still runs and reports.
 * The plan (plan.c) says which run is which: the suites register their tests through it.
 * Failures are printed the way Check prints them (file:line:F:case:test:iteration: message;
 * E for errors), one line per suite follows, then Check's summary line over all suites and,
 * last, "N passed, N failed, N skipped".  Exit status 0 only if nothing failed.
 * CK_RUN_SUITE=NAME runs one suite.  Each suite process gets a block name of its own
 * (MEMSCOPE_NAME with a suffix), so a crashed suite's block cannot touch the next suite.
 */
#include <fcntl.h>
#include <io.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

typedef struct suite_entry {
    const char *name;        /* as the suite calls itself (suite_create) */
    Suite *(*make)(void);
} suite_entry;

static const suite_entry g_suites[] = {
    { "sample", suite_sample },
    { "text", suite_text },
    { "bad arguments", suite_args },
    { "scope across processes", suite_scope },
    { "foreign block", suite_block },
    { "registry", suite_registry },
    { "lock", suite_lock },
    { "robustness", suite_robust },
    { "faults", suite_faults },
    { "security descriptor", suite_security },
    { "tour", suite_tour },
    { "minimal and levels", suite_minimal },
    { "exercises", suite_exercises },
};
#define NSUITES ((int)(sizeof g_suites / sizeof g_suites[0]))

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

/* Milliseconds on QueryPerformanceCounter (under Wine, GetTickCount64 can lag). */
static double now_ms(void)
{
    static LARGE_INTEGER f;
    LARGE_INTEGER c;
    if ((f.QuadPart == 0 && !QueryPerformanceFrequency(&f)) || !QueryPerformanceCounter(&c)) {
        fprintf(stderr, "memscope_tests: QueryPerformanceCounter: %lu\n", GetLastError());
        exit(3);
    }
    return (double)c.QuadPart * 1000.0 / (double)f.QuadPart;
}

static const suite_entry *find_suite(const char *name)
{
    for (int i = 0; i < NSUITES; i++)
        if (strcmp(g_suites[i].name, name) == 0)
            return &g_suites[i];
    return NULL;
}

/* Builds suite e's plan in this process (registration only: no test runs); the Suite is
 * freed again. */
static void plan_suite(const suite_entry *e)
{
    mst_plan_begin();
    SRunner *sr = srunner_create(e->make());
    srunner_free(sr);
}

/* ---- the suite process ------------------------------------------------------------ */

static int suite_child(const char *name, int from, const char *xml)
{
    const suite_entry *e = find_suite(name);
    if (e == NULL) {
        fprintf(stderr, "memscope_tests: no suite named '%s'\n", name);
        return 2;
    }
    mst_plan_begin();
    Suite *s = e->make();
    mst_plan_commit(from);
    SRunner *sr = srunner_create(s);
    srunner_set_xml(sr, xml);
    srunner_run_all(sr, CK_SILENT);      /* the driver prints what failed */
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- Check's XML report ------------------------------------------------------------ */

typedef struct xml_test {
    char result[16];         /* success, failure, error */
    char path[MAX_PATH];     /* folder of the source file ("." for none) */
    char fn[MAX_PATH];       /* file:line */
    char id[160];            /* the test's name */
    char tcase[160];
    int iter;
    char *message;           /* malloc'd */
} xml_test;

/* Check escapes " ' < > & and control characters (&#xN;) in names and messages. */
static void unescape(const char *s, size_t n, char *out, size_t cap)
{
    static const struct { const char *ent; char ch; } ents[] = {
        { "&quot;", '"' }, { "&apos;", '\'' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
    };
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < cap;) {
        char ch = s[i];
        size_t used = 1;
        if (ch == '&') {
            for (size_t k = 0; k < sizeof ents / sizeof ents[0]; k++) {
                size_t len = strlen(ents[k].ent);
                if (i + len <= n && strncmp(s + i, ents[k].ent, len) == 0) {
                    ch = ents[k].ch;
                    used = len;
                    break;
                }
            }
            if (used == 1 && i + 3 < n && s[i + 1] == '#' && s[i + 2] == 'x') {
                char *end = NULL;
                unsigned long v = strtoul(s + i + 3, &end, 16);
                if (end != NULL && end < s + n && *end == ';') {
                    ch = (char)v;
                    used = (size_t)(end + 1 - (s + i));
                }
            }
        }
        out[o++] = ch;
        i += used;
    }
    out[o] = 0;
}

/* The unescaped text of <tag>...</tag> within [p, end), into out (cap bytes); FALSE if
 * absent. */
static BOOL xml_field(const char *p, const char *end, const char *tag, char *out, size_t cap)
{
    char open[32], close[32];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(p, open);
    if (a == NULL || a >= end)
        return FALSE;
    a += strlen(open);
    const char *b = strstr(a, close);
    if (b == NULL || b > end)
        return FALSE;
    unescape(a, (size_t)(b - a), out, cap);
    return TRUE;
}

/* Reads a whole file (NUL-terminated, malloc'd) or returns NULL.  The suite process may
 * still be writing it: read with every sharing mode. */
static char *read_all(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE |
                           FILE_SHARE_DELETE, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    LARGE_INTEGER size;
    char *buf = NULL;
    DWORD got = 0;
    if (GetFileSizeEx(h, &size) && size.QuadPart < (LONGLONG)64 * 1024 * 1024 &&
        (buf = malloc((size_t)size.QuadPart + 1)) != NULL) {
        if (!ReadFile(h, buf, (DWORD)size.QuadPart, &got, NULL))
            got = 0;
        buf[got] = 0;
    }
    if (!CloseHandle(h))
        fprintf(stderr, "memscope_tests: CloseHandle(%s): %lu\n", path, GetLastError());
    return buf;
}

/* Parses the complete <test> elements of a report, in order, into tests[] (at most cap;
 * each message malloc'd).  Returns how many; *closed: the report ends (</testsuites>). */
static int xml_parse(const char *xml, xml_test *tests, int cap, BOOL *closed)
{
    int n = 0;
    *closed = xml != NULL && strstr(xml, "</testsuites>") != NULL;
    for (const char *p = xml; p != NULL && (p = strstr(p, "<test result=\"")) != NULL;) {
        const char *end = strstr(p, "</test>");
        if (end == NULL || n == cap)
            break;
        xml_test *t = &tests[n];
        memset(t, 0, sizeof *t);
        const char *r = p + strlen("<test result=\"");
        size_t rl = strcspn(r, "\"");
        snprintf(t->result, sizeof t->result, "%.*s", (int)rl, r);
        char iter[16] = "0", *msg_end;
        xml_field(p, end, "path", t->path, sizeof t->path);
        xml_field(p, end, "fn", t->fn, sizeof t->fn);
        xml_field(p, end, "id", t->id, sizeof t->id);
        xml_field(p, end, "iteration", iter, sizeof iter);
        xml_field(p, end, "description", t->tcase, sizeof t->tcase);
        t->iter = (int)strtol(iter, NULL, 10);
        const char *m = strstr(p, "<message>");
        msg_end = m != NULL && m < end ? strstr(m, "</message>") : NULL;
        size_t ml = msg_end != NULL ? (size_t)(msg_end - m) : 0;
        t->message = malloc(ml + 1);
        if (t->message == NULL) {
            fprintf(stderr, "memscope_tests: out of memory reading the report\n");
            exit(3);
        }
        if (msg_end != NULL)
            unescape(m + strlen("<message>"), ml - strlen("<message>"), t->message, ml + 1);
        else
            t->message[0] = 0;
        n++;
        p = end;
    }
    return n;
}

/* How many runs the report at path has finished (complete <test> elements). */
static int xml_count(const char *path)
{
    char *xml = read_all(path);
    int n = 0;
    for (const char *p = xml; p != NULL && (p = strstr(p, "</test>")) != NULL; p++)
        n++;
    free(xml);
    return n;
}

/* ---- the driver --------------------------------------------------------------------- */

typedef struct tally {
    int run, passed, failures, errors, skipped;
} tally;

/* Prints a driver-made error for planned run k the way Check prints an error. */
static void report_error(tally *t, const mst_planned *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void report_error(tally *t, const mst_planned *p, const char *fmt, ...)
{
    va_list ap;
    say("%s:%d:E:%s:%s:%d: (after this point) ", p->file, p->line, p->tcase, p->test, p->iter);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    say("\n");
    t->run++;
    t->errors++;
}

static const char *exit_text(DWORD code)
{
    static char buf[48];
    snprintf(buf, sizeof buf, code >= 0xC0000000u ? "0x%08lX" : "%lu", (unsigned long)code);
    return buf;
}

/* A job that kills what is in it when its last handle closes, or NULL (reported). */
static HANDLE make_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job == NULL) {
        fprintf(stderr, "memscope_tests: CreateJobObjectW: %lu\n", GetLastError());
        return NULL;
    }
    memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim)) {
        fprintf(stderr, "memscope_tests: SetInformationJobObject: %lu\n", GetLastError());
        CloseHandle(job);
        return NULL;
    }
    return job;
}

/* Starts cmd suspended, puts it in job (if any), lets it run.  Retries Wine's occasional
 * ERROR_INTERNAL_ERROR at process start (see mst_create_process).  Returns the process
 * handle or NULL (reported). */
static HANDLE start_suite_process(char *cmd, HANDLE job)
{
    STARTUPINFOA si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    for (int tries = 1;; tries++) {
        if (CreateProcessA(NULL, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi))
            break;
        DWORD err = GetLastError();
        if (err != ERROR_INTERNAL_ERROR || tries == 5) {
            say("memscope_tests: CreateProcess(%s) failed: %lu\n", cmd, (unsigned long)err);
            return NULL;
        }
        Sleep(20 * tries);
    }
    if (job != NULL && !AssignProcessToJobObject(job, pi.hProcess))
        fprintf(stderr, "memscope_tests: AssignProcessToJobObject: %lu (helpers of a killed "
                "suite may outlive it)\n", GetLastError());
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        say("memscope_tests: ResumeThread: %lu\n", GetLastError());
        if (!TerminateProcess(pi.hProcess, 3))
            fprintf(stderr, "memscope_tests: TerminateProcess: %lu\n", GetLastError());
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        return NULL;
    }
    CloseHandle(pi.hThread);
    return pi.hProcess;
}

/* Kills a suite process (and, through the job, its helpers) and waits for it. */
static void kill_suite(HANDLE process, HANDLE job)
{
    BOOL ok = job != NULL ? TerminateJobObject(job, 124) : TerminateProcess(process, 124);
    if (!ok)
        fprintf(stderr, "memscope_tests: Terminate%s: %lu\n", job != NULL ? "JobObject" : "Process",
                GetLastError());
    if (WaitForSingleObject(process, 30000) != WAIT_OBJECT_0)
        fprintf(stderr, "memscope_tests: a killed suite process did not end within 30 s\n");
}

typedef enum { RUN_DONE, RUN_HUNG, RUN_ENDED } run_end;

/* Runs suite index si from planned run `from` on, the report in xml.  Returns how it ended;
 * *code: the process's exit code. */
static run_end run_once(int si, int from, const char *xml, const WCHAR *block, DWORD *code)
{
    char self[MAX_PATH], cmd[3 * MAX_PATH];
    DWORD n = GetModuleFileNameA(NULL, self, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        say("memscope_tests: GetModuleFileNameA: %lu\n", GetLastError());
        exit(3);
    }
    /* cppcheck-suppress uninitvar ; cppcheck 2.10's windows.cfg marks GetModuleFileNameA's
     * buffer as an input, but the call fills it (and n > 0 was checked) */
    snprintf(cmd, sizeof cmd, "\"%s\" --suite \"%s\" --from %d --xml \"%s\"", self,
             g_suites[si].name, from, xml);
    if (!DeleteFileA(xml) && GetLastError() != ERROR_FILE_NOT_FOUND)
        fprintf(stderr, "memscope_tests: DeleteFileA(%s): %lu\n", xml, GetLastError());
    if (!SetEnvironmentVariableW(MEMSCOPE_NAME_ENV, block)) {
        say("memscope_tests: SetEnvironmentVariableW: %lu\n", GetLastError());
        exit(3);
    }
    HANDLE job = make_job();
    HANDLE p = start_suite_process(cmd, job);
    if (p == NULL) {
        if (job != NULL)
            CloseHandle(job);
        *code = 3;
        return RUN_ENDED;
    }
    /* The watchdog: the limit of the run in progress, from the last report of a run. */
    int done = 0;
    double since = now_ms();
    run_end how = RUN_ENDED;
    for (;;) {
        DWORD w = WaitForSingleObject(p, 200);
        if (w == WAIT_OBJECT_0)
            break;
        if (w != WAIT_TIMEOUT) {
            say("memscope_tests: WaitForSingleObject on the suite process: %lu\n", GetLastError());
            kill_suite(p, job);
            break;
        }
        int now_done = xml_count(xml);
        if (now_done != done) {
            done = now_done;
            since = now_ms();
        }
        mst_planned cur = { 0 };
        if (mst_plan_get(from + done, &cur) &&
            now_ms() - since > cur.limit_s * 1000.0) {
            kill_suite(p, job);
            how = RUN_HUNG;
            break;
        }
    }
    if (!GetExitCodeProcess(p, code)) {
        fprintf(stderr, "memscope_tests: GetExitCodeProcess: %lu\n", GetLastError());
        *code = (DWORD)-1;
    }
    CloseHandle(p);
    if (job != NULL)
        CloseHandle(job);      /* kills helpers a crashed suite left behind */
    return how == RUN_HUNG ? RUN_HUNG : RUN_DONE;
}

/* Runs suite si to the end, however many processes that takes; adds to *all. */
static void run_suite(int si, const char *dir, const WCHAR *base, tally *all)
{
    const suite_entry *e = &g_suites[si];
    tally t = { 0 };
    double t0 = now_ms();
    plan_suite(e);
    int planned = mst_plan_runs();
    int from = 0;
    BOOL finished = FALSE;

    for (int k = 0; k < mst_plan_skips(); k++) {
        mst_planned s = { 0 };
        if (mst_plan_skip_get(k, &s)) {
            say("%s:%d:S:%s:%s: SKIPPED: %s\n", s.file, s.line, s.tcase, s.test, s.why);
            t.skipped++;
        }
    }
    while (!finished && from < planned) {
        char xml[MAX_PATH];
        WCHAR block[MEMSCOPE_NAME_MAX + 1];
        DWORD code = 0;
        BOOL closed, any_failed = FALSE;
        snprintf(xml, sizeof xml, "%s\\suite%02d-from%03d.xml", dir, si, from);
        swprintf(block, ARRAYSIZE(block), L"%ls-s%d-%d", base, si, from);
        run_end how = run_once(si, from, xml, block, &code);

        xml_test *res = calloc((size_t)(planned - from), sizeof *res);
        if (res == NULL) {
            say("memscope_tests: out of memory\n");
            exit(3);
        }
        char *text = read_all(xml);
        int got = xml_parse(text, res, planned - from, &closed);
        free(text);
        for (int i = 0; i < got; i++) {
            xml_test *r = &res[i];
            mst_planned p = { 0 };
            t.run++;
            if (!mst_plan_get(from + i, &p) || strcmp(p.test, r->id) != 0 || p.iter != r->iter)
                say("memscope_tests: the plan says run %d is %s:%d, Check ran %s:%d\n",
                    from + i, mst_plan_get(from + i, &p) ? p.test : "(none)",
                    mst_plan_get(from + i, &p) ? p.iter : -1, r->id, r->iter);
            if (strcmp(r->result, "success") == 0) {
                t.passed++;
            } else {
                BOOL err = strcmp(r->result, "error") == 0;
                if (err)
                    t.errors++;
                else
                    t.failures++;
                any_failed = TRUE;
                say("%s%s%s:%c:%s:%s:%d: %s%s\n", strcmp(r->path, ".") == 0 ? "" : r->path,
                    strcmp(r->path, ".") == 0 ? "" : "/", r->fn, err ? 'E' : 'F', r->tcase,
                    r->id, r->iter, err ? "(after this point) " : "", r->message);
            }
            free(r->message);
        }
        free(res);
        from += got;

        mst_planned cur = { 0 };
        BOOL have = mst_plan_get(from, &cur);
        if (how == RUN_HUNG && have) {
            report_error(&t, &cur, "no result within %.0f s (its test case's time limit): "
                         "killed with its suite's process; the suite goes on after it",
                         cur.limit_s);
            from++;
        } else if (!closed && have) {
            report_error(&t, &cur, "the suite's process ended with exit code %s before this "
                         "test reported (a crash?); the suite goes on after it",
                         exit_text(code));
            from++;
        } else {
            finished = TRUE;
            DWORD want = any_failed ? EXIT_FAILURE : EXIT_SUCCESS;
            if (!closed || code != want || from != planned) {
                mst_planned whole = { .tcase = "(suite)", .test = "(suite-exit)",
                                      .file = "tests/main.c", .line = __LINE__ };
                report_error(&t, &whole, "suite '%s' ended with exit code %s (expected %lu), "
                             "%s, after %d of %d runs", e->name, exit_text(code),
                             (unsigned long)want, closed ? "its report complete" :
                             "its report cut short", from, planned);
            }
        }
    }
    double secs = (now_ms() - t0) / 1000.0;
    int failed = t.failures + t.errors;
    say(" %-24s %3d run: %3d passed, %d failed%s, %d skipped  (%.1f s)\n", e->name, t.run,
        t.passed, failed, failed ? " <--" : "", t.skipped, secs);
    all->run += t.run;
    all->passed += t.passed;
    all->failures += t.failures;
    all->errors += t.errors;
    all->skipped += t.skipped;
}

static int drive(const char *dir)
{
    tally all = { 0 };
    WCHAR base[MEMSCOPE_NAME_MAX + 1];
    char only[128] = "";
    DWORD n = GetEnvironmentVariableW(MEMSCOPE_NAME_ENV, base, 160);
    if (n == 0 || n >= 160)
        wcscpy(base, L"Local\\memscope-tests");
    /* CK_RUN_SUITE selects here; no suite process may see it (nor CK_RUN_CASE, which would
     * make Check skip runs the plan expects). */
    n = GetEnvironmentVariableA("CK_RUN_SUITE", only, sizeof only);
    if (n >= sizeof only)
        only[0] = 0;
    if ((!SetEnvironmentVariableA("CK_RUN_SUITE", NULL) && GetLastError() != ERROR_ENVVAR_NOT_FOUND) ||
        (!SetEnvironmentVariableA("CK_RUN_CASE", NULL) && GetLastError() != ERROR_ENVVAR_NOT_FOUND)) {
        say("memscope_tests: SetEnvironmentVariableA: %lu\n", GetLastError());
        return 3;
    }
    /* A crash ends the crashed process at once, no debugger (Wine's prints pages and takes
     * seconds); the exit code still says what happened.  Inherited by every process below. */
    SetErrorMode(SetErrorMode(0) | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    if (!CreateDirectoryA(dir, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) {
        say("memscope_tests: CreateDirectoryA(%s): %lu\n", dir, GetLastError());
        return 3;
    }
    /* Reports of an earlier run would only confuse: remove them. */
    char pattern[MAX_PATH];
    WIN32_FIND_DATAA fd;
    snprintf(pattern, sizeof pattern, "%s\\suite*.xml", dir);
    HANDLE f = FindFirstFileA(pattern, &fd);
    if (f != INVALID_HANDLE_VALUE) {
        do {
            char old[MAX_PATH];
            snprintf(old, sizeof old, "%s\\%s", dir, fd.cFileName);
            if (!DeleteFileA(old))
                fprintf(stderr, "memscope_tests: DeleteFileA(%s): %lu\n", old, GetLastError());
        } while (FindNextFileA(f, &fd));
        if (GetLastError() != ERROR_NO_MORE_FILES)
            fprintf(stderr, "memscope_tests: FindNextFileA: %lu\n", GetLastError());
        FindClose(f);
    }
    say("Running suite(s), each in a process of its own (reports in %s):\n", dir);
    for (int i = 0; i < NSUITES; i++)
        if (only[0] == 0 || strcmp(only, g_suites[i].name) == 0)
            run_suite(i, dir, base, &all);
    if (only[0] != 0 && find_suite(only) == NULL)
        say("memscope_tests: CK_RUN_SUITE names no suite: '%s'\n", only);
    int bad = all.failures + all.errors;
    int pct = bad == 0 ? 100 : all.run == 0 ? 0
              : (int)((float)(all.run - bad) / (float)all.run * 100);
    say("%d%%: Checks: %d, Failures: %d, Errors: %d\n", pct, all.run, all.failures, all.errors);
    say("%d passed, %d failed, %d skipped\n", all.passed, bad, all.skipped);
    return bad == 0 && all.run > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static void list(void)
{
    for (int i = 0; i < NSUITES; i++) {
        mst_planned p = { 0 };
        plan_suite(&g_suites[i]);
        for (int k = 0; mst_plan_get(k, &p); k++)
            say("%s:%s:%s:%d (limit %.0f s)\n", g_suites[i].name, p.tcase, p.test, p.iter,
                p.limit_s);
        for (int k = 0; mst_plan_skip_get(k, &p); k++)
            say("%s:%s:%s: SKIPPED: %s\n", g_suites[i].name, p.tcase, p.test, p.why);
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--child") == 0)
        return mst_child_main(argc - 2, argv + 2);
    /* Plain \n: the closing lines are read by scripts (Wine's CRT would write \r\n). */
    if (_setmode(_fileno(stdout), _O_BINARY) == -1)
        fprintf(stderr, "memscope_tests: _setmode(stdout) failed\n");
    if (argc == 7 && strcmp(argv[1], "--suite") == 0 && strcmp(argv[3], "--from") == 0 &&
        strcmp(argv[5], "--xml") == 0)
        return suite_child(argv[2], (int)strtol(argv[4], NULL, 10), argv[6]);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        list();
        return EXIT_SUCCESS;
    }
    if (argc == 1)
        return drive("test-results");
    if (argc == 3 && strcmp(argv[1], "--results") == 0)
        return drive(argv[2]);
    fprintf(stderr, "usage: memscope_tests.exe [--results DIR] | --list | "
            "--suite NAME --from K --xml FILE | --child CMD...\n");
    return 2;
}
