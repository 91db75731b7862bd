/*
 * step7_sync.c: claim 7.  Several writers must synchronise their access to shared memory.
 *
 * The cast is N children again (step 6 left one).  They race three rounds of K increments
 * each on the block: racy (MemscopeRacyIncrement: read, add, write, no synchronisation),
 * atomic (InterlockedIncrement64) and locked (the block's lock).  All racers wait on one
 * named manual-reset event, so they start together and really overlap; each reports when
 * it started and ended (QueryPerformanceCounter).  The claim holds if the atomic and
 * locked rounds count every increment; lost racy updates show why (and if none happened
 * to be lost, the verdict says so rather than claim a loss).
 */
#include <stdio.h>
#include <string.h>

#include "steps.h"
#include "win32.h"

#define STEP7_RACE_TIMEOUT_MS 60000     /* a whole round, on a slow machine */

typedef struct step7_round {
    long long before, after, lost;
    double slowest_ms, overlap_ms;
    int racers;
} step7_round;

static const char *const step7_way[3] = { "racy", "atomic", "locked" };
static const UINT step7_way_say[3] = { IDS_S7_W_RACY_20, IDS_S7_W_ATOMIC_21,
                                       IDS_S7_W_LOCKED_22 };
static const char *const step7_how[3] = { "read, add, write", "InterlockedIncrement64",
                                          "the block's lock" };
static const UINT step7_how_say[3] = { IDS_S7_W_READ_ADD_WRITE_23, 0,  /* an API's name */
                                       IDS_S7_W_BLOCK_LOCK_24 };
static const char *const step7_field[3] = { "racy", "counter", "locked" };  /* in "state" */

static const obs_col step7_cols[] = {
    { "way", IDS_COL_WAY, OBS_TEXT, 0, 0 },
    { "how", IDS_COL_HOW, OBS_TEXT, 0, 0 },
    { "racers", IDS_COL_RACERS, OBS_INT, 0, 0 },
    { "counted", IDS_COL_COUNTED, OBS_INT, 0, 0 },
    { "lost", IDS_COL_LOST, OBS_INT, 0, 0 },
    { "slowest_ms", IDS_COL_SLOWEST, OBS_MS, 0, 0 },
    { "overlap_ms", IDS_COL_OVERLAP, OBS_MS, 0, 0 },
};

/* How long at least two of the n runs [t0[i], t1[i]) went on at once: only then can an
 * update be lost.  A sweep over the 2n start and end points. */
static long long step7_overlap(const long long *t0, const long long *t1, int n)
{
    long long total = 0, prev = 0;
    for (;;) {
        long long next = 0;     /* the earliest start or end still ahead */
        BOOL any = FALSE;
        int running = 0;
        for (int i = 0; i < n; i++) {
            if (t0[i] > prev && (!any || t0[i] < next))
                next = t0[i], any = TRUE;
            if (t1[i] > prev && (!any || t1[i] < next))
                next = t1[i], any = TRUE;
            running += t0[i] <= prev && prev < t1[i];
        }
        if (!any)
            return total;
        if (running >= 2)
            total += next - prev;
        prev = next;
    }
}

static BOOL step7_race(sup_tour *t, HANDLE go, int m, step7_round *r)
{
    sup_child *reader = sup_first_live(t);
    LARGE_INTEGER freq;
    long long t0[TOUR_PROCS_MAX] = { 0 }, t1[TOUR_PROCS_MAX] = { 0 };
    BOOL sent[TOUR_PROCS_MAX] = { 0 };
    QueryPerformanceFrequency(&freq);       /* cannot fail on Windows XP and later */
    memset(r, 0, sizeof *r);
    if (reader == NULL || !sup_ask(reader, "state"))
        return FALSE;
    r->before = proto_num(reader->reply, step7_field[m], -1);
    if (!ResetEvent(go))
        return w32_fail("ResetEvent"), FALSE;
    for (int i = 0; i < t->nkids; i++)
        sent[i] = sup_send(&t->kids[i], "race %s %ld", step7_way[m], t->iterations);
    /* Every racer is blocked on the event, or about to be: let them all go at once. */
    if (!SetEvent(go))
        return w32_fail("SetEvent"), FALSE;
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sent[i] || !sup_recv(c, STEP7_RACE_TIMEOUT_MS))
            continue;
        t0[r->racers] = proto_num(c->reply, "t0", 0);
        t1[r->racers] = proto_num(c->reply, "t1", 0);
        double ms = (double)(t1[r->racers] - t0[r->racers]) * 1000.0 / (double)freq.QuadPart;
        if (ms > r->slowest_ms)
            r->slowest_ms = ms;
        r->racers++;
    }
    r->overlap_ms = (double)step7_overlap(t0, t1, r->racers) * 1000.0 / (double)freq.QuadPart;
    if ((reader = sup_first_live(t)) == NULL || !sup_ask(reader, "state"))
        return FALSE;
    r->after = proto_num(reader->reply, step7_field[m], -1);
    r->lost = (long long)r->racers * t->iterations - (r->after - r->before);
    return TRUE;
}

