/*
 * render_text.c: the tour as text that fits an 80-column terminal.
 *
 * A line is at most TEXT_WIDTH = 79 characters (not bytes: UTF-8), never 80: a Windows
 * console 80 columns wide (and Wine's, in a terminal) moves the cursor to the next line
 * as soon as the 80th column is written, so the line's own CR LF then adds an empty line.
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

#define TEXT_WIDTH 79
#define TEXT_WRAP  77           /* a French " :" after the last word ends at TEXT_WIDTH */

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
        int cw = 0;             /* the word's width in characters (UTF-8) */
        for (size_t k = 0; k < w; k++)
            cw += ((unsigned char)p[k] & 0xC0) != 0x80;
        /* French puts a space before : ; ! ? and inside « »: such a mark stays on its
         * word's line (TEXT_WRAP leaves the 2 columns it may take). */
        BOOL mark = (w == 1 && strchr(":;!?", *p) != NULL) || (w == 2 && memcmp(p, "»", 2) == 0);
        if (!first && !mark && col + 1 + cw > TEXT_WRAP) {
            msg_printf("\n%*s", indent, "");
            col = indent;
        } else if (!first) {
            msg_putchar(' ');
            col++;
        }
        msg_write(stdout, p, w);
        col += cw;
        p += w;
        first = FALSE;
    }
    msg_putchar('\n');
}

static const char *text_cell(const obs_col *col, const obs_cell *c, char *buf, size_t cap)
{
    switch (c->kind) {
    case OBS_INT:  snprintf(buf, cap, "%lld", c->v.i); break;
    case OBS_ADDR: snprintf(buf, cap, "0x%" PRIx64, c->v.a); break;
    case OBS_TEXT: obs_text_shown(c, buf, cap); break;     /* obs_word: translated */
    case OBS_BOOL: snprintf(buf, cap, "%s", msg(c->v.b ? IDS_TOUR_YES : IDS_TOUR_NO)); break;
    case OBS_MS:   msg_decimal(c->v.ms, 1, buf, cap); break;   /* "17.7", "17,7" */
    default:       snprintf(buf, cap, "%s", col->absent != 0 ? msg(col->absent) : "-"); break;
    }
    return buf;
}

static BOOL text_right(const obs_col *col)
{
    return col->kind == OBS_INT || col->kind == OBS_MS;
}

/* One cell padded (or cut with "...") to width w, in characters, not bytes (UTF-8); no
 * trailing blanks after the last. */
static void text_put(const char *s, int w, BOOL right, BOOL last)
{
    int n = msg_width(s);
    if (n > w) {
        int keep = w > 3 ? w - 3 : 0;
        const char *p = s;
        for (int k = 0; *p && k <= keep; p++)       /* stop at the start of char keep+1 */
            if ((((unsigned char)*p & 0xC0) != 0x80) && k++ == keep)
                break;
        msg_printf("%.*s...", (int)(p - s), s);
        return;
    }
    if (right)
        msg_printf("%*s%s", w - n, "", s);
    else if (last)
        msg_fputs(s, stdout);
    else
        msg_printf("%s%*s", s, w - n, "");
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
        width[c] = msg_width(msg(t->cols[c].heading));
    }
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            text_cell(&t->cols[c], &t->cell[r][c], cells[r][c], sizeof cells[r][c]);
            if (!(t->cols[c].flags & OBS_GROUP) && msg_width(cells[r][c]) > width[c])
                width[c] = msg_width(cells[r][c]);
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
        msg_fputs("\n  ", stdout);
        text_wrap(t->title, 2, 2);
    }
    msg_putchar('\n');
    for (int line = 0; line < 2; line++) {
        msg_printf("%*s", indent, "");
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].flags & OBS_GROUP)
                continue;
            if (line == 0)
                text_put(msg(t->cols[c].heading), width[c], text_right(&t->cols[c]), c == last);
            else
                msg_printf("%.*s", width[c], "----------------------------------------"
                           "----------------------------------------");
            if (c != last)
                msg_printf("%*s", gap, "");
        }
        msg_putchar('\n');
    }
    for (int r = 0; r < t->nrows; r++) {
        if (grouped && text_group_changed(t, r, cells)) {
            char line[OBS_COLS * (OBS_TEXT_MAX + 40)] = "";     /* every "heading value" */
            for (int c = 0; c < t->ncols; c++) {
                size_t n = strlen(line);
                if (t->cols[c].flags & OBS_GROUP)
                    snprintf(line + n, sizeof line - n, "%s%s %s", n ? ", " : "",
                             msg(t->cols[c].heading), cells[r][c]);
            }
            msg_fputs("  ", stdout);
            text_wrap(line, 2, 4);
        }
        msg_printf("%*s", indent, "");
        for (int c = 0; c < t->ncols; c++) {
            if (t->cols[c].flags & OBS_GROUP)
                continue;
            text_put(cells[r][c], width[c], text_right(&t->cols[c]), c == last);
            if (c != last)
                msg_printf("%*s", gap, "");
        }
        msg_putchar('\n');
    }
}

static void text_header(const obs_header *h)
{
    char p[1024];
    snprintf(p, sizeof p, msg(IDS_TOUR_HEADER), h->procs, h->block);
    text_wrap(p, 0, 0);
    snprintf(p, sizeof p, msg(IDS_TOUR_SYSINFO), (unsigned long)h->page_size,
             (unsigned long)h->granularity);
    text_wrap(p, 0, 0);
    fflush(stdout);
}

static void text_step(const obs_step *s)
{
    char lead[64];
    snprintf(lead, sizeof lead, msg(IDS_TOUR_STEP), s->number);
    msg_printf("\n%s", lead);
    text_wrap(s->claim, msg_width(lead), 8);
    for (int i = 0; i < s->ntables; i++)
        text_table(&s->table[i]);
    if (s->nnotes > 0)
        msg_putchar('\n');
    for (int i = 0; i < s->nnotes; i++) {
        msg_fputs("  ", stdout);
        text_wrap(s->note[i], 2, 4);
    }
    UINT word = s->result == OBS_HOLDS ? IDS_TOUR_HOLDS : s->result == OBS_FAILS
                                                        ? IDS_TOUR_FAILS : IDS_TOUR_INCONCLUSIVE;
    snprintf(lead, sizeof lead, msg(IDS_TOUR_VERDICT), msg(word));
    msg_printf("\n%s", lead);
    text_wrap(s->verdict, msg_width(lead), 4);
    fflush(stdout);
}

static void text_summary(const obs_summary *sum)
{
    char line[512];
    int n = snprintf(line, sizeof line, msg(IDS_TOUR_SUMMARY), sum->holds, sum->steps);
    if (sum->fails && n >= 0 && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, msg(IDS_TOUR_SUMMARY_FAILS), sum->fails);
    if (sum->inconclusive && n >= 0 && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, msg(IDS_TOUR_SUMMARY_INCONCLUSIVE),
                      sum->inconclusive);
    if (n >= 0 && n < (int)sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, "%s", msg(IDS_TOUR_SUMMARY_END));
    msg_putchar('\n');
    text_wrap(line, 0, 0);
    fflush(stdout);
}

const render_ops text_render = { text_header, text_step, text_summary };
