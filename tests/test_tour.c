/*
 * test_tour.c: the tour's facts, through `memscope.exe tour --json`, and `memscope watch`.
 *
 * memscope.exe sits beside this test binary (one build folder).  The tour runs once with
 * --file (cached for every step's test: it takes about two seconds under Wine), then once
 * with a child that hangs and once with one that crashes.  Every step has a test that
 * checks the facts the children reported, not just the verdict the tour printed, and as
 * the JSON types them: a count must be a number, a flag true or false, an address a "0x..."
 * string; some tests walk a table's rows, each complete.  Each document is also saved for
 * make check, which validates it against docs/tour.schema.json.
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
/* The tour writes JSON of a known shape (docs/tour.schema.json; make check validates every
 * document these tests get against it).  The tests find objects by key and read single
 * values as raw tokens, so a check can say "a number" or "a string" as well as which. */

typedef struct tour_out {
    char *json;
    DWORD exit_code;
} tour_out;

/* Runs a tour and keeps its JSON in tour-json/LABEL.json beside this test binary, where
 * make check validates it against the schema after the tests. */
static void run_tour(tour_out *t, const char *label, const char *args)
{
    exe_run r;
    char cmd[512], path[MAX_PATH];
    snprintf(cmd, sizeof cmd, "tour --json %s", args);
    exe_start(&r, mst_new_name(), FALSE, cmd);
    t->exit_code = exe_finish(&r);
    t->json = r.text;
    mst_path_beside(path, "tour-json");
    ck_assert_msg(CreateDirectoryA(path, NULL) || GetLastError() == ERROR_ALREADY_EXISTS,
                  "CreateDirectoryA(%s): %lu", path, GetLastError());
    mst_path_beside(path, "tour-json\\");
    snprintf(path + strlen(path), MAX_PATH - strlen(path), "%s.json", label);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert(fwrite(r.text, 1, r.len, f) == r.len);
    ck_assert(fclose(f) == 0);
}

/* The end of the JSON value (object, array, string or scalar) that starts at p. */
static const char *json_end(const char *p)
{
    int depth = 0;
    BOOL in_str = FALSE;
    for (; *p; p++) {
        if (in_str) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                in_str = FALSE;
            if (!in_str && depth == 0)
                return p + 1;
        } else if (*p == '"') {
            in_str = TRUE;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (depth == 0)
                return p;               /* a scalar ended by its container */
            if (--depth == 0)
                return p + 1;
        } else if (depth == 0 && *p == ',') {
            return p;
        }
    }
    return p;
}

/* The value of "key" among the members of the object [obj, end), or NULL.  Only direct
 * members: nested objects are skipped whole. */
static const char *json_get(const char *obj, const char *end, const char *key)
{
    char k[64];
    size_t kn = (size_t)snprintf(k, sizeof k, "\"%s\": ", key);
    const char *p = obj + 1;                /* past the '{' */
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\n' || *p == '\r'))
            p++;
        if (p >= end || *p != '"')
            return NULL;
        if (strncmp(p, k, kn) == 0)
            return p + kn;
        const char *colon = strchr(json_end(p), ':');
        if (colon == NULL)
            return NULL;
        p = json_end(colon + 2);
    }
    return NULL;
}

/* A value as its raw token, copied into buf ("" when absent). */
static const char *json_raw(const char *v, char *buf, size_t cap)
{
    buf[0] = 0;
    if (v != NULL) {
        size_t n = (size_t)(json_end(v) - v);
        if (n >= cap)
            n = cap - 1;
        memcpy(buf, v, n);
        buf[n] = 0;
    }
    return buf;
}

static BOOL json_is_int(const char *raw)
{
    char *end;
    if (raw[0] == 0)
        return FALSE;
    (void)strtoll(raw, &end, 10);
    return *end == 0;
}

/* Step n's object, [*obj, *end). */
static void step_obj(const tour_out *t, int n, const char **obj, const char **end)
{
    char key[32];
    snprintf(key, sizeof key, "{\"step\": %d,", n);
    *obj = strstr(t->json, key);
    ck_assert_msg(*obj != NULL, "no step %d in the tour's JSON:\n%s", n, t->json);
    *end = json_end(*obj);
}

/* A fact of step n as its raw token ("" when absent): 12, true, "0x50000000", null. */
static const char *fact(const tour_out *t, int n, const char *key)
{
    static char val[4][256];
    static int next;
    char *v = val[next++ % 4];
    const char *obj, *end;
    step_obj(t, n, &obj, &end);
    const char *facts = json_get(obj, end, "facts");
    ck_assert_msg(facts != NULL && *facts == '{', "step %d has no facts", n);
    return json_raw(json_get(facts, json_end(facts), key), v, sizeof val[0]);
}

