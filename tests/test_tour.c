/*
 * test_tour.c: the tour's facts, through `memscope.exe tour --json`, and `memscope watch`.
 *
 * memscope.exe sits beside this test binary (one build folder).  The tour runs once with
 * --file (cached for every step's test: it takes about two seconds under Wine), then once
 * with a child that hangs and once with one that crashes.  Every step has a test that
 * checks the facts the children reported, not just the verdict the tour printed.  The
 * facts are read from the JSON by key inside the step's "facts" object (the tour writes one
 * flat object per step, keys unique in it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

#define TT_TIMEOUT_MS 120000
#define TT_OUT_MAX    ((size_t)256 * 1024)

typedef struct exe_run {
    HANDLE process, out, in;   /* in: our end of its stdin, or NULL */
    char *text;
    size_t len;
    DWORD exit_code;
} exe_run;

/* Starts memscope.exe ARGS with MEMSCOPE_NAME=name, stdout on a pipe; with keep_stdin, its
 * stdin is a pipe we hold (closing it is end of file for the child). */
static void exe_start(exe_run *r, const WCHAR *name, BOOL keep_stdin, const char *args)
{
    char path[MAX_PATH], cmd[2 * MAX_PATH];
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
    STARTUPINFOA si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    HANDLE out_w, in_r = NULL;

    memset(r, 0, sizeof *r);
    mst_path_beside(path, "memscope.exe");
    snprintf(cmd, sizeof cmd, "\"%s\" %s", path, args);
    ck_assert_msg(CreatePipe(&r->out, &out_w, &sa, 65536), "CreatePipe: %lu", GetLastError());
    ck_assert(SetHandleInformation(r->out, HANDLE_FLAG_INHERIT, 0));
    if (keep_stdin) {
        ck_assert_msg(CreatePipe(&in_r, &r->in, &sa, 4096), "CreatePipe: %lu", GetLastError());
        ck_assert(SetHandleInformation(r->in, HANDLE_FLAG_INHERIT, 0));
    }
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdOutput = out_w;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    si.hStdInput = keep_stdin ? in_r : GetStdHandle(STD_INPUT_HANDLE);
    ck_assert(SetEnvironmentVariableW(MEMSCOPE_NAME_ENV, name));
    BOOL ok = mst_create_process(cmd, &si, &pi);
    DWORD err = GetLastError();
    CloseHandle(out_w);
    if (in_r != NULL)
        CloseHandle(in_r);
    ck_assert_msg(ok, "CreateProcess(%s) failed: %lu", cmd, err);
    CloseHandle(pi.hThread);
    r->process = pi.hProcess;
    r->text = calloc(1, TT_OUT_MAX);
    ck_assert(r->text != NULL);
}

/* Reads what is in the pipe now (never blocks). */
static void exe_drain(exe_run *r)
{
    DWORD avail = 0, got = 0;
    while (PeekNamedPipe(r->out, NULL, 0, NULL, &avail, NULL) && avail > 0 &&
           r->len + 1 < TT_OUT_MAX &&
           ReadFile(r->out, r->text + r->len, (DWORD)(TT_OUT_MAX - 1 - r->len), &got, NULL) &&
           got > 0) {
        r->len += got;
        r->text[r->len] = 0;
    }
}

/* Waits (TT_TIMEOUT_MS at most) until the output holds `what`, reading as it comes. */
static BOOL exe_wait_for(exe_run *r, const char *what)
{
    ULONGLONG deadline = GetTickCount64() + TT_TIMEOUT_MS;
    for (;;) {
        exe_drain(r);
        if (strstr(r->text, what) != NULL)
            return TRUE;
        if (GetTickCount64() > deadline ||
            WaitForSingleObject(r->process, 20) == WAIT_OBJECT_0) {
            exe_drain(r);
            return strstr(r->text, what) != NULL;
        }
    }
}

