/*
 * obs.c: recording observations (see obs.h).  Bounded arrays throughout: a step that
 * records more than fits loses the excess with a message, never memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "obs.h"

obs_cell obs_int(long long i)
{
    obs_cell c = { .kind = OBS_INT, .v.i = i };
    return c;
}

obs_cell obs_addr(uint64_t a)
{
    obs_cell c = { .kind = OBS_ADDR, .v.a = a };
    return c;
}

obs_cell obs_text(const char *t)
{
    obs_cell c = { .kind = OBS_TEXT };
    snprintf(c.v.t, sizeof c.v.t, "%s", t);
    return c;
}

obs_cell obs_word(const char *t, UINT say)
{
    return obs_word_n(t, say, 0);
}

obs_cell obs_word_n(const char *t, UINT say, long long n)
{
    obs_cell c = obs_text(t);
    c.say = say;
    c.arg = n;
    return c;
}

const char *obs_text_shown(const obs_cell *c, char *buf, size_t cap)
{
    if (c->say != 0)
        snprintf(buf, cap, msg(c->say), c->arg);
    else
        snprintf(buf, cap, "%s", c->v.t[0] ? c->v.t : "-");
    return buf;
}

obs_cell obs_bool(BOOL b)
{
    obs_cell c = { .kind = OBS_BOOL, .v.b = b ? TRUE : FALSE };
    return c;
}

obs_cell obs_ms(double ms)
{
    obs_cell c = { .kind = OBS_MS, .v.ms = ms };
    return c;
}

obs_cell obs_absent(void)
{
    obs_cell c = { .kind = OBS_ABSENT };
    return c;
}

void obs_begin(obs_step *s, int number, const char *claim)
{
    memset(s, 0, sizeof *s);
    s->number = number;
    s->claim = claim;
    s->result = OBS_INCONCLUSIVE;      /* until the step says otherwise */
}

obs_table *obs_table_add(obs_step *s, const char *name, const char *title, const obs_col *cols,
                         int ncols)
{
    if (s->ntables >= OBS_TABLES || ncols > OBS_COLS) {
        msg_eprintf("memscope tour: step %d: table %s does not fit\n", s->number, name);
        return NULL;
    }
    obs_table *t = &s->table[s->ntables++];
    t->name = name;
    t->title = title;
    t->cols = cols;
    t->ncols = ncols;
    t->nrows = 0;
    return t;
}

void obs_row_add(obs_table *t, const obs_cell *cells, int n)
{
    if (t == NULL)
        return;
    if (n != t->ncols) {
        msg_eprintf("memscope tour: table %s: a row of %d cells for %d columns\n", t->name,
                    n, t->ncols);
        return;
    }
    for (int c = 0; c < n; c++) {
        if (cells[c].kind != OBS_ABSENT && cells[c].kind != t->cols[c].kind) {
            msg_eprintf("memscope tour: table %s: column %s got a cell of another kind\n",
                        t->name, t->cols[c].key);
            return;
        }
    }
    if (t->nrows >= OBS_ROWS) {
        msg_eprintf("memscope tour: table %s: more than %d rows\n", t->name, OBS_ROWS);
        return;
    }
    memcpy(t->cell[t->nrows++], cells, (size_t)n * sizeof *cells);
}

void obs_fact_add(obs_step *s, const char *key, obs_cell val)
{
    /* A key recorded twice keeps its last value: JSON objects want unique keys. */
    obs_fact *f = NULL;
    for (int i = 0; i < s->nfacts && f == NULL; i++)
        if (strcmp(s->fact[i].key, key) == 0)
            f = &s->fact[i];
    if (f == NULL && s->nfacts >= OBS_FACTS) {
        msg_eprintf("memscope tour: step %d: no room for fact %s\n", s->number, key);
        return;
    }
    if (f == NULL)
        f = &s->fact[s->nfacts++];
    snprintf(f->key, sizeof f->key, "%s", key);
    f->val = val;
}

const obs_cell *obs_fact_get(const obs_step *s, const char *key)
{
    for (int i = 0; i < s->nfacts; i++)
        if (strcmp(s->fact[i].key, key) == 0)
            return &s->fact[i].val;
    return NULL;
}

void obs_note(obs_step *s, const char *fmt, ...)
{
    va_list ap;
    if (s->nnotes >= OBS_NOTES) {
        msg_eprintf("memscope tour: step %d: more than %d notes\n", s->number, OBS_NOTES);
        return;
    }
    va_start(ap, fmt);
    int n = vsnprintf(s->note[s->nnotes++], sizeof s->note[0], fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof s->note[0])        /* a sentence cut short says something else */
        msg_eprintf("memscope tour: step %d: a note of %d bytes was cut\n", s->number, n);
}

void obs_verdict(obs_step *s, obs_result r, const char *fmt, ...)
{
    va_list ap;
    s->result = r;
    va_start(ap, fmt);
    int n = vsnprintf(s->verdict, sizeof s->verdict, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof s->verdict)
        msg_eprintf("memscope tour: step %d: a verdict of %d bytes was cut\n", s->number,
                    n);
}

const char *obs_result_name(obs_result r)
{
    return r == OBS_HOLDS ? "holds" : r == OBS_FAILS ? "fails" : "inconclusive";
}