/* A fact that must be a JSON number (not a string). */
static long long fnum(const tour_out *t, int n, const char *key)
{
    const char *v = fact(t, n, key);
    ck_assert_msg(json_is_int(v), "step %d: fact %s is not an integer: '%s'", n, key, v);
    return strtoll(v, NULL, 10);
}

static void assert_result(const tour_out *t, int n, const char *result)
{
    const char *obj, *end;
    char raw[32], want[32];
    step_obj(t, n, &obj, &end);
    snprintf(want, sizeof want, "\"%s\"", result);
    ck_assert_msg(strcmp(json_raw(json_get(obj, end, "result"), raw, sizeof raw), want) == 0,
                  "step %d: wanted result %s, got %s", n, want, raw);
}

/* The rows of step n's table `name`: calls check(row, row_end, i, ctx) for each; returns
 * how many there are. */
typedef void row_check(const char *row, const char *end, int i, const void *ctx);
static int each_row(const tour_out *t, int n, const char *name, row_check *check,
                    const void *ctx)
{
    const char *obj, *end, *p;
    char want[64];
    step_obj(t, n, &obj, &end);
    snprintf(want, sizeof want, "{\"name\": \"%s\"", name);
    const char *tab = strstr(obj, want);
    ck_assert_msg(tab != NULL && tab < end, "step %d has no table %s", n, name);
    const char *rows = json_get(tab, json_end(tab), "rows");
    ck_assert_msg(rows != NULL && *rows == '[', "step %d: table %s has no rows", n, name);
    int i = 0;
    for (p = strchr(rows, '{'); p != NULL && p < json_end(rows); p = strchr(p, '{')) {
        const char *row_end = json_end(p);
        check(p, row_end, i++, ctx);
        p = row_end;
    }
    return i;
}

/* A field of a row as its raw token; the field must be there (every row is complete). */
static const char *field(const char *row, const char *end, const char *key)
{
    static char val[4][256];
    static int next;
    const char *v = json_get(row, end, key);
    ck_assert_msg(v != NULL, "a row without %s: %.*s", key, (int)(end - row), row);
    return json_raw(v, val[next++ % 4], sizeof val[0]);
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
        run_tour(&g_tour, "full", args);
    }
    return &g_tour;
}

/* ---- one test a step ---------------------------------------------------------------- */

START_TEST(test_tour_completes)
{
    const tour_out *t = tour();
    ck_assert_msg(t->exit_code == 0, "tour exited %lu:\n%s", (unsigned long)t->exit_code,
                  t->json);
    ck_assert_ptr_nonnull(strstr(t->json, "\"summary\": {\"steps\": 11, \"holds\": 11, "
                                          "\"fails\": 0, \"inconclusive\": 0}"));
    /* The header: the machine's memory geometry (GetSystemInfo), as numbers. */
    const char *h = strstr(t->json, "{\"tour\": ");
    char raw[64];
    ck_assert_ptr_nonnull(h);
    h += strlen("{\"tour\": ");
    json_raw(json_get(h, json_end(h), "page_size"), raw, sizeof raw);
    ck_assert_msg(json_is_int(raw), "page_size is not a number: '%s'", raw);
    long long page = strtoll(raw, NULL, 10);
    json_raw(json_get(h, json_end(h), "allocation_granularity"), raw, sizeof raw);
    ck_assert_msg(json_is_int(raw), "allocation_granularity is not a number: '%s'", raw);
    ck_assert_int_ge(page, 4096);
    ck_assert_int_eq(strtoll(raw, NULL, 10) % page, 0);   /* 65536 on Windows and Wine */
}
END_TEST

/* Step 1's rows: typed and complete, one per child and allocator (no continuation rows),
 * and the other child's look at the number in VirtualQuery's words. */
static void check_step1_row(const char *row, const char *end, int i, const void *ctx)
{
    static const char *const allocators[4] = { "\"HeapAlloc\"", "\"VirtualAlloc\"",
                                               "\"GlobalAlloc\"", "\"LocalAlloc\"" };
    (void)ctx;
    ck_assert_str_eq(field(row, end, "child"), i < 4 ? "1" : i < 8 ? "2" : "3");
    ck_assert(json_is_int(field(row, end, "pid")));
    ck_assert(json_is_int(field(row, end, "peer")));        /* the index alone, */
    ck_assert(json_is_int(field(row, end, "peer_pid")));    /* its pid a field of its own */
    ck_assert_str_eq(field(row, end, "allocator"), allocators[i % 4]);
    ck_assert_msg(strncmp(field(row, end, "address"), "\"0x", 3) == 0, "address: %s",
                  field(row, end, "address"));
    ck_assert(json_is_int(field(row, end, "value")));
    /* Under Wine the other child has its own heap there; on Windows it may be anything. */
    const char *type = field(row, end, "peer_type");
    ck_assert_msg(strstr("\"MEM_PRIVATE\" \"MEM_MAPPED\" \"MEM_IMAGE\" \"MEM_FREE\"", type) != NULL,
                  "peer_type %s", type);
    ck_assert_str_ne(field(row, end, "peer_found"), "\"owner's\"");
}

