/*
 * memscope.exe: the command line host of memscope.dll.
 *
 *   memscope [--hold[=SECONDS]] COMMAND [ARGS]
 *     set TEXT        store TEXT in the shared block
 *     get             print the shared text
 *     inc             add 1 to the block's counter (shared by every process)
 *     global          add 1 to an ordinary DLL global (this process's own copy)
 *     section         add 1 to the DLL's .shared section counter (one copy for all)
 *     pset TEXT       keep TEXT in HeapAlloc memory of this process (private)
 *     pget            print this process's private text and its address
 *     hold [SECONDS]  keep the DLL loaded (and so the block alive) for SECONDS, or until
 *                     Ctrl-C when none is given
 *     info            this process: pid, view address, counters, attached processes, and
 *                     the owner and DACL of the mapping and of its lock semaphore, in SDDL
 *     status          the processes attached to the block
 *     tour [OPTIONS]  the guided tour of every claim across child processes (host/tour/)
 *     watch           a live view of the block, refreshed when it changes (watch.c)
 *
 * The block's name comes from MEMSCOPE_NAME (default Local\memscope): the DLL reads it when
 * it loads, before main.  Exit codes: 0 success, 1 the operation failed, 2 bad usage.
 */
#include <windows.h>
#include <aclapi.h>
#include <getopt.h>
#include <sddl.h>
#include <shellapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "msg.h"
#include "tour.h"

static HANDLE g_stop;   /* set by Ctrl-C / Ctrl-Break */

/* Prints a UTF-16 string like all text, through msg_fputs (msg.h): UTF-16 again on a
 * console, UTF-8 into a pipe or a file, so text round-trips whatever the ANSI code page. */
static void put_utf8(const WCHAR *s)
{
    char buf[4 * MEMSCOPE_TEXT_CAPACITY];
    if (WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, sizeof buf, NULL, NULL) == 0)
        strcpy(buf, "?");
    msg_fputs(buf, stdout);
}

static void usage(FILE *f)
{
    msg_fputs(msg(IDS_USAGE), f);
}

/* host_fail: prints a Win32 error with the system's message, for the operation that failed,
 * on stderr.  Returns 1 (the exit code of a failed operation). */
int host_fail(const char *what, DWORD err)
{
    char text[3 * 512];
    msg_eprintf(msg(IDS_ERR_FAILED), what, msg_system(err, text, sizeof text),
                (unsigned long)err);
    return 1;
}

static BOOL WINAPI on_ctrl(DWORD type)
{
    if (type == CTRL_C_EVENT || type == CTRL_BREAK_EVENT) {
        SetEvent(g_stop);
        return TRUE;
    }
    return FALSE;
}

/* Parses SECONDS (1..86400).  Returns FALSE on anything else. */
static BOOL parse_seconds(const char *s, DWORD *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*s == 0 || *end != 0 || v == 0 || v > 86400)
        return FALSE;
    *out = (DWORD)v;
    return TRUE;
}

static int cmd_hold(DWORD seconds)
{
    g_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (g_stop == NULL)
        return host_fail("CreateEventW", GetLastError());
    if (!SetConsoleCtrlHandler(on_ctrl, TRUE))
        return host_fail("SetConsoleCtrlHandler", GetLastError());
    if (seconds)
        msg_printf(msg(IDS_HOLD_FOR), (unsigned long)seconds);
    else
        msg_fputs(msg(IDS_HOLD_UNTIL), stdout);
    fflush(stdout);
    if (WaitForSingleObject(g_stop, seconds ? seconds * 1000 : INFINITE) == WAIT_FAILED)
        return host_fail("WaitForSingleObject", GetLastError());
    return 0;
}

static int cmd_set(const WCHAR *text)
{
    DWORD err = MemscopeSetText(text, (DWORD)wcslen(text));
    if (err != ERROR_SUCCESS)
        return host_fail("set", err);
    msg_printf(msg(IDS_SET_DONE), (unsigned long)wcslen(text));
    return 0;
}

static int cmd_get(void)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    DWORD len, err = MemscopeGetText(buf, MEMSCOPE_TEXT_CAPACITY, &len);
    if (err != ERROR_SUCCESS)
        return host_fail("get", err);
    put_utf8(buf);
    msg_putchar('\n');
    return 0;
}

static int cmd_inc(void)
{
    LONGLONG v = 0;
    DWORD err = MemscopeCounterIncrement(&v);
    if (err != ERROR_SUCCESS)
        return host_fail("inc", err);
    msg_printf(msg(IDS_INC_DONE), (long long)v);
    return 0;
}

/* global / section: the two counters of the DLL image. */
static int cmd_image_counter(BOOL section)
{
    LONG v = 0;
    if (section) {
        MemscopeSectionIncrement(&v);
        msg_printf(msg(IDS_SECTION_DONE), (long)v);
    } else {
        MemscopeGlobalIncrement(&v);
        msg_printf(msg(IDS_GLOBAL_DONE), (long)v);
    }
    return 0;
}

