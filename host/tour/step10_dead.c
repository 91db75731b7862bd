/*
 * step10_dead.c: why 2.  A lock is only as good as what happens when its holder dies
 * holding it.  Level 1 (docs/levels.md) adds the obvious lock to Microsoft's sample: a word
 * in the shared memory, 1 while held.  Kill its holder and the word stays 1 for ever.
 *
 * Three locks, each taken by a fresh child that the tour then kills with TerminateProcess
 * (no DLL_PROCESS_DETACH, no unlock): level 1's kind of spin word (at offset 0 of a mapping
 * of the step's own), the named mutex "<block>.mutex" (MemscopeMutexLock), and memscope's
 * own lock (MemscopeLock).  Then a live child tries each for STEP10_WAIT_MS and reports what
 * it got and how long it took.  The waiter opens the mutex before its holder dies, since a
 * named object's abandoned state lives only while some process has it open.
 */
#include <stdio.h>
#include <stdlib.h>

#include "steps.h"
#include "win32.h"

#define STEP10_WAIT_MS 500          /* how long the next locker tries */
#define STEP10_KILLED  0xDEADu      /* the exit code of a killed holder */

/* The sentences are IDS_S10_* in strings.rc; the table's words of data: */
static const char *const step10_lock[3] = { "spin word", "named mutex", "memscope lock" };
static const UINT step10_lock_say[3] = { IDS_S10_W_SPIN_20, IDS_S10_W_MUTEX_21,
                                         IDS_S10_W_LOCK_22 };
static const char *const step10_cmd[3] = { "spin", "mutex", "lock" };

static const obs_col step10_cols[] = {
    { "lock", IDS_COL_LOCK, OBS_TEXT, 0, 0 },
    { "holder_pid", IDS_COL_HOLDER, OBS_INT, 0, 0 },
    { "next", IDS_COL_NEXT_GOT, OBS_TEXT, 0, 0 },
    { "ms", IDS_COL_AFTER_MS, OBS_MS, 0, 0 },
    { "outcome", IDS_COL_SO_LOCK, OBS_TEXT, 0, 0 },
};

static obs_cell step10_outcome(DWORD err)
{
    return err == ERROR_TIMEOUT ? obs_word("is still held", IDS_S10_W_STILL_HELD_23)
         : err == ERROR_ABANDONED_WAIT_0 ? obs_word("was handed on", IDS_S10_W_HANDED_ON_24)
         : err == ERROR_SUCCESS ? obs_word("was free", IDS_S10_W_FREE_25) : obs_text("?");
}

