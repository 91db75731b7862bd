/*
 * driver.c: `memscope tour [--procs N] [--file PATH] [--json] ...`: every claim of "Scope
 * of Allocated Memory", shown across live processes.
 *
 * The driver reads the options, starts the children (supervise.c) one after another, so
 * the first is the block's creator, runs the eight steps (stepN_*.c) in order, hands what
 * each recorded to the chosen renderer (render_text.c or render_json.c), and ends every
 * child.  The tour's own process loaded memscope.dll too (memscope.exe links it), so its
 * DllMain attached it to the block its environment names (Local\memscope unless
 * MEMSCOPE_NAME says otherwise): it created that block if none existed, and it fills a
 * registry slot there while the tour runs.  It never maps the tour's own block.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../tour.h"
#include "render.h"
#include "steps.h"

#define TOUR_PROCS_DEFAULT 3
#define TOUR_TIMEOUT_MS    10000        /* a child's answer to one command */
#define TOUR_ITERATIONS    2000000      /* increments per child and per way in step 7 */

static void tour_usage(FILE *f)
{
    msg_fprintf(f, msg(IDS_TOUR_USAGE), TOUR_PROCS_MAX, TOUR_PROCS_DEFAULT, TOUR_ITERATIONS,
                TOUR_TIMEOUT_MS);
}

/* Returns 0 to run the tour, -1 after --help, or EXIT_USAGE after saying what is wrong. */
static int tour_options(sup_tour *t, BOOL *json, int argc, char **argv)
{
    static const struct option opts[] = {
        { "procs", required_argument, NULL, 'n' },
        { "file", required_argument, NULL, 'f' },
        { "json", no_argument, NULL, 'j' },
        { "iterations", required_argument, NULL, 'i' },
        { "timeout", required_argument, NULL, 't' },
        { "fault", required_argument, NULL, 'F' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    char *end;
    optind = 0;     /* 0: a full reset of getopt after main's own parse (MinGW, BSD) */
    opterr = 0;     /* getopt's own complaint is English: ours is IDS_TOUR_ERR_OPTION */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            t->procs = (int)strtol(optarg, &end, 10);
            if (*end || t->procs < 2 || t->procs > TOUR_PROCS_MAX)
                return msg_eprintf(msg(IDS_TOUR_ERR_PROCS), TOUR_PROCS_MAX), EXIT_USAGE;
            break;
        case 'f':
            t->file = optarg;
            break;
        case 'j':
            *json = TRUE;
            break;
        case 'i':
            t->iterations = strtol(optarg, &end, 10);
            if (*end || t->iterations < 1 || t->iterations > 100000000)
                return msg_fputs(msg(IDS_TOUR_ERR_ITERATIONS), stderr),
                       EXIT_USAGE;
            break;
        case 't':
            t->timeout = (DWORD)strtoul(optarg, &end, 10);
            if (*end || t->timeout < 100)
                return msg_fputs(msg(IDS_TOUR_ERR_TIMEOUT), stderr),
                       EXIT_USAGE;
            break;
        case 'F':
            t->fault_step = (int)strtol(optarg, &end, 10);
            if (*end != ':' || t->fault_step < 1 || t->fault_step > 8 ||
                (strcmp(end + 1, "hang") != 0 && strcmp(end + 1, "crash") != 0))
                return msg_fputs(msg(IDS_TOUR_ERR_FAULT), stderr),
                       EXIT_USAGE;
            snprintf(t->fault_kind, sizeof t->fault_kind, "%s", end + 1);
            break;
        case 'h':
            tour_usage(stdout);
            return -1;
        default:
            msg_eprintf(msg(IDS_TOUR_ERR_OPTION), argv[optind - 1]);
            tour_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        tour_usage(stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* Renders a step that has ended and counts its result. */
static void tour_done(const obs_step *s, const render_ops *r, obs_summary *sum)
{
    r->step(s);
    sum->steps++;
    sum->holds += s->result == OBS_HOLDS;
    sum->fails += s->result == OBS_FAILS;
    sum->inconclusive += s->result == OBS_INCONCLUSIVE;
}

int tour_main(int argc, char **argv)
{
    static sup_tour t;
    static obs_step s;
    static step_views views;
    obs_header h = { .version = MEMSCOPE_VERSION };
    obs_summary sum = { 0 };
    SYSTEM_INFO si;
    BOOL json = FALSE;

    memset(&t, 0, sizeof t);
    t.procs = TOUR_PROCS_DEFAULT;
    t.timeout = TOUR_TIMEOUT_MS;
    t.iterations = TOUR_ITERATIONS;
    int rc = tour_options(&t, &json, argc, argv);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    if (!sup_init(&t))
        return 1;
    const render_ops *r = json ? &json_render : &text_render;

    GetSystemInfo(&si);         /* cannot fail */
    h.procs = t.procs;
    snprintf(h.block, sizeof h.block, "%s", t.name8);
    h.file = t.file;
    h.iterations = t.iterations;
    h.parent_pid = GetCurrentProcessId();
    h.pointer_bits = (unsigned)(8 * sizeof(void *));
    h.page_size = si.dwPageSize;
    h.granularity = si.dwAllocationGranularity;
    r->header(&h);

    for (int i = 0; i < t.procs; i++) {
        sup_start(&t, &t.kids[i], i + 1);
        t.nkids = i + 1;        /* one that failed to start stays SUP_NONE: no step asks it */
    }
    t.obs = &s;     /* where a child lost from here on is reported */
    step1_private(&t, &s);
    tour_done(&s, r, &sum);
    step2_dll_alloc(&t, &s);
    tour_done(&s, r, &sum);
    step3_named_mapping(&t, &s);
    tour_done(&s, r, &sum);
    step4_views(&t, &s, &views);
    tour_done(&s, r, &sum);
    step5_not_global(&t, &s, &views);
    tour_done(&s, r, &sum);
    step6_release(&t, &s, &views);
    tour_done(&s, r, &sum);
    step7_sync(&t, &s);
    tour_done(&s, r, &sum);
    step8_section(&t, &s);
    tour_done(&s, r, &sum);
    step9_torn(&t, &s);
    tour_done(&s, r, &sum);
    step10_dead(&t, &s);
    tour_done(&s, r, &sum);
    step11_squat(&t, &s);
    tour_done(&s, r, &sum);

    sup_finish(&t);
    r->summary(&sum);
    return sum.holds == sum.steps ? 0 : 1;
}