START_TEST(test_step1_private_allocators)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 1, "allocations"), 12);     /* 3 children x 4 allocators */
    ck_assert_int_eq(fnum(t, 1, "own_readbacks_ok"), 12);
    ck_assert_int_eq(fnum(t, 1, "peeks"), 12);
    ck_assert_int_eq(fnum(t, 1, "peeks_saw_owner_value"), 0);
    ck_assert_int_eq(fnum(t, 1, "peeks_found_nothing") + fnum(t, 1, "peeks_found_other_data"),
                     12);
    ck_assert_int_eq(each_row(t, 1, "allocations", check_step1_row, NULL), 12);
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
    ck_assert_str_eq(fact(t, 2, "dll_type"), "\"MEM_IMAGE\"");      /* the DLL is an image */
    assert_result(t, 2, "holds");
}
END_TEST

/* Step 3's rows: the OpenFileMapping handle is the same section, seen, not assumed: the pid
 * a child added through a view of it is what the counter grew by in its DllMain view. */
static void check_step3_row(const char *row, const char *end, int i, const void *ctx)
{
    (void)i, (void)ctx;
    ck_assert_str_eq(field(row, end, "open_by_name"), "\"ERROR_SUCCESS\"");
    ck_assert_str_eq(field(row, end, "added"), field(row, end, "pid"));
    ck_assert_str_eq(field(row, end, "seen"), field(row, end, "pid"));
}

START_TEST(test_step3_named_mapping_created_once)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 3, "children"), 3);
    ck_assert_int_eq(fnum(t, 3, "creators"), 1);
    ck_assert_int_eq(fnum(t, 3, "openers"), 2);
    ck_assert_str_eq(fact(t, 3, "first_child_created"), "true");    /* a boolean */
    ck_assert_int_eq(fnum(t, 3, "agree_on_creator"), 3);
    ck_assert_int_eq(fnum(t, 3, "opened_by_name"), 3);
    ck_assert_int_eq(fnum(t, 3, "open_by_name_ok"), 3);
    ck_assert_int_eq(fnum(t, 3, "same_section_seen"), 3);
    ck_assert_int_eq(each_row(t, 3, "children", check_step3_row, NULL), 3);
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
    ck_assert_int_eq(strncmp(fact(t, 4, "fixed_address"), "\"0x", 3), 0);
    ck_assert_int_eq(fnum(t, 4, "fixed_mapped"), 3);
    ck_assert_int_eq(fnum(t, 4, "written_value"), 1000);
    ck_assert_int_eq(fnum(t, 4, "reads_agree"), 3);
    ck_assert_int_eq(fnum(t, 4, "views_mem_mapped"), 9);   /* VirtualQuery: MEM_MAPPED, all */
    assert_result(t, 4, "holds");
}
END_TEST

/* Where the outsider finds nothing, VirtualQuery said MEM_FREE or a range with no pages. */
static void check_step5_row(const char *row, const char *end, int i, const void *ctx)
{
    (void)i, (void)ctx;
    if (strcmp(field(row, end, "found"), "\"nothing\"") == 0)
        ck_assert_msg(strcmp(field(row, end, "type"), "\"MEM_FREE\"") == 0 ||
                      strcmp(field(row, end, "protect"), "\"MEM_RESERVE\"") == 0,
                      "nothing found where VirtualQuery says %s %s", field(row, end, "type"),
                      field(row, end, "protect"));
    else if (strcmp(field(row, end, "found"), "\"own block\"") == 0)
        ck_assert_str_eq(field(row, end, "counter"), "0");     /* its own, never the 1000 */
}

START_TEST(test_step5_not_global)
{
    const tour_out *t = tour();
    ck_assert_int_ge(fnum(t, 5, "probed"), 3);
    ck_assert_int_eq(fnum(t, 5, "found_tour_block"), 0);
    ck_assert_int_eq(fnum(t, 5, "found_nothing") + fnum(t, 5, "found_own_block") +
                     fnum(t, 5, "found_other"), fnum(t, 5, "probed"));
    ck_assert_int_eq(each_row(t, 5, "probes", check_step5_row, NULL), fnum(t, 5, "probed"));
    assert_result(t, 5, "holds");
}
END_TEST

/* Step 6's rows, in the order they happened: in file_events both flushes come after the
 * first ReadFile and before any view is unmapped; in events the holder's CloseHandle comes
 * after the reader's read and before the tour finds the name gone. */
