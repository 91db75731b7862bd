/*
 * tour.h: the commands of memscope.exe that live outside memscope.c.
 *
 *   tour        the guided tour (host/tour/driver.c, one file per claim beside it): spawns
 *               child processes of memscope.exe, drives them step by step, and shows what
 *               each one observed with a computed verdict, as text or JSON;
 *   tour-child  the child's side of it (host/tour/child.c): hidden, started only by the tour;
 *   watch       a live view of the shared block (watch.c).
 *
 * Each returns the process exit code: 0 success, 1 failure, 2 bad usage (EXIT_USAGE).
 */
#ifndef MEMSCOPE_TOUR_H
#define MEMSCOPE_TOUR_H

#include <windows.h>

#define EXIT_USAGE 2

/* The hidden command that turns memscope.exe into a tour child. */
#define TOUR_CHILD_COMMAND "tour-child"

/* Exit code the tour gives a child it has to kill (it hung). */
#define TOUR_KILLED_EXIT 0x7001u

int tour_main(int argc, char **argv);
int tour_child_main(void);
int watch_main(int argc, char **argv);

/* Prints "memscope: WHAT failed: <system message> (err)" on stderr; returns 1.  (memscope.c) */
int host_fail(const char *what, DWORD err);

#endif
