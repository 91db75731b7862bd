/*
 * step11_squat.c: why 3.  Microsoft's sample creates its mapping with a name and NULL
 * security, and uses whatever it finds under that name: whoever creates the name first
 * decides what the sample maps.
 *
 * The tour is the squatter: before a child starts, it creates, on names of this step's own,
 * (a) a block of 64 bytes with memscope's header in it, (b) a block of memscope's size whose header is forged (wrong
 * magic, the rest garbage) and (c) a block whose DACL grants everyone read only
 * (SDDL D:P(A;;GR;;;WD)).  For each, a fresh child loads level 0 (memscope_level0.dll) on
 * it and reports what it read there and what it wrote, or why it could not load (a crash
 * would be a result too: the child's exit code); another fresh child attaches memscope.dll
 * to it and reports MemscopeStatus.  The tour then checks whether the squatter's bytes were
 * written over.  Holds if memscope refused each with its documented error, writing nothing.
 */
#include <stdio.h>
#include <string.h>

#include "steps.h"
#include "win32.h"
#include <sddl.h>               /* after windows.h (steps.h), which it needs */

#define STEP11_SEEN 256         /* bytes of the squatter's block compared after */

/* The sentences are IDS_S11_* in strings.rc; the table's words of data, and each case
 * as a sentence names it ("on the 64 bytes"): */
static const char *const step11_case[3] = { "64 bytes", "forged header", "read-only DACL" };
static const UINT step11_case_say[3] = { IDS_S11_W_SMALL_20, IDS_S11_W_FORGED_21,
                                         IDS_S11_W_READONLY_22 };
static const UINT step11_on_case[3] = { IDS_S11_W_ON_SMALL_23, IDS_S11_W_ON_FORGED_24,
                                        IDS_S11_W_ON_READONLY_25 };
static const char *const step11_key[3] = { "small", "forged", "readonly" };
static const DWORD step11_want[3] = { ERROR_BAD_LENGTH, ERROR_INVALID_DATA,
                                      ERROR_ACCESS_DENIED };

static const obs_col step11_cols[] = {
    { "case", IDS_COL_SQUATTER_MADE, OBS_TEXT, 0, 0 },
    { "dll", IDS_COL_DLL, OBS_TEXT, 0, 0 },
    { "result", IDS_COL_RESULT, OBS_TEXT, 0, 0 },
    { "found", IDS_COL_FOUND, OBS_INT, 0, 0 },
    { "wrote", IDS_COL_WROTE, OBS_INT, 0, 0 },
    { "untouched", IDS_COL_UNTOUCHED, OBS_BOOL, 0, 0 },
};

/* Creates the squatter's block k under name; *view: its bytes, as the squatter sees them. */
static HANDLE step11_create(int k, const WCHAR *name, BYTE **view)
{
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, FALSE };
    DWORD size = k == 0 ? 64 : MEMSCOPE_BLOCK_SIZE;
    *view = NULL;
    if (k == 2 && !ConvertStringSecurityDescriptorToSecurityDescriptorW(
                      L"D:P(A;;GR;;;WD)", SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL))
        return w32_fail("ConvertStringSecurityDescriptorToSecurityDescriptorW"), NULL;
    HANDLE h = CreateFileMappingW(INVALID_HANDLE_VALUE, k == 2 ? &sa : NULL, PAGE_READWRITE,
                                  0, size, name);
    if (h == NULL)
        w32_fail("CreateFileMappingW");
    if (sa.lpSecurityDescriptor != NULL)
        LocalFree(sa.lpSecurityDescriptor);
    if (h != NULL && (*view = MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0)) != NULL && k < 2) {
        MEMSCOPE_HEADER *hd = (MEMSCOPE_HEADER *)*view;
        memset(*view, 'Z', size);           /* someone else's data, no NUL anywhere */
        if (k == 0) {                       /* (a): a header that looks right, too small */
            hd->magic = MEMSCOPE_MAGIC;
            hd->version = MEMSCOPE_LAYOUT_VERSION;
        } else {                            /* (b): the right size, a wrong magic */
            memcpy(&hd->magic, "FAKE", 4);
        }
        hd->size = MEMSCOPE_BLOCK_SIZE;
    }
    return h;
}

