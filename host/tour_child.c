/*
 * tour_child.c: the child's side of the tour (`memscope.exe tour-child`, started only by
 * `memscope tour`).
 *
 * The child is an ordinary process that loaded memscope.dll, so its DllMain already created
 * or opened the block named by MEMSCOPE_NAME (the tour's own name).  It reads one command a
 * line on stdin, does it *in its own address space*, and answers one line on stdout:
 * "ok key=value ..." or "err <what failed>".  It reports what it observed (addresses, values,
 * states) and never a conclusion: the parent computes every verdict.  Values that may hold
 * spaces are percent-encoded (tour_enc).
 *
 *   hello                  its attachment: pid, created, creator, view, name, dll base
 *   alloc                  stores pid*10+k in HeapAlloc/VirtualAlloc/GlobalAlloc/LocalAlloc
 *   peek A...              VirtualQuery of each address here, and the 8 bytes there if readable
 *   dllalloc               MemscopeSetPrivateText: the DLL allocates on this process's behalf
 *   peektext A             VirtualQuery of A here, and the text there if readable
 *   view                   the DLL's view of the block
 *   mapany KB              reserves KB of its own, then maps a second view anywhere
 *   isfree A               is [A, A + block size) free here?
 *   mapat A / unmapfixed   a third view with MapViewOfFileEx at A / unmap it
 *   fixedadd V             adds V to the block's counter through the view at A
 *   readviews              the counter read through each of its views
 *   probe A...             what is at A here: free, or whose block (magic, creator, counter)
 *   fileopen PATH NAME     a named mapping backed by the file PATH
 *   filewrite K RUN        writes this child's record into the file's view
 *   fileflush              FlushViewOfFile on that view
 *   fileread RUN           counts the records of run RUN in the file's view
 *   state                  counter, text length, attached processes, racy, locked_total
 *   arm EVENT              opens the tour's named start event
 *   race MODE N            waits for the start event, then N increments (racy|atomic|locked)
 *   image                  +1 on the DLL's ordinary global and on its .shared counter
 *   hang / crash           misbehaves on purpose (the tour's fault injection)
 *   exit                   answers, then returns from main (the DLL detaches)
 */
#include <windows.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "tour.h"

#define TC_LINE_MAX     4096
#define TC_ARGS_MAX     16
#define TC_GO_TIMEOUT   30000   /* ms a racer waits for the start event */
#define TC_FILE_SIZE    4096    /* the file-backed mapping's size */
#define TC_RECORD       32      /* bytes a record in the file */

/* What this child keeps between commands (one thread, no locking needed). */
static struct {
    void *alloc[4];          /* step 1: heap, virtual, global, local */
    HANDLE mapping;          /* the block opened by name (OpenFileMappingW) */
    void *second;            /* the second view (MapViewOfFile) */
    void *fixed;             /* the third view (MapViewOfFileEx at the parent's address) */
    HANDLE go;               /* the start event of the race */
    HANDLE file, file_map;   /* the file-backed mapping (--file) */
    char *file_view;
} g;

