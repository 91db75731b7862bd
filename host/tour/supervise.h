/*
 * supervise.h: the tour's child processes: starting them in a job, talking to them over
 * two pipes each with the line protocol (proto.h), and giving up on them in bounded time.
 *
 * Every wait has a timeout.  A child that does not answer in time is killed and reported;
 * one that dies is reported with its exit code; either way it is marked lost and the tour
 * goes on with the others (a lost child is noted in the step being recorded, and counted
 * in its facts).  The children run in a job object that kills them when the tour's handle
 * to it closes, so none outlives the tour even if the tour itself is killed.
 */
#ifndef MEMSCOPE_TOUR_SUPERVISE_H
#define MEMSCOPE_TOUR_SUPERVISE_H

#include <windows.h>

#include "memscope.h"
#include "obs.h"
#include "proto.h"

#define TOUR_PROCS_MAX 8

typedef enum { SUP_NONE, SUP_LIVE, SUP_HUNG, SUP_DEAD, SUP_EXITED } sup_state;

typedef struct sup_tour sup_tour;

typedef struct sup_child {
    sup_tour *tour;
    int index;                  /* 1-based, as the tables show it */
    DWORD pid;
    HANDLE process;
    HANDLE to;                  /* our end of its stdin (overlapped named pipe) */
    HANDLE from;                /* our end of its stdout */
    HANDLE io_event;            /* for the overlapped reads and writes */
    sup_state state;
    DWORD exit_code;
    char buf[TOUR_LINE_MAX];    /* received, not yet consumed */
    size_t len;
    char reply[TOUR_LINE_MAX];  /* the last answer line */
    char hello[TOUR_LINE_MAX];  /* its answer to "hello" */
} sup_child;

struct sup_tour {
    /* options */
    int procs;
    const char *file;           /* --file PATH, or NULL */
    DWORD timeout;              /* ms a child may take to answer one command */
    long iterations;
    int fault_step;             /* --fault STEP:KIND: child 2 misbehaves at STEP */
    char fault_kind[8];
    BOOL fault_done;
    /* this run */
    WCHAR exe[MAX_PATH];
    WCHAR name[MEMSCOPE_NAME_MAX + 1];      /* the tour's block */
    char name8[3 * MEMSCOPE_NAME_MAX + 1];
    unsigned long run;          /* this run's tag, in step 6's records */
    HANDLE job;
    LONG pipe_seq;
    obs_step *obs;              /* the step being recorded, or NULL */
    BOOL starting;              /* a start-up hello: never a fault's target */
    BOOL same_numbers_said;
    const WCHAR *lang;          /* L"en" or L"fr": the children get the tour's --lang */     /* steps.h: Wine's identical addresses explained once */
    sup_child kids[TOUR_PROCS_MAX];
    int nkids;
};

/* Fills in this run's exe path, block name, run tag and job.  Returns FALSE (reported) if
 * the tour cannot run. */
BOOL sup_init(sup_tour *t);

/* Asks every live child to exit, then closes the job, which kills whatever is left. */
void sup_finish(sup_tour *t);

/* Starts `memscope.exe tour-child` as child `index` with MEMSCOPE_NAME=name. */
BOOL sup_spawn(sup_tour *t, sup_child *c, int index, const WCHAR *name);

/* sup_spawn on the tour's block, then its hello (kept in c->hello). */
BOOL sup_start(sup_tour *t, sup_child *c, int index);

/* Tells the child to exit and waits for it.  Returns TRUE if it exited by itself. */
BOOL sup_stop(sup_child *c);

/* Sends one command line.  FALSE if the child is not (or no longer) there. */
BOOL sup_send(sup_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads one answer into c->reply within ms.  TRUE on "ok ..."; FALSE on "err ..." (noted:
 * the child is fine) or when it hung or died (lost, noted). */
BOOL sup_recv(sup_child *c, DWORD ms);

/* sup_send, then sup_recv with the tour's timeout. */
BOOL sup_ask(sup_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

BOOL sup_live(const sup_child *c);

/* Kills the child on purpose (TerminateProcess with code, no DLL_PROCESS_DETACH), waits for
 * it, and closes its handles.  Not a loss: nothing is noted.  TRUE if it was killed. */
BOOL sup_kill(sup_child *c, DWORD code);

/* The next live child after kids[i] (cyclically), other than it; NULL if none. */
sup_child *sup_peer_of(sup_tour *t, int i);
sup_child *sup_first_live(sup_tour *t);

#endif
