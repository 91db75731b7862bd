/*
 * steps.h: the eight claims of "Scope of Allocated Memory", one file each
 * (stepN_<claim>.c).  A step asks the children to act and observe (supervise.h), records
 * what they answered as typed rows and facts (obs.h), and computes its verdict from those
 * observations alone.  It never formats output: the renderers do.
 */
#ifndef MEMSCOPE_TOUR_STEPS_H
#define MEMSCOPE_TOUR_STEPS_H

#include <stdint.h>
#include <stdio.h>

#include "obs.h"
#include "supervise.h"
#include "win32.h"

/* Said wherever two processes show the same address for different memory (steps 1, 2,
 * 4, 5): the coincidence is Wine's, and the lesson must never rest on it.  (DLL images are
 * another matter: Windows picks an image's base once per boot, so memscope.dll is usually
 * at one address in every process there too.)  The sentences are IDS_TOUR_SAME_* in
 * strings.rc; the flags the build opts in with are named here. */
#ifdef _WIN64
#define TOUR_ASLR_FLAGS "DYNAMIC_BASE, HIGH_ENTROPY_VA"
#else
#define TOUR_ASLR_FLAGS "DYNAMIC_BASE"
#endif

/* Notes that lead (the start of a sentence: processes showed the same address for
 * different memory) is Wine's coincidence: in full the first time a tour says it, shortly
 * after; tail ends the note. */
static inline void tour_note_same_numbers(sup_tour *t, obs_step *s, const char *lead,
                                          const char *tail)
{
    char same[512];
    if (t->same_numbers_said)
        snprintf(same, sizeof same, "%s", msg(IDS_TOUR_SAME_AGAIN));
    else
        snprintf(same, sizeof same, msg(IDS_TOUR_SAME_NUMBERS), TOUR_ASLR_FLAGS);
    obs_note(s, msg(IDS_TOUR_SAME_NOTE), lead, same, tail);
    t->same_numbers_said = TRUE;
}

/* A Win32 error as a table cell: its ERROR_... name, or "error N" (in the reader's
 * language in the text table) for a code the tour does not name. */
static inline obs_cell tour_error_cell(DWORD err)
{
    char buf[32];
    const char *name = w32_error_name(err, buf, sizeof buf);
    return name == buf ? obs_word_n(buf, IDS_CELL_ERROR_N, (long long)err) : obs_text(name);
}

/* The same, as words for a sentence (into buf). */
static inline const char *tour_error_say(DWORD err, char *buf, size_t cap)
{
    obs_cell c = tour_error_cell(err);
    return obs_text_shown(&c, buf, cap);
}

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
/* Why memscope.dll is not Microsoft's sample (level 0): a failure of each, side by side. */
void step9_torn(sup_tour *t, obs_step *s);
void step10_dead(sup_tour *t, obs_step *s);
void step11_squat(sup_tour *t, obs_step *s);

#endif