/* Replies "ok ..." on one line and flushes: the parent is waiting for it. */
static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...)
{
    va_list ap;
    fputs("ok", stdout);
    if (fmt[0] != 0)
        putchar(' ');
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

/* Replies "err CALL: <system message> (code)". */
static void reply_err(const char *call, DWORD err)
{
    char msg[256];
    DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL,
                             err, 0, msg, sizeof msg, NULL);
    while (n > 0 && (msg[n - 1] == '\r' || msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = 0;
    if (n == 0)
        snprintf(msg, sizeof msg, "error %lu", (unsigned long)err);
    printf("err %s: %s (%lu)\n", call, msg, (unsigned long)err);
    fflush(stdout);
}

/* Percent-encodes s (UTF-8) into out: anything but [A-Za-z0-9._:/-] becomes %XX, so a
 * value never holds a space. */
static const char *tour_enc(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s && n + 4 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '.' || ch == '_' || ch == ':' || ch == '/' || ch == '-') {
            out[n++] = (char)ch;
        } else {
            out[n++] = '%';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    out[n] = 0;
    return out;
}

/* The inverse, in place. */
static void tour_dec(char *s)
{
    char *w = s;
    for (; *s; s++) {
        if (s[0] == '%' && s[1] && s[2]) {
            char h[3] = { s[1], s[2], 0 };
            *w++ = (char)strtoul(h, NULL, 16);
            s += 2;
        } else {
            *w++ = *s;
        }
    }
    *w = 0;
}

static uintptr_t addr_arg(const char *s)
{
    return (uintptr_t)strtoull(s, NULL, 0);
}

static const char *state_name(DWORD state)
{
    return state == MEM_FREE ? "free" : state == MEM_RESERVE ? "reserve" : "commit";
}

/* Can this process read n bytes at p?  Asks VirtualQuery, so a foreign address that means
 * nothing here is looked at, never dereferenced blindly.  OUT *mbi: what VirtualQuery said.
 * Returns FALSE when VirtualQuery fails (address outside user space) or p is not readable. */
static BOOL readable(const void *p, SIZE_T n, MEMORY_BASIC_INFORMATION *mbi)
{
    const DWORD rd = PAGE_READONLY | PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READ |
                     PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY;
    if (VirtualQuery(p, mbi, sizeof *mbi) == 0) {
        mbi->State = MEM_FREE;
        return FALSE;
    }
    return mbi->State == MEM_COMMIT && (mbi->Protect & rd) && !(mbi->Protect & PAGE_GUARD) &&
           (const char *)p + n <= (const char *)mbi->BaseAddress + mbi->RegionSize;
}

static void name_of_block(WCHAR *name)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    MemscopeGetInfo(&info);
    wcscpy(name, info.name);
}

static void cmd_hello(void)
{
    MEMSCOPE_INFO info = { .cbSize = sizeof info };
    char name[MEMSCOPE_NAME_MAX * 3 + 1], enc[sizeof name * 3];
    DWORD open_err = ERROR_SUCCESS;
    MemscopeGetInfo(&info);
    WideCharToMultiByte(CP_UTF8, 0, info.name, -1, name, sizeof name, NULL, NULL);
    /* The other way to reach a named mapping: open it by name.  Closed at once. */
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, info.name);
    if (h == NULL)
        open_err = GetLastError();
    else
        CloseHandle(h);
    reply("pid=%lu status=%lu created=%d creator=%lu view=0x%" PRIxPTR " size=%lu "
          "name=%s openbyname=%lu dll=0x%" PRIxPTR,
          (unsigned long)info.pid, (unsigned long)info.status, info.createdHere ? 1 : 0,
          (unsigned long)info.creatorPid, (uintptr_t)info.view, (unsigned long)info.cbView,
          tour_enc(name, enc, sizeof enc), (unsigned long)open_err,
          (uintptr_t)GetModuleHandleW(L"memscope.dll"));
}

/* Step 1: one 8-byte value in memory from each of the four allocators. */
static void cmd_alloc(void)
{
    static const char *names[4] = { "heap", "virtual", "global", "local" };
    uint64_t base = (uint64_t)GetCurrentProcessId() * 10;
    char line[512] = "";
    if ((g.alloc[0] = HeapAlloc(GetProcessHeap(), 0, 8)) == NULL) {
        reply_err("HeapAlloc", ERROR_NOT_ENOUGH_MEMORY);  /* HeapAlloc sets no last error */
        return;
    }
    if ((g.alloc[1] = VirtualAlloc(NULL, 8, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE)) == NULL) {
        reply_err("VirtualAlloc", GetLastError());
        return;
    }
    if ((g.alloc[2] = GlobalAlloc(GMEM_FIXED, 8)) == NULL) {
        reply_err("GlobalAlloc", GetLastError());
        return;
    }
    /* cppcheck-suppress LocalAllocCalled ; LocalAlloc is one of the four allocators step 1
     * shows on purpose (the seed names it); a program would use HeapAlloc */
    if ((g.alloc[3] = LocalAlloc(LMEM_FIXED, 8)) == NULL) {
        reply_err("LocalAlloc", GetLastError());
        return;
    }
    for (int k = 0; k < 4; k++) {
        *(volatile uint64_t *)g.alloc[k] = base + (uint64_t)k + 1;
        /* Read back through the same pointer: the owner sees its value. */
        uint64_t v = *(volatile uint64_t *)g.alloc[k];
        snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s=0x%" PRIxPTR
                 " %sv=%" PRIu64, k ? " " : "", names[k], (uintptr_t)g.alloc[k], names[k], v);
    }
    reply("%s", line);
}

