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
 *                     the owner and DACL of the mapping and of its lock event, in SDDL
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "tour.h"

static HANDLE g_stop;   /* set by Ctrl-C / Ctrl-Break */

/* Prints a UTF-16 string as UTF-8 (the console code page is set to UTF-8 in main), so text
 * round-trips whatever the ANSI code page. */
static void put_utf8(const WCHAR *s)
{
    char buf[4 * MEMSCOPE_TEXT_CAPACITY];
    if (WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, sizeof buf, NULL, NULL) == 0)
        strcpy(buf, "?");
    fputs(buf, stdout);
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: memscope [--hold[=SECONDS]] COMMAND [ARGS]\n"
        "commands:\n"
        "  set TEXT        store TEXT in the shared block\n"
        "  get             print the shared text\n"
        "  inc             add 1 to the block's counter (shared by every process)\n"
        "  global          add 1 to an ordinary DLL global (this process's own copy)\n"
        "  section         add 1 to the DLL's .shared section counter (one for all)\n"
        "  pset TEXT       keep TEXT in this process's heap (private), print its address\n"
        "  pget            print this process's private text and its address\n"
        "  hold [SECONDS]  keep the block alive for SECONDS (default: until Ctrl-C)\n"
        "  info            pid, view address, counters, attached processes, security (SDDL)\n"
        "  status          list the processes attached to the block\n"
        "  tour [OPTIONS]  show every claim across child processes (memscope tour --help)\n"
        "  watch           a live view of the block; q or Ctrl-C to quit\n"
        "options:\n"
        "  --hold[=SECONDS]  after the command, keep the block alive (as `hold`)\n"
        "  -h, --help        this help;  -V, --version  the version\n"
        "The block's name comes from MEMSCOPE_NAME (default Local\\memscope).\n");
}

/* host_fail: prints a Win32 error with the system's message, for the operation that failed,
 * on stderr.  Returns 1 (the exit code of a failed operation). */
int host_fail(const char *what, DWORD err)
{
    WCHAR msg[256];
    DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             err, 0, msg, 256, NULL);
    while (n > 0 && (msg[n - 1] == L'\r' || msg[n - 1] == L'\n'))
        msg[--n] = 0;
    if (n == 0)
        swprintf(msg, 256, L"error %lu", (unsigned long)err);
    fprintf(stderr, "memscope: %s failed: %ls (%lu)\n", what, msg, (unsigned long)err);
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
        printf("holding the block for %lu s (Ctrl-C to stop)\n", (unsigned long)seconds);
    else
        printf("holding the block until Ctrl-C\n");
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
    printf("set %lu characters\n", (unsigned long)wcslen(text));
    return 0;
}

static int cmd_get(void)
{
    WCHAR buf[MEMSCOPE_TEXT_CAPACITY];
    DWORD len, err = MemscopeGetText(buf, MEMSCOPE_TEXT_CAPACITY, &len);
    if (err != ERROR_SUCCESS)
        return host_fail("get", err);
    put_utf8(buf);
    putchar('\n');
    return 0;
}

static int cmd_inc(void)
{
    LONGLONG v = 0;
    DWORD err = MemscopeCounterIncrement(&v);
    if (err != ERROR_SUCCESS)
        return host_fail("inc", err);
    printf("counter %lld (the block's: every process that maps it sees this one)\n",
           (long long)v);
    return 0;
}

/* global / section: the two counters of the DLL image. */
static int cmd_image_counter(BOOL section)
{
    LONG v = 0;
    if (section) {
        MemscopeSectionIncrement(&v);
        printf("section %ld (PE section .shared: one copy for every process that loads "
               "this DLL file)\n", (long)v);
    } else {
        MemscopeGlobalIncrement(&v);
        printf("global %ld (ordinary DLL global: this process's own copy, starts at 0 in "
               "every process)\n", (long)v);
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
    printf("private text set at %p (this process's heap)\n", addr);
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
        printf("no private text in this process\n");
        return 0;
    }
    printf("private text at %p: ", addr);
    put_utf8(buf);
    putchar('\n');
    return 0;
}

/* Prints the owner and DACL of the named object that open() opens with READ_CONTROL, as
 * SDDL ("O:<owner sid>D:P(A;;<rights>;;;<sid>)...").  GetSecurityInfo loads helper DLLs,
 * which a host may do (the DLL, in DllMain, reads owners with GetKernelObjectSecurity). */
