/*
 * step1_private.c: claim 1.  Memory from HeapAlloc, VirtualAlloc, GlobalAlloc and
 * LocalAlloc is reachable only by the process that allocated it.
 *
 * Each child stores pid*10+k in memory from each allocator and reads it back.  The tour
 * then hands every address to another child, which asks VirtualQuery what is at that
 * number in its own address space and reads it only if it is readable.  The claim holds if
 * every owner read back its value and no other process ever saw it there.
 *
 * Under Wine the other child usually finds its own value at the same number: identical
 * programs get identical heap and VirtualAlloc addresses there.  Windows randomises them
 * per process (ASLR), so there it usually finds nothing, or unrelated data.  The step says
 * so whenever it happens: the point is that the same number means different memory.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"

static const char *const step1_allocator[4] = { "HeapAlloc", "VirtualAlloc", "GlobalAlloc",
                                                "LocalAlloc" };
static const char *const step1_key[4] = { "heap", "virtual", "global", "local" };

static const obs_col step1_cols[] = {
    { "child", IDS_COL_CHILD, OBS_INT, OBS_GROUP, 0 },
    { "pid", IDS_COL_PID, OBS_INT, OBS_GROUP, 0 },
    { "peer", IDS_COL_LOOKED_UP_BY, OBS_INT, OBS_GROUP, 0 },
    { "peer_pid", IDS_COL_PID, OBS_INT, OBS_GROUP, 0 },
    { "allocator", IDS_COL_ALLOCATOR, OBS_TEXT, 0, 0 },
    { "address", IDS_COL_ADDRESS, OBS_ADDR, 0, 0 },
    { "value", IDS_COL_STORED, OBS_INT, 0, 0 },
    { "peer_type", IDS_COL_TYPE, OBS_TEXT, 0, 0 },
    { "peer_protect", IDS_COL_PROTECT, OBS_TEXT, 0, 0 },
    { "peer_value", IDS_COL_VALUE, OBS_INT, 0, 0 },
    { "peer_found", IDS_COL_WHOSE, OBS_TEXT, 0, 0 },
};

void step1_private(sup_tour *t, obs_step *s)
{
    static char answer[TOUR_PROCS_MAX][TOUR_LINE_MAX];      /* each child's "alloc" answer */
    uint64_t addr[TOUR_PROCS_MAX][4];
    BOOL have[TOUR_PROCS_MAX] = { 0 };
    int allocations = 0, own_ok = 0, peeks = 0, saw_owner = 0, nothing = 0, other = 0;
    int its_own = 0;

    obs_begin(s, 1, msg(IDS_S1_CLAIM));
    obs_table *tab = OBS_TABLE(s, "allocations", msg(IDS_S1_TITLE_ALLOCATIONS_2), step1_cols);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sup_ask(c, "alloc"))
            continue;
        have[i] = TRUE;
        snprintf(answer[i], sizeof answer[i], "%s", c->reply);
        for (int k = 0; k < 4; k++)
            addr[i][k] = proto_addr(c->reply, step1_key[k]);
    }
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i], *p = sup_peer_of(t, i);
        if (!have[i] || !sup_live(c))
            continue;
        BOOL peeked = p != NULL && sup_ask(p, "peek 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64
                                           " 0x%" PRIx64, addr[i][0], addr[i][1], addr[i][2],
                                           addr[i][3]);
        for (int k = 0; k < 4; k++) {
            char key[16], type[16] = "", protect[64] = "";
            snprintf(key, sizeof key, "%sv", step1_key[k]);
            long long stored = proto_num(answer[i], key, -1);
            long long expect = (long long)c->pid * 10 + k + 1;     /* what the child stores */
            obs_cell value = obs_absent(), found = obs_absent();
            allocations++;
            own_ok += stored == expect;
            if (peeked) {
                char seen[32];
                snprintf(key, sizeof key, "t%d", k + 1);
                proto_kv(p->reply, key, type, sizeof type);
                snprintf(key, sizeof key, "p%d", k + 1);
                proto_kv(p->reply, key, protect, sizeof protect);
                snprintf(key, sizeof key, "v%d", k + 1);
                proto_kv(p->reply, key, seen, sizeof seen);
                peeks++;
                if (seen[0] == 0 || strcmp(seen, "-") == 0) {
                    nothing++;
                    found = obs_word("nothing", IDS_CELL_NOTHING);
                } else {
                    long long v = proto_num(p->reply, key, -1);
                    value = obs_int(v);
                    BOOL mine = v == (long long)p->pid * 10 + k + 1;
                    saw_owner += v == expect;
                    other += v != expect;
                    its_own += mine;
                    found = v == expect ? obs_word("owner's", IDS_S1_W_OWNERS_20)
                          : mine ? obs_word("its own", IDS_S1_W_ITS_OWN_21)
                                 : obs_word("other", IDS_S1_W_OTHER_22);
                }
            }
            OBS_ROW(tab, obs_int(c->index), obs_int(c->pid),
                    peeked ? obs_int(p->index) : obs_absent(),
                    peeked ? obs_int(p->pid) : obs_absent(), obs_text(step1_allocator[k]),
                    obs_addr(addr[i][k]), obs_int(stored),
                    peeked ? obs_text(type) : obs_absent(),
                    peeked ? obs_text(protect) : obs_absent(), value, found);
        }
    }
    if (its_own > 0) {
        char lead[160];
        snprintf(lead, sizeof lead, msg(IDS_S1_LEAD_3), its_own, peeks);
        tour_note_same_numbers(t, s, lead, msg(IDS_TOUR_SAME_TAIL));
    }
    obs_fact_add(s, "allocations", obs_int(allocations));
    obs_fact_add(s, "own_readbacks_ok", obs_int(own_ok));
    obs_fact_add(s, "peeks", obs_int(peeks));
    obs_fact_add(s, "peeks_saw_owner_value", obs_int(saw_owner));
    obs_fact_add(s, "peeks_found_nothing", obs_int(nothing));
    obs_fact_add(s, "peeks_found_other_data", obs_int(other));
    if (peeks == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S1_V_INCONCLUSIVE_4));
    else if (own_ok == allocations && peeks == allocations && saw_owner == 0)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S1_V_HOLDS_5), peeks,
                    nothing, other);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S1_V_FAILS_6), own_ok, allocations,
                    saw_owner, peeks);
}