void step10_dead(sup_tour *t, obs_step *s)
{
    char spin[sizeof t->name8 + 16], key[32], n[3][40], say[3][40];
    static char title[512];     /* the table keeps a pointer to it */
    DWORD err[3] = { ERROR_INVALID_FUNCTION, ERROR_INVALID_FUNCTION, ERROR_INVALID_FUNCTION };
    double ms[3] = { 0 };
    int held = 0;
    HANDLE keep = NULL;
    sup_child *waiter = sup_first_live(t);

    obs_begin(s, 10, msg(IDS_S10_CLAIM));
    /* A fresh child takes each lock and is killed holding it (TerminateProcess); a live
     * child then tries the lock for %d ms. */
    snprintf(title, sizeof title, msg(IDS_S10_TITLE_LOCKS_2), STEP10_WAIT_MS);
    obs_table *tab = OBS_TABLE(s, "locks", title, step10_cols);
    snprintf(spin, sizeof spin, "%s.why10", t->name8);
    /* The waiter opens the named mutex now (its first MemscopeMutexUnlock opens it and
     * says ERROR_NOT_OWNER), so the mutex outlives its holder. */
    BOOL opened = waiter != NULL && sup_ask(waiter, "whyopen") &&
                  proto_num(waiter->reply, "err", -1) == ERROR_NOT_OWNER;
    for (int k = 0; k < 3 && waiter != NULL && sup_live(waiter); k++) {
        sup_child h;
        DWORD pid = 0;
        if (!sup_spawn(t, &h, t->procs + 1, t->name))
            continue;
        pid = h.pid;
        if (sup_ask(&h, "whyhold %s %s", step10_cmd[k], spin) &&
            proto_num(h.reply, "err", -1) == ERROR_SUCCESS) {
            held++;
            if (k == 0)     /* the word must outlive its holder, as level 1's block would */
                keep = OpenFileMappingA(FILE_MAP_READ, FALSE, spin);
            sup_kill(&h, STEP10_KILLED);
            if (sup_ask(waiter, "whytake %s %s %d", step10_cmd[k], spin, STEP10_WAIT_MS)) {
                err[k] = (DWORD)proto_num(waiter->reply, "err", ERROR_INVALID_FUNCTION);
                char buf[32];
                proto_kv(waiter->reply, "ms", buf, sizeof buf);
                ms[k] = strtod(buf, NULL);
            }
        } else {
            sup_kill(&h, STEP10_KILLED);
        }
        snprintf(n[k], sizeof n[k], "%s", w32_error_name(err[k], key, sizeof key));
        tour_error_say(err[k], say[k], sizeof say[k]);
        OBS_ROW(tab, obs_word(step10_lock[k], step10_lock_say[k]), obs_int(pid),
                tour_error_cell(err[k]), obs_ms(ms[k]), step10_outcome(err[k]));
        snprintf(key, sizeof key, "%s_error", step10_cmd[k]);
        obs_fact_add(s, key, obs_text(n[k]));
        snprintf(key, sizeof key, "%s_ms", step10_cmd[k]);
        obs_fact_add(s, key, obs_ms(ms[k]));
    }
    if (keep != NULL && !CloseHandle(keep))
        w32_fail("CloseHandle");
    obs_fact_add(s, "holders_killed_holding", obs_int(held));
    obs_fact_add(s, "mutex_kept_open", obs_bool(opened));
    obs_fact_add(s, "wait_ms", obs_int(STEP10_WAIT_MS));
    /* the spin word is level 1's lock (0 free, 1 held) at offset 0 of %s; the mutex is
     * %s.mutex; memscope's lock is the owner word in the tour's block, tagged with its
     * holder's thread and creation time. */
    obs_note(s, msg(IDS_S10_NOTE_3), spin, t->name8);
    char d[3][32];          /* the durations in the reader's language (msg_decimal) */
    if (held < 3 || !opened)
        /* only %d of the 3 holders took their lock, or the waiter could not open the mutex
         * first. */
        obs_verdict(s, OBS_INCONCLUSIVE, msg(IDS_S10_V_INCONCLUSIVE_4), held);
    else if (err[0] == ERROR_TIMEOUT && err[1] == ERROR_ABANDONED_WAIT_0 &&
             err[2] == ERROR_ABANDONED_WAIT_0)
        /* Level 1's spin word: still held after %s ms, and would be for ever: nothing
         * tells its waiters the holder died. Named mutex: WAIT_ABANDONED after %s ms.
         * memscope's lock: taken over (ERROR_ABANDONED_WAIT_0) after %s ms.  Each
         * duration rounded as the table shows it (render_text.c: one decimal). */
        obs_verdict(s, OBS_HOLDS, msg(IDS_S10_V_HOLDS_5), msg_decimal(ms[0], 1, d[0], sizeof d[0]),
                    msg_decimal(ms[1], 1, d[1], sizeof d[1]),
                    msg_decimal(ms[2], 1, d[2], sizeof d[2]));
    else
        /* wanted ERROR_TIMEOUT, ERROR_ABANDONED_WAIT_0 and ERROR_ABANDONED_WAIT_0; got %s,
         * %s and %s. */
        obs_verdict(s, OBS_FAILS, msg(IDS_S10_V_FAILS_6), say[0], say[1], say[2]);
}
