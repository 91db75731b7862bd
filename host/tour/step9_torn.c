/*
 * step9_torn.c: why 1.  Microsoft's sample copies text in and out of shared memory with no
 * lock, so a reader can get half of one text and half of another.
 *
 * One child (the writer) sets two texts of different lengths in turn (WHY_LONG 'A', then
 * WHY_SHORT 'B') for STEP9_MS, while the others read for as long, counting reads that are
 * neither text (mixed) and how often the text they saw changed (the reads really overlapped
 * the writes).  First through level 0 (memscope_level0.dll: SetSharedMem / GetSharedMem,
 * no lock), then through memscope.dll (MemscopeSetText / MemscopeGetText on the tour's
 * block).  Holds if memscope showed no mixed read while the text changed under the readers
 * at least STEP9_MIN_CHANGES times; level 0's mixed reads are reported, or "not shown".
 */
#include <stdio.h>

#include "steps.h"
#include "why.h"

#define STEP9_MS          1000  /* how long the writer writes and the readers read */
#define STEP9_MIN_CHANGES 10    /* the text a reader saw changed at least this often */

/* The sentences are IDS_S9_* in strings.rc; the table's words of data: */
static const char *const step9_dll[2] = { "level 0", "memscope" };
static const UINT step9_dll_say[2] = { IDS_WHY_LEVEL0, 0 };
static const char *const step9_how[2] = { "no lock", "lock + 2 buffers" };
static const UINT step9_how_say[2] = { IDS_S9_W_NO_LOCK_20, IDS_S9_W_LOCK_BUFFERS_21 };

static const obs_col step9_cols[] = {
    { "dll", IDS_COL_DLL, OBS_TEXT, 0, 0 },
    { "how", IDS_COL_HOW, OBS_TEXT, 0, 0 },
    { "writes", IDS_COL_WRITES, OBS_INT, 0, 0 },
    { "reads", IDS_COL_READS, OBS_INT, 0, 0 },
    { "changes", IDS_COL_CHANGES, OBS_INT, 0, 0 },
    { "mixed", IDS_COL_MIXED, OBS_INT, 0, 0 },
    { "empty", IDS_COL_EMPTY, OBS_INT, 0, 0 },
};

typedef struct step9_round {
    BOOL ok;
    long long writes, reads, changes, mixed, empty;
} step9_round;

static void step9_round_run(sup_tour *t, int m, const char *name, step9_round *r)
{
    sup_child *w = sup_first_live(t);
    BOOL sent[TOUR_PROCS_MAX] = { 0 };
    int readers = 0;
    const char *l = m == 0 ? "0" : "M";
    r->ok = FALSE;
    /* The writer sets the first text before any reader starts (level 0: it loads the DLL
     * first, so its DllMain creates and zeroes the mapping before any reader opens it). */
    if (w == NULL || !sup_ask(w, "whywrite %s %s 0", l, name))
        return;
    for (int i = 0; i < t->nkids; i++)
        if (&t->kids[i] != w && sup_live(&t->kids[i]))
            sent[i] = sup_send(&t->kids[i], "whyread %s %s %d", l, name, STEP9_MS);
    BOOL wok = sup_send(w, "whywrite %s %s %d", l, name, STEP9_MS);
    wok = wok && sup_recv(w, STEP9_MS + t->timeout);
    r->writes = wok ? proto_num(w->reply, "writes", 0) : 0;
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sent[i] || !sup_recv(c, STEP9_MS + t->timeout))
            continue;
        readers++;
        r->reads += proto_num(c->reply, "reads", 0);
        r->changes += proto_num(c->reply, "changes", 0);
        r->mixed += proto_num(c->reply, "mixed", 0);
        r->empty += proto_num(c->reply, "empty", 0);
    }
    r->ok = wok && readers > 0;
}

