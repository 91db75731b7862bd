/*
 * step3_named_mapping.c: claim 3.  Shared memory needs a file mapping: the first process
 * creates the named mapping (CreateFileMapping), the others get the same one by its name
 * (ERROR_ALREADY_EXISTS, or OpenFileMapping).
 *
 * The children were started one after another, and each one's DllMain called
 * CreateFileMapping with the tour's name: the first created the section, the others got
 * ERROR_ALREADY_EXISTS and a handle to the same object.  Each also opened it with
 * OpenFileMapping by name (the second way).  Nothing new is asked: their hello answers
 * already hold it.  The claim holds if exactly one created it and all name it as creator.
 */
#include <stdio.h>
#include <string.h>

#include "steps.h"

static const obs_col step3_cols[] = {
    { "child", "child", OBS_INT, 0, NULL },
    { "pid", "pid", OBS_INT, 0, NULL },
    { "create", "CreateFileMapping", OBS_TEXT, 0, NULL },
    { "creator", "block's creator", OBS_INT, 0, NULL },
    { "open_by_name", "OpenFileMapping", OBS_TEXT, 0, NULL },
};

void step3_named_mapping(sup_tour *t, obs_step *s)
{
    int creators = 0, openers = 0, agreed = 0, open_ok = 0, n = 0;
    DWORD first_pid = 0;

    obs_begin(s, 3, "Shared memory needs a file mapping: the first process creates the named "
              "mapping (CreateFileMapping), the others get the same one by its name "
              "(ERROR_ALREADY_EXISTS, or OpenFileMapping).");
    obs_table *tab = OBS_TABLE(s, "children", "What each child's DllMain got from "
                               "CreateFileMapping with the tour's name, which process the "
                               "block names as its creator, and what OpenFileMapping by that "
                               "name said in the child.", step3_cols);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        char open[32];
        if (c->hello[0] == 0)
            continue;
        if (first_pid == 0)
            first_pid = c->pid;
        n++;
        BOOL created = proto_num(c->hello, "created", 0) == 1;
        DWORD creator = (DWORD)proto_num(c->hello, "creator", 0);
        proto_kv(c->hello, "openbyname", open, sizeof open);
        creators += created;
        openers += !created;
        agreed += creator == first_pid;
        open_ok += strcmp(open, "ERROR_SUCCESS") == 0;
        OBS_ROW(tab, obs_int(c->index), obs_int(c->pid),
                obs_text(created ? "created" : "ERROR_ALREADY_EXISTS"), obs_int(creator),
                obs_text(open));
    }
    obs_note(s, "block name: %s (from MEMSCOPE_NAME; the children were started one after "
             "another)", t->name8);
    obs_fact_add(s, "name", obs_text(t->name8));
    obs_fact_add(s, "children", obs_int(n));
    obs_fact_add(s, "creators", obs_int(creators));
    obs_fact_add(s, "openers", obs_int(openers));
    obs_fact_add(s, "first_child_created",
                 obs_bool(n > 0 && proto_num(t->kids[0].hello, "created", 0) == 1));
    obs_fact_add(s, "agree_on_creator", obs_int(agreed));
    obs_fact_add(s, "open_by_name_ok", obs_int(open_ok));
    if (n < 2)
        obs_verdict(s, OBS_INCONCLUSIVE, "fewer than two children started.");
    else if (creators == 1 && openers == n - 1 && agreed == n && open_ok == n)
        obs_verdict(s, OBS_HOLDS, "one child (pid %lu) created the mapping; the other %d got "
                    "ERROR_ALREADY_EXISTS and the same block (all %d name pid %lu as its "
                    "creator), and OpenFileMapping found it by name in every child.",
                    (unsigned long)first_pid, openers, n, (unsigned long)first_pid);
    else
        obs_verdict(s, OBS_FAILS, "%d creators, %d openers, %d of %d agree on the creator, "
                    "%d opened it by name.", creators, openers, agreed, n, open_ok);
}
