/*
 * why.h: what the "why" steps (9 to 11) and their children (child_why.c) agree on.
 */
#ifndef MEMSCOPE_TOUR_WHY_H
#define MEMSCOPE_TOUR_WHY_H

#define WHY_LEVEL0_DLL L"memscope_level0.dll"  /* beside memscope.exe (make copies it) */
#define WHY_LONG       1800     /* step 9's texts: this many 'A', and WHY_SHORT 'B' */
#define WHY_SHORT      900
#define WHY_BUF        2048     /* WCHARs a reader reads into (level 0's whole view) */
#define WHY_WAIT_MS    1000     /* a holder's own wait for its lock */

#endif
