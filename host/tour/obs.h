/*
 * obs.h: what the tour observed, as data: typed cells in tables under a column spec, typed
 * facts, notes and a verdict per step, and the tour's header.
 *
 * Steps record observations here and never format output; the renderers (render.h) turn
 * the same records into an 80-column text table or JSON.  A cell is a compact tagged union:
 * the kind says how each renderer writes it (an integer is a JSON number, an address a
 * "0x..." string, a duration a number of milliseconds).  Depends on nothing in host/tour/.
 */
#ifndef MEMSCOPE_TOUR_OBS_H
#define MEMSCOPE_TOUR_OBS_H

#include <windows.h>
#include <stdint.h>

#include "../msg.h"

typedef enum { OBS_ABSENT, OBS_INT, OBS_ADDR, OBS_TEXT, OBS_BOOL, OBS_MS } obs_kind;

#define OBS_TEXT_MAX 96

typedef struct obs_cell {
    obs_kind kind;              /* OBS_ABSENT: nothing was observed (JSON null) */
    union {
        long long i;
        uint64_t a;
        double ms;
        BOOL b;
        char t[OBS_TEXT_MAX];
    } v;
    UINT say;                   /* OBS_TEXT: a string id the text renderer shows instead of
                                   the value, a printf format given arg; 0: the value */
    long long arg;
} obs_cell;

obs_cell obs_int(long long i);
obs_cell obs_addr(uint64_t a);
obs_cell obs_text(const char *t);      /* copied; cut at OBS_TEXT_MAX - 1 bytes */
/* A word of data: the value t is what JSON writes, the same in every language; the text
 * table shows string `say` instead, in the reader's language (printf'd with n, if the
 * string takes a number).  So a cell such as "created" stays "created" for a program and
 * reads "créé" in the French tour. */
obs_cell obs_word(const char *t, UINT say);
obs_cell obs_word_n(const char *t, UINT say, long long n);
/* What a text cell shows a reader, into buf: its word (obs_word) in the chosen language,
 * else its value ("-" if empty). */
const char *obs_text_shown(const obs_cell *c, char *buf, size_t cap);
obs_cell obs_bool(BOOL b);
obs_cell obs_ms(double ms);
obs_cell obs_absent(void);

/* OBS_GROUP: the text renderer shows this column in a line above the rows that share its
 * value, not as a column (so a table fits 80 columns); JSON has it in every row. */
#define OBS_GROUP 1u

typedef struct obs_col {
    const char *key;            /* the JSON field */
    UINT heading;               /* the text table's heading: a string id (strings.h) */
    obs_kind kind;              /* what every cell of the column holds */
    unsigned flags;
    UINT absent;                /* string id shown for an absent cell (0: "-") */
} obs_col;

#define OBS_COLS   12
#define OBS_ROWS   48
#define OBS_TABLES 3
#define OBS_NOTES  12
#define OBS_FACTS  32

typedef struct obs_table {
    const char *name;           /* the JSON name of the table */
    const char *title;          /* what the table shows, in a sentence (may be NULL) */
    const obs_col *cols;
    int ncols, nrows;
    obs_cell cell[OBS_ROWS][OBS_COLS];
} obs_table;

typedef enum { OBS_HOLDS, OBS_FAILS, OBS_INCONCLUSIVE } obs_result;

typedef struct obs_fact {
    char key[40];
    obs_cell val;
} obs_fact;

typedef struct obs_step {
    int number;
    const char *claim;
    obs_table table[OBS_TABLES];
    int ntables;
    char note[OBS_NOTES][768];  /* room for the longer languages (French runs ~20% longer) */
    int nnotes;
    obs_fact fact[OBS_FACTS];
    int nfacts;
    obs_result result;
    char verdict[1200];
} obs_step;

/* The tour's header: how it ran and the memory geometry GetSystemInfo reports. */
typedef struct obs_header {
    const char *version;
    int procs;
    char block[3 * 200 + 1];    /* the tour's block name, UTF-8 */
    const char *file;           /* --file, or NULL */
    long iterations;
    DWORD parent_pid;
    unsigned pointer_bits;
    DWORD page_size;            /* SYSTEM_INFO.dwPageSize */
    DWORD granularity;          /* SYSTEM_INFO.dwAllocationGranularity */
} obs_header;

typedef struct obs_summary {
    int steps, holds, fails, inconclusive;
} obs_summary;

/* Starts recording step `number` (claim: a static string). */
void obs_begin(obs_step *s, int number, const char *claim);

/* Adds a table with ncols columns (a static array) to s; NULL if s has OBS_TABLES. */
obs_table *obs_table_add(obs_step *s, const char *name, const char *title, const obs_col *cols,
                         int ncols);
#define OBS_TABLE(s, name, title, cols) \
    obs_table_add((s), (name), (title), (cols), (int)(sizeof(cols) / sizeof((cols)[0])))

/* Appends a row of n cells, which must be one per column, each of the column's kind or
 * absent: a mismatch is a bug in the step, reported on stderr and the row dropped. */
void obs_row_add(obs_table *t, const obs_cell *cells, int n);
#define OBS_ROW(t, ...)                                                            \
    obs_row_add((t), (const obs_cell[]){ __VA_ARGS__ },                            \
                (int)(sizeof((const obs_cell[]){ __VA_ARGS__ }) / sizeof(obs_cell)))

void obs_fact_add(obs_step *s, const char *key, obs_cell val);
const obs_cell *obs_fact_get(const obs_step *s, const char *key);     /* NULL if absent */
void obs_note(obs_step *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void obs_verdict(obs_step *s, obs_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

const char *obs_result_name(obs_result r);      /* "holds", "fails", "inconclusive" */

#endif