void step7_sync(sup_tour *t, obs_step *s)
{
    step7_round r[3] = { 0 };
    BOOL ok[3] = { 0 };
    WCHAR go_name[MEMSCOPE_NAME_MAX + 8];
    char go8[sizeof t->name8 + 8];

    obs_begin(s, 7, msg(IDS_S7_CLAIM));
    obs_table *tab = OBS_TABLE(s, "rounds", msg(IDS_S7_TITLE_ROUNDS_2), step7_cols);
    for (int i = t->nkids; i < t->procs; i++) {
        sup_start(t, &t->kids[i], i + 1);
        t->nkids = i + 1;   /* one that failed to start stays SUP_NONE: no step asks it */
    }
    swprintf(go_name, ARRAYSIZE(go_name), L"%ls.go", t->name);
    w32_to_utf8(go_name, go8, sizeof go8);
    /* Manual-reset: one SetEvent releases every waiting racer, not just one. */
    HANDLE go = CreateEventW(NULL, TRUE, FALSE, go_name);
    if (go == NULL) {
        w32_fail("CreateEventW");
    } else {
        for (int i = 0; i < t->nkids; i++)
            sup_ask(&t->kids[i], "arm %s", go8);
        for (int m = 0; m < 3; m++) {
            ok[m] = step7_race(t, go, m, &r[m]);
            OBS_ROW(tab, obs_word(step7_way[m], step7_way_say[m]),
                    obs_word(step7_how[m], step7_how_say[m]),
                    ok[m] ? obs_int(r[m].racers) : obs_absent(),
                    ok[m] ? obs_int(r[m].after - r[m].before) : obs_absent(),
                    ok[m] ? obs_int(r[m].lost) : obs_absent(),
                    ok[m] ? obs_ms(r[m].slowest_ms) : obs_absent(),
                    ok[m] ? obs_ms(r[m].overlap_ms) : obs_absent());
        }
        if (!CloseHandle(go))
            w32_fail("CloseHandle");
        obs_note(s, msg(IDS_S7_NOTE_3), t->iterations, go8);
    }
    for (int m = 0; m < 3; m++) {
        char k[32];
        snprintf(k, sizeof k, "%s_expected", step7_way[m]);
        obs_fact_add(s, k, obs_int((long long)r[m].racers * t->iterations));
        snprintf(k, sizeof k, "%s_counted", step7_way[m]);
        obs_fact_add(s, k, obs_int(r[m].after - r[m].before));
        snprintf(k, sizeof k, "%s_lost", step7_way[m]);
        obs_fact_add(s, k, obs_int(r[m].lost));
        snprintf(k, sizeof k, "%s_overlap_ms", step7_way[m]);
        obs_fact_add(s, k, obs_ms(r[m].overlap_ms));
    }
    obs_fact_add(s, "racers", obs_int(r[0].racers));
    obs_fact_add(s, "iterations", obs_int(t->iterations));
    long long n0 = (long long)r[0].racers * t->iterations;
    char pct[32];           /* a decimal in the reader's language (msg_decimal) */
    if (!ok[0] || !ok[1] || !ok[2] || r[0].racers < 2)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S7_V_INCONCLUSIVE_4));
    else if (r[1].lost == 0 && r[2].lost == 0 && r[0].lost > 0)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S7_V_HOLDS_5), r[0].lost, n0,
                    msg_decimal(100.0 * (double)r[0].lost / (double)n0, 1, pct, sizeof pct),
                    (long long)r[1].racers * t->iterations);
    else if (r[1].lost == 0 && r[2].lost == 0 && r[0].lost == 0)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S7_V_HOLDS_6),
                    msg_decimal(r[0].overlap_ms, 1, pct, sizeof pct));
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S7_V_FAILS_7), r[0].lost, r[1].lost, r[2].lost);
}
