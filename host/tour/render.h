/*
 * render.h: the two ways the tour writes what it observed (obs.h): a text renderer for a
 * person at an 80-column terminal (render_text.c) and a JSON renderer for programs
 * (render_json.c, described by docs/tour.schema.json).  Both walk the same records; the
 * steps know nothing of either.
 */
#ifndef MEMSCOPE_TOUR_RENDER_H
#define MEMSCOPE_TOUR_RENDER_H

#include "obs.h"

typedef struct render_ops {
    void (*header)(const obs_header *h);
    void (*step)(const obs_step *s);        /* called as each step ends */
    void (*summary)(const obs_summary *sum);
} render_ops;

extern const render_ops text_render;
extern const render_ops json_render;

#endif