/* Waits for the process to exit (killing it after TT_TIMEOUT_MS), with all its output. */
static DWORD exe_finish(exe_run *r)
{
    ULONGLONG deadline = GetTickCount64() + TT_TIMEOUT_MS;
    DWORD w;
    while ((w = WaitForSingleObject(r->process, 20)) == WAIT_TIMEOUT &&
           GetTickCount64() < deadline)
        exe_drain(r);
    if (w != WAIT_OBJECT_0) {
        TerminateProcess(r->process, 99);
        WaitForSingleObject(r->process, TT_TIMEOUT_MS);
    }
    exe_drain(r);
    GetExitCodeProcess(r->process, &r->exit_code);
    CloseHandle(r->process);
    CloseHandle(r->out);
    if (r->in != NULL)
        CloseHandle(r->in);
    r->process = r->out = r->in = NULL;
    ck_assert_msg(w == WAIT_OBJECT_0, "memscope.exe did not finish in %d ms; output:\n%s",
                  TT_TIMEOUT_MS, r->text);
    return r->exit_code;
}

/* ---- reading the tour's JSON ------------------------------------------------------- */

typedef struct tour_out {
    char *json;
    DWORD exit_code;
} tour_out;

static void run_tour(tour_out *t, const char *args)
{
    exe_run r;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "tour --json %s", args);
    exe_start(&r, mst_new_name(), FALSE, cmd);
    t->exit_code = exe_finish(&r);
    t->json = r.text;
}

/* The text of step n's object: from its "step" key to the next step's. */
static const char *step_text(const tour_out *t, int n, char *buf, size_t cap)
{
    char key[32];
    snprintf(key, sizeof key, "{\"step\": %d,", n);
    const char *p = strstr(t->json, key);
    ck_assert_msg(p != NULL, "no step %d in the tour's JSON:\n%s", n, t->json);
    const char *end = strstr(p + 1, "{\"step\": ");
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    if (len >= cap)
        len = cap - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    return buf;
}

/* A fact of step n, as text ("" when absent). */
static const char *fact(const tour_out *t, int n, const char *key)
{
    static char step[64 * 1024], val[4][128];
    static int next;
    char *v = val[next++ % 4], k[64];
    step_text(t, n, step, sizeof step);
    const char *f = strstr(step, "\"facts\": {");
    ck_assert_msg(f != NULL, "step %d has no facts", n);
    snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = strstr(f, k);
    v[0] = 0;
    if (p == NULL)
        return v;
    p += strlen(k);
    if (*p == '"')
        p++;
    size_t len = strcspn(p, "\",}");
    if (len >= sizeof val[0])
        len = sizeof val[0] - 1;
    memcpy(v, p, len);
    v[len] = 0;
    return v;
}

static long long fnum(const tour_out *t, int n, const char *key)
{
    const char *v = fact(t, n, key);
    ck_assert_msg(v[0] != 0, "step %d has no fact %s", n, key);
    return strtoll(v, NULL, 10);
}

static void assert_result(const tour_out *t, int n, const char *result)
{
    char step[64 * 1024], want[64];
    step_text(t, n, step, sizeof step);
    snprintf(want, sizeof want, "\"result\": \"%s\"", result);
    ck_assert_msg(strstr(step, want) != NULL, "step %d: wanted %s in\n%s", n, want, step);
}

/* The default tour with --file, run once for all the step tests. */
static tour_out g_tour;
static char g_file[MAX_PATH];

static const tour_out *tour(void)
{
    if (g_tour.json == NULL) {
        char dir[MAX_PATH], args[MAX_PATH + 16];
        ck_assert(GetTempPathA(MAX_PATH, dir) > 0);
        snprintf(g_file, sizeof g_file, "%smemscope-tour-test-%lu.bin", dir,
                 (unsigned long)GetCurrentProcessId());
        snprintf(args, sizeof args, "--file \"%s\"", g_file);
        run_tour(&g_tour, args);
    }
    return &g_tour;
}

/* ---- one test a step ---------------------------------------------------------------- */

START_TEST(test_tour_completes)
{
    const tour_out *t = tour();
    ck_assert_msg(t->exit_code == 0, "tour exited %lu:\n%s", (unsigned long)t->exit_code,
                  t->json);
    ck_assert_ptr_nonnull(strstr(t->json, "\"summary\": {\"steps\": 8, \"holds\": 8, "
                                          "\"fails\": 0, \"inconclusive\": 0}"));
}
END_TEST

START_TEST(test_step1_private_allocators)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 1, "allocations"), 12);     /* 3 children x 4 allocators */
    ck_assert_int_eq(fnum(t, 1, "own_readbacks_ok"), 12);
    ck_assert_int_eq(fnum(t, 1, "peeks"), 12);
    ck_assert_int_eq(fnum(t, 1, "peeks_saw_owner_value"), 0);
    ck_assert_int_eq(fnum(t, 1, "peeks_found_nothing") + fnum(t, 1, "peeks_found_other_data"),
                     12);
    assert_result(t, 1, "holds");
}
END_TEST

