/*
 * step6_release.c: claim 6.  When the last view is unmapped (UnmapViewOfFile, or its
 * process exits) and the last handle closed, the pages are released; a file-backed mapping
 * leaves its data in the file, and FlushViewOfFile starts writing it there earlier
 * (FlushFileBuffers then waits for the disk).
 *
 * With --file, first a mapping backed by a file.  Every child maps the file under a name of
 * the tour's and writes a record; the tour reads the file with plain ReadFile before any
 * flush; child 1 calls FlushViewOfFile on its view, then FlushFileBuffers on the file handle
 * it opened; every child unmaps its view and closes its two handles; the tour reads the
 * file again, no view of it left.  ReadFile finds the records before any flush: the views
 * and ReadFile went through the same cached pages (Microsoft does not guarantee that a view
 * and ReadFile agree, so nothing may count on it).  So each flush is credited only with
 * what it does: FlushViewOfFile starts writing the dirty pages and returns, without
 * waiting for the disk or writing the file's metadata; FlushFileBuffers returns once data
 * and metadata are written.  Without them Windows writes the pages of an unmapped view to
 * the disk lazily, at a time of its choosing.
 *
 * Then the tour's block, backed by the paging file.  A holder (memscope.exe on a block of
 * its own, so its DllMain never maps the tour's) opens the block by name, maps its only
 * view of it, reads the counter, unmaps that view with UnmapViewOfFile and keeps the
 * handle.  Every child exits.  A reader started now opens the name and reads the counter:
 * the handle alone kept the section and its pages.  The holder closes its handle; the tour,
 * which never mapped the block, finds the name gone while the holder still runs, and a new
 * child on the name creates a fresh block (counter 0).  (On Windows the name goes with the
 * last handle: a process that still has a view but no handle keeps its pages, but no one
 * can open the name any more.  This step never makes that case.)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps.h"
#include "win32.h"

static const obs_col step6_events[] = {
    { "who", IDS_COL_WHO, OBS_TEXT, 0, 0 },
    { "child", IDS_COL_CHILD, OBS_INT, 0, 0 },
    { "pid", IDS_COL_PID, OBS_INT, 0, 0 },
    { "action", IDS_COL_WHAT_IT_DID, OBS_TEXT, 0, 0 },
    { "result", IDS_COL_RESULT, OBS_TEXT, 0, 0 },
    { "value", IDS_COL_VALUE, OBS_INT, 0, 0 },
};

static const obs_col step6_file[] = {
    { "offset", IDS_COL_OFFSET, OBS_INT, 0, 0 },
    { "hex", IDS_COL_BYTES, OBS_TEXT, 0, 0 },
    { "text", IDS_COL_AS_TEXT, OBS_TEXT, 0, 0 },
};

/* What the file-backed part observed. */
typedef struct step6_file_obs {
    int writers;                /* children that mapped the file and wrote their record */
    int before_flush;           /* records ReadFile found before either flush */
    BOOL flush_view;            /* FlushViewOfFile succeeded */
    BOOL flush_buffers;         /* FlushFileBuffers succeeded */
    int closed;                 /* children that unmapped their view and closed both handles */
    int no_view;                /* records ReadFile found once no view was left */
    int size;                   /* bytes that last ReadFile read */
} step6_file_obs;

/* What the release of the tour's block observed. */
typedef struct step6_block_obs {
    DWORD holder_pid, reader_pid;
    long long holder_counter;   /* read through the holder's view before it unmapped it */
    BOOL holder_unmapped, holder_closed;
    char holder_after[16];      /* VirtualQuery where the holder's view was, after */
    uint64_t holder_view;
    DWORD reader_open;          /* OpenFileMapping in the reader, after every child exited */
    long long reader_counter;
    int before, exited;
    DWORD gone;                 /* the tour's OpenFileMapping after the holder's CloseHandle */
    BOOL alive_at_check;        /* holder and reader still running at that check */
    BOOL started, created;
    long long counter_after;
} step6_block_obs;

/* The events tables' "who": the value JSON keeps, and the word the text table shows. */
typedef enum { STEP6_HOLDER, STEP6_CHILD, STEP6_TOUR, STEP6_READER, STEP6_NEW_CHILD } step6_who;
static const struct { const char *name; UINT say; } step6_who_word[] = {
    { "holder", IDS_S6_W_HOLDER_40 }, { "child", IDS_S6_W_CHILD_41 }, { "tour", IDS_S6_W_TOUR_43 },
    { "reader", IDS_S6_W_READER_42 }, { "new child", IDS_S6_W_NEW_CHILD_44 } };