/* Looks at addresses that belong to *another* process's allocations. */
static void cmd_peek(int argc, char **argv)
{
    char line[1024] = "";
    for (int i = 0; i < argc; i++) {
        MEMORY_BASIC_INFORMATION mbi;
        void *p = (void *)addr_arg(argv[i]);
        size_t n = strlen(line);
        if (readable(p, 8, &mbi))
            snprintf(line + n, sizeof line - n, "%ss%d=commit v%d=%" PRIu64, i ? " " : "", i + 1,
                     i + 1, *(volatile uint64_t *)p);
        else
            snprintf(line + n, sizeof line - n, "%ss%d=%s v%d=-", i ? " " : "", i + 1,
                     mbi.State == MEM_COMMIT ? "noaccess" : state_name(mbi.State), i + 1);
    }
    reply("%s", line);
}

/* Step 2: the DLL allocates (HeapAlloc inside memscope.dll) on this process's behalf. */
static void cmd_dllalloc(void)
{
    WCHAR text[64], back[64];
    char utf8[64];
    void *addr = NULL;
    DWORD err;
    swprintf(text, 64, L"private-of-%lu", (unsigned long)GetCurrentProcessId());
    if ((err = MemscopeSetPrivateText(text, (DWORD)wcslen(text))) != ERROR_SUCCESS) {
        reply_err("MemscopeSetPrivateText", err);
        return;
    }
    if ((err = MemscopeGetPrivateText(back, 64, NULL, &addr)) != ERROR_SUCCESS) {
        reply_err("MemscopeGetPrivateText", err);
        return;
    }
    WideCharToMultiByte(CP_UTF8, 0, back, -1, utf8, sizeof utf8, NULL, NULL);
    reply("addr=0x%" PRIxPTR " text=%s", (uintptr_t)addr, utf8);
}

static void cmd_peektext(const char *arg)
{
    MEMORY_BASIC_INFORMATION mbi;
    const WCHAR *p = (const WCHAR *)addr_arg(arg);
    char utf8[3 * 32 + 1], enc[sizeof utf8 * 3];
    if (!readable(p, 32 * sizeof(WCHAR), &mbi)) {
        reply("s=%s text=-", mbi.State == MEM_COMMIT ? "noaccess" : state_name(mbi.State));
        return;
    }
    WCHAR w[33];
    memcpy(w, p, 32 * sizeof(WCHAR));
    w[32] = 0;
    for (int i = 0; i < 32 && w[i]; i++)       /* keep the line printable */
        if (w[i] < 32 || w[i] > 126)
            w[i] = L'.';
    WideCharToMultiByte(CP_UTF8, 0, w, -1, utf8, sizeof utf8, NULL, NULL);
    reply("s=commit text=%s", tour_enc(utf8, enc, sizeof enc));
}

static void cmd_view(void)
{
    void *view = NULL;
    SIZE_T size = 0;
    DWORD err = MemscopeViewAddress(&view, &size);
    if (err != ERROR_SUCCESS) {
        reply_err("MemscopeViewAddress", err);
        return;
    }
    reply("view=0x%" PRIxPTR " size=%lu", (uintptr_t)view, (unsigned long)size);
}