START_TEST(test_step2_dll_allocates_for_caller)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 2, "texts"), 3);
    ck_assert_int_eq(fnum(t, 2, "own_texts_ok"), 3);
    ck_assert_int_eq(fnum(t, 2, "peeks"), 3);
    ck_assert_int_eq(fnum(t, 2, "peeks_saw_owner_text"), 0);
    assert_result(t, 2, "holds");
}
END_TEST

START_TEST(test_step3_named_mapping_created_once)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 3, "children"), 3);
    ck_assert_int_eq(fnum(t, 3, "creators"), 1);
    ck_assert_int_eq(fnum(t, 3, "openers"), 2);
    ck_assert_str_eq(fact(t, 3, "first_child_created"), "true");
    ck_assert_int_eq(fnum(t, 3, "agree_on_creator"), 3);
    ck_assert_int_eq(fnum(t, 3, "open_by_name_ok"), 3);
    ck_assert_ptr_nonnull(strstr(fact(t, 3, "name"), "memscope-tour-"));
    assert_result(t, 3, "holds");
}
END_TEST

START_TEST(test_step4_views_and_fixed_address)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 4, "children"), 3);
    /* Different reservations first: the second views land at different addresses. */
    ck_assert_int_ge(fnum(t, 4, "second_views_distinct"), 2);
    ck_assert_str_ne(fact(t, 4, "fixed_address"), "");
    ck_assert_int_eq(fnum(t, 4, "fixed_mapped"), 3);
    ck_assert_int_eq(fnum(t, 4, "written_value"), 1000);
    ck_assert_int_eq(fnum(t, 4, "reads_agree"), 3);
    assert_result(t, 4, "holds");
}
END_TEST

START_TEST(test_step5_not_global)
{
    const tour_out *t = tour();
    ck_assert_int_ge(fnum(t, 5, "probed"), 3);
    ck_assert_int_eq(fnum(t, 5, "found_tour_block"), 0);
    ck_assert_int_eq(fnum(t, 5, "found_nothing") + fnum(t, 5, "found_own_block") +
                     fnum(t, 5, "found_other"), fnum(t, 5, "probed"));
    assert_result(t, 5, "holds");
}
END_TEST

START_TEST(test_step6_release_and_file)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 6, "children_before"), 3);
    ck_assert_int_eq(fnum(t, 6, "exited"), 3);
    ck_assert_int_eq(fnum(t, 6, "open_after_exit_error"), ERROR_FILE_NOT_FOUND);
    ck_assert_str_eq(fact(t, 6, "fresh_created"), "true");
    ck_assert_int_eq(fnum(t, 6, "counter_before"), 1000);
    ck_assert_int_eq(fnum(t, 6, "counter_after"), 0);
    ck_assert_str_eq(fact(t, 6, "flushed"), "true");
    ck_assert_int_eq(fnum(t, 6, "file_records_views_open"), 3);
    ck_assert_int_eq(fnum(t, 6, "file_records_after_exit"), 3);
    ck_assert_int_eq(fnum(t, 6, "file_records_parent_after_exit"), 3);
    /* The file is really there, with the records, after the tour. */
    HANDLE h = CreateFileA(g_file, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    ck_assert_msg(h != INVALID_HANDLE_VALUE, "%s: %lu", g_file, GetLastError());
    char buf[128] = "";
    DWORD got = 0;
    ck_assert(ReadFile(h, buf, sizeof buf - 1, &got, NULL));
    CloseHandle(h);
    DeleteFileA(g_file);
    buf[got] = 0;
    ck_assert_ptr_nonnull(strstr(buf + 32, "child 1"));
    assert_result(t, 6, "holds");
}
END_TEST