void step11_squat(sup_tour *t, obs_step *s)
{
    char res[3][2][48], key[48], said[3][192];
    obs_cell cell[3][2];        /* res as a table cell: the value, and the words it shows */
    char shown[3][2][48];       /* ... and those words, for the verdict */
    DWORD ms_err[3] = { 0 };
    BOOL untouched_all = TRUE;

    obs_begin(s, 11, msg(IDS_S11_CLAIM));
    /* The tour creates each name first; then a fresh child loads level 0 on it, and another
     * memscope.dll. found / wrote: characters level 0 read there / wrote. */
    obs_table *tab = OBS_TABLE(s, "squatters", msg(IDS_S11_TITLE_SQUATTERS_2), step11_cols);
    for (int k = 0; k < 3; k++)
        for (int m = 0; m < 2; m++) {
            WCHAR name[MEMSCOPE_NAME_MAX + 1];
            char name8[3 * MEMSCOPE_NAME_MAX + 1];
            BYTE *view, before[STEP11_SEEN];
            long long found = -1, wrote = -1;
            sup_child c;
            swprintf(name, ARRAYSIZE(name), L"%ls.why11-%hs-%d", t->name, step11_key[k], m);
            w32_to_utf8(name, name8, sizeof name8);
            HANDLE h = step11_create(k, name, &view);
            size_t seen = k == 0 ? 64 : STEP11_SEEN;
            if (view != NULL)
                memcpy(before, view, seen);
            snprintf(res[k][m], sizeof res[k][m], "%s", "not run");
            cell[k][m] = obs_word(res[k][m], IDS_S11_W_NOT_RUN_27);
            if (h != NULL && sup_spawn(t, &c, t->procs + 1, m == 0 ? t->name : name)) {
                if (sup_ask(&c, m == 0 ? "whyl0 %s" : "whystatus", name8)) {
                    DWORD e = (DWORD)proto_num(c.reply, "err", ERROR_INVALID_FUNCTION);
                    if (m == 0 && proto_num(c.reply, "loaded", 0)) {
                        found = proto_num(c.reply, "found", -1);
                        wrote = proto_num(c.reply, "wrote", -1);
                        snprintf(res[k][m], sizeof res[k][m], "%s", "used it");
                        cell[k][m] = obs_word(res[k][m], IDS_S11_W_USED_26);
                    } else {
                        char err[32];
                        snprintf(res[k][m], sizeof res[k][m], "%s",
                                 w32_error_name(e, err, sizeof err));
                        cell[k][m] = tour_error_cell(e);
                    }
                    if (m == 1)
                        ms_err[k] = e;
                    sup_stop(&c);
                } else if (c.state == SUP_DEAD || c.state == SUP_HUNG) {
                    snprintf(res[k][m], sizeof res[k][m], "died 0x%lx",
                             (unsigned long)c.exit_code);
                    cell[k][m] = obs_word_n(res[k][m], IDS_S11_W_DIED_28, c.exit_code);
                } else {
                    sup_kill(&c, 0xDEADu);
                }
            }
            BOOL same = view != NULL && memcmp(before, view, seen) == 0;
            if (m == 1)
                untouched_all = untouched_all && same;
            OBS_ROW(tab, obs_word(step11_case[k], step11_case_say[k]),
                    m == 0 ? obs_word("level 0", IDS_WHY_LEVEL0) : obs_text("memscope"),
                    cell[k][m], found >= 0 ? obs_int(found) : obs_absent(),
                    wrote >= 0 ? obs_int(wrote) : obs_absent(),
                    view != NULL ? obs_bool(same) : obs_absent());
            snprintf(key, sizeof key, "%s_%s", step11_key[k], m == 0 ? "level0" : "memscope");
            obs_fact_add(s, key, obs_text(res[k][m]));
            snprintf(key, sizeof key, "%s_%s_untouched", step11_key[k],
                     m == 0 ? "level0" : "memscope");
            obs_fact_add(s, key, obs_bool(same));
            /* The text table's words for res, for the verdict's sentences. */
            obs_text_shown(&cell[k][m], shown[k][m], sizeof shown[k][m]);
            if (m == 0 && found >= 0)
                /* %s it read %lld characters and wrote %lld (%lld bytes) */
                snprintf(said[k], sizeof said[k], msg(IDS_S11_SAID_READ_6),
                         msg(step11_on_case[k]), found, wrote, 2 * wrote + 2);
            else if (m == 0)
                /* %s, %s */
                snprintf(said[k], sizeof said[k], msg(IDS_S11_SAID_ERR_7),
                         msg(step11_on_case[k]), shown[k][m]);
            if (view != NULL && !UnmapViewOfFile(view))
                w32_fail("UnmapViewOfFile");
            if (h != NULL && !CloseHandle(h))
                w32_fail("CloseHandle");
        }
    /* level 0 in a child of its own each time, so a crash would only end that child; names
     * %s.why11-*. */
    obs_note(s, msg(IDS_S11_NOTE_3), t->name8);
    if (ms_err[0] == step11_want[0] && ms_err[1] == step11_want[1] &&
        ms_err[2] == step11_want[2] && untouched_all)
        /* memscope refused all three (ERROR_BAD_LENGTH, ERROR_INVALID_DATA,
         * ERROR_ACCESS_DENIED) and wrote nothing. Level 0: %s; %s; %s. */
        obs_verdict(s, OBS_HOLDS, msg(IDS_S11_V_HOLDS_4), said[0], said[1], said[2]);
    else
        /* memscope answered %s, %s and %s (wanted ERROR_BAD_LENGTH, ERROR_INVALID_DATA,
         * ERROR_ACCESS_DENIED), or wrote into a block. */
        obs_verdict(s, OBS_FAILS, msg(IDS_S11_V_FAILS_5), shown[0][1], shown[1][1],
                    shown[2][1]);
}