/* The result cell of a command: ERROR_SUCCESS, the error a child answered with ("err CALL:
 * message (N)"), or "lost" when it hung or died. */
static obs_cell step6_result(const sup_child *c, BOOL ok)
{
    if (ok)
        return obs_text("ERROR_SUCCESS");
    if (!sup_live(c))
        return obs_word("lost", IDS_CELL_LOST);
    const char *p = strrchr(c->reply, '(');
    return tour_error_cell(p != NULL ? (DWORD)strtoul(p + 1, NULL, 10) : ERROR_GEN_FAILURE);
}

/* What CreateFileMapping gave: the name was new, or ERROR_ALREADY_EXISTS. */
static obs_cell step6_created(BOOL created)
{
    return created ? obs_word("created", IDS_CELL_CREATED) : obs_text("ERROR_ALREADY_EXISTS");
}

/* An "open=ERROR_..." answer: the error OpenFileMapping gave, or ERROR_GEN_FAILURE when
 * the command itself failed. */
static DWORD step6_open_err(const sup_child *c, BOOL ok)
{
    char open[32];
    if (!ok || !proto_kv(c->reply, "open", open, sizeof open))
        return ERROR_GEN_FAILURE;
    return strcmp(open, "ERROR_SUCCESS") == 0 ? ERROR_SUCCESS
           : strcmp(open, "ERROR_FILE_NOT_FOUND") == 0 ? ERROR_FILE_NOT_FOUND
           : ERROR_GEN_FAILURE;
}

/* A row of an events table; action: a word of data (say: its string id), or an API (0). */
static void step6_row(obs_table *ev, step6_who who, const sup_child *c, const char *action,
                      UINT say, obs_cell result, obs_cell value)
{
    /* The tour's children have an index; the holder and the reader show their pid alone. */
    obs_cell index = obs_absent(), pid = obs_int(GetCurrentProcessId());
    if (c != NULL) {
        pid = obs_int(c->pid);
        if (who == STEP6_CHILD || who == STEP6_NEW_CHILD)
            index = obs_int(c->index);
    }
    OBS_ROW(ev, obs_word(step6_who_word[who].name, step6_who_word[who].say), index, pid,
            obs_word(action, say), result, value);
}

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

/* The tour reads the file with plain ReadFile: a row, and the records of this run in it. */
static int step6_readfile(obs_table *ev, const char *path, const char *action, UINT say,
                          char *buf, int cap, const char *run, int *n)
{
    DWORD err;
    *n = w32_read_file(path, buf, cap, &err);
    int records = *n >= 0 ? proto_records(buf, *n, run) : -1;
    step6_row(ev, STEP6_TOUR, NULL, action, say, tour_error_cell(err),
              records >= 0 ? obs_int(records) : obs_absent());
    return records;
}