/* Opens the block by name (once) for the views this file maps itself. */
static BOOL open_block(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    if (g.mapping != NULL)
        return TRUE;
    name_of_block(name);
    g.mapping = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
    if (g.mapping == NULL) {
        reply_err("OpenFileMappingW", GetLastError());
        return FALSE;
    }
    return TRUE;
}

/* Step 4: real processes differ in what they allocated before they map a view; reserving
 * a different amount of address space first stands for that.  Then MapViewOfFile picks the
 * address: the same pages, at an address this process alone decided.  The reservation is
 * kept while the view is (until the child exits), as a real program's allocations would be;
 * if no view was mapped it is released. */
static void cmd_mapany(const char *arg)
{
    SIZE_T kb = (SIZE_T)strtoul(arg, NULL, 0);
    void *reserved = NULL;
    if (kb > 0 && (reserved = VirtualAlloc(NULL, kb * 1024, MEM_RESERVE, PAGE_NOACCESS)) == NULL) {
        reply_err("VirtualAlloc", GetLastError());
        return;
    }
    if (!open_block())
        goto failed;
    if (g.second == NULL &&
        (g.second = MapViewOfFile(g.mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0)) == NULL) {
        reply_err("MapViewOfFile", GetLastError());
        goto failed;
    }
    reply("reserved=0x%" PRIxPTR " second=0x%" PRIxPTR, (uintptr_t)reserved,
          (uintptr_t)g.second);
    return;
failed:     /* already answered "err ..." */
    if (reserved != NULL && !VirtualFree(reserved, 0, MEM_RELEASE))
        host_fail("VirtualFree", GetLastError());     /* on stderr: stdout is the answer */
}

static void cmd_isfree(const char *arg)
{
    MEMORY_BASIC_INFORMATION mbi;
    void *p = (void *)addr_arg(arg);
    if (VirtualQuery(p, &mbi, sizeof mbi) == 0) {
        reply_err("VirtualQuery", GetLastError());
        return;
    }
    BOOL free_here = mbi.State == MEM_FREE &&
                     (char *)p + MEMSCOPE_BLOCK_SIZE <= (char *)mbi.BaseAddress + mbi.RegionSize;
    reply("free=%d state=%s", free_here ? 1 : 0, state_name(mbi.State));
}

static void cmd_mapat(const char *arg)
{
    void *want = (void *)addr_arg(arg);
    if (!open_block())
        return;
    if (g.fixed != NULL) {
        reply("fixed=0x%" PRIxPTR, (uintptr_t)g.fixed);
        return;
    }
    g.fixed = MapViewOfFileEx(g.mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0, want);
    if (g.fixed == NULL) {
        reply_err("MapViewOfFileEx", GetLastError());
        return;
    }
    reply("fixed=0x%" PRIxPTR, (uintptr_t)g.fixed);
}

static void cmd_unmapfixed(void)
{
    if (g.fixed != NULL && !UnmapViewOfFile(g.fixed)) {
        reply_err("UnmapViewOfFile", GetLastError());
        return;
    }
    g.fixed = NULL;
    reply("%s", "");
}

static volatile LONG64 *counter_in(void *view)
{
    return (volatile LONG64 *)&((MEMSCOPE_BLOCK *)view)->counter;
}

/* Writes through the view at the parent's address: the block's counter is an [atomic]
 * field, so an interlocked add is the right way to write it from any view. */
static void cmd_fixedadd(const char *arg)
{
    if (g.fixed == NULL) {
        reply_err("fixedadd (no view at the chosen address)", ERROR_INVALID_HANDLE);
        return;
    }
    LONG64 add = strtoll(arg, NULL, 0);
    LONG64 v = InterlockedExchangeAdd64(counter_in(g.fixed), add) + add;
    reply("value=%lld", (long long)v);
}