static void print_sddl(const char *label, const WCHAR *name, BOOL event)
{
    HANDLE h = event ? OpenEventW(READ_CONTROL, FALSE, name)
                     : OpenFileMappingW(READ_CONTROL, FALSE, name);
    PSECURITY_DESCRIPTOR sd = NULL;
    LPWSTR sddl = NULL;
    DWORD err;

    printf("%-12s ", label);
    if (h == NULL && event && GetLastError() == ERROR_FILE_NOT_FOUND) {
        printf("(none yet: the DLL creates it at the first wait for the lock)\n");
        return;
    }
    if (h == NULL) {
        err = GetLastError();
        printf("(not readable)\n");
        host_fail(event ? "OpenEventW" : "OpenFileMappingW", err);
        return;
    }
    err = GetSecurityInfo(h, SE_KERNEL_OBJECT,
                          OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                          NULL, NULL, NULL, NULL, &sd);
    if (err != ERROR_SUCCESS) {
        printf("(not readable)\n");
        host_fail("GetSecurityInfo", err);
    } else if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(
                   sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                   &sddl, NULL)) {
        printf("(not readable)\n");
        host_fail("ConvertSecurityDescriptorToStringSecurityDescriptorW", GetLastError());
    } else {
        printf("%ls\n", sddl);
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
    printf("pid          %lu\n", (unsigned long)info.pid);
    printf("block        %ls\n", info.name);
    printf("status       %ls\n", status);
    printf("view         %p (%lu bytes)\n", info.view, (unsigned long)info.cbView);
    printf("creator pid  %lu%s\n", (unsigned long)info.creatorPid,
           info.createdHere ? " (this process)" : "");
    if (info.status == ERROR_SUCCESS) {
        MemscopeCounterRead(&counter);
        MemscopeAttachedCount(&attached);
        WCHAR text[MEMSCOPE_TEXT_CAPACITY];
        if (MemscopeGetText(text, ARRAYSIZE(text), NULL) != ERROR_SUCCESS)
            text[0] = 0;
        printf("attached     %lu processes\n", (unsigned long)attached);
        printf("shared:      what every process that maps the block sees\n");
        printf("  text       \"");
        put_utf8(text);
        printf("\"\n");
        printf("  counter    %lld\n", (long long)counter);
        WCHAR lock[MEMSCOPE_NAME_MAX + 8];
        swprintf(lock, ARRAYSIZE(lock), L"%ls.lock", info.name);
        print_sddl("security", info.name, FALSE);
        print_sddl("lock event", lock, TRUE);
    }
    if (MemscopeGetPrivateText(ptext, ARRAYSIZE(ptext), NULL, &paddr) != ERROR_SUCCESS)
        ptext[0] = 0;
    printf("private:     this process's own\n");
    printf("  ptext      \"");
    put_utf8(ptext);
    printf("\" (heap address %p)\n", paddr);
    printf("  global     %ld (ordinary DLL global)\n", (long)global);
    printf("shared by the DLL file:\n");
    printf("  section    %ld (PE section .shared: every process that loads this DLL file; "
           "a demonstration, never ship one)\n", (long)section);
    return info.status == ERROR_SUCCESS ? 0 : host_fail("attach", info.status);
}

static int cmd_status(void)
{
    MEMSCOPE_PROCESS list[MEMSCOPE_SLOTS];
    DWORD n = 0, err = MemscopeListProcesses(list, MEMSCOPE_SLOTS, &n);
    if (err != ERROR_SUCCESS)
        return host_fail("status", err);
    printf("%-6s %-8s %-24s %s\n", "slot", "pid", "attached (UTC)", "image");
    for (DWORD i = 0; i < n; i++) {
        FILETIME ft = { (DWORD)list[i].attachTime, (DWORD)(list[i].attachTime >> 32) };
        SYSTEMTIME st;
        FileTimeToSystemTime(&ft, &st);
        printf("%-6lu %-8lu %04u-%02u-%02u %02u:%02u:%02u.%03u  %ls\n",
               (unsigned long)list[i].slot, (unsigned long)list[i].pid, st.wYear, st.wMonth,
               st.wDay, st.wHour, st.wMinute, st.wSecond, st.wMilliseconds, list[i].image);
    }
    printf("%lu attached\n", (unsigned long)n);
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
        fprintf(stderr, "memscope: could not read the command line as UTF-16\n");
        rc = 1;
    } else {
        rc = fn(wargv[index]);
    }
    LocalFree(wargv);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "hold", optional_argument, NULL, 'H' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    BOOL hold_after = FALSE;
    DWORD hold_seconds = 0;
    int c, rc;

    SetConsoleOutputCP(CP_UTF8);    /* fails harmlessly when stdout is not a console */

    /* '+': stop at the command, so argv indices match the wide argument vector below. */
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'H':
            hold_after = TRUE;
            if (optarg != NULL && !parse_seconds(optarg, &hold_seconds)) {
                fprintf(stderr, "memscope: --hold wants SECONDS from 1 to 86400, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("memscope %s\n", MEMSCOPE_VERSION);
            return 0;
        default:
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "memscope: no command given\n");
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
            fprintf(stderr, "memscope: hold wants SECONDS from 1 to 86400, not '%s'\n",
                    argv[optind + 1]);
            return EXIT_USAGE;
        }
        return cmd_hold(hold_seconds);
    } else {
        fprintf(stderr, "memscope: unknown command or wrong arguments: %s\n", cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (rc == 0 && hold_after)
        rc = cmd_hold(hold_seconds);
    return rc;
}