/* The file-backed mapping, from the first write to the last view unmapped. */
static void step6_file_part(sup_tour *t, obs_step *s, const char *run, step6_file_obs *f)
{
    char name8[sizeof t->name8 + 8], enc_path[MAX_PATH * 9], enc_name[sizeof name8 * 3];
    static char buf[TOUR_FILE_SIZE];
    BOOL mapped[TOUR_PROCS_MAX] = { 0 };
    int n;

    memset(f, 0, sizeof *f);
    f->before_flush = f->no_view = f->size = -1;
    obs_table *ev = OBS_TABLE(s, "file_events", msg(IDS_S6_TITLE_FILE_EVENTS_1), step6_events);
    w32_empty_file(t->file);    /* so old records cannot pass for new ones */
    snprintf(name8, sizeof name8, "%s.file", t->name8);
    proto_enc(t->file, enc_path, sizeof enc_path);
    proto_enc(name8, enc_name, sizeof enc_name);
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sup_ask(c, "fileopen %s %s", enc_path, enc_name))
            continue;
        mapped[i] = TRUE;
        BOOL created = proto_num(c->reply, "created", 0) == 1;
        if (!sup_ask(c, "filewrite %d %s", c->index, run))
            continue;
        f->writers++;
        step6_row(ev, STEP6_CHILD, c, "map file, write record", IDS_S6_W_MAP_WRITE_45,
                  step6_created(created), obs_int(c->index));
    }
    f->before_flush = step6_readfile(ev, t->file, "ReadFile (not flushed)",
                                     IDS_S6_W_READ_NOT_FLUSHED_46, buf, sizeof buf, run, &n);
    sup_child *first = NULL;
    for (int i = 0; i < t->nkids && first == NULL; i++)
        if (mapped[i] && sup_live(&t->kids[i]))
            first = &t->kids[i];
    if (first != NULL) {
        f->flush_view = sup_ask(first, "fileflushview");
        step6_row(ev, STEP6_CHILD, first, "FlushViewOfFile", 0,
                  step6_result(first, f->flush_view), obs_absent());
        f->flush_buffers = sup_ask(first, "fileflushbuffers");
        step6_row(ev, STEP6_CHILD, first, "FlushFileBuffers", 0,
                  step6_result(first, f->flush_buffers), obs_absent());
    }
    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!mapped[i] || !sup_live(c))
            continue;
        BOOL ok = sup_ask(c, "fileclose");
        f->closed += ok;
        step6_row(ev, STEP6_CHILD, c, "UnmapViewOfFile, close", IDS_S6_W_UNMAP_CLOSE_47,
                  step6_result(c, ok), obs_absent());
    }
    f->no_view = step6_readfile(ev, t->file, "ReadFile (no view left)",
                                IDS_S6_W_READ_NO_VIEW_48, buf, sizeof buf, run, &n);
    if (n >= 0) {
        int shown = (t->nkids + 1) * TOUR_RECORD;
        f->size = n;
        /* The file as that last ReadFile read it, no view of it left: the header record, then one record a child. */
        step6_dump(OBS_TABLE(s, "file", msg(IDS_S6_TITLE_FILE_2),
                             step6_file), buf, n < shown ? n : shown);
    }
    if (first != NULL)
        /* FlushViewOfFile only starts writing the view's dirty pages to the file: it returns
         * without waiting for the disk and does not write the file's metadata. FlushFileBuffers,
         * on the file handle child %d opened, returns once the file's data and metadata are
         * written to the disk. To have data on the disk, call both, in that order. */
        obs_note(s, msg(IDS_S6_NOTE_3), first->index);
    if (f->before_flush > 0)
        /* ReadFile found %d records before either flush, so the flushes are not what made
         * them visible: here ReadFile and the views saw the same cached pages. Microsoft
         * does not guarantee that a view and ReadFile agree: never count on it. */
        obs_note(s, msg(IDS_S6_NOTE_4), f->before_flush);
}

/* A helper process on a block of its own (so it maps nothing of the tour's by itself). */
static BOOL step6_helper(sup_tour *t, sup_child *c, int index, const WCHAR *role)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 16];
    swprintf(name, ARRAYSIZE(name), L"%ls-%ls", t->name, role);
    if (!sup_spawn(t, c, index, name))
        return FALSE;
    t->starting = TRUE;         /* like a start-up hello: never a fault's target */
    BOOL ok = sup_ask(c, "hello");
    t->starting = FALSE;
    return ok;
}

