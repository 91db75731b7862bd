/*
 * step6_release.c: claim 6.  When the last process unmaps its view or exits, the pages are
 * released; a file-backed mapping has its file updated, and FlushViewOfFile writes it
 * earlier.
 *
 * With --file, every child also maps a file under a name of the tour's and writes a record;
 * child 1 calls FlushViewOfFile while every view is mapped, and the tour reads the file with
 * plain ReadFile.  Then every child exits.  The tour, which never mapped the block, finds
 * its name gone; a new child creates a fresh block (counter 0) while the file still holds
 * every record.  (ReadFile and the views share one cache, so ReadFile sees the bytes even
 * before the flush; FlushViewOfFile adds that they are on the disk.)
 */
#include <stdio.h>
#include <string.h>

#include "steps.h"
#include "win32.h"

static const obs_col step6_events[] = {
    { "who", "who", OBS_TEXT, 0, NULL },
    { "child", "child", OBS_INT, 0, NULL },
    { "pid", "pid", OBS_INT, 0, NULL },
    { "action", "what it did", OBS_TEXT, 0, NULL },
    { "result", "result", OBS_TEXT, 0, NULL },
    { "value", "value", OBS_INT, 0, NULL },
};

static const obs_col step6_file[] = {
    { "offset", "offset", OBS_INT, 0, NULL },
    { "hex", "bytes", OBS_TEXT, 0, NULL },
    { "text", "as text", OBS_TEXT, 0, NULL },
};

static void step6_dump(obs_table *tab, const char *buf, int n)
{
    for (int off = 0; off < n; off += 16) {
        char hex[16 * 3 + 1] = "", text[17] = "";
        for (int i = 0; i < 16 && off + i < n; i++) {
            char ch = buf[off + i];
            size_t h = strlen(hex);
            snprintf(hex + h, sizeof hex - h, "%s%02x", h ? " " : "", (unsigned char)ch);
            text[i] = ch;
            if (ch < 32 || ch > 126)        /* not printable ASCII (signed char or not) */
                text[i] = '.';
        }
        OBS_ROW(tab, obs_int(off), obs_text(hex), obs_text(text));
    }
}