typedef struct step6_order {
    int read1, flush_view, flush_buffers, first_close, read2;       /* file_events */
    int unmap, reader, close, gone;                                 /* events */
} step6_order;

static void note_step6_row(const char *row, const char *end, int i, const void *ctx)
{
    step6_order *o = (step6_order *)ctx;
    const char *who = field(row, end, "who"), *action = field(row, end, "action");
    if (strcmp(action, "\"ReadFile (not flushed)\"") == 0)
        o->read1 = i;
    else if (strcmp(action, "\"FlushViewOfFile\"") == 0)
        o->flush_view = i;
    else if (strcmp(action, "\"FlushFileBuffers\"") == 0)
        o->flush_buffers = i;
    else if (strcmp(action, "\"UnmapViewOfFile, close\"") == 0 && o->first_close < 0)
        o->first_close = i;
    else if (strcmp(action, "\"ReadFile (no view left)\"") == 0)
        o->read2 = i;
    else if (strcmp(action, "\"UnmapViewOfFile\"") == 0)
        o->unmap = i;
    else if (strcmp(who, "\"reader\"") == 0)
        o->reader = i;
    else if (strcmp(action, "\"CloseHandle\"") == 0)
        o->close = i;
    else if (strcmp(action, "\"OpenFileMapping by name\"") == 0)
        o->gone = i;
    if (strcmp(action, "\"FlushFileBuffers\"") == 0 || strcmp(action, "\"FlushViewOfFile\"") == 0 ||
        strcmp(action, "\"CloseHandle\"") == 0)
        ck_assert_str_eq(field(row, end, "result"), "\"ERROR_SUCCESS\"");
}

START_TEST(test_step6_release_and_file)
{
    const tour_out *t = tour();
    step6_order o = { -1, -1, -1, -1, -1, -1, -1, -1, -1 };
    ck_assert_int_eq(fnum(t, 6, "children_before"), 3);
    ck_assert_int_eq(fnum(t, 6, "exited"), 3);
    ck_assert_int_eq(fnum(t, 6, "counter_before"), 1000);
    /* The holder unmapped its only view, kept its handle: the block outlived every child,
     * and a new process found the counter in it. */
    ck_assert_int_eq(fnum(t, 6, "holder_counter"), 1000);
    ck_assert_str_eq(fact(t, 6, "holder_unmapped"), "true");
    ck_assert_str_eq(fact(t, 6, "holder_view_after_unmap"), "\"MEM_FREE\"");
    ck_assert_int_eq(fnum(t, 6, "reader_open_error"), ERROR_SUCCESS);
    ck_assert_int_eq(fnum(t, 6, "reader_counter"), 1000);
    ck_assert_int_ne(fnum(t, 6, "reader_pid"), fnum(t, 6, "holder_pid"));
    /* Its CloseHandle, with both helpers still running, took the name away. */
    ck_assert_str_eq(fact(t, 6, "holder_closed"), "true");
    ck_assert_str_eq(fact(t, 6, "helpers_alive_at_check"), "true");
    ck_assert_int_eq(fnum(t, 6, "open_after_release_error"), ERROR_FILE_NOT_FOUND);
    ck_assert_str_eq(fact(t, 6, "fresh_created"), "true");
    ck_assert_int_eq(fnum(t, 6, "counter_after"), 0);
    /* The file: both flushes called, and succeeded; the records there with no view left. */
    ck_assert_str_eq(fact(t, 6, "flush_view_of_file"), "true");
    ck_assert_str_eq(fact(t, 6, "flush_file_buffers"), "true");
    ck_assert_int_eq(fnum(t, 6, "file_writers"), 3);
    ck_assert_int_eq(fnum(t, 6, "file_views_closed"), 3);
    ck_assert_int_eq(fnum(t, 6, "file_records_no_view"), 3);
    ck_assert_int_eq(each_row(t, 6, "file_events", note_step6_row, &o), 3 + 1 + 2 + 3 + 1);
    ck_assert_msg(o.read1 >= 0 && o.read1 < o.flush_view && o.flush_view < o.flush_buffers &&
                  o.flush_buffers < o.first_close && o.first_close < o.read2,
                  "file_events out of order: %d %d %d %d %d", o.read1, o.flush_view,
                  o.flush_buffers, o.first_close, o.read2);
    ck_assert_int_eq(each_row(t, 6, "events", note_step6_row, &o), 2 + 3 + 1 + 1 + 1 + 1);
    ck_assert_msg(o.unmap >= 0 && o.unmap < o.reader && o.reader < o.close && o.close < o.gone,
                  "events out of order: %d %d %d %d", o.unmap, o.reader, o.close, o.gone);
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

/* Durations are numbers of milliseconds. */
static void check_step7_row(const char *row, const char *end, int i, const void *ctx)
{
    char *num_end;
    (void)i, (void)ctx;
    const char *ms = field(row, end, "overlap_ms");
    ck_assert_msg(strtod(ms, &num_end) >= 0.0 && *num_end == 0, "overlap_ms: %s", ms);
    ck_assert_str_eq(field(row, end, "racers"), "3");
}

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
    ck_assert_int_eq(each_row(t, 7, "rounds", check_step7_row, NULL), 3);
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

/* Why 1: memscope showed no torn read while the text really changed under its readers;
 * level 0's mixed reads are counted (and said "not shown" when there were none). */
START_TEST(test_step9_why_torn_text)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 9, "memscope_mixed"), 0);
    ck_assert_int_ge(fnum(t, 9, "memscope_changes"), fnum(t, 9, "min_changes"));
    ck_assert_int_gt(fnum(t, 9, "memscope_writes"), 0);
    ck_assert_int_le(fnum(t, 9, "level0_mixed"), fnum(t, 9, "level0_reads"));
    ck_assert_str_eq(fact(t, 9, "level0_shown"), fnum(t, 9, "level0_mixed") > 0 ? "true"
                                                                                  : "false");
    if (fnum(t, 9, "level0_mixed") == 0)
        ck_assert_ptr_nonnull(strstr(t->json, "not shown this time"));
    assert_result(t, 9, "holds");
}
END_TEST