/* The tour's block: held by a handle alone, then released. */
static void step6_block_part(sup_tour *t, obs_step *s, step6_block_obs *b)
{
    char enc_block[sizeof t->name8 * 3];
    sup_child holder, reader;
    BOOL held = FALSE;

    memset(b, 0, sizeof *b);
    memset(&holder, 0, sizeof holder);
    memset(&reader, 0, sizeof reader);
    b->holder_counter = b->reader_counter = b->counter_after = -1;
    b->reader_open = b->gone = ERROR_GEN_FAILURE;
    obs_table *ev = OBS_TABLE(s, "events", msg(IDS_S6_TITLE_EVENTS_5), step6_events);
    proto_enc(t->name8, enc_block, sizeof enc_block);

    if (step6_helper(t, &holder, t->nkids + 1, L"holder")) {
        b->holder_pid = holder.pid;
        BOOL ok = sup_ask(&holder, "holdopen %s", enc_block);
        DWORD err = step6_open_err(&holder, ok);
        held = err == ERROR_SUCCESS;
        if (held) {
            b->holder_counter = proto_num(holder.reply, "counter", -1);
            b->holder_view = proto_addr(holder.reply, "view");
        }
        step6_row(ev, STEP6_HOLDER, &holder, "open, map, read counter", IDS_S6_W_OPEN_MAP_READ_49,
                  ok ? tour_error_cell(err) : step6_result(&holder, FALSE),
                  held ? obs_int(b->holder_counter) : obs_absent());
        if (held) {
            b->holder_unmapped = sup_ask(&holder, "holdunmap");
            if (b->holder_unmapped)
                proto_kv(holder.reply, "t", b->holder_after, sizeof b->holder_after);
            step6_row(ev, STEP6_HOLDER, &holder, "UnmapViewOfFile", 0,
                      step6_result(&holder, b->holder_unmapped), obs_absent());
        }
    }

    for (int i = 0; i < t->nkids; i++) {
        sup_child *c = &t->kids[i];
        if (!sup_live(c))
            continue;
        b->before++;
        BOOL ok = sup_stop(c);
        b->exited += ok;
        step6_row(ev, STEP6_CHILD, c, "exit", IDS_S6_W_EXIT_50,
                  ok ? obs_word("exited", IDS_S6_W_EXITED_53) : obs_word("lost", IDS_CELL_LOST),
                  obs_int(c->exit_code));
    }

    if (step6_helper(t, &reader, t->nkids + 2, L"reader")) {
        b->reader_pid = reader.pid;
        BOOL ok = sup_ask(&reader, "openread %s", enc_block);
        b->reader_open = step6_open_err(&reader, ok);
        if (b->reader_open == ERROR_SUCCESS)
            b->reader_counter = proto_num(reader.reply, "counter", -1);
        step6_row(ev, STEP6_READER, &reader, "open, map, read counter", IDS_S6_W_OPEN_MAP_READ_49,
                  ok ? tour_error_cell(b->reader_open) : step6_result(&reader, FALSE),
                  b->reader_open == ERROR_SUCCESS ? obs_int(b->reader_counter) : obs_absent());
    }

    if (held && sup_live(&holder)) {
        b->holder_closed = sup_ask(&holder, "holdclose");
        step6_row(ev, STEP6_HOLDER, &holder, "CloseHandle", 0,
                  step6_result(&holder, b->holder_closed), obs_absent());
    }

    /* The tour never mapped the block: can it still open it by name? */
    DWORD err = ERROR_SUCCESS;
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, t->name);
    if (h == NULL)
        err = GetLastError();
    else if (!CloseHandle(h))
        w32_fail("CloseHandle");
    b->gone = err;
    b->alive_at_check = sup_live(&holder) && sup_live(&reader);
    step6_row(ev, STEP6_TOUR, NULL, "OpenFileMapping by name", IDS_S6_W_OPEN_BY_NAME_51,
              tour_error_cell(err), obs_absent());
    /* They hold nothing of the tour's block any more: their exit changes nothing of it. */
    if (sup_live(&holder))
        sup_stop(&holder);
    if (sup_live(&reader))
        sup_stop(&reader);

    /* A new child on the same name: a fresh block, or the old one? */
    sup_child *fresh = &t->kids[0];
    b->started = sup_start(t, fresh, 1);
    if (b->started) {
        b->created = proto_num(fresh->hello, "created", 0) == 1;
        if (sup_ask(fresh, "state"))
            b->counter_after = proto_num(fresh->reply, "counter", -1);
        step6_row(ev, STEP6_NEW_CHILD, fresh, "start, read the counter", IDS_S6_W_START_READ_52,
                  step6_created(b->created),
                  b->counter_after >= 0 ? obs_int(b->counter_after) : obs_absent());
    }
    t->nkids = b->started ? 1 : 0;

    if (b->holder_unmapped)
        /* after UnmapViewOfFile, VirtualQuery in the holder says %s at 0x%llx, where its view was; its handle stayed open. */
        obs_note(s, msg(IDS_S6_NOTE_6), b->holder_after,
                 b->holder_view);
    if (b->alive_at_check)
        /* the holder and the reader were still running when the tour found the name gone: the holder's CloseHandle released the block, not an exit. */
        obs_note(s, msg(IDS_S6_NOTE_7));
}

