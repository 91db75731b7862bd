/*
 * plan.c: what a suite will run, recorded while it registers its tests, so the driver
 * (main.c) can give every test a time limit that works without fork, name the test that
 * hung or crashed, go on with the tests after it, and count a test the platform cannot run
 * as skipped rather than passed.
 *
 * mstest.h routes tcase_create, tcase_add_test, tcase_add_loop_test, tcase_set_timeout and
 * suite_add_tcase here, so the test files keep Check's names.  Nothing is given to Check
 * until mst_plan_commit: then every run from a given index on is registered, in the order
 * Check runs them (test cases in the order they were added to the suite, tests in the order
 * they were added to their case, each iteration of a loop test a run of its own).
 * (Parenthesised names below, e.g. `(tcase_create)(name)`, call Check's own function: a
 * function-like macro is not expanded there.)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mstest.h"

#define PLAN_CASES 16
#define PLAN_TESTS 64
#define PLAN_SKIPS 16

typedef struct plan_test {
    const TTest *t;
    int start, end;           /* iterations [start, end) */
} plan_test;

typedef struct plan_case {
    TCase *tc;
    char name[80];
    double timeout;           /* tcase_set_timeout's value; < 0: not set */
    int order;                /* position in the suite (suite_add_tcase), -1: not added */
    int ntests;
    plan_test tests[PLAN_TESTS];
} plan_case;

typedef struct plan_skip {
    char tcase[80];
    const TTest *t;
    char why[200];
} plan_skip;

static plan_case g_cases[PLAN_CASES];
static int g_ncases, g_nadded;
static plan_skip g_skips[PLAN_SKIPS];
static int g_nskips;

/* A plan that does not fit is a bug in a test file: say so and stop, before any test. */
static void plan_overflow(const char *what)
{
    fprintf(stderr, "mstest plan: more %s than the plan holds (tests/plan.c)\n", what);
    fflush(stderr);
    exit(3);
}

static plan_case *find_case(const TCase *tc)
{
    for (int i = 0; i < g_ncases; i++)
        if (g_cases[i].tc == tc)
            return &g_cases[i];
    return NULL;
}

/* The case tc, known or not (one made without tcase_create's wrapper gets the name "?"). */
static plan_case *case_of(TCase *tc, const char *name)
{
    plan_case *c = find_case(tc);
    if (c != NULL)
        return c;
    if (g_ncases == PLAN_CASES)
        plan_overflow("test cases");
    c = &g_cases[g_ncases++];
    memset(c, 0, sizeof *c);
    c->tc = tc;
    c->timeout = -1;
    c->order = -1;
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

void mst_plan_begin(void)
{
    g_ncases = g_nadded = g_nskips = 0;
}

TCase *mst_tcase_create(const char *name)
{
    TCase *tc = (tcase_create)(name);
    case_of(tc, name);
    return tc;
}

void mst_tcase_set_timeout(TCase *tc, double seconds)
{
    case_of(tc, "?")->timeout = seconds;
    (tcase_set_timeout)(tc, seconds);
}

void mst_suite_add_tcase(Suite *s, TCase *tc)
{
    plan_case *c = case_of(tc, "?");
    if (c->order < 0)
        c->order = g_nadded++;
    (suite_add_tcase)(s, tc);
}

void mst_add_test(TCase *tc, const TTest *t, int start, int end)
{
    plan_case *c = case_of(tc, "?");
    if (c->ntests == PLAN_TESTS)
        plan_overflow("tests in one test case");
    c->tests[c->ntests++] = (plan_test){ t, start, end };
}

void mst_skip_test(TCase *tc, const TTest *t, const char *fmt, ...)
{
    va_list ap;
    if (g_nskips == PLAN_SKIPS)
        plan_overflow("skipped tests");
    plan_skip *k = &g_skips[g_nskips++];
    snprintf(k->tcase, sizeof k->tcase, "%s", case_of(tc, "?")->name);
    k->t = t;
    va_start(ap, fmt);
    vsnprintf(k->why, sizeof k->why, fmt, ap);
    va_end(ap);
}

/* The case at position `order` of the suite, or NULL. */
static const plan_case *case_at(int order)
{
    for (int i = 0; i < g_ncases; i++)
        if (g_cases[i].order == order)
            return &g_cases[i];
    return NULL;
}

/* Check's time limit for a case: its tcase_set_timeout value, else CK_DEFAULT_TIMEOUT, else
 * 4 s; times CK_TIMEOUT_MULTIPLIER (the rules of Check's forking mode). */
static double env_number(const char *name, double fallback)
{
    const char *v = getenv(name);
    char *end = NULL;
    if (v == NULL)
        return fallback;
    double d = strtod(v, &end);
    return end != v && *end == 0 && d >= 0 ? d : fallback;
}

static double limit_of(const plan_case *c)
{
    double t = c->timeout >= 0 ? c->timeout : env_number("CK_DEFAULT_TIMEOUT", 4.0);
    return t * env_number("CK_TIMEOUT_MULTIPLIER", 1.0);
}

/* Walks the runs in Check's order; calls fn for each with its index.  Returns the count. */
typedef void (*run_fn)(int k, const plan_case *c, const plan_test *t, int iter, void *ctx);
static int walk(run_fn fn, void *ctx)
{
    int k = 0;
    for (int o = 0; o < g_nadded; o++) {
        const plan_case *c = case_at(o);
        if (c == NULL)
            continue;
        for (int i = 0; i < c->ntests; i++)
            for (int it = c->tests[i].start; it < c->tests[i].end; it++, k++)
                if (fn != NULL)
                    fn(k, c, &c->tests[i], it, ctx);
    }
    return k;
}

int mst_plan_runs(void)
{
    return walk(NULL, NULL);
}

typedef struct get_ctx {
    int want;
    mst_planned *out;
    BOOL found;
} get_ctx;

static void get_one(int k, const plan_case *c, const plan_test *t, int iter, void *ctx)
{
    get_ctx *g = ctx;
    if (k != g->want)
        return;
    g->out->tcase = c->name;
    g->out->test = t->t->name;
    g->out->file = t->t->file;
    g->out->line = t->t->line;
    g->out->iter = iter;
    g->out->limit_s = limit_of(c);
    g->out->why = NULL;
    g->found = TRUE;
}

BOOL mst_plan_get(int k, mst_planned *out)
{
    get_ctx g = { k, out, FALSE };
    walk(get_one, &g);
    return g.found;
}

int mst_plan_skips(void)
{
    return g_nskips;
}

BOOL mst_plan_skip_get(int k, mst_planned *out)
{
    if (k < 0 || k >= g_nskips)
        return FALSE;
    memset(out, 0, sizeof *out);
    out->tcase = g_skips[k].tcase;
    out->test = g_skips[k].t->name;
    out->file = g_skips[k].t->file;
    out->line = g_skips[k].t->line;
    out->why = g_skips[k].why;
    return TRUE;
}

/* Registers with Check the part of each test whose runs have index >= from. */
void mst_plan_commit(int from)
{
    int k = 0;
    for (int o = 0; o < g_nadded; o++) {
        const plan_case *c = case_at(o);
        if (c == NULL)
            continue;
        for (int i = 0; i < c->ntests; i++) {
            const plan_test *t = &c->tests[i];
            int n = t->end > t->start ? t->end - t->start : 0;
            int first = from > k ? t->start + (from - k) : t->start;
            if (first < t->end)
                _tcase_add_test(c->tc, t->t, 0, 0, first, t->end);
            k += n;
        }
    }
}