/* Why 2: each holder was killed holding its lock; the spin word was still held after the
 * wait, the named mutex and memscope's lock were handed on as abandoned. */
START_TEST(test_step10_why_dead_holder)
{
    const tour_out *t = tour();
    ck_assert_int_eq(fnum(t, 10, "holders_killed_holding"), 3);
    ck_assert_str_eq(fact(t, 10, "mutex_kept_open"), "true");
    ck_assert_str_eq(fact(t, 10, "spin_error"), "\"ERROR_TIMEOUT\"");
    ck_assert_int_ge((long long)strtod(fact(t, 10, "spin_ms"), NULL), fnum(t, 10, "wait_ms"));
    ck_assert_str_eq(fact(t, 10, "mutex_error"), "\"ERROR_ABANDONED_WAIT_0\"");
    ck_assert_str_eq(fact(t, 10, "lock_error"), "\"ERROR_ABANDONED_WAIT_0\"");
    ck_assert_int_lt((long long)strtod(fact(t, 10, "lock_ms"), NULL), fnum(t, 10, "wait_ms"));
    assert_result(t, 10, "holds");
}
END_TEST

/* Why 3: memscope refused each squatter's block with its documented error and left it as
 * it was; level 0 wrote into the two it could map and could not load on the read-only one. */
START_TEST(test_step11_why_squatter)
{
    const tour_out *t = tour();
    ck_assert_str_eq(fact(t, 11, "small_memscope"), "\"ERROR_BAD_LENGTH\"");
    ck_assert_str_eq(fact(t, 11, "forged_memscope"), "\"ERROR_INVALID_DATA\"");
    ck_assert_str_eq(fact(t, 11, "readonly_memscope"), "\"ERROR_ACCESS_DENIED\"");
    ck_assert_str_eq(fact(t, 11, "small_memscope_untouched"), "true");
    ck_assert_str_eq(fact(t, 11, "forged_memscope_untouched"), "true");
    ck_assert_str_eq(fact(t, 11, "readonly_memscope_untouched"), "true");
    ck_assert_str_eq(fact(t, 11, "small_level0"), "\"used it\"");
    ck_assert_str_eq(fact(t, 11, "small_level0_untouched"), "false");
    ck_assert_str_eq(fact(t, 11, "forged_level0"), "\"used it\"");
    ck_assert_str_eq(fact(t, 11, "forged_level0_untouched"), "false");
    ck_assert_str_eq(fact(t, 11, "readonly_level0"), "\"ERROR_DLL_INIT_FAILED\"");
    assert_result(t, 11, "holds");
}
END_TEST

/* The widest line of text, in characters (UTF-8 code points: an accented letter is one
 * column, not its two bytes), not counting the CR LF the CRT ends lines with; *at: its
 * line number. */
static int widest_line(const char *text, int *at)
{
    int line = 1, widest = 0, w = 0;
    *at = 0;
    for (const char *p = text;; p++) {
        if (*p == 0 || *p == '\r' || *p == '\n') {
            if (w > widest)
                widest = w, *at = line;
            w = 0;
            line += *p == '\n';
            if (*p == 0)
                return widest;
        } else {
            w += ((unsigned char)*p & 0xC0) != 0x80;      /* one column a character */
        }
    }
}

