/*
 * step2_dll_alloc.c: claim 2.  Memory a DLL allocates lives in the address space of the
 * process that called it: other processes using the same DLL cannot reach it.
 *
 * Each child asks memscope.dll to keep a text; the DLL copies it into memory from HeapAlloc
 * (MemscopeSetPrivateText).  Another child then asks VirtualQuery about that address in its
 * own address space and reads the text there.  The claim holds if no child ever finds
 * another's text.
 *
 * The DLL is not loaded once for everyone: the loader maps its image into each process
 * that loads it (VirtualQuery says MEM_IMAGE there).  What processes share is the physical
 * pages behind those mappings: the code's, read-only, and the data's until a process writes
 * to them (copy-on-write gives it its own copy; a section marked shared is the exception,
 * step 8).  Whatever the DLL allocates comes from the calling process's heap.  Under Wine
 * the other child finds its own text at the same address, since identical programs get
 * identical heaps there; Windows randomises them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"

static const obs_col step2_cols[] = {
    { "child", IDS_COL_CHILD, OBS_INT, OBS_GROUP, 0 },
    { "pid", IDS_COL_PID, OBS_INT, OBS_GROUP, 0 },
    { "peer", IDS_COL_LOOKED_UP_BY, OBS_INT, OBS_GROUP, 0 },
    { "peer_pid", IDS_COL_PID, OBS_INT, OBS_GROUP, 0 },
    { "address", IDS_COL_TEXT_AT, OBS_ADDR, 0, 0 },
    { "text", IDS_COL_STORED, OBS_TEXT, 0, 0 },
    { "peer_type", IDS_COL_TYPE, OBS_TEXT, 0, 0 },
    { "peer_protect", IDS_COL_PROTECT, OBS_TEXT, 0, 0 },
    { "peer_text", IDS_COL_FOUND_THERE, OBS_TEXT, 0, 0 },
};

void step2_dll_alloc(sup_tour *t, obs_step *s)
{
    uint64_t addr[TOUR_PROCS_MAX] = { 0 }, dll0 = 0;
    char text[TOUR_PROCS_MAX][64];
    int texts = 0, own_ok = 0, peeks = 0, saw_owner = 0, saw_own = 0;
    BOOL same_dll = TRUE;
    char dll_type[16] = "";

    obs_begin(s, 2, msg(IDS_S2_CLAIM));
    obs_table *tab = OBS_TABLE(s, "texts", msg(IDS_S2_TITLE_TEXTS_2), step2_cols);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        char expect[64];
        text[i][0] = 0;
        if (!sup_ask(c, "dllalloc"))
            continue;
        texts++;
        addr[i] = proto_addr(c->reply, "addr");
        proto_kv(c->reply, "text", text[i], sizeof text[i]);
        snprintf(expect, sizeof expect, "private-of-%lu", (unsigned long)c->pid);
        own_ok += strcmp(text[i], expect) == 0;
        uint64_t dll = proto_addr(c->hello, "dll");
        if (dll0 == 0) {
            dll0 = dll;
            proto_kv(c->hello, "dlltype", dll_type, sizeof dll_type);
        }
        same_dll = same_dll && dll == dll0;
    }
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i], *p = sup_peer_of(t, i);
        char type[16], protect[64], seen[3 * 32 + 1], theirs[64];
        if (addr[i] == 0 || !sup_live(c) || p == NULL ||
            !sup_ask(p, "peektext 0x%" PRIx64, addr[i]))
            continue;
        peeks++;
        proto_kv(p->reply, "t", type, sizeof type);
        proto_kv(p->reply, "p", protect, sizeof protect);
        proto_kv(p->reply, "text", seen, sizeof seen);
        snprintf(theirs, sizeof theirs, "private-of-%lu", (unsigned long)p->pid);
        BOOL readable = strcmp(seen, "-") != 0;
        saw_owner += readable && strcmp(seen, text[i]) == 0;
        saw_own += readable && strcmp(seen, theirs) == 0;
        OBS_ROW(tab, obs_int(c->index), obs_int(c->pid), obs_int(p->index), obs_int(p->pid),
                obs_addr(addr[i]), obs_text(text[i]), obs_text(type), obs_text(protect),
                readable ? obs_text(seen) : obs_absent());
    }
    obs_fact_add(s, "texts", obs_int(texts));
    obs_fact_add(s, "own_texts_ok", obs_int(own_ok));
    obs_fact_add(s, "peeks", obs_int(peeks));
    obs_fact_add(s, "peeks_saw_owner_text", obs_int(saw_owner));
    obs_fact_add(s, "peeks_saw_own_text", obs_int(saw_own));
    obs_fact_add(s, "dll_same_address", obs_bool(same_dll && texts > 0));
    obs_fact_add(s, "dll_address", same_dll && texts > 0 ? obs_addr(dll0) : obs_absent());
    obs_fact_add(s, "dll_type", texts > 0 ? obs_text(dll_type) : obs_absent());
    if (same_dll && texts > 0)
        obs_note(s, msg(IDS_S2_NOTE_3), dll0, dll_type);
    if (saw_own > 0) {
        char lead[160];
        snprintf(lead, sizeof lead, msg(IDS_S2_LEAD_4), saw_own, peeks);
        tour_note_same_numbers(t, s, lead, msg(IDS_TOUR_SAME_TAIL));
    }
    if (peeks == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S2_V_INCONCLUSIVE_5));
    else if (own_ok == texts && saw_owner == 0)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S2_V_HOLDS_6), peeks, saw_own);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S2_V_FAILS_7), own_ok, texts, saw_owner);
}
