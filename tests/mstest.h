/*
 * mstest.h: what the Check suites share: the child-process helpers and the suites.
 *
 * Multi-process tests re-launch this test binary as `memscope_tests.exe --child CMD...`
 * (child.c runs the commands and prints key=value lines), each child with MEMSCOPE_NAME set
 * to a block name of the test's own, and wait for it with a timeout.
 */
#ifndef MSTEST_H
#define MSTEST_H

#include <windows.h>
#include <check.h>

#include "memscope.h"

#ifdef MEMSCOPE_LINT
/* For the static analysers only (make lint): a failed assertion does not come back to the
 * test.  Check declares _ck_assert_failed without noreturn in its no-fork build because it
 * leaves by longjmp; without this, every "ck_assert(p != NULL); p->x" reads as a possible
 * NULL dereference. */
void _ck_assert_failed(const char *file, int line, const char *expr, const char *msg, ...)
    __attribute__((noreturn));
#endif

/* The plan (plan.c): the suites register their tests through these, under Check's names,
 * so the driver (main.c) knows every run before it starts: its test case, name, iteration
 * and time limit.  A test the platform cannot run is not registered: mst_skip_test records
 * it with the reason, and the driver counts and prints it as skipped (Check has no skip). */
TCase *mst_tcase_create(const char *name);
void mst_tcase_set_timeout(TCase *tc, double seconds);
void mst_suite_add_tcase(Suite *s, TCase *tc);
void mst_add_test(TCase *tc, const TTest *t, int start, int end);
void mst_skip_test(TCase *tc, const TTest *t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#undef tcase_add_test
#undef tcase_add_loop_test
#define tcase_create(name)                mst_tcase_create(name)
#define tcase_set_timeout(tc, seconds)    mst_tcase_set_timeout((tc), (seconds))
#define suite_add_tcase(s, tc)            mst_suite_add_tcase((s), (tc))
#define tcase_add_test(tc, tf)            mst_add_test((tc), (tf), 0, 1)
#define tcase_add_loop_test(tc, tf, s, e) mst_add_test((tc), (tf), (s), (e))

/* One planned run (or skipped test): what the driver reports it as. */
typedef struct mst_planned {
    const char *tcase, *test, *file;
    int line, iter;
    double limit_s;          /* Check's timeout for its test case (seconds) */
    const char *why;         /* a skipped test: why it is not run */
} mst_planned;
void mst_plan_begin(void);                     /* forget the previous suite's plan */
int mst_plan_runs(void);                       /* runs planned, in Check's order */
BOOL mst_plan_get(int k, mst_planned *out);    /* run k (FALSE: no such run) */
int mst_plan_skips(void);
BOOL mst_plan_skip_get(int k, mst_planned *out);
void mst_plan_commit(int from);                /* give Check the runs from index `from` on */

#define MST_CHILD_TIMEOUT_MS 60000   /* generous: CI machines under Wine can be slow */
#define MST_OUT_MAX          16384

typedef struct mst_child {
    HANDLE process;
    HANDLE out;          /* read end of the child's stdout pipe */
    DWORD pid;
    DWORD exit_code;
    char text[MST_OUT_MAX];
    size_t len;
} mst_child;

/* CreateProcessA with inherited handles, retried on Wine's occasional ERROR_INTERNAL_ERROR
 * at process start (util.c).  Returns TRUE, or FALSE with the last error set. */
BOOL mst_create_process(char *cmd, STARTUPINFOA *si, PROCESS_INFORMATION *pi);

/* A block name no other test uses: "Local\memscope-t<pid>-<n>". */
const WCHAR *mst_new_name(void);
/* A named event (manual-reset) the children can open: "Local\mst-ev-<pid>-<n>". */
HANDLE mst_new_event(char *name_out, size_t cap);

/* Starts `self --child ARGS` with MEMSCOPE_NAME=name.  Fails the test on error. */
void mst_start(mst_child *c, const WCHAR *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with another test binary: exe is its path. */
void mst_start_exe(mst_child *c, const char *exe, const WCHAR *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The path of `file` (a relative path) in this test binary's folder, written to path;
 * fails the test if GetModuleFileNameA fails or the result does not fit in MAX_PATH. */
void mst_path_beside(char path[MAX_PATH], const char *file);
/* The test-only build beside this binary whose DLL takes forced faults from the environment
 * variable MEMSCOPE_TEST_HOOKS (hooks\memscope_tests.exe, built with -DMEMSCOPE_TEST_HOOKS:
 * dll/testhooks.c); fails the test if it is missing. */
const char *mst_hooks_exe(void);
/* Sets (or, with NULL, removes) MEMSCOPE_TEST_HOOKS in this process's environment, which
 * the children started after it inherit.  Fails the test on error. */
void mst_set_hooks(const char *hooks);
/* Starts the hooks build (mst_hooks_exe) as `--child ARGS` with MEMSCOPE_NAME=name and
 * MEMSCOPE_TEST_HOOKS=hooks, which this process's environment then loses again. */
void mst_start_hooked(mst_child *c, const char *hooks, const WCHAR *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Starts another program of the build, `exe ARGS` (exe relative to this binary's folder,
 * e.g. "minimal\\writer.exe"), with env_name=env_value in its environment (env_name NULL:
 * none set), its stdout piped to *c; with stdin_write non-NULL its stdin is a pipe whose
 * write end is returned there (closing it is the child's end of input).  Fails the test on
 * error. */
void mst_start_program(mst_child *c, const char *exe, const char *args, const char *env_name,
                       const WCHAR *env_value, HANDLE *stdin_write);
/* Waits until the child's output holds needle; fails the test after ms, or if the child
 * ends without printing it. */
void mst_wait_output(mst_child *c, const char *needle, DWORD ms);
/* Waits for the child (MST_CHILD_TIMEOUT_MS), collects its output; fails the test if it
 * timed out (the child is then killed).  Returns its exit code. */
DWORD mst_finish(mst_child *c);
/* Kills a child (TerminateProcess) and waits for it to be gone. */
void mst_kill(mst_child *c);
/* mst_start + mst_finish. */
void mst_run(mst_child *c, const WCHAR *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Waits for an event a child sets, failing the test after MST_CHILD_TIMEOUT_MS. */
void mst_wait_event(HANDLE ev, const char *what);

/* A child that works until told to stop: it runs `CMD STOP READY` (two event names), sets
 * READY once it has begun, and works until STOP is set (flip, lenflip, acqbump). */
typedef struct mst_busy {
    mst_child child;
    HANDLE ready, stop;
    char ready_name[64], stop_name[64];
} mst_busy;
/* Starts it (the hooks build with those hooks when hooks is not NULL) and waits until it is
 * ready; `what` names that wait in a failure. */
void mst_busy_start(mst_busy *b, const char *hooks, const WCHAR *name, const char *cmd,
                    const char *what);
/* Tells it to stop and waits for it; fails the test unless it exits 0. */
void mst_busy_stop(mst_busy *b);

/* Held children.  A test often needs a child to get somewhere (attach to the block, take the
 * lock, set a text), stay there while other children run, and go on only when the test says
 * so.  A gate is the named "go" event those children wait at; one gate holds any number of
 * them (MST_GATE_MAX) and releases them all at once. */
#define MST_GATE_MAX 8
typedef struct mst_gate {
    char name[64];       /* the event's name, as a child's "wait" command takes it */
    HANDLE go;           /* manual-reset: once released, every waiter goes on */
    mst_child *held[MST_GATE_MAX];   /* the children started at it, to collect */
    int count;
} mst_gate;

/* Creates a closed gate (a new named event, not signalled, no child held) into *g.  Fails
 * the test if the event cannot be created. */
void mst_gate_create(mst_gate *g);
/* Starts `self --child BEFORE ready R wait G AFTER` (R a fresh event, G the gate's) with
 * MEMSCOPE_NAME=name into *c, and returns once the child has run BEFORE and is held at the
 * gate: after mst_gate_finish it runs AFTER and exits.  before and after may be "".  Fails
 * the test if the gate is full (MST_GATE_MAX), or the child cannot be started or is not
 * ready within MST_CHILD_TIMEOUT_MS. */
void mst_start_held(mst_child *c, const WCHAR *name, mst_gate *g, const char *before,
                    const char *after);
/* Releases the gate (SetEvent), then collects (mst_finish) every child held at it that is
 * still running (one ended with mst_kill is skipped), in the order they were started, and
 * closes the gate's event.  Fails the test if SetEvent fails or a collected child exits
 * other than 0; the children's output is then in their mst_child. */
void mst_gate_finish(mst_gate *g);

/* Contention: on a new block, kept alive by a held keeper, `procs` children (2 to
 * MST_CONTEND_MAX) wait at a start gate, then run `self --child CMDS` all at once; each must
 * exit 0 and report ERROR_SUCCESS as "key=", and the t0=/t1= that follow it (the loop's
 * QueryPerformanceCounter span) must show two of them inside their loops together for at
 * least half of the shorter loop (a run that does not is done again, on a new block, up to
 * 3 times).  Then one more child runs "lockstate counter" into *check, for the caller to
 * assert the totals.  Fails the test on any of these. */
#define MST_CONTEND_MAX 8
void mst_contend(mst_child *check, int procs, const char *cmds, const char *key);

/* For a child that ran "lock N lockstate" after the lock's holder died holding it: asserts
 * it took the lock over within a second, was told ERROR_ABANDONED_WAIT_0, owns it now, and
 * the block counts one abandonment. */
void mst_assert_took_over(const mst_child *c);

/* The value of "key=" in the child's output (first occurrence), or NULL. */
const char *mst_val(const mst_child *c, const char *key);
/* The value of "key=" up to the end of its line, copied (one of 4 rotating buffers), or
 * "(missing)". */
const char *mst_str(const mst_child *c, const char *key);
/* The same as a number; fails the test if missing. */
long long mst_num(const mst_child *c, const char *key);

/* Kill every child still running (checked fixture teardown). */
void mst_teardown(void);

int mst_child_main(int argc, char **argv);
/* A child's output line "key=value" (printf format), flushed at once (child.c). */
void mst_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The fault-forcing child commands (child_faults.c): argv[0] is the command.  Returns how
 * many arguments after it were used, or -1 if argv[0] is not one of them. */
int mst_child_fault_cmd(int argc, char **argv);

Suite *suite_sample(void);
Suite *suite_text(void);
Suite *suite_args(void);
Suite *suite_scope(void);
Suite *suite_block(void);
Suite *suite_registry(void);
Suite *suite_lock(void);
Suite *suite_robust(void);
Suite *suite_security(void);
Suite *suite_tour(void);
Suite *suite_faults(void);
Suite *suite_minimal(void);
Suite *suite_exercises(void);

#endif
