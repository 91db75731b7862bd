/*
 * child.c: `memscope.exe tour-child`: reads one command a line and runs it (see child.h).
 *
 *   hello                  its attachment: pid, created, creator, view, name, DLL base
 *   openbyname             step 3: OpenFileMapping by name; is it the same section?
 *   alloc / peek A...      step 1: four allocators / what is at another's numbers here
 *   dllalloc / peektext A  step 2: the DLL allocates / what is at another's text address
 *   view, mapany KB, isfree A, mapat A, unmapfixed, fixedadd V, readviews   step 4's views
 *   probe A...             step 5: what a process that never mapped the block finds
 *   fileopen PATH NAME, filewrite K RUN, fileflushview, fileflushbuffers, fileclose
 *                          step 6's file-backed mapping
 *   holdopen NAME, holdunmap, holdclose, openread NAME     step 6's release of the block
 *   state, arm EVENT, race MODE N, image                                    steps 6 to 8
 *   hang / crash           misbehaves on purpose (the tour's --fault)
 *   exit                   answers, then returns from main (the DLL detaches)
 */
#include <stdio.h>
#include <string.h>

#include "../tour.h"
#include "child.h"
#include "proto.h"
#include "win32.h"

#define TC_ARGS_MAX 32

static const struct { const char *name; tc_command *run; } tc_commands[] = {
    { "hello", tc_hello },              { "openbyname", tc_openbyname },
    { "alloc", tc_alloc },              { "peek", tc_peek },
    { "dllalloc", tc_dllalloc },        { "peektext", tc_peektext },
    { "view", tc_view },                { "mapany", tc_mapany },
    { "isfree", tc_isfree },            { "mapat", tc_mapat },
    { "unmapfixed", tc_unmapfixed },    { "fixedadd", tc_fixedadd },
    { "readviews", tc_readviews },      { "probe", tc_probe },
    { "fileopen", tc_fileopen },        { "filewrite", tc_filewrite },
    { "fileflushview", tc_fileflushview },
    { "fileflushbuffers", tc_fileflushbuffers },
    { "fileclose", tc_fileclose },      { "holdopen", tc_holdopen },
    { "holdunmap", tc_holdunmap },      { "holdclose", tc_holdclose },
    { "openread", tc_openread },        { "state", tc_state },
    { "arm", tc_arm },                  { "race", tc_race },
    { "image", tc_image },
    { "whywrite", tc_whywrite },        { "whyread", tc_whyread },
    { "whyhold", tc_whyhold },          { "whytake", tc_whytake },
    { "whyopen", tc_whyopen },          { "whyl0", tc_whyl0 },
    { "whystatus", tc_whystatus },
};

/* Splits line into at most TC_ARGS_MAX space-separated words. */
static int tc_split(char *line, char **argv)
{
    int argc = 0;
    for (char *tok = strtok(line, " \r\n"); tok != NULL && argc < TC_ARGS_MAX;
         tok = strtok(NULL, " \r\n"))
        argv[argc++] = tok;
    return argc;
}

int tour_child_main(void)
{
    static char line[TOUR_LINE_MAX];
    char *argv[TC_ARGS_MAX];

    /* A crash must end this child, not open a dialog box nobody will close. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    while (fgets(line, sizeof line, stdin) != NULL) {
        int argc = tc_split(line, argv);
        const char *c = argc > 0 ? argv[0] : "";
        size_t k = 0;
        while (k < ARRAYSIZE(tc_commands) && strcmp(c, tc_commands[k].name) != 0)
            k++;
        if (k < ARRAYSIZE(tc_commands)) {
            tc_commands[k].run(argc - 1, argv + 1);
        } else if (strcmp(c, "hang") == 0) {
            Sleep(INFINITE);
        } else if (strcmp(c, "crash") == 0) {
            /* A crash, simulated: the process ends abruptly, with no DLL_PROCESS_DETACH and
             * no answer, as after an access violation (a real one would start winedbg). */
            if (!TerminateProcess(GetCurrentProcess(), 0xC0000005u))
                w32_fail("TerminateProcess");
        } else if (strcmp(c, "exit") == 0) {
            tc_reply("%s", "");
            break;
        } else {
            msg_printf("err unknown command '%s'\n", c);
            fflush(stdout);
        }
    }
    /* Returning unloads nothing by hand: the DLL detaches as the process exits (its views
     * and handles go with the process, like those of a process that crashed). */
    return 0;
}