void step6_release(sup_tour *t, obs_step *s, const step_views *v)
{
    char run[16], said[400] = "";
    step6_file_obs f = { 0 };
    step6_block_obs b;

    obs_begin(s, 6, msg(IDS_S6_CLAIM));
    snprintf(run, sizeof run, "%08lx", t->run);
    if (t->file != NULL)
        step6_file_part(t, s, run, &f);
    step6_block_part(t, s, &b);

    obs_fact_add(s, "children_before", obs_int(b.before));
    obs_fact_add(s, "exited", obs_int(b.exited));
    obs_fact_add(s, "counter_before", obs_int(v->value));
    obs_fact_add(s, "holder_pid", b.holder_pid ? obs_int(b.holder_pid) : obs_absent());
    obs_fact_add(s, "holder_counter", obs_int(b.holder_counter));
    obs_fact_add(s, "holder_unmapped", obs_bool(b.holder_unmapped));
    obs_fact_add(s, "holder_view_after_unmap",
                 b.holder_unmapped ? obs_text(b.holder_after) : obs_absent());
    obs_fact_add(s, "reader_pid", b.reader_pid ? obs_int(b.reader_pid) : obs_absent());
    obs_fact_add(s, "reader_open_error", obs_int(b.reader_open));
    obs_fact_add(s, "reader_counter", obs_int(b.reader_counter));
    obs_fact_add(s, "holder_closed", obs_bool(b.holder_closed));
    obs_fact_add(s, "open_after_release_error", obs_int(b.gone));
    obs_fact_add(s, "helpers_alive_at_check", obs_bool(b.alive_at_check));
    obs_fact_add(s, "fresh_created", obs_bool(b.created));
    obs_fact_add(s, "counter_after", obs_int(b.counter_after));
    obs_fact_add(s, "file", obs_bool(t->file != NULL));
    if (t->file != NULL) {
        obs_fact_add(s, "file_size", obs_int(f.size));
        obs_fact_add(s, "file_writers", obs_int(f.writers));
        obs_fact_add(s, "file_records_before_flush", obs_int(f.before_flush));
        obs_fact_add(s, "flush_view_of_file", obs_bool(f.flush_view));
        obs_fact_add(s, "flush_file_buffers", obs_bool(f.flush_buffers));
        obs_fact_add(s, "file_views_closed", obs_int(f.closed));
        obs_fact_add(s, "file_records_no_view", obs_int(f.no_view));
    }

    BOOL file_ok = t->file == NULL ||
                   (f.writers > 0 && f.flush_view && f.flush_buffers && f.closed == f.writers &&
                    f.no_view == f.writers);
    if (t->file == NULL)
        snprintf(said, sizeof said, "%s", msg(IDS_S6_NO_FILE_20));
    else if (file_ok)
        snprintf(said, sizeof said, msg(IDS_S6_FILE_OK_21), f.writers);
    BOOL block_ok = b.holder_unmapped && b.holder_counter == v->value &&
                    b.reader_open == ERROR_SUCCESS && b.reader_counter == v->value &&
                    b.holder_closed && b.gone == ERROR_FILE_NOT_FOUND && b.created &&
                    b.counter_after == 0;
    if (!b.started || b.before == 0 || b.holder_pid == 0 || b.reader_pid == 0)
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S6_V_INCONCLUSIVE_9));
    else if (b.exited == b.before && block_ok && file_ok)
        obs_verdict(s, OBS_HOLDS, msg(IDS_S6_V_HOLDS_10), b.exited, b.reader_counter, said);
    else
        obs_verdict(s, OBS_FAILS, msg(IDS_S6_V_FAILS_11), b.exited,
                    b.before, msg(b.holder_unmapped ? IDS_S6_UNMAPPED_22 : IDS_S6_NOT_UNMAPPED_23),
                    b.holder_counter, msg(b.reader_open == ERROR_SUCCESS ? IDS_S6_OPENED_24 : IDS_S6_NOT_OPENED_25),
                    b.reader_counter, msg(b.holder_closed ? IDS_S6_CLOSED_26 : IDS_S6_NOT_CLOSED_27),
                    msg(b.gone == ERROR_FILE_NOT_FOUND ? IDS_S6_GONE_28 : IDS_S6_NOT_GONE_29),
                    msg(b.created ? IDS_S6_CREATED_30 : IDS_S6_OPENED_24), b.counter_after,
                    file_ok ? "" : msg(IDS_S6_FILE_SHORT_31));
}