static int cmd_pset(const WCHAR *text)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    void *addr = NULL;
    DWORD err = MemscopeSetPrivateText(text, (DWORD)wcslen(text));
    if (err != ERROR_SUCCESS)
        return host_fail("pset", err);
    if ((err = MemscopeGetPrivateText(buf, ARRAYSIZE(buf), NULL, &addr)) != ERROR_SUCCESS)
        return host_fail("pget", err);
    msg_printf(msg(IDS_PSET_DONE), addr);
    return 0;
}

static int cmd_pget(void)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    void *addr = NULL;
    DWORD err = MemscopeGetPrivateText(buf, ARRAYSIZE(buf), NULL, &addr);
    if (err != ERROR_SUCCESS)
        return host_fail("pget", err);
    if (addr == NULL) {
        msg_fputs(msg(IDS_PGET_NONE), stdout);
        return 0;
    }
    msg_printf(msg(IDS_PGET_AT), addr);
    put_utf8(buf);
    msg_putchar('\n');
    return 0;
}

/* info's lines: each string is "label\tvalue" (host/strings.rc); the values start in one
 * column, two past the longest label of the chosen language, so a longer French label
 * ("événement du verrou") widens the column rather than touching its value. */
static const UINT info_labels[] = {
    IDS_INFO_PID, IDS_INFO_BLOCK, IDS_INFO_STATUS, IDS_INFO_VIEW, IDS_INFO_CREATOR,
    IDS_INFO_ATTACHED, IDS_INFO_SHARED, IDS_INFO_TEXT, IDS_INFO_COUNTER, IDS_INFO_SECURITY,
    IDS_INFO_LOCK_EVENT, IDS_INFO_PRIVATE, IDS_INFO_PTEXT, IDS_INFO_GLOBAL, IDS_INFO_SECTION,
};

/* The width of the label of string id: its characters before the tab. */
static int info_label_width(UINT id)
{
    char label[128];
    const char *s = msg(id);
    snprintf(label, sizeof label, "%.*s", (int)strcspn(s, "\t"), s);
    return msg_width(label);
}

/* Prints string id (a printf format "label\tvalue") with its value in info's column. */
static void info_line(UINT id, ...)
{
    static int col;
    if (col == 0) {
        for (size_t i = 0; i < ARRAYSIZE(info_labels); i++)
            if (info_label_width(info_labels[i]) > col)
                col = info_label_width(info_labels[i]);
        col += 2;
    }
    char line[4096];
    va_list ap;
    va_start(ap, id);
    vsnprintf(line, sizeof line, msg(id), ap);
    va_end(ap);
    size_t n = strcspn(line, "\t");
    int w = info_label_width(id);
    msg_printf("%.*s%*s%s", (int)n, line, col - w, "", line[n] == '\t' ? line + n + 1 : "");
}

/* Prints the owner and DACL of the named object that open() opens with READ_CONTROL, as
 * SDDL ("O:<owner sid>D:P(A;;<rights>;;;<sid>)...").  GetSecurityInfo loads helper DLLs,
 * which a host may do (the DLL, in DllMain, reads owners with GetKernelObjectSecurity). */
static void print_sddl(UINT label, const WCHAR *name, BOOL semaphore)
{
    HANDLE h = semaphore ? OpenSemaphoreW(READ_CONTROL, FALSE, name)
                         : OpenFileMappingW(READ_CONTROL, FALSE, name);
    PSECURITY_DESCRIPTOR sd = NULL;
    LPWSTR sddl = NULL;
    DWORD err;

    info_line(label);
    if (h == NULL && semaphore && GetLastError() == ERROR_FILE_NOT_FOUND) {
        msg_fputs(msg(IDS_SDDL_NONE_YET), stdout);
        return;
    }
    if (h == NULL) {
        err = GetLastError();
        msg_fputs(msg(IDS_NOT_READABLE), stdout);
        host_fail(semaphore ? "OpenSemaphoreW" : "OpenFileMappingW", err);
        return;
    }
    err = GetSecurityInfo(h, SE_KERNEL_OBJECT,
                          OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                          NULL, NULL, NULL, NULL, &sd);
    if (err != ERROR_SUCCESS) {
        msg_fputs(msg(IDS_NOT_READABLE), stdout);
        host_fail("GetSecurityInfo", err);
    } else if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
                   sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                   &sddl, NULL)) {
        msg_fputs(msg(IDS_NOT_READABLE), stdout);
        host_fail("ConvertSecurityDescriptorToStringSecurityDescriptorW", GetLastError());
    } else {
        put_utf8(sddl);
        msg_putchar('\n');
    }
    LocalFree(sddl);
    LocalFree(sd);
    CloseHandle(h);
}