/* The text renderer's promise: every line fits an 80-column terminal, in English and in
 * French, with the most children (the most rows and the longest group lines) and --file
 * (the hex dump and the file's table).  Fits means at most 79 characters: a Windows
 * console 80 wide (Wine's too) wraps as the 80th column is written, so an 80-character
 * line shows as that line and an empty one (render_text.c). */
static void assert_tour_text_fits(const char *lang, const char *summary)
{
    char dir[MAX_PATH], file[MAX_PATH], args[2 * MAX_PATH];
    exe_run r;
    ck_assert(GetTempPathA(MAX_PATH, dir) > 0);
    snprintf(file, sizeof file, "%smemscope-tour-text-%s-%lu.bin", dir, lang,
             (unsigned long)GetCurrentProcessId());
    snprintf(args, sizeof args, "--lang %s tour --procs 8 --iterations 100000 --file \"%s\"",
             lang, file);
    exe_start(&r, mst_new_name(), FALSE, args);
    DWORD code = exe_finish(&r);
    DeleteFileA(file);
    ck_assert_msg(code == 0, "tour exited %lu:\n%s", (unsigned long)code, r.text);
    ck_assert_msg(strstr(r.text, summary) != NULL, "no '%s' in:\n%s", summary, r.text);
    int at, widest = widest_line(r.text, &at);
    ck_assert_msg(widest <= 79, "--lang %s: line %d is %d characters wide:\n%s", lang, at,
                  widest, r.text);
    free(r.text);
}

START_TEST(test_tour_text_fits_80_columns)
{
    assert_tour_text_fits("en", "Summary: 11 of 11 claims hold");
}
END_TEST

START_TEST(test_tour_french_text_fits_80_columns)
{
    assert_tour_text_fits("fr", "Bilan : 11 affirmations sur 11 se v\xc3\xa9rifient");
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
    run_tour(&t, "hang", "--fault 1:hang --timeout 1500");
    ck_assert_int_eq(fnum(&t, 1, "children_hung"), 1);
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
    run_tour(&t, "crash", "--fault 7:crash");
    ck_assert_int_eq(fnum(&t, 7, "children_died"), 1);
    ck_assert_int_eq(fnum(&t, 7, "racers"), 2);
    ck_assert_int_eq(fnum(&t, 7, "atomic_counted"), fnum(&t, 7, "atomic_expected"));
    ck_assert_ptr_nonnull(strstr(t.json, "died (exit code 0xc0000005)"));
    ck_assert_int_eq(fnum(&t, 8, "children"), 2);
    assert_block_gone(&t);
    free(t.json);
}
END_TEST

/* How many times what occurs in text. */
static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

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
    ck_assert_int_eq(count_of(w.text, "memscope watch: stopped"), 1);
    free(w.text);
}
END_TEST

/* watch quits on q (its stdin still open) and says so once. */
START_TEST(test_watch_quits_on_q)
{
    exe_run w;
    DWORD n = 0;
    exe_start(&w, mst_new_name(), TRUE, "--lang en watch");
    ck_assert_msg(exe_wait_for(&w, "refresh 1 (start)"), "no first frame:\n%s", w.text);
    ck_assert(WriteFile(w.in, "q", 1, &n, NULL) && n == 1);
    ck_assert_uint_eq(exe_finish(&w), 0);       /* closes stdin only after it exited */
    ck_assert_int_eq(count_of(w.text, "memscope watch: stopped"), 1);
    free(w.text);
}
END_TEST

/* ---- the tour in French (--lang fr) ------------------------------------------------- */

/* The shape of step n's facts: every key with the kind of its value (n number, s string,
 * b boolean, z null), in order, then the result.  Values themselves (pids, addresses)
 * differ from run to run; the shape must not differ from language to language. */
static void facts_shape(const tour_out *t, int n, char *out, size_t cap)
{
    const char *obj, *end;
    size_t len = 0;
    step_obj(t, n, &obj, &end);
    const char *p = json_get(obj, end, "facts");
    ck_assert_msg(p != NULL && *p == '{', "step %d has no facts", n);
    const char *stop = json_end(p);
    out[0] = 0;
    for (p++; p < stop;) {
        while (p < stop && (*p == ' ' || *p == ',' || *p == '\n'))
            p++;
        if (p >= stop || *p != '"')
            break;
        const char *k = p + 1, *q = strchr(k, '"');
        ck_assert(q != NULL);
        p = q + 1;
        while (*p == ':' || *p == ' ')
            p++;
        const char *kind = *p == '"' ? "s" : *p == 't' || *p == 'f' ? "b" : *p == 'n' ? "z" : "n";
        len += (size_t)snprintf(out + len, cap > len ? cap - len : 0, "%.*s:%s ", (int)(q - k),
                                k, kind);
        p = json_end(p);
    }
    char raw[64];
    json_raw(json_get(obj, end, "result"), raw, sizeof raw);
    snprintf(out + len, cap > len ? cap - len : 0, "result=%s", raw);
}