START_TEST(test_step7_synchronisation)
{
    const tour_out *t = tour();
    long long n = fnum(t, 7, "iterations") * fnum(t, 7, "racers");
    ck_assert_int_eq(fnum(t, 7, "racers"), 3);
    ck_assert_int_eq(fnum(t, 7, "atomic_expected"), n);
    ck_assert_int_eq(fnum(t, 7, "atomic_counted"), n);
    ck_assert_int_eq(fnum(t, 7, "locked_counted"), n);
    ck_assert_int_eq(fnum(t, 7, "locked_lost"), 0);
    /* Unsynchronised: some may be lost, none invented, and the arithmetic adds up. */
    ck_assert_int_le(fnum(t, 7, "racy_counted"), n);
    ck_assert_int_eq(fnum(t, 7, "racy_lost"), n - fnum(t, 7, "racy_counted"));
    assert_result(t, 7, "holds");
}
END_TEST

START_TEST(test_step8_shared_section)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 8, "children"), 3);
    ck_assert_int_eq(fnum(t, 8, "globals_one"), 3);
    ck_assert_int_eq(fnum(t, 8, "section_consecutive"), 2);
    ck_assert_int_eq(fnum(t, 8, "parent_global"), 0);
    ck_assert_int_ge(fnum(t, 8, "parent_section"), fnum(t, 8, "section_last"));
    assert_result(t, 8, "holds");
}
END_TEST

/* After a tour, nothing of it is left: the block's name is gone, so no child holds it. */
static void assert_block_gone(const tour_out *t)
{
    const char *p = strstr(t->json, "\"block\": \"");
    ck_assert_ptr_nonnull(p);
    p += strlen("\"block\": \"");
    WCHAR name[128];
    int n = 0;
    for (; *p != '"' && n < 127; p++)
        if (!(p[0] == '\\' && p[1] == '\\'))       /* JSON's \\ is one backslash */
            name[n++] = (WCHAR)*p;
    name[n] = 0;
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, name);
    DWORD err = GetLastError();
    if (h != NULL)
        CloseHandle(h);
    ck_assert_msg(h == NULL && err == ERROR_FILE_NOT_FOUND, "%ls still exists after the tour",
                  name);
}

START_TEST(test_tour_survives_a_hung_child)
{
    tour_out t;
    run_tour(&t, "--fault 1:hang --timeout 1500");
    ck_assert_str_eq(fact(&t, 1, "child_hung"), "yes");
    ck_assert_int_eq(fnum(&t, 1, "peeks"), 8);             /* two children went on */
    ck_assert_int_eq(fnum(&t, 3, "children"), 3);          /* its hello came before */
    ck_assert_int_eq(fnum(&t, 6, "children_before"), 2);
    ck_assert_int_eq(fnum(&t, 8, "children"), 3);          /* a new cast after step 6 */
    ck_assert_ptr_nonnull(strstr(t.json, "hung: no answer within 1500 ms; killed"));
    assert_block_gone(&t);
    free(t.json);
}
END_TEST

START_TEST(test_tour_survives_a_crashed_child)
{
    tour_out t;
    run_tour(&t, "--fault 7:crash");
    ck_assert_str_eq(fact(&t, 7, "child_died"), "yes");
    ck_assert_int_eq(fnum(&t, 7, "racers"), 2);
    ck_assert_int_eq(fnum(&t, 7, "atomic_counted"), fnum(&t, 7, "atomic_expected"));
    ck_assert_ptr_nonnull(strstr(t.json, "died (exit code 0xc0000005)"));
    ck_assert_int_eq(fnum(&t, 8, "children"), 2);
    assert_block_gone(&t);
    free(t.json);
}
END_TEST

/* watch: a frame redrawn because the block changed (the named event, not the timer) shows
 * a text another process set; end of file on its stdin stops it cleanly. */
START_TEST(test_watch_refreshes_on_change)
{
    const WCHAR *name = mst_new_name();
    exe_run w;
    mst_child setter;
    exe_start(&w, name, TRUE, "watch");
    ck_assert_msg(exe_wait_for(&w, "refresh 1 (start)"), "no first frame:\n%s", w.text);
    mst_run(&setter, name, "set hello-from-setter");
    /* Some frame drawn for the change event shows the text.  (A timer frame may show it
     * first, if the timer fired between the write and the event: the event frame follows.) */
    BOOL seen = FALSE;
    ULONGLONG deadline = GetTickCount64() + TT_TIMEOUT_MS;
    while (!seen && GetTickCount64() < deadline) {
        exe_wait_for(&w, "hello-from-setter");
        for (const char *p = strstr(w.text, "--- refresh "); p && !seen;) {
            const char *next = strstr(p + 1, "--- refresh ");
            const char *hit = strstr(p, "hello-from-setter");
            seen = strstr(p, "(block changed) ---") == strchr(p, '(') && hit != NULL &&
                   (next == NULL || hit < next);
            p = next;
        }
        if (!seen)      /* the event's frame is on its way: wait for output, bounded */
            WaitForSingleObject(w.process, 20);
    }
    ck_assert_msg(seen, "no frame drawn for the change showed the text:\n%s", w.text);
    CloseHandle(w.in);                     /* end of file: watch quits */
    w.in = NULL;
    ck_assert_uint_eq(exe_finish(&w), 0);
    ck_assert_ptr_nonnull(strstr(w.text, "memscope watch: stopped"));
    free(w.text);
}
END_TEST

