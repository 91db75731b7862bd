/*
 * step4_views.c: claim 4.  Each process maps its own view of the same physical pages; the
 * view's address may differ from process to process, unless MapViewOfFileEx maps it at a
 * chosen address.
 *
 * Three views per child over the one section.  DllMain mapped the first: under Wine,
 * identical programs get identical addresses, but Windows randomises them per process, so
 * nothing guarantees it.  Before the second, child k reserves k-1 MiB, as real programs
 * differ, and MapViewOfFile picks the address.  For the
 * third, the tour tries candidate addresses until one is free in every child and every
 * child maps it there with MapViewOfFileEx.  Child 1 adds 1000 to the block's counter
 * through that view; the claim holds if every child reads 1000 through all three views.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"

/* Below 2 GiB (i686 too), multiples of the 64 KiB allocation granularity, away from where
 * images and heaps usually sit. */
static const uint64_t step4_candidates[] = {
    0x50000000, 0x58000000, 0x60000000, 0x68000000, 0x48000000, 0x40000000, 0x38000000,
    0x30000000, 0x70000000, 0x28000000,
};

static const obs_col step4_cols[] = {
    { "child", IDS_COL_CHILD, OBS_INT, OBS_GROUP, 0 },
    { "pid", IDS_COL_PID, OBS_INT, OBS_GROUP, 0 },
    { "view", IDS_COL_VIEW, OBS_INT, 0, 0 },
    { "mapped_by", IDS_COL_MAPPED_BY, OBS_TEXT, 0, 0 },
    { "address", IDS_COL_ADDRESS, OBS_ADDR, 0, 0 },
    { "type", IDS_COL_TYPE, OBS_TEXT, 0, 0 },
    { "protect", IDS_COL_PROTECT, OBS_TEXT, 0, 0 },
    { "counter", IDS_COL_COUNTER, OBS_INT, 0, 0 },
};

static int step4_distinct(const uint64_t *a, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        BOOL seen = a[i] == 0;
        for (int j = 0; j < i && !seen; j++)
            seen = a[j] == a[i];
        d += !seen;
    }
    return d;
}

/* Every live child maps a third view at the first candidate free in all of them. */
static uint64_t step4_map_fixed(sup_tour *t, int *tried)
{
    for (size_t k = 0; k < ARRAYSIZE(step4_candidates); k++) {
        uint64_t a = step4_candidates[k];
        BOOL all_free = TRUE, all_mapped = TRUE;
        ++*tried;
        for (int i = 0; i < t->nkids && all_free; i++)
            if (sup_live(&t->kids[i]))
                all_free = sup_ask(&t->kids[i], "isfree 0x%" PRIx64, a) &&
                           proto_num(t->kids[i].reply, "free", 0) == 1;
        if (!all_free)
            continue;
        for (int i = 0; i < t->nkids; i++)
            if (sup_live(&t->kids[i]))
                all_mapped = sup_ask(&t->kids[i], "mapat 0x%" PRIx64, a) &&
                             proto_addr(t->kids[i].reply, "fixed") == a && all_mapped;
        if (all_mapped)
            return a;
        for (int i = 0; i < t->nkids; i++)
            if (sup_live(&t->kids[i]))
                sup_ask(&t->kids[i], "unmapfixed");
    }
    return 0;
}

void step4_views(sup_tour *t, obs_step *s, step_views *v)
{
    static const char *const how[3] = { "DllMain", "MapViewOfFile", "MapViewOfFileEx" };
    int n = 0, tried = 0, mapped = 0, agree = 0, mem_mapped = 0;

    obs_begin(s, 4, msg(IDS_S4_CLAIM));
    obs_table *tab = OBS_TABLE(s, "views", msg(IDS_S4_TITLE_VIEWS_2),
                               step4_cols);
    memset(v, 0, sizeof *v);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sup_ask(c, "view"))
            continue;
        v->view[i] = proto_addr(c->reply, "view");
        if (sup_ask(c, "mapany %d", (c->index - 1) * 1024))
            v->second[i] = proto_addr(c->reply, "second");
    }
    v->fixed = step4_map_fixed(t, &tried);
    sup_child *w = sup_first_live(t);
    if (v->fixed != 0 && w != NULL && sup_ask(w, "fixedadd 1000"))
        v->value = proto_num(w->reply, "value", -1);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        const uint64_t at[3] = { v->view[i], v->second[i], v->fixed };
        if (v->view[i] == 0 || !sup_live(c))
            continue;
        n++;
        BOOL read = v->fixed != 0 && sup_ask(c, "readviews");
        int same = 0;
        for (int k = 0; k < 3; k++) {
            char key[8], type[16] = "", protect[64] = "";
            snprintf(key, sizeof key, "n%d", k + 1);
            long long counter = read ? proto_num(c->reply, key, -1) : -1;
            snprintf(key, sizeof key, "t%d", k + 1);
            proto_kv(c->reply, key, type, sizeof type);
            snprintf(key, sizeof key, "p%d", k + 1);
            proto_kv(c->reply, key, protect, sizeof protect);
            same += counter == v->value;
            mem_mapped += read && strcmp(type, "MEM_MAPPED") == 0;
            OBS_ROW(tab, obs_int(c->index), obs_int(c->pid), obs_int(k + 1), obs_text(how[k]),
                    at[k] ? obs_addr(at[k]) : obs_absent(),
                    read ? obs_text(type) : obs_absent(), read ? obs_text(protect) : obs_absent(),
                    counter >= 0 ? obs_int(counter) : obs_absent());
        }
        mapped += read;
        agree += read && same == 3;
    }
    int dv = step4_distinct(v->view, t->nkids), ds = step4_distinct(v->second, t->nkids);
    obs_note(s, msg(IDS_S4_NOTE_3), dv,
             msg(dv == 1 ? IDS_S4_ADDR_ONE_21 : IDS_S4_ADDR_MANY_22), n);
    if (dv < n && n > 1)
        tour_note_same_numbers(t, s, msg(IDS_S4_LEAD_4),
                               msg(IDS_S4_TAIL_20));
    obs_note(s, msg(IDS_S4_NOTE_5),
             ds, msg(ds == 1 ? IDS_S4_ADDR_ONE_21 : IDS_S4_ADDR_MANY_22));
    if (v->fixed != 0 && w != NULL)
        obs_note(s, msg(IDS_S4_NOTE_6),
                 w->index, (unsigned long)w->pid, v->fixed);
    obs_fact_add(s, "children", obs_int(n));
    obs_fact_add(s, "dll_views_distinct", obs_int(dv));
    obs_fact_add(s, "second_views_distinct", obs_int(ds));
    obs_fact_add(s, "fixed_address", v->fixed ? obs_addr(v->fixed) : obs_absent());
    obs_fact_add(s, "fixed_candidates_tried", obs_int(tried));
    obs_fact_add(s, "fixed_mapped", obs_int(mapped));
    obs_fact_add(s, "views_mem_mapped", obs_int(mem_mapped));
    obs_fact_add(s, "written_value", obs_int(v->value));
    obs_fact_add(s, "reads_agree", obs_int(agree));
    if (n < 2)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S4_V_INCONCLUSIVE_7));
    else if (v->fixed == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S4_V_INCONCLUSIVE_8), tried);
    else if (mapped == n && agree == n)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S4_V_HOLDS_9), n, ds, v->fixed, v->value);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S4_V_FAILS_10), mapped, n, v->fixed, agree, v->value);
}
