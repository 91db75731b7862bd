/*
 * step5_not_global.c: claim 5.  The shared pages are not global: a process that has not
 * mapped a view cannot reach them.
 *
 * An outsider is started: the same memscope.exe and the same DLL, but with another block
 * name, so it never maps the tour's section.  It asks VirtualQuery about every address
 * where the tour's children have a view (step 4) and reads what is there.  The claim holds
 * if it never finds the tour's block: where it finds anything, it is its own.  (Under Wine
 * it finds its own block at the address of the children's DllMain views, since identical
 * programs map at identical addresses there; Windows randomises them per process.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"
#include "win32.h"

static const obs_col step5_cols[] = {
    { "address", IDS_COL_ADDRESS, OBS_ADDR, 0, 0 },
    { "child", IDS_COL_CHILD, OBS_INT, 0, IDS_COL_ABSENT_EVERY },
    { "view", IDS_COL_VIEW, OBS_INT, 0, 0 },
    { "type", IDS_COL_TYPE, OBS_TEXT, 0, 0 },
    { "protect", IDS_COL_PROTECT, OBS_TEXT, 0, 0 },
    { "found", IDS_COL_OUTSIDER_FINDS, OBS_TEXT, 0, 0 },
    { "counter", IDS_COL_COUNTER, OBS_INT, 0, 0 },
};

#define STEP5_MAX (2 * TOUR_PROCS_MAX + 1)

void step5_not_global(sup_tour *t, obs_step *s, const step_views *v)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 16];
    char name8[3 * (MEMSCOPE_NAME_MAX + 16)], cmd[TOUR_LINE_MAX] = "probe";
    sup_child out;
    uint64_t addr[STEP5_MAX];
    int child[STEP5_MAX], view[STEP5_MAX];
    int na = 0, probed = 0, found_tour = 0, nothing = 0, own_block = 0, other = 0;
    DWORD tour_creator = (DWORD)proto_num(t->kids[0].hello, "creator", 0);

    obs_begin(s, 5, msg(IDS_S5_CLAIM));
    obs_table *tab = OBS_TABLE(s, "probes", msg(IDS_S5_TITLE_PROBES_2), step5_cols);
    /* Each distinct address once: the fixed view is at one address in every child. */
    for (int i = 0; i < t->nkids; i++) {
        const uint64_t a[3] = { v->view[i], v->second[i], i == 0 ? v->fixed : 0 };
        for (int k = 0; k < 3; k++) {
            BOOL dup = a[k] == 0;
            for (int j = 0; j < na && !dup; j++)
                dup = addr[j] == a[k];
            if (dup)
                continue;
            addr[na] = a[k];
            child[na] = k == 2 ? 0 : t->kids[i].index;
            view[na++] = k + 1;
            size_t n = strlen(cmd);
            snprintf(cmd + n, sizeof cmd - n, " 0x%" PRIx64, a[k]);
        }
    }
    swprintf(name, ARRAYSIZE(name), L"%ls-outsider", t->name);
    w32_to_utf8(name, name8, sizeof name8);
    BOOL up = sup_spawn(t, &out, t->nkids + 1, name) && sup_ask(&out, "hello");
    if (up) {
        snprintf(out.hello, sizeof out.hello, "%s", out.reply);
        up = sup_ask(&out, "%s", cmd);
    }
    for (int j = 0; up && j < na; j++) {
        char key[8], type[16], protect[64];
        snprintf(key, sizeof key, "t%d", j + 1);
        proto_kv(out.reply, key, type, sizeof type);
        snprintf(key, sizeof key, "p%d", j + 1);
        proto_kv(out.reply, key, protect, sizeof protect);
        snprintf(key, sizeof key, "m%d", j + 1);
        long long magic = proto_num(out.reply, key, -1);   /* -1: nothing readable there */
        snprintf(key, sizeof key, "c%d", j + 1);
        DWORD creator = (DWORD)proto_num(out.reply, key, 0);
        snprintf(key, sizeof key, "n%d", j + 1);
        long long counter = proto_num(out.reply, key, 0);
        obs_cell found;
        probed++;
        if (magic < 0)
            found = obs_word("nothing", IDS_CELL_NOTHING), nothing++;
        else if (magic == 1 && creator == tour_creator && tour_creator != 0)
            found = obs_word("tour's block", IDS_S5_W_TOURS_BLOCK_21), found_tour++;
        else if (magic == 1 && creator == out.pid)
            found = obs_word("own block", IDS_S5_W_OWN_BLOCK_22), own_block++;
        else
            found = obs_word("other memory", IDS_S5_W_OTHER_MEMORY_23), other++;
        OBS_ROW(tab, obs_addr(addr[j]), child[j] ? obs_int(child[j]) : obs_absent(),
                obs_int(view[j]), obs_text(type), obs_text(protect), found,
                magic == 1 ? obs_int(counter) : obs_absent());
    }
    if (up)
        obs_note(s, msg(IDS_S5_NOTE_3), (unsigned long)out.pid, name8,
                 proto_addr(out.hello, "view"));
    if (own_block > 0) {
        char lead[160];
        snprintf(lead, sizeof lead, msg(IDS_S5_LEAD_4),
                 own_block);
        tour_note_same_numbers(t, s, lead, msg(IDS_S5_TAIL_20));
    }
    if (out.state == SUP_LIVE)
        sup_stop(&out);
    obs_fact_add(s, "outsider_pid", up ? obs_int(out.pid) : obs_absent());
    obs_fact_add(s, "probed", obs_int(probed));
    obs_fact_add(s, "found_tour_block", obs_int(found_tour));
    obs_fact_add(s, "found_nothing", obs_int(nothing));
    obs_fact_add(s, "found_own_block", obs_int(own_block));
    obs_fact_add(s, "found_other", obs_int(other));
    if (probed == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S5_V_INCONCLUSIVE_5));
    else if (found_tour == 0)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S5_V_HOLDS_6), probed, nothing, own_block + other);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S5_V_FAILS_7),
                    found_tour, probed);
}
