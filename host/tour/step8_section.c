/*
 * step8_section.c: claim 8, the DLL's own kind of sharing.  A variable in a PE section
 * marked shared is one copy for every process that loads the DLL; an ordinary global is
 * one copy per process.
 *
 * Each child adds 1 to memscope.dll's ordinary global and to its .shared counter and reads
 * both back.  Every global goes from 0 to 1 (each process has its own copy of .data); the
 * .shared counter climbs across processes; the tour, which loaded the same DLL file and
 * never incremented either, reads its own global 0 and the last child's .shared value.
 *
 * This does not contradict step 3 ("shared memory needs a file mapping"): a DLL's image is
 * a section object too, which the loader makes from the DLL's file and maps into every
 * process that loads it.  Its ordinary data pages are copy-on-write, so a process that
 * writes gets its own copy; the pages of a section marked shared are not, so every process
 * writes the same ones.  Never ship one: Microsoft's security guidance forbids writable
 * shared sections (BinSkim, its binary checker, fails them: rule BA2019), because any
 * process that can load the DLL, in any logon session, can read and write them, with no
 * security descriptor to stop it.  memscope's .shared counter is a demonstration; a real
 * program shares through a named mapping with a security descriptor, as the block does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "steps.h"
#include "win32.h"

static const obs_col step8_cols[] = {
    { "child", IDS_COL_CHILD, OBS_INT, 0, IDS_COL_ABSENT_TOUR },
    { "pid", IDS_COL_PID, OBS_INT, 0, 0 },
    { "dll", IDS_COL_DLL_AT, OBS_ADDR, 0, 0 },
    { "dll_type", IDS_COL_TYPE, OBS_TEXT, 0, 0 },
    { "incremented", IDS_COL_DID_INC, OBS_BOOL, 0, 0 },
    { "global", IDS_COL_GLOBAL, OBS_INT, 0, 0 },
    { "section", IDS_COL_SHARED, OBS_INT, 0, 0 },
};

void step8_section(sup_tour *t, obs_step *s)
{
    int n = 0, ones = 0, steps_ok = 0;
    long long first = -1, prev = -1, last = -1;

    obs_begin(s, 8, msg(IDS_S8_CLAIM));
    obs_table *tab = OBS_TABLE(s, "image", msg(IDS_S8_TITLE_IMAGE_2),
                               step8_cols);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        char type[16];
        if (!sup_ask(c, "image"))
            continue;
        long long g = proto_num(c->reply, "global", -1), sc = proto_num(c->reply, "section", -1);
        ones += g == 1;
        steps_ok += n > 0 && sc == prev + 1;
        if (first < 0)
            first = sc;
        prev = last = sc;
        n++;
        proto_kv(c->hello, "dlltype", type, sizeof type);
        OBS_ROW(tab, obs_int(c->index), obs_int(c->pid), obs_addr(proto_addr(c->reply, "dll")),
                obs_text(type), obs_bool(TRUE), obs_int(g), obs_int(sc));
    }
    /* The parent loaded the same DLL file and never incremented either counter. */
    LONG pg = -1, ps = -1;
    DWORD err = MemscopeImageCounters(&pg, &ps);
    if (err != ERROR_SUCCESS)
        w32_fail_err("MemscopeImageCounters", err);
    const void *dll = GetModuleHandleW(L"memscope.dll");
    MEMORY_BASIC_INFORMATION mbi;
    BOOL queried = dll != NULL && VirtualQuery(dll, &mbi, sizeof mbi) != 0;
    if (!queried)
        w32_fail(dll == NULL ? "GetModuleHandleW(memscope.dll)" : "VirtualQuery");
    OBS_ROW(tab, obs_absent(), obs_int(GetCurrentProcessId()), obs_addr((uintptr_t)dll),
            queried ? obs_text(w32_type_name(&mbi)) : obs_absent(), obs_bool(FALSE),
            obs_int(pg), obs_int(ps));
    if (n > 0)
        obs_note(s, msg(IDS_S8_NOTE_3), first - 1);
    obs_note(s, msg(IDS_S8_NOTE_4));
    obs_note(s, msg(IDS_S8_NOTE_5));
    obs_fact_add(s, "children", obs_int(n));
    obs_fact_add(s, "globals_one", obs_int(ones));
    obs_fact_add(s, "section_consecutive", obs_int(steps_ok));
    obs_fact_add(s, "section_first", obs_int(first));
    obs_fact_add(s, "section_last", obs_int(last));
    obs_fact_add(s, "parent_global", obs_int(pg));
    obs_fact_add(s, "parent_section", obs_int(ps));
    if (n < 2)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S8_V_INCONCLUSIVE_6));
    else if (ones == n && steps_ok == n - 1 && pg == 0 && ps >= last)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S8_V_HOLDS_7), n, first,
                    last, (long)ps);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S8_V_FAILS_8), ones, n, steps_ok,
                    n - 1, (long)pg, (long)ps, last);
}
