/*
 * strings.h: the ids of memscope.exe's string tables (host/strings.rc, one STRINGTABLE per
 * language).  Grouped by hundreds: 100 the CLI (memscope.c), 200 watch (watch.c), 300 the
 * tour's driver and text renderer, 1000 + 100*N step N of the tour.  An id is never reused
 * for another sentence: a translation left behind would say the wrong thing.
 * Included by C (through msg.h) and by windres (through strings.rc).
 */
#ifndef MEMSCOPE_STRINGS_H
#define MEMSCOPE_STRINGS_H

/* memscope.c */
#define IDS_USAGE               100
#define IDS_ERR_FAILED          101
#define IDS_HOLD_FOR            102
#define IDS_HOLD_UNTIL          103
#define IDS_SET_DONE            104
#define IDS_INC_DONE            105
#define IDS_SECTION_DONE        106
#define IDS_GLOBAL_DONE         107
#define IDS_PSET_DONE           108
#define IDS_PGET_NONE           109
#define IDS_PGET_AT             110
#define IDS_SDDL_NONE_YET       111
#define IDS_NOT_READABLE        112
#define IDS_INFO_PID            113
#define IDS_INFO_BLOCK          114
#define IDS_INFO_STATUS         115
#define IDS_INFO_VIEW           116
#define IDS_INFO_CREATOR        117
#define IDS_INFO_THIS_PROCESS   118
#define IDS_INFO_ATTACHED       119
#define IDS_INFO_SHARED         120
#define IDS_INFO_TEXT           121
#define IDS_INFO_COUNTER        122
#define IDS_INFO_SECURITY       123
#define IDS_INFO_LOCK_EVENT     124
#define IDS_INFO_PRIVATE        125
#define IDS_INFO_PTEXT          126
#define IDS_INFO_PTEXT_END      127
#define IDS_INFO_GLOBAL         128
#define IDS_INFO_BY_FILE        129
#define IDS_INFO_SECTION        130
#define IDS_STATUS_HEAD         131
#define IDS_STATUS_COUNT        132
#define IDS_ERR_CMDLINE         133
#define IDS_ERR_HOLD_OPT        134
#define IDS_ERR_NO_COMMAND      135
#define IDS_ERR_HOLD_ARG        136
#define IDS_ERR_UNKNOWN         137
#define IDS_ERR_LANG            138

/* watch.c */
#define IDS_WATCH_TITLE         200
#define IDS_WATCH_REFRESH_AT    201
#define IDS_WATCH_TEXT          202
#define IDS_WATCH_COUNTER       203
#define IDS_WATCH_LOCK_HELD     204
#define IDS_WATCH_LOCK_FREE     205
#define IDS_WATCH_SECTION       206
#define IDS_WATCH_ATTACHED      207
#define IDS_WATCH_HEAD          208
#define IDS_WATCH_THIS          209
#define IDS_WATCH_USAGE         210
#define IDS_WATCH_ATTACHING     211
#define IDS_WATCH_START         212
#define IDS_WATCH_REFRESH       213
#define IDS_WATCH_CHANGED       214
#define IDS_WATCH_TIMER         215
#define IDS_WATCH_STOPPED       216

/* the tour: column headings (the JSON keys stay English: they are not text) */
#define IDS_COL_CHILD                    300
#define IDS_COL_PID                      301
#define IDS_COL_ADDRESS                  302
#define IDS_COL_VIEW                     303
#define IDS_COL_TYPE                     304
#define IDS_COL_PROTECT                  305
#define IDS_COL_LOOKED_UP_BY             306
#define IDS_COL_COUNTER                  307
#define IDS_COL_WHO                      308
#define IDS_COL_WAY                      309
#define IDS_COL_VALUE                    310
#define IDS_COL_STORED                   311
#define IDS_COL_AS_TEXT                  312
#define IDS_COL_SLOWEST                  313
#define IDS_COL_SEEN                     314
#define IDS_COL_SHARED                   315
#define IDS_COL_RESULT                   316
#define IDS_COL_RACERS                   317
#define IDS_COL_FOUND_THERE              318
#define IDS_COL_WHOSE                    319
#define IDS_COL_OVERLAP                  320
#define IDS_COL_OPENFILEMAPPING          321
#define IDS_COL_OFFSET                   322
#define IDS_COL_MAPPED_BY                323
#define IDS_COL_LOST                     324
#define IDS_COL_DID_INC                  325
#define IDS_COL_HOW                      326
#define IDS_COL_BYTES                    327
#define IDS_COL_GLOBAL                   328
#define IDS_COL_OUTSIDER_FINDS           329
#define IDS_COL_DLL_AT                   330
#define IDS_COL_CREATOR                  331
#define IDS_COL_CREATEFILEMAPPING        332
#define IDS_COL_COUNTED                  333
#define IDS_COL_ALLOCATOR                334
#define IDS_COL_TEXT_AT                  335
#define IDS_COL_ADDED                    336
#define IDS_COL_WHAT_IT_DID              337
#define IDS_COL_ABSENT_TOUR              338
#define IDS_COL_ABSENT_EVERY             339

/* the tour: driver.c, render_text.c, supervise.c */
#define IDS_TOUR_YES                    350
#define IDS_TOUR_NO                     351
#define IDS_TOUR_HEADER                 352
#define IDS_TOUR_SYSINFO                353
#define IDS_TOUR_STEP                   354
#define IDS_TOUR_VERDICT                355
#define IDS_TOUR_HOLDS                  356
#define IDS_TOUR_FAILS                  357
#define IDS_TOUR_INCONCLUSIVE           358
#define IDS_TOUR_SUMMARY                359
#define IDS_TOUR_SUMMARY_FAILS          360
#define IDS_TOUR_SUMMARY_INCONCLUSIVE   361
#define IDS_TOUR_SUMMARY_END            362
#define IDS_TOUR_USAGE                  363
#define IDS_TOUR_ERR_PROCS              364
#define IDS_TOUR_ERR_ITERATIONS         365
#define IDS_TOUR_ERR_TIMEOUT            366
#define IDS_TOUR_ERR_FAULT              367
#define IDS_SUP_HUNG                    368
#define IDS_SUP_DIED                    369
#define IDS_SUP_TOO_LONG                370
#define IDS_SUP_ANSWERED                371

#endif
