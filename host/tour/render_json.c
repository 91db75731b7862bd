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

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", stdout);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void json_cell(const obs_cell *c)
{
    switch (c->kind) {
    case OBS_INT:  printf("%lld", c->v.i); break;
    case OBS_ADDR: printf("\"0x%" PRIx64 "\"", c->v.a); break;
    case OBS_TEXT: json_str(c->v.t); break;
    case OBS_BOOL: fputs(c->v.b ? "true" : "false", stdout); break;
    case OBS_MS:   printf("%.3f", c->v.ms); break;
    default:       fputs("null", stdout); break;
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
    printf("{\"tour\": {\"version\": ");
    json_str(h->version);
    printf(", \"procs\": %d, \"block\": ", h->procs);
    json_str(h->block);
    printf(", \"file\": ");
    if (h->file != NULL)
        json_str(h->file);
    else
        fputs("null", stdout);
    printf(", \"iterations\": %ld, \"parent_pid\": %lu, \"pointer_bits\": %u,\n"
           "          \"page_size\": %lu, \"allocation_granularity\": %lu},\n \"steps\": [",
           h->iterations, (unsigned long)h->parent_pid, h->pointer_bits,
           (unsigned long)h->page_size, (unsigned long)h->granularity);
    fflush(stdout);
}

static void json_table(const obs_table *t, BOOL first)
{
    printf("%s\n    {\"name\": ", first ? "" : ",");
    json_str(t->name);
    printf(", \"title\": ");
    if (t->title != NULL)
        json_str(t->title);
    else
        fputs("null", stdout);
    printf(",\n     \"columns\": [");
    for (int c = 0; c < t->ncols; c++) {
        printf("%s{\"key\": \"%s\", \"kind\": \"%s\", \"heading\": ", c ? ", " : "",
               t->cols[c].key, json_kind(t->cols[c].kind));
        json_str(msg(t->cols[c].heading));
        putchar('}');
    }
    printf("],\n     \"rows\": [");
    for (int r = 0; r < t->nrows; r++) {
        printf("%s\n      {", r ? "," : "");
        for (int c = 0; c < t->ncols; c++) {
            printf("%s\"%s\": ", c ? ", " : "", t->cols[c].key);
            json_cell(&t->cell[r][c]);
        }
        putchar('}');
    }
    printf("]}");
}

static void json_step(const obs_step *s)
{
    printf("%s\n  {\"step\": %d, \"claim\": ", json_steps_out++ ? "," : "", s->number);
    json_str(s->claim);
    printf(",\n   \"tables\": [");
    for (int i = 0; i < s->ntables; i++)
        json_table(&s->table[i], i == 0);
    printf("],\n   \"notes\": [");
    for (int i = 0; i < s->nnotes; i++) {
        fputs(i ? ",\n    " : "\n    ", stdout);
        json_str(s->note[i]);
    }
    printf("],\n   \"facts\": {");
    for (int i = 0; i < s->nfacts; i++) {
        printf("%s\"%s\": ", i ? ", " : "", s->fact[i].key);
        json_cell(&s->fact[i].val);
    }
    printf("},\n   \"result\": \"%s\", \"verdict\": ", obs_result_name(s->result));
    json_str(s->verdict);
    printf("}");
    fflush(stdout);
}

static void json_summary(const obs_summary *sum)
{
    printf("\n ],\n \"summary\": {\"steps\": %d, \"holds\": %d, \"fails\": %d, "
           "\"inconclusive\": %d}}\n", sum->steps, sum->holds, sum->fails, sum->inconclusive);
    fflush(stdout);
}

const render_ops json_render = { json_header, json_step, json_summary };