static int cmd_info(void)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    LONG global = 0, section = 0;
    LONGLONG counter = 0;
    DWORD attached = 0, err;
    WCHAR status[512], ptext[MEMSCOPE_TEXT_CAPACITY];
    void *paddr = NULL;

    if ((err = MemscopeGetInfo(&info)) != ERROR_SUCCESS)
        return host_fail("MemscopeGetInfo", err);
    MemscopeStatusText(status, 512, NULL);
    MemscopeImageCounters(&global, &section);
    char name8[3 * (MEMSCOPE_NAME_MAX + 1)];
    info_line(IDS_INFO_PID, (unsigned long)info.pid);
    info_line(IDS_INFO_BLOCK, msg_utf8(info.name, name8, sizeof name8));
    if (info.status == ERROR_SUCCESS) {
        /* The DLL's status text is English (MemscopeStatusText); attached, the host says it
         * in its own words from MEMSCOPE_INFO, the same words in English.  "owner not
         * reported" is known only to that text. */
        char line[3 * 512];
        snprintf(line, sizeof line, msg(IDS_INFO_ATTACHED_TO), name8,
                 msg(info.createdHere ? IDS_INFO_CREATED_HERE : IDS_INFO_OPENED),
                 (unsigned long)info.creatorPid,
                 wcsstr(status, L"; owner not reported") ? msg(IDS_INFO_OWNER_UNKNOWN) : "");
        info_line(IDS_INFO_STATUS, line);
    } else {        /* which call failed, or why the block was refused: the DLL's words */
        char status8[3 * 512];
        info_line(IDS_INFO_STATUS, msg_utf8(status, status8, sizeof status8));
    }
    info_line(IDS_INFO_VIEW, info.view, (unsigned long)info.cbView);
    info_line(IDS_INFO_CREATOR, (unsigned long)info.creatorPid,
           info.createdHere ? msg(IDS_INFO_THIS_PROCESS) : "");
    if (info.status == ERROR_SUCCESS) {
        MemscopeCounterRead(&counter);
        MemscopeAttachedCount(&attached);
        WCHAR text[MEMSCOPE_TEXT_CAPACITY];
        if (MemscopeGetText(text, ARRAYSIZE(text), NULL) != ERROR_SUCCESS)
            text[0] = 0;
        info_line(IDS_INFO_ATTACHED, (unsigned long)attached);
        info_line(IDS_INFO_SHARED);
        info_line(IDS_INFO_TEXT);
        put_utf8(text);
        msg_printf("\"\n");
        info_line(IDS_INFO_COUNTER, (long long)counter);
        WCHAR lock[MEMSCOPE_NAME_MAX + 8];
        swprintf(lock, ARRAYSIZE(lock), L"%ls.lock", info.name);
        print_sddl(IDS_INFO_SECURITY, info.name, FALSE);
        print_sddl(IDS_INFO_LOCK_EVENT, lock, TRUE);
    }
    if (MemscopeGetPrivateText(ptext, ARRAYSIZE(ptext), NULL, &paddr) != ERROR_SUCCESS)
        ptext[0] = 0;
    info_line(IDS_INFO_PRIVATE);
    info_line(IDS_INFO_PTEXT);
    put_utf8(ptext);
    msg_printf(msg(IDS_INFO_PTEXT_END), paddr);
    info_line(IDS_INFO_GLOBAL, (long)global);
    msg_fputs(msg(IDS_INFO_BY_FILE), stdout);
    info_line(IDS_INFO_SECTION, (long)section);
    return info.status == ERROR_SUCCESS ? 0 : host_fail("attach", info.status);
}

static int cmd_status(void)
{
    MEMSCOPE_PROCESS list[MEMSCOPE_SLOTS];
    DWORD n = 0, err = MemscopeListProcesses(list, MEMSCOPE_SLOTS, &n);
    if (err != ERROR_SUCCESS)
        return host_fail("status", err);
    msg_fputs(msg(IDS_STATUS_HEAD), stdout);
    for (DWORD i = 0; i < n; i++) {
        FILETIME ft = { (DWORD)list[i].attachTime, (DWORD)(list[i].attachTime >> 32) };
        SYSTEMTIME st;
        FileTimeToSystemTime(&ft, &st);
        char image[3 * MAX_PATH];
        msg_printf("%-6lu %-8lu %04u-%02u-%02u %02u:%02u:%02u.%03u  %s\n",
                   (unsigned long)list[i].slot, (unsigned long)list[i].pid, st.wYear,
                   st.wMonth, st.wDay, st.wHour, st.wMinute, st.wSecond, st.wMilliseconds,
                   msg_utf8(list[i].image, image, sizeof image));
    }
    msg_printf(msg(IDS_STATUS_COUNT), (unsigned long)n);
    return 0;
}