/* The counter as each of this process's views shows it. */
static void cmd_readviews(void)
{
    LONGLONG dll = -1;
    DWORD err = MemscopeCounterRead(&dll);
    if (err != ERROR_SUCCESS) {
        reply_err("MemscopeCounterRead", err);
        return;
    }
    long long second = g.second ? (long long)InterlockedCompareExchange64(counter_in(g.second),
                                                                          0, 0) : -1;
    long long fixed = g.fixed ? (long long)InterlockedCompareExchange64(counter_in(g.fixed),
                                                                        0, 0) : -1;
    reply("dll=%lld second=%lld fixed=%lld", (long long)dll, second, fixed);
}

/* Step 5: what is at these addresses in a process that never mapped the tour's block. */
static void cmd_probe(int argc, char **argv)
{
    char line[2048] = "";
    for (int i = 0; i < argc; i++) {
        MEMORY_BASIC_INFORMATION mbi;
        const MEMSCOPE_BLOCK *b = (const MEMSCOPE_BLOCK *)addr_arg(argv[i]);
        size_t n = strlen(line);
        if (readable(b, offsetof(MEMSCOPE_BLOCK, counter) + 8, &mbi))
            snprintf(line + n, sizeof line - n, "%ss%d=commit m%d=%d c%d=%lu n%d=%lld",
                     i ? " " : "", i + 1, i + 1, b->header.magic == MEMSCOPE_MAGIC, i + 1,
                     (unsigned long)b->header.creator_pid, i + 1, (long long)b->counter);
        else
            snprintf(line + n, sizeof line - n, "%ss%d=%s", i ? " " : "", i + 1,
                     mbi.State == MEM_COMMIT ? "noaccess" : state_name(mbi.State));
    }
    reply("%s", line);
}