/* The words of data in the rows of step n's table `name`: the raw tokens of the columns
 * `keys` (NULL-terminated), row after row.  They are the same in every language. */
typedef struct row_words {
    const char *const *keys;
    char *out;
    size_t cap, len;
} row_words;

static void collect_row_words(const char *row, const char *end, int i, const void *ctx)
{
    row_words *w = (row_words *)ctx;
    (void)i;
    for (const char *const *k = w->keys; *k != NULL; k++)
        w->len += (size_t)snprintf(w->out + w->len, w->cap > w->len ? w->cap - w->len : 0,
                                   "%s ", field(row, end, *k));
    w->len += (size_t)snprintf(w->out + w->len, w->cap > w->len ? w->cap - w->len : 0, "| ");
}

static void words_of(const tour_out *t, int n, const char *name, const char *const *keys,
                     char *out, size_t cap)
{
    row_words w = { keys, out, cap, 0 };
    out[0] = 0;
    each_row(t, n, name, collect_row_words, &w);
}

/* --lang fr changes only the free text: every step, the why steps (9-11) too, has the same
 * facts, of the same kinds, and the same result as in English; the words of data in the
 * rows ("created", "was handed on") are the same English values; and the French document
 * is valid like the English one (make check validates it against the schema). */
START_TEST(test_tour_french_json_same_facts)
{
    const tour_out *en = tour();
    tour_out fr;
    exe_run r;
    char dir[MAX_PATH], file[MAX_PATH], args[2 * MAX_PATH], path[MAX_PATH];
    static char a[4096], b[4096];
    ck_assert(GetTempPathA(MAX_PATH, dir) > 0);
    snprintf(file, sizeof file, "%smemscope-tour-fr-%lu.bin", dir,
             (unsigned long)GetCurrentProcessId());
    snprintf(args, sizeof args, "--lang fr tour --json --file \"%s\"", file);
    exe_start(&r, mst_new_name(), FALSE, args);
    fr.exit_code = exe_finish(&r);
    fr.json = r.text;
    DeleteFileA(file);
    mst_path_beside(path, "tour-json\\french.json");
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert(fwrite(r.text, 1, r.len, f) == r.len);
    ck_assert(fclose(f) == 0);
    ck_assert_msg(fr.exit_code == 0, "French tour exited %lu:\n%s",
                  (unsigned long)fr.exit_code, fr.json);
    for (int n = 1; n <= 11; n++) {
        facts_shape(en, n, a, sizeof a);
        facts_shape(&fr, n, b, sizeof b);
        ck_assert_msg(strcmp(a, b) == 0, "step %d: English facts %s\nFrench facts %s", n, a, b);
    }
    /* The why steps' verdicts, in so many words: the same facts' values as in English. */
    static const struct { int step; const char *key; } why_facts[] = {
        { 9, "memscope_mixed" }, { 10, "spin_error" }, { 10, "mutex_error" },
        { 10, "lock_error" }, { 11, "small_memscope" }, { 11, "forged_memscope" },
        { 11, "readonly_memscope" }, { 11, "small_level0" }, { 11, "readonly_level0" },
    };
    for (size_t i = 0; i < sizeof why_facts / sizeof why_facts[0]; i++) {
        int n = why_facts[i].step;
        const char *key = why_facts[i].key;
        ck_assert_msg(strcmp(fact(en, n, key), fact(&fr, n, key)) == 0,
                      "step %d: fact %s is %s in English, %s in French", n, key,
                      fact(en, n, key), fact(&fr, n, key));
    }
    /* Words of data in the rows: English values in both documents. */
    static const char *const ev_keys[] = { "who", "action", "result", NULL };
    static const char *const s7_keys[] = { "way", "how", NULL };
    static const char *const s9_keys[] = { "dll", "how", NULL };
    static const char *const s10_keys[] = { "lock", "next", "outcome", NULL };
    static const char *const s11_keys[] = { "case", "dll", "result", NULL };
    static const struct { int step; const char *table; const char *const *keys; } rows[] = {
        { 6, "file_events", ev_keys }, { 6, "events", ev_keys }, { 7, "rounds", s7_keys },
        { 9, "rounds", s9_keys }, { 10, "locks", s10_keys }, { 11, "squatters", s11_keys },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        words_of(en, rows[i].step, rows[i].table, rows[i].keys, a, sizeof a);
        words_of(&fr, rows[i].step, rows[i].table, rows[i].keys, b, sizeof b);
        ck_assert_msg(strcmp(a, b) == 0, "step %d, %s: English rows %s\nFrench rows %s",
                      rows[i].step, rows[i].table, a, b);
    }
    ck_assert_ptr_nonnull(strstr(a, "\"used it\""));     /* step 11's rows, read whole */
    /* the free text is French: the first claim, as UTF-8 bytes (C3 A9 is e acute) */
    ck_assert_msg(strstr(fr.json, "La m\xc3\xa9moire obtenue de HeapAlloc") != NULL,
                  "no French claim in:\n%.400s", fr.json);
    free(fr.json);
}
END_TEST

