/*
 * render_text.c: the tour as text that fits an 80-column terminal.
 *
 * Prose (claims, notes, verdicts) is wrapped at TEXT_WRAP.  A table gets the width of its
 * widest cells; columns marked OBS_GROUP become a line above the rows they share, and if
 * the table is still wider than TEXT_WIDTH the gaps narrow, then the widest text column is
 * cut ("...").  Integers and durations are right-aligned, like numbers in any table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "render.h"

#define TEXT_WIDTH 80
#define TEXT_WRAP  78

/* Prints text wrapped at TEXT_WRAP, starting at column first_col, each further line
 * indented by `indent`. */
static void text_wrap(const char *text, int first_col, int indent)
{
    int col = first_col;
    BOOL first = TRUE;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (!first && col + 1 + (int)w > TEXT_WRAP) {
            printf("\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            putchar(' ');
            col++;
        }
        fwrite(p, 1, w, stdout);
        col += (int)w;
        p += w;
        first = FALSE;
    }
    putchar('\n');
}

static const char *text_cell(const obs_col *col, const obs_cell *c, char *buf, size_t cap)
{
    switch (c->kind) {
    case OBS_INT:  snprintf(buf, cap, "%lld", c->v.i); break;
    case OBS_ADDR: snprintf(buf, cap, "0x%" PRIx64, c->v.a); break;
    case OBS_TEXT: snprintf(buf, cap, "%s", c->v.t[0] ? c->v.t : "-"); break;
    case OBS_BOOL: snprintf(buf, cap, "%s", c->v.b ? "yes" : "no"); break;
    case OBS_MS:   snprintf(buf, cap, "%.1f", c->v.ms); break;
    default:       snprintf(buf, cap, "%s", col->absent != NULL ? col->absent : "-"); break;
    }
    return buf;
}

static BOOL text_right(const obs_col *col)
{
    return col->kind == OBS_INT || col->kind == OBS_MS;
}

/* One cell padded (or cut with "...") to width w; no trailing blanks after the last. */
static void text_put(const char *s, int w, BOOL right, BOOL last)
{
    int n = (int)strlen(s);
    if (n > w) {
        printf("%.*s...", w > 3 ? w - 3 : 0, s);
        return;
    }
    if (right)
        printf("%*s", w, s);
    else if (last)
        fputs(s, stdout);
    else
        printf("%-*s", w, s);
}

static BOOL text_group_changed(const obs_table *t, int r, char (*cells)[OBS_COLS][OBS_TEXT_MAX])
{
    if (r == 0)
        return TRUE;
    for (int c = 0; c < t->ncols; c++)
        if ((t->cols[c].flags & OBS_GROUP) && strcmp(cells[r][c], cells[r - 1][c]) != 0)
            return TRUE;
    return FALSE;
}

static void text_table(const obs_table *t)
{
    static char cells[OBS_ROWS][OBS_COLS][OBS_TEXT_MAX];
    int width[OBS_COLS] = { 0 }, plain = 0, grouped = 0, last = -1;

    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].flags & OBS_GROUP) {
            grouped = 1;
            continue;
        }
        plain++;
        last = c;
        width[c] = (int)strlen(t->cols[c].heading);
    }
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            text_cell(&t->cols[c], &t->cell[r][c], cells[r][c], sizeof cells[r][c]);
            if (!(t->cols[c].flags & OBS_GROUP) && (int)strlen(cells[r][c]) > width[c])
                width[c] = (int)strlen(cells[r][c]);
        }
    }
    int indent = grouped ? 4 : 2, gap = 2;
    for (;;) {
        int total = indent + gap * (plain - 1);
        for (int c = 0; c < t->ncols; c++)
            total += width[c];
        if (total <= TEXT_WIDTH)
            break;
        if (gap == 2) {
            gap = 1;
            continue;
        }
        int widest = -1;        /* the widest text column that can still give */
        for (int c = 0; c < t->ncols; c++)
            if (t->cols[c].kind == OBS_TEXT && width[c] > 8 &&
                (widest < 0 || width[c] > width[widest]))
                widest = c;
        if (widest < 0)
            break;
        width[widest]--;
    }

    if (t->title != NULL) {
        fputs("\n  ", stdout);
        text_wrap(t->title, 2, 2);
    }
    putchar('\n');
    for (int line = 0; line < 2; line++) {
        printf("%*s", indent, "");
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].flags & OBS_GROUP)
                continue;
            if (line == 0)
                text_put(t->cols[c].heading, width[c], text_right(&t->cols[c]), c == last);
            else
                printf("%.*s", width[c], "----------------------------------------"
                                         "----------------------------------------");
            if (c != last)
                printf("%*s", gap, "");
        }
        putchar('\n');
    }
    for (int r = 0; r < t->nrows; r++) {
        if (grouped && text_group_changed(t, r, cells)) {
            char line[OBS_COLS * (OBS_TEXT_MAX + 40)] = "";     /* every "heading value" */
            for (int c = 0; c < t->ncols; c++) {
                size_t n = strlen(line);
                if (t->cols[c].flags & OBS_GROUP)
                    snprintf(line + n, sizeof line - n, "%s%s %s", n ? ", " : "",
                             t->cols[c].heading, cells[r][c]);
            }
            fputs("  ", stdout);
            text_wrap(line, 2, 4);
        }
        printf("%*s", indent, "");
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].flags & OBS_GROUP)
                continue;
            text_put(cells[r][c], width[c], text_right(&t->cols[c]), c == last);
            if (c != last)
                printf("%*s", gap, "");
        }
        putchar('\n');
    }
}

static void text_header(const obs_header *h)
{
    char p[1024];
    snprintf(p, sizeof p, "memscope tour: %d child processes of memscope.exe on the block %s. "
             "Each child loads memscope.dll; the tour sends it one command a line and prints "
             "what it answers. Every verdict below is computed from those answers.",
             h->procs, h->block);
    text_wrap(p, 0, 0);
    snprintf(p, sizeof p, "GetSystemInfo: pages of %lu bytes; allocation "
             "granularity %lu bytes, the multiple at which VirtualAlloc and MapViewOfFile "
             "place what they map.", (unsigned long)h->page_size,
             (unsigned long)h->granularity);
    text_wrap(p, 0, 0);
    fflush(stdout);
}

static void text_step(const obs_step *s)
{
    printf("\nStep %d. ", s->number);
    text_wrap(s->claim, 8 + (s->number >= 10), 8);
    for (int i = 0; i < s->ntables; i++)
        text_table(&s->table[i]);
    if (s->nnotes > 0)
        putchar('\n');
    for (int i = 0; i < s->nnotes; i++) {
        fputs("  ", stdout);
        text_wrap(s->note[i], 2, 4);
    }
    const char *word = s->result == OBS_HOLDS ? "HOLDS" : s->result == OBS_FAILS
                                                          ? "DOES NOT HOLD" : "INCONCLUSIVE";
    printf("\n  verdict: %s. ", word);
    text_wrap(s->verdict, 13 + (int)strlen(word), 4);
    fflush(stdout);
}

static void text_summary(const obs_summary *sum)
{
    printf("\nSummary: %d of %d claims hold", sum->holds, sum->steps);
    if (sum->fails)
        printf(", %d do not", sum->fails);
    if (sum->inconclusive)
        printf(", %d inconclusive", sum->inconclusive);
    printf(". No child is left running.\n");
    fflush(stdout);
}

const render_ops text_render = { text_header, text_step, text_summary };