/* What watch relies on: every change it shows sets the change event "<name>.changed",
 * including a set by a process that stays attached and the detach of a process that stays
 * alive (not only a process's attach and its exit).  A child attaches, says ready and waits;
 * the test resets the event, lets the child do `change`, and finds the event set once the
 * child says it is done (and waits again, still attached). */
static void expect_change_signalled(const char *before, const char *change)
{
    const WCHAR *name = mst_new_name();
    char r1[64], g1[64], r2[64], g2[64];
    WCHAR evname[MEMSCOPE_NAME_MAX + 16];
    HANDLE er1 = mst_new_event(r1, sizeof r1), eg1 = mst_new_event(g1, sizeof g1);
    HANDLE er2 = mst_new_event(r2, sizeof r2), eg2 = mst_new_event(g2, sizeof g2);
    mst_child c;
    mst_start(&c, name, "%s ready %s wait %s %s ready %s wait %s", before, r1, g1, change, r2,
              g2);
    mst_wait_event(er1, "the child to attach");
    swprintf(evname, ARRAYSIZE(evname), L"%ls%ls", name, MEMSCOPE_CHANGED_SUFFIX);
    HANDLE changed = OpenEventW(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, evname);
    ck_assert_msg(changed != NULL, "OpenEventW(<name>.changed): %lu", GetLastError());
    ck_assert(ResetEvent(changed));              /* the child's attach set it */
    ck_assert_uint_eq(WaitForSingleObject(changed, 0), WAIT_TIMEOUT);
    ck_assert(SetEvent(eg1));
    mst_wait_event(er2, "the child's change");
    ck_assert_msg(WaitForSingleObject(changed, 0) == WAIT_OBJECT_0,
                  "'%s' by a process that stays did not set the change event", change);
    ck_assert(SetEvent(eg2));
    ck_assert_msg(mst_finish(&c) == 0, "child exited with %lu; output:\n%s",
                  (unsigned long)c.exit_code, c.text);
    CloseHandle(changed);
    CloseHandle(er1);
    CloseHandle(eg1);
    CloseHandle(er2);
    CloseHandle(eg2);
}

START_TEST(test_change_event_on_set)
{
    expect_change_signalled("", "set changed-while-attached");
}
END_TEST

/* The detach of a copy of the DLL (FreeLibrary) in a process that lives on. */
START_TEST(test_change_event_on_detach)
{
    expect_change_signalled("dynattach", "dynfree");
}
END_TEST

Suite *suite_tour(void)
{
    Suite *s = suite_create("tour");
    TCase *tc = tcase_create("steps");
    tcase_add_checked_fixture(tc, NULL, mst_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_tour_completes);
    tcase_add_test(tc, test_step1_private_allocators);
    tcase_add_test(tc, test_step2_dll_allocates_for_caller);
    tcase_add_test(tc, test_step3_named_mapping_created_once);
    tcase_add_test(tc, test_step4_views_and_fixed_address);
    tcase_add_test(tc, test_step5_not_global);
    tcase_add_test(tc, test_step6_release_and_file);
    tcase_add_test(tc, test_step7_synchronisation);
    tcase_add_test(tc, test_step8_shared_section);
    tcase_add_test(tc, test_tour_survives_a_hung_child);
    tcase_add_test(tc, test_tour_survives_a_crashed_child);
    tcase_add_test(tc, test_watch_refreshes_on_change);
    tcase_add_test(tc, test_change_event_on_set);
    tcase_add_test(tc, test_change_event_on_detach);
    suite_add_tcase(s, tc);
    return s;
}