void step9_torn(sup_tour *t, obs_step *s)
{
    step9_round r[2] = { 0 };
    char name[sizeof t->name8 + 16];
    static char title[512];     /* the table keeps a pointer to it */

    obs_begin(s, 9, msg(IDS_S9_CLAIM));
    /* A writer sets two texts in turn (%d 'A', %d 'B') while the others read; mixed: reads
     * that were neither text; changes: how often a reader saw the text change. */
    snprintf(title, sizeof title, msg(IDS_S9_TITLE_ROUNDS_2), WHY_LONG, WHY_SHORT);
    obs_table *tab = OBS_TABLE(s, "rounds", title, step9_cols);
    snprintf(name, sizeof name, "%s.why9", t->name8);
    step9_round_run(t, 0, name, &r[0]);
    step9_round_run(t, 1, name, &r[1]);
    for (int m = 0; m < 2; m++) {
        OBS_ROW(tab, obs_word(step9_dll[m], step9_dll_say[m]),
                obs_word(step9_how[m], step9_how_say[m]),
                r[m].ok ? obs_int(r[m].writes) : obs_absent(),
                r[m].ok ? obs_int(r[m].reads) : obs_absent(),
                r[m].ok ? obs_int(r[m].changes) : obs_absent(),
                r[m].ok ? obs_int(r[m].mixed) : obs_absent(),
                r[m].ok ? obs_int(r[m].empty) : obs_absent());
        static const char *const pre[2] = { "level0", "memscope" };
        char k[32];
        snprintf(k, sizeof k, "%s_writes", pre[m]);
        obs_fact_add(s, k, obs_int(r[m].writes));
        snprintf(k, sizeof k, "%s_reads", pre[m]);
        obs_fact_add(s, k, obs_int(r[m].reads));
        snprintf(k, sizeof k, "%s_changes", pre[m]);
        obs_fact_add(s, k, obs_int(r[m].changes));
        snprintf(k, sizeof k, "%s_mixed", pre[m]);
        obs_fact_add(s, k, obs_int(r[m].mixed));
    }
    obs_fact_add(s, "min_changes", obs_int(STEP9_MIN_CHANGES));
    obs_fact_add(s, "level0_shown", obs_bool(r[0].mixed > 0));
    /* level 0 is memscope_level0.dll on %s (Microsoft's sample's design); memscope is
     * memscope.dll on the tour's block. Each round lasts %d ms. */
    obs_note(s, msg(IDS_S9_NOTE_3), name, STEP9_MS);
    if (!r[0].ok || !r[1].ok)
        /* a round could not run (see the notes). */
        obs_verdict(s, OBS_INCONCLUSIVE, "%s", msg(IDS_S9_V_INCONCLUSIVE_4));
    else if (r[1].mixed > 0)
        /* memscope showed %lld mixed reads: it must show none. */
        obs_verdict(s, OBS_FAILS, msg(IDS_S9_V_FAILS_5), r[1].mixed);
    else if (r[1].changes < STEP9_MIN_CHANGES)  /* level 0's mixed reads show overlap */
        /* the readers saw the text change only %lld (level 0) and %lld (memscope) times:
         * too few to say. */
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S9_V_INCONCLUSIVE_6), r[0].changes,
                    r[1].changes);
    else if (r[0].mixed > 0)
        /* level 0: %lld of %lld reads were mixed, half of one text and half of another.
         * memscope: none of %lld reads, while the text changed %lld times under them. */
        obs_verdict(s, OBS_HOLDS, msg(IDS_S9_V_HOLDS_7), r[0].mixed, r[0].reads, r[1].reads,
                    r[1].changes);
    else
        /* memscope: none of %lld reads was mixed, while the text changed %lld times under
         * them. Level 0: torn text not shown this time (0 of %lld reads), which is luck,
         * not correctness. */
        obs_verdict(s, OBS_HOLDS, msg(IDS_S9_V_HOLDS_8), r[1].reads, r[1].changes,
                    r[0].reads);
}