/* Runs fn on argument `index` of the command line read as UTF-16 (the text as typed, not
 * through the ANSI code page).  Returns fn's exit code, or 1 if the line cannot be read. */
static int with_wide_arg(int argc, int index, int (*fn)(const WCHAR *))
{
    int wargc, rc;
    LPWSTR *wargv = CommandLineToArgvW(GetCommandLineW(), &wargc);
    if (wargv == NULL)
        return host_fail("CommandLineToArgvW", GetLastError());
    if (wargc != argc) {
        msg_fputs(msg(IDS_ERR_CMDLINE), stderr);
        rc = 1;
    } else {
        rc = fn(wargv[index]);
    }
    LocalFree(wargv);
    return rc;
}

/* --lang en|fr, a global option (before the command): read before anything is printed,
 * so even the usage it comes with is in that language.  FALSE after saying what is wrong. */
static BOOL lang_option(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--lang") == 0 && i + 1 < argc)
            v = argv[++i];
        else if (strncmp(argv[i], "--lang=", 7) == 0)
            v = argv[i] + 7;
        else if (strcmp(argv[i], "--hold") == 0 || strncmp(argv[i], "--hold=", 7) == 0)
            continue;
        if (v != NULL && !msg_set_lang(v)) {
            msg_eprintf(msg(IDS_ERR_LANG), v);
            return FALSE;
        }
    }
    return TRUE;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "hold", optional_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "lang", required_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    BOOL hold_after = FALSE;
    DWORD hold_seconds = 0;
    int c, rc;

    /* Text reaches a console through WriteConsoleW (msg.h), which ignores the code page;
     * this is for bytes that still reach it (msg.h's fallback when WriteConsoleW fails),
     * on a Windows console that honours it.  Fails harmlessly when there is no console. */
    SetConsoleOutputCP(CP_UTF8);
    if (!lang_option(argc, argv))
        return EXIT_USAGE;

    /* '+': stop at the command, so argv indices match the wide argument vector below. */
    opterr = 0;     /* getopt's own complaint is English: ours is IDS_ERR_OPTION */
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            hold_after = TRUE;
            if (optarg != NULL && !parse_seconds(optarg, &hold_seconds)) {
                msg_eprintf(msg(IDS_ERR_HOLD_OPT), optarg);
                return EXIT_USAGE;
            }
            break;
        case 'L':
            break;                  /* taken by lang_option, before any message */
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            msg_printf("memscope %s\n", MEMSCOPE_VERSION);
            return 0;
        default:
            msg_eprintf(msg(IDS_ERR_OPTION), argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        msg_fputs(msg(IDS_ERR_NO_COMMAND), stderr);
        usage(stderr);
        return EXIT_USAGE;
    }

    const char *cmd = argv[optind];
    int nargs = argc - optind - 1;
    /* The commands in their own files parse their own options. */
    if (strcmp(cmd, "tour") == 0)
        return tour_main(argc - optind, argv + optind);
    if (strcmp(cmd, TOUR_CHILD_COMMAND) == 0 && nargs == 0)
        return tour_child_main();
    if (strcmp(cmd, "watch") == 0)
        return watch_main(argc - optind, argv + optind);
    if (strcmp(cmd, "set") == 0 && nargs == 1) {
        rc = with_wide_arg(argc, optind + 1, cmd_set);
    } else if (strcmp(cmd, "pset") == 0 && nargs == 1) {
        rc = with_wide_arg(argc, optind + 1, cmd_pset);
    } else if (strcmp(cmd, "get") == 0 && nargs == 0) {
        rc = cmd_get();
    } else if (strcmp(cmd, "pget") == 0 && nargs == 0) {
        rc = cmd_pget();
    } else if (strcmp(cmd, "inc") == 0 && nargs == 0) {
        rc = cmd_inc();
    } else if (strcmp(cmd, "global") == 0 && nargs == 0) {
        rc = cmd_image_counter(FALSE);
    } else if (strcmp(cmd, "section") == 0 && nargs == 0) {
        rc = cmd_image_counter(TRUE);
    } else if (strcmp(cmd, "info") == 0 && nargs == 0) {
        rc = cmd_info();
    } else if (strcmp(cmd, "status") == 0 && nargs == 0) {
        rc = cmd_status();
    } else if (strcmp(cmd, "hold") == 0 && nargs <= 1) {
        if (nargs == 1 && !parse_seconds(argv[optind + 1], &hold_seconds)) {
            msg_eprintf(msg(IDS_ERR_HOLD_ARG), argv[optind + 1]);
            return EXIT_USAGE;
        }
        return cmd_hold(hold_seconds);
    } else {
        msg_eprintf(msg(IDS_ERR_UNKNOWN), cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (rc == 0 && hold_after)
        rc = cmd_hold(hold_seconds);
    return rc;
}