void step6_release(sup_tour *t, obs_step *s, const step_views *v)
{
    char run[16], name8[sizeof t->name8 + 8], enc_path[MAX_PATH * 9], enc_name[sizeof name8 * 3];
    static char buf[TOUR_FILE_SIZE];
    int writers = 0, flushed = 0, in_file_open = -1, in_file_after = -1, parent_after = -1;
    int exited = 0, n_before = 0;

    obs_begin(s, 6, "When the last process unmaps its view or exits, the pages are released; "
              "a file-backed mapping has its file updated, and FlushViewOfFile writes it "
              "earlier.");
    obs_table *ev = OBS_TABLE(s, "events", "What happened, in order. value: the record "
                              "written, the exit code, the block's counter, or the records "
                              "found.", step6_events);
    snprintf(run, sizeof run, "%08lx", t->run);
    if (t->file != NULL) {
        w32_empty_file(t->file);    /* so old records cannot pass for new ones */
        snprintf(name8, sizeof name8, "%s.file", t->name8);
        proto_enc(t->file, enc_path, sizeof enc_path);
        proto_enc(name8, enc_name, sizeof enc_name);
        for (int i = 0; i < t->nkids; i++) {
            sup_child *c = &t->kids[i];
            if (!sup_ask(c, "fileopen %s %s", enc_path, enc_name))
                continue;
            BOOL created = proto_num(c->reply, "created", 0) == 1;
            if (!sup_ask(c, "filewrite %d %s", c->index, run))
                continue;
            writers++;
            OBS_ROW(ev, obs_text("child"), obs_int(c->index), obs_int(c->pid),
                    obs_text("map file, write record"),
                    obs_text(created ? "created" : "ERROR_ALREADY_EXISTS"), obs_int(c->index));
        }
        sup_child *f = sup_first_live(t);
        if (f != NULL && sup_ask(f, "fileflush")) {
            flushed = 1;
            OBS_ROW(ev, obs_text("child"), obs_int(f->index), obs_int(f->pid),
                    obs_text("FlushViewOfFile"), obs_text("ERROR_SUCCESS"), obs_absent());
        }
        int n = w32_read_file(t->file, buf, sizeof buf);
        if (n >= 0) {
            int shown = (t->nkids + 1) * TOUR_RECORD;
            in_file_open = proto_records(buf, n, run);
            obs_fact_add(s, "file_size", obs_int(n));
            step6_dump(OBS_TABLE(s, "file", "The file as the tour reads it with ReadFile, "
                                 "every view still mapped: the header record, then one record "
                                 "a child.", step6_file), buf, n < shown ? n : shown);
        }
    }

    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sup_live(c))
            continue;
        n_before++;
        BOOL ok = sup_stop(c);
        exited += ok;
        OBS_ROW(ev, obs_text("child"), obs_int(c->index), obs_int(c->pid), obs_text("exit"),
                obs_text(ok ? "exited" : "lost"), obs_int(c->exit_code));
    }
    /* The tour never mapped the block: can it still open it by name? */
    DWORD gone_err = ERROR_SUCCESS;
    char gone[32];
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, t->name);
    if (h == NULL)
        gone_err = GetLastError();
    else if (!CloseHandle(h))
        w32_fail("CloseHandle");
    OBS_ROW(ev, obs_text("tour"), obs_absent(), obs_int(GetCurrentProcessId()),
            obs_text("OpenFileMapping by name"), obs_text(w32_error_name(gone_err, gone,
                                                                          sizeof gone)),
            obs_absent());

    /* A new child on the same name: a fresh block, or the old one? */
    sup_child *fresh = &t->kids[0];
    BOOL started = sup_start(t, fresh, 1), created = FALSE;
    long long counter_after = -1;
    if (started) {
        created = proto_num(fresh->hello, "created", 0) == 1;
        if (sup_ask(fresh, "state"))
            counter_after = proto_num(fresh->reply, "counter", -1);
        OBS_ROW(ev, obs_text("new child"), obs_int(fresh->index), obs_int(fresh->pid),
                obs_text("start, read the counter"),
                obs_text(created ? "created" : "ERROR_ALREADY_EXISTS"),
                counter_after >= 0 ? obs_int(counter_after) : obs_absent());
        if (t->file != NULL && sup_ask(fresh, "fileopen %s %s", enc_path, enc_name) &&
            sup_ask(fresh, "fileread %s", run)) {
            in_file_after = (int)proto_num(fresh->reply, "records", -1);
            OBS_ROW(ev, obs_text("new child"), obs_int(fresh->index), obs_int(fresh->pid),
                    obs_text("map file, count records"), obs_text("ERROR_SUCCESS"),
                    obs_int(in_file_after));
        }
    }
    if (t->file != NULL) {
        int n = w32_read_file(t->file, buf, sizeof buf);
        if (n >= 0)
            parent_after = proto_records(buf, n, run);
    }
    t->nkids = started ? 1 : 0;

    obs_fact_add(s, "children_before", obs_int(n_before));
    obs_fact_add(s, "exited", obs_int(exited));
    obs_fact_add(s, "open_after_exit_error", obs_int(gone_err));
    obs_fact_add(s, "fresh_created", obs_bool(created));
    obs_fact_add(s, "counter_before", obs_int(v->value));
    obs_fact_add(s, "counter_after", obs_int(counter_after));
    obs_fact_add(s, "file", obs_bool(t->file != NULL));
    if (t->file != NULL) {
        obs_fact_add(s, "file_writers", obs_int(writers));
        obs_fact_add(s, "flushed", obs_bool(flushed));
        obs_fact_add(s, "file_records_views_open", obs_int(in_file_open));
        obs_fact_add(s, "file_records_after_exit", obs_int(in_file_after));
        obs_fact_add(s, "file_records_parent_after_exit", obs_int(parent_after));
    }
    BOOL file_ok = t->file == NULL || (writers > 0 && flushed && in_file_open == writers &&
                                       in_file_after == writers && parent_after == writers);
    char file_said[320] = "(Run with --file PATH to see a file-backed mapping keep its state.)";
    if (t->file != NULL)
        snprintf(file_said, sizeof file_said, "The file-backed mapping's %d records were in the "
                 "file while the views were open (after FlushViewOfFile), and are still there "
                 "for the new child and for ReadFile after every view was released.", writers);
    if (!started || n_before == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, "no child was left to exit, or the new child did not "
                    "start.");
    else if (exited == n_before && gone_err == ERROR_FILE_NOT_FOUND && created &&
             counter_after == 0 && file_ok)
        obs_verdict(s, OBS_HOLDS, "after all %d children exited the name was gone "
                    "(ERROR_FILE_NOT_FOUND), and a new child created a fresh block: counter 0, "
                    "where it was %lld. %s", exited, v->value, file_said);
    else
        obs_verdict(s, OBS_FAILS, "%d of %d exited, the name %s, the new child %s the block "
                    "(counter %lld)%s.", exited, n_before, gone_err == ERROR_FILE_NOT_FOUND
                    ? "was gone" : "still existed", created ? "created" : "opened",
                    counter_after, file_ok ? "" : "; the file's records did not all survive");
}
