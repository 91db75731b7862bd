/*
 * step3_named_mapping.c: claim 3.  Shared memory needs a file mapping: the first process
 * creates the named mapping (CreateFileMapping), the others get the same one by its name
 * (ERROR_ALREADY_EXISTS, or OpenFileMapping).
 *
 * The children were started one after another, and each one's DllMain called
 * CreateFileMapping with the tour's name: the first created the section, the others got
 * ERROR_ALREADY_EXISTS and a handle to the same object; the block names its creator, which
 * every child reads through its DllMain's view.  Then each child opens the name the second
 * way, with OpenFileMapping.  A handle that came back proves only that some object has that
 * name, so the child also looks: it maps a view of the new handle, adds its pid to the
 * block's counter through it, and reads through DllMain's view how much the counter grew
 * (then takes its pid back off).  The claim holds if exactly one child created the section,
 * all name it as creator, and every write through an OpenFileMapping view was seen through
 * the DllMain view: one section, whichever way it was opened.
 */
#include <stdio.h>
#include <string.h>

#include "steps.h"

static const obs_col step3_cols[] = {
    { "child", IDS_COL_CHILD, OBS_INT, 0, 0 },
    { "pid", IDS_COL_PID, OBS_INT, 0, 0 },
    { "create", IDS_COL_CREATEFILEMAPPING, OBS_TEXT, 0, 0 },
    { "creator", IDS_COL_CREATOR, OBS_INT, 0, 0 },
    { "open_by_name", IDS_COL_OPENFILEMAPPING, OBS_TEXT, 0, 0 },
    { "added", IDS_COL_ADDED, OBS_INT, 0, 0 },
    { "seen", IDS_COL_SEEN, OBS_INT, 0, 0 },
};

void step3_named_mapping(sup_tour *t, obs_step *s)
{
    int creators = 0, openers = 0, agreed = 0, asked = 0, open_ok = 0, same = 0, n = 0;
    DWORD first_pid = 0;

    obs_begin(s, 3, msg(IDS_S3_CLAIM));
    obs_table *tab = OBS_TABLE(s, "children", msg(IDS_S3_TITLE_CHILDREN_2), step3_cols);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        char open[32] = "";
        long long added = -1, seen = -1;
        if (c->hello[0] == 0)
            continue;
        if (first_pid == 0)
            first_pid = c->pid;
        n++;
        BOOL created = proto_num(c->hello, "created", 0) == 1;
        DWORD creator = (DWORD)proto_num(c->hello, "creator", 0);
        if (sup_ask(c, "openbyname")) {
            asked++;
            proto_kv(c->reply, "open", open, sizeof open);
            added = proto_num(c->reply, "added", -1);
            seen = proto_num(c->reply, "grew", -1);
        }
        creators += created;
        openers += !created;
        agreed += creator == first_pid;
        open_ok += strcmp(open, "ERROR_SUCCESS") == 0;
        same += added > 0 && seen == added;
        OBS_ROW(tab, obs_int(c->index), obs_int(c->pid),
                created ? obs_word("created", IDS_CELL_CREATED) : obs_text("ERROR_ALREADY_EXISTS"),
                obs_int(creator),
                open[0] ? obs_text(open) : obs_absent(),
                added >= 0 ? obs_int(added) : obs_absent(),
                seen >= 0 ? obs_int(seen) : obs_absent());
    }
    obs_note(s, msg(IDS_S3_NOTE_3), t->name8);
    obs_fact_add(s, "name", obs_text(t->name8));
    obs_fact_add(s, "children", obs_int(n));
    obs_fact_add(s, "creators", obs_int(creators));
    obs_fact_add(s, "openers", obs_int(openers));
    obs_fact_add(s, "first_child_created",
                 obs_bool(n > 0 && proto_num(t->kids[0].hello, "created", 0) == 1));
    obs_fact_add(s, "agree_on_creator", obs_int(agreed));
    obs_fact_add(s, "opened_by_name", obs_int(asked));
    obs_fact_add(s, "open_by_name_ok", obs_int(open_ok));
    obs_fact_add(s, "same_section_seen", obs_int(same));
    if (n < 2 || asked < 2)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S3_V_INCONCLUSIVE_4));
    else if (creators == 1 && openers == n - 1 && agreed == n && open_ok == asked &&
             same == asked)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S3_V_HOLDS_5), (unsigned long)first_pid,
                    openers, n, (unsigned long)first_pid, asked);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S3_V_FAILS_6),
                    creators, openers, agreed, n, open_ok, asked, same);
}