/* The French text tour written into a pipe (not a console) is UTF-8: the accents of known
 * sentences arrive as their UTF-8 bytes, never as the '?' of a lossy code page, and every
 * line still fits in 79 characters.  It is French throughout, the why steps
 * (9-11) and the words in the tables too, and every verdict is the English tour's: holds. */
START_TEST(test_tour_french_text_is_utf8)
{
    exe_run r;
    exe_start(&r, mst_new_name(), FALSE, "--lang fr tour --procs 2 --iterations 100000");
    DWORD code = exe_finish(&r);
    ck_assert_msg(code == 0, "tour exited %lu:\n%s", (unsigned long)code, r.text);
    static const char *const want[] = {
        "\xc3\x89tape 1. La m\xc3\xa9moire obtenue de HeapAlloc",       /* Étape, mémoire */
        "verdict : V\303\211RIFI\303\211E.",   /* VÉRIFIÉE (octal: a hex escape would eat the E) */
        "Bilan : 11 affirmations sur 11 se v\xc3\xa9rifient",             /* vérifient */
        "granularit\xc3\xa9 d'allocation",                              /* granularité */
        "\xc3\x89tape 9. Pourquoi 1 : sans verrou",                       /* the why steps */
        "\xc3\x89tape 10. Pourquoi 2 : un processus tu\xc3\xa9",
        "\xc3\x89tape 11. Pourquoi 3 : qui cr\303\251e le nom",
        "niveau 0  sans verrou",                                        /* words in tables */
        "a \xc3\xa9t\xc3\xa9 transmis",                                  /* step 10 */
        "l'a utilis\xc3\xa9",                                            /* step 11 */
        "d\xc3\xa9tenteur",                                              /* step 6 */
        "\xc3\xa0 lui-m\xc3\xaame",                                       /* step 1 */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(strstr(r.text, want[i]) != NULL, "'%s' is not in:\n%s", want[i], r.text);
    ck_assert_msg(strchr(r.text, '?') == NULL, "a '?' (a lost accent?) in:\n%s", r.text);
    ck_assert_msg(count_of(r.text, "verdict : V\303\211RIFI\303\211E.") == 11,
                  "not 11 verdicts that hold in:\n%s", r.text);
    /* English left behind: common words of a sentence, and the tables' English words. */
    static const char *const english[] = {
        " the ", " of ", " and ", " was ", " with ", "its own", "owner's", "created",
        "exited", "holder", "reader", "new child", "racy", "no lock", "level 0", "spin word",
        "handed on", "still held", "used it", "forged header", "own block", "nothing",
    };
    for (size_t i = 0; i < sizeof english / sizeof english[0]; i++)
        ck_assert_msg(strstr(r.text, english[i]) == NULL, "English '%s' in the French tour:\n%s",
                      english[i], r.text);
    int at, widest = widest_line(r.text, &at);
    ck_assert_msg(widest <= 79, "line %d is %d characters wide:\n%s", at, widest, r.text);
    free(r.text);
}
END_TEST

/* What watch relies on: while someone watches, every change it shows sets the change event
 * "<name>.changed", including a set by a process that stays attached and the detach of a
 * process that stays alive (not only a process's attach and its exit).  A child attaches,
 * becomes a watcher (MemscopeChangeEvent, which creates the event), says ready and waits;
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
    mst_start(&c, name, "changeevent %s ready %s wait %s %s ready %s wait %s", before, r1, g1,
              change, r2, g2);
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
    tcase_add_test(tc, test_step9_why_torn_text);
    tcase_add_test(tc, test_step10_why_dead_holder);
    tcase_add_test(tc, test_step11_why_squatter);
    tcase_add_test(tc, test_tour_text_fits_80_columns);
    tcase_add_test(tc, test_tour_french_text_fits_80_columns);
    tcase_add_test(tc, test_tour_french_json_same_facts);
    tcase_add_test(tc, test_tour_french_text_is_utf8);
    tcase_add_test(tc, test_tour_survives_a_hung_child);
    tcase_add_test(tc, test_tour_survives_a_crashed_child);
    tcase_add_test(tc, test_watch_refreshes_on_change);
    tcase_add_test(tc, test_watch_quits_on_q);
    tcase_add_test(tc, test_change_event_on_set);
    tcase_add_test(tc, test_change_event_on_detach);
    suite_add_tcase(s, tc);
    return s;
}
