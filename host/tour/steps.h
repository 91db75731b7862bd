/*
 * steps.h: the eight claims of "Scope of Allocated Memory", one file each
 * (stepN_<claim>.c).  A step asks the children to act and observe (supervise.h), records
 * what they answered as typed rows and facts (obs.h), and computes its verdict from those
 * observations alone.  It never formats output: the renderers do.
 */
#ifndef MEMSCOPE_TOUR_STEPS_H
#define MEMSCOPE_TOUR_STEPS_H

#include <stdint.h>

#include "obs.h"
#include "supervise.h"

/* What step 4 mapped, which steps 5 and 6 look at again. */
typedef struct step_views {
    uint64_t view[TOUR_PROCS_MAX];      /* each child's view, mapped by its DllMain */
    uint64_t second[TOUR_PROCS_MAX];    /* each child's second view (MapViewOfFile) */
    uint64_t fixed;                     /* the address every child mapped (MapViewOfFileEx) */
    long long value;                    /* the counter after the write through it */
} step_views;

void step1_private(sup_tour *t, obs_step *s);
void step2_dll_alloc(sup_tour *t, obs_step *s);
void step3_named_mapping(sup_tour *t, obs_step *s);
void step4_views(sup_tour *t, obs_step *s, step_views *v);
void step5_not_global(sup_tour *t, obs_step *s, const step_views *v);
void step6_release(sup_tour *t, obs_step *s, const step_views *v);
void step7_sync(sup_tour *t, obs_step *s);
void step8_section(sup_tour *t, obs_step *s);

#endif