/* Step 6 with --file: a named mapping backed by a file instead of the paging file. */
static void cmd_fileopen(char *path, char *name)
{
    WCHAR wpath[MAX_PATH], wname[MEMSCOPE_NAME_MAX + 16];
    tour_dec(path);
    tour_dec(name);
    MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, MAX_PATH);
    MultiByteToWideChar(CP_UTF8, 0, name, -1, wname, ARRAYSIZE(wname));
    if (g.file_view != NULL) {
        reply_err("fileopen (already open)", ERROR_ALREADY_INITIALIZED);
        return;
    }
    g.file = CreateFileW(wpath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (g.file == INVALID_HANDLE_VALUE) {
        g.file = NULL;
        reply_err("CreateFileW", GetLastError());
        return;
    }
    /* The size extends a shorter file; the name lets the other children share the one
     * mapping object (and its pages) rather than each mapping the file on its own. */
    g.file_map = CreateFileMappingW(g.file, NULL, PAGE_READWRITE, 0, TC_FILE_SIZE, wname);
    if (g.file_map == NULL) {
        reply_err("CreateFileMappingW", GetLastError());
        return;
    }
    BOOL created = GetLastError() != ERROR_ALREADY_EXISTS;
    g.file_view = MapViewOfFile(g.file_map, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (g.file_view == NULL) {
        reply_err("MapViewOfFile", GetLastError());
        return;
    }
    reply("created=%d view=0x%" PRIxPTR, created ? 1 : 0, (uintptr_t)g.file_view);
}

/* Record k of the file: 32 bytes of text at offset 32*k, so a hex dump reads as lines. */
static void cmd_filewrite(const char *k_arg, const char *run)
{
    char rec[TC_RECORD + 1], *end;
    long k = strtol(k_arg, &end, 10);
    if (g.file_view == NULL || end == k_arg || *end != 0 || k < 1 ||
        (k + 1) * TC_RECORD > TC_FILE_SIZE) {
        reply_err("filewrite", ERROR_INVALID_PARAMETER);
        return;
    }
    snprintf(rec, sizeof rec, "%-31s\n", "memscope tour file: a record/line");
    memcpy(g.file_view, rec, TC_RECORD);       /* every child writes the same header */
    char body[96];
    snprintf(body, sizeof body, "child %-2ld pid %-5lu run %s", k,
             (unsigned long)GetCurrentProcessId(), run);
    snprintf(rec, sizeof rec, "%-31.31s\n", body);
    memcpy(g.file_view + (size_t)k * TC_RECORD, rec, TC_RECORD);
    reply("%s", "");
}

static void cmd_fileflush(void)
{
    if (g.file_view == NULL) {
        reply_err("fileflush", ERROR_INVALID_HANDLE);
        return;
    }
    /* Writes the view's dirty pages to the file now, while every view stays mapped. */
    if (!FlushViewOfFile(g.file_view, 0)) {
        reply_err("FlushViewOfFile", GetLastError());
        return;
    }
    reply("%s", "");
}

static void cmd_fileread(const char *run)
{
    int found = 0;
    char tag[64];
    if (g.file_view == NULL) {
        reply_err("fileread", ERROR_INVALID_HANDLE);
        return;
    }
    snprintf(tag, sizeof tag, "run %s", run);
    for (int k = 1; (k + 1) * TC_RECORD <= TC_FILE_SIZE; k++) {
        char rec[TC_RECORD + 1];
        memcpy(rec, g.file_view + (size_t)k * TC_RECORD, TC_RECORD);
        rec[TC_RECORD] = 0;
        if (strncmp(rec, "child ", 6) == 0 && strstr(rec, tag) != NULL)
            found++;
    }
    reply("records=%d", found);
}

static void cmd_state(void)
{
    LONGLONG counter = -1;
    DWORD len = 0, attached = 0, err;
    MEMSCOPE_LOCK_STATE st;
    if ((err = MemscopeCounterRead(&counter)) != ERROR_SUCCESS ||
        ((err = MemscopeGetText(NULL, 0, &len)) != ERROR_SUCCESS &&
         err != ERROR_INSUFFICIENT_BUFFER) ||
        (err = MemscopeAttachedCount(&attached)) != ERROR_SUCCESS ||
        (err = MemscopeLockState(&st)) != ERROR_SUCCESS) {
        reply_err("reading the block", err);
        return;
    }
    reply("counter=%lld textlen=%lu attached=%lu racy=%lld locked=%lld", (long long)counter,
          (unsigned long)len, (unsigned long)attached, (long long)st.racy,
          (long long)st.lockedTotal);
}

static void cmd_arm(const char *event)
{
    if (g.go != NULL)
        CloseHandle(g.go);
    g.go = OpenEventA(SYNCHRONIZE, FALSE, event);
    if (g.go == NULL) {
        reply_err("OpenEventA", GetLastError());
        return;
    }
    reply("%s", "");
}

/* Step 7: all racers wait on one manual-reset event, so they start together and really
 * overlap; each then does its N increments in the chosen way. */
static void cmd_race(const char *mode, const char *n_arg)
{
    long n = strtol(n_arg, NULL, 0);
    LARGE_INTEGER t0, t1;
    DWORD err = ERROR_SUCCESS;
    if (g.go == NULL) {
        reply_err("race (not armed)", ERROR_INVALID_HANDLE);
        return;
    }
    DWORD w = WaitForSingleObject(g.go, TC_GO_TIMEOUT);
    if (w != WAIT_OBJECT_0) {
        reply_err("WaitForSingleObject(start event)", w == WAIT_FAILED ? GetLastError()
                                                                        : ERROR_TIMEOUT);
        return;
    }
    QueryPerformanceCounter(&t0);
    if (strcmp(mode, "racy") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeRacyIncrement(NULL);
    else if (strcmp(mode, "atomic") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeCounterIncrement(NULL);
    else if (strcmp(mode, "locked") == 0)
        for (long k = 0; k < n && err == ERROR_SUCCESS; k++)
            err = MemscopeLockedIncrement(NULL);
    else
        err = ERROR_INVALID_PARAMETER;
    QueryPerformanceCounter(&t1);
    if (err != ERROR_SUCCESS) {
        reply_err(mode, err);
        return;
    }
    reply("n=%ld t0=%lld t1=%lld", n, (long long)t0.QuadPart, (long long)t1.QuadPart);
}

/* Step 8: the DLL image's two counters. */
static void cmd_image(void)
{
    LONG global = 0, section = 0;
    MemscopeGlobalIncrement(&global);
    MemscopeSectionIncrement(&section);
    reply("global=%ld section=%ld dll=0x%" PRIxPTR, (long)global, (long)section,
          (uintptr_t)GetModuleHandleW(L"memscope.dll"));
}

/* Splits line into at most TC_ARGS_MAX space-separated words. */
static int split(char *line, char **argv)
{
    int argc = 0;
    for (char *tok = strtok(line, " \r\n"); tok && argc < TC_ARGS_MAX; tok = strtok(NULL, " \r\n"))
        argv[argc++] = tok;
    return argc;
}

int tour_child_main(void)
{
    static char line[TC_LINE_MAX];
    char *argv[TC_ARGS_MAX];

    /* A crash must end this child, not open a dialog box nobody will close. */
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    while (fgets(line, sizeof line, stdin) != NULL) {
        int argc = split(line, argv);
        const char *c = argc > 0 ? argv[0] : "";
        const char *a1 = argc > 1 ? argv[1] : "", *a2 = argc > 2 ? argv[2] : "";
        if (strcmp(c, "hello") == 0)            cmd_hello();
        else if (strcmp(c, "alloc") == 0)       cmd_alloc();
        else if (strcmp(c, "peek") == 0)        cmd_peek(argc - 1, argv + 1);
        else if (strcmp(c, "dllalloc") == 0)    cmd_dllalloc();
        else if (strcmp(c, "peektext") == 0)    cmd_peektext(a1);
        else if (strcmp(c, "view") == 0)        cmd_view();
        else if (strcmp(c, "mapany") == 0)      cmd_mapany(a1);
        else if (strcmp(c, "isfree") == 0)      cmd_isfree(a1);
        else if (strcmp(c, "mapat") == 0)       cmd_mapat(a1);
        else if (strcmp(c, "unmapfixed") == 0)  cmd_unmapfixed();
        else if (strcmp(c, "fixedadd") == 0)    cmd_fixedadd(a1);
        else if (strcmp(c, "readviews") == 0)   cmd_readviews();
        else if (strcmp(c, "probe") == 0)       cmd_probe(argc - 1, argv + 1);
        else if (strcmp(c, "fileopen") == 0 && argc == 3) cmd_fileopen(argv[1], argv[2]);
        else if (strcmp(c, "filewrite") == 0)   cmd_filewrite(a1, a2);
        else if (strcmp(c, "fileflush") == 0)   cmd_fileflush();
        else if (strcmp(c, "fileread") == 0)    cmd_fileread(a1);
        else if (strcmp(c, "state") == 0)       cmd_state();
        else if (strcmp(c, "arm") == 0)         cmd_arm(a1);
        else if (strcmp(c, "race") == 0)        cmd_race(a1, a2);
        else if (strcmp(c, "image") == 0)       cmd_image();
        else if (strcmp(c, "hang") == 0)        Sleep(INFINITE);
        /* A crash, simulated: the process ends abruptly, with no DLL_PROCESS_DETACH and
         * no reply, as after an access violation (a real one would start winedbg). */
        else if (strcmp(c, "crash") == 0)       TerminateProcess(GetCurrentProcess(), 0xC0000005u);
        else if (strcmp(c, "exit") == 0) {
            reply("%s", "");
            break;
        } else {
            printf("err unknown command '%s'\n", c);
            fflush(stdout);
        }
    }
    /* Returning unloads nothing by hand: the DLL detaches as the process exits (its views
     * and handles go with the process, like those of a process that crashed). */
    return 0;
}
