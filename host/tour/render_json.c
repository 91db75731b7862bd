/*
 * render_json.c: the tour as one JSON document, described by docs/tour.schema.json.
 *
 * Every cell is written as its kind: integers as numbers, booleans as true/false,
 * addresses as "0x..." strings (a 64-bit address does not survive a double, which is what
 * many JSON readers turn numbers into), durations as numbers of milliseconds, an absent
 * observation as null.  Every row carries every column: no blank continuation rows.
 * Steps are written as they end, so a reader of a tour that hangs sees how far it got.
 */
#include <inttypes.h>
#include <stdio.h>

#include "render.h"

static int json_steps_out;

/* The runs of bytes that need no escape are written whole, never a byte at a time: on a
 * console each write is converted from UTF-8 on its own (msg.h), so an accented letter's two
 * bytes must arrive together. */
static void json_str(const char *s)
{
    msg_putchar('"');
    while (*s) {
        size_t run = 0;
        while (s[run] != 0 && s[run] != '"' && s[run] != '\\' && (unsigned char)s[run] >= 0x20)
            run++;
        msg_write(stdout, s, run);
        s += run;
        if (*s == 0)
            break;
        unsigned char ch = (unsigned char)*s++;
        if (ch == '"' || ch == '\\')
            msg_printf("\\%c", ch);
        else if (ch == '\n')
            msg_fputs("\\n", stdout);
        else
            msg_printf("\\u%04x", ch);
    }
    msg_putchar('"');
}

static void json_cell(const obs_cell *c)
{
    switch (c->kind) {
    case OBS_INT:  msg_printf("%lld", c->v.i); break;
    case OBS_ADDR: msg_printf("\"0x%" PRIx64 "\"", c->v.a); break;
    case OBS_TEXT: json_str(c->v.t); break;
    case OBS_BOOL: msg_fputs(c->v.b ? "true" : "false", stdout); break;
    case OBS_MS:   msg_printf("%.3f", c->v.ms); break;
    default:       msg_fputs("null", stdout); break;
    }
}

static const char *json_kind(obs_kind k)
{
    switch (k) {
    case OBS_INT:  return "integer";
    case OBS_ADDR: return "address";
    case OBS_TEXT: return "text";
    case OBS_BOOL: return "boolean";
    case OBS_MS:   return "duration_ms";
    default:       return "absent";
    }
}

static void json_header(const obs_header *h)
{
    json_steps_out = 0;
    msg_printf("{\"tour\": {\"version\": ");
    json_str(h->version);
    msg_printf(", \"procs\": %d, \"block\": ", h->procs);
    json_str(h->block);
    msg_printf(", \"file\": ");
    if (h->file != NULL)
        json_str(h->file);
    else
        msg_fputs("null", stdout);
    msg_printf(", \"iterations\": %ld, \"parent_pid\": %lu, \"pointer_bits\": %u,\n"
               "          \"page_size\": %lu, \"allocation_granularity\": %lu},\n \"steps\": [",
               h->iterations, (unsigned long)h->parent_pid, h->pointer_bits,
               (unsigned long)h->page_size, (unsigned long)h->granularity);
    fflush(stdout);
}

static void json_table(const obs_table *t, BOOL first)
{
    msg_printf("%s\n    {\"name\": ", first ? "" : ",");
    json_str(t->name);
    msg_printf(", \"title\": ");
    if (t->title != NULL)
        json_str(t->title);
    else
        msg_fputs("null", stdout);
    msg_printf(",\n     \"columns\": [");
    for (int c = 0; c < t->ncols; c++) {
        msg_printf("%s{\"key\": \"%s\", \"kind\": \"%s\", \"heading\": ", c ? ", " : "",
                   t->cols[c].key, json_kind(t->cols[c].kind));
        json_str(msg(t->cols[c].heading));
        msg_putchar('}');
    }
    msg_printf("],\n     \"rows\": [");
    for (int r = 0; r < t->nrows; r++) {
        msg_printf("%s\n      {", r ? "," : "");
        for (int c = 0; c < t->ncols; c++) {
            msg_printf("%s\"%s\": ", c ? ", " : "", t->cols[c].key);
            json_cell(&t->cell[r][c]);
        }
        msg_putchar('}');
    }
    msg_printf("]}");
}

static void json_step(const obs_step *s)
{
    msg_printf("%s\n  {\"step\": %d, \"claim\": ", json_steps_out++ ? "," : "", s->number);
    json_str(s->claim);
    msg_printf(",\n   \"tables\": [");
    for (int i = 0; i < s->ntables; i++)
        json_table(&s->table[i], i == 0);
    msg_printf("],\n   \"notes\": [");
    for (int i = 0; i < s->nnotes; i++) {
        msg_fputs(i ? ",\n    " : "\n    ", stdout);
        json_str(s->note[i]);
    }
    msg_printf("],\n   \"facts\": {");
    for (int i = 0; i < s->nfacts; i++) {
        msg_printf("%s\"%s\": ", i ? ", " : "", s->fact[i].key);
        json_cell(&s->fact[i].val);
    }
    msg_printf("},\n   \"result\": \"%s\", \"verdict\": ", obs_result_name(s->result));
    json_str(s->verdict);
    msg_printf("}");
    fflush(stdout);
}

static void json_summary(const obs_summary *sum)
{
    msg_printf("\n ],\n \"summary\": {\"steps\": %d, \"holds\": %d, \"fails\": %d, "
               "\"inconclusive\": %d}}\n", sum->steps, sum->holds, sum->fails, sum->inconclusive);
    fflush(stdout);
}

const render_ops json_render = { json_header, json_step, json_summary };
