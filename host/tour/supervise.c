/*
 * supervise.c: starting, talking to and ending the tour's children (see supervise.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../tour.h"
#include "supervise.h"
#include "win32.h"

/* A message about a child: into the step being recorded, or on stderr between steps. */
static void sup_note(sup_tour *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sup_note(sup_tour *t, const char *fmt, ...)
{
    char text[480];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (t->obs != NULL)
        obs_note(t->obs, "%s", text);
    else
        msg_eprintf("memscope tour: %s\n", text);
}

static void sup_close(HANDLE *h)
{
    if (*h != NULL && *h != INVALID_HANDLE_VALUE && !CloseHandle(*h))
        w32_fail("CloseHandle");
    *h = NULL;
}

/* Creates one direction of a child's stdio: a named pipe (our end, overlapped, so every
 * read and write can time out) and the child's end (inheritable, plain). */
static BOOL sup_pipe(sup_tour *t, BOOL child_reads, HANDLE *ours, HANDLE *theirs)
{
    WCHAR name[96];
    SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
    swprintf(name, 96, L"\\\\.\\pipe\\memscope-tour-%lu-%ld", (unsigned long)GetCurrentProcessId(),
             (long)InterlockedIncrement(&t->pipe_seq));
    *ours = CreateNamedPipeW(name, (child_reads ? PIPE_ACCESS_OUTBOUND : PIPE_ACCESS_INBOUND) |
                             FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
                             PIPE_TYPE_BYTE | PIPE_WAIT, 1, TOUR_LINE_MAX, TOUR_LINE_MAX, 0, NULL);
    if (*ours == INVALID_HANDLE_VALUE) {
        *ours = NULL;
        w32_fail("CreateNamedPipeW");
        return FALSE;
    }
    *theirs = CreateFileW(name, child_reads ? GENERIC_READ : GENERIC_WRITE, 0, &inherit,
                          OPEN_EXISTING, 0, NULL);
    if (*theirs == INVALID_HANDLE_VALUE) {
        *theirs = NULL;
        w32_fail("CreateFileW(pipe)");
        sup_close(ours);
        return FALSE;
    }
    return TRUE;
}

static void sup_close_child(sup_child *c)
{
    sup_close(&c->process);
    sup_close(&c->to);
    sup_close(&c->from);
    sup_close(&c->io_event);
}

/* Waits for the child's process to end, killing it if it will not.  Returns its exit code. */
static DWORD sup_reap(sup_child *c)
{
    DWORD code = TOUR_KILLED_EXIT;
    if (WaitForSingleObject(c->process, c->tour->timeout) != WAIT_OBJECT_0) {
        if (!TerminateProcess(c->process, TOUR_KILLED_EXIT))
            w32_fail("TerminateProcess");
        if (WaitForSingleObject(c->process, c->tour->timeout) != WAIT_OBJECT_0)
            w32_fail("WaitForSingleObject(child process)");
    }
    if (!GetExitCodeProcess(c->process, &code))
        w32_fail("GetExitCodeProcess");
    return code;
}

/* A child stopped answering or died: make sure it is gone, and record how. */
static void sup_lost(sup_child *c, BOOL hung)
{
    sup_tour *t = c->tour;
    if (c->state != SUP_LIVE)
        return;
    if (hung && !TerminateProcess(c->process, TOUR_KILLED_EXIT))
        w32_fail("TerminateProcess");
    c->exit_code = sup_reap(c);
    c->state = hung ? SUP_HUNG : SUP_DEAD;
    /* In the tour's language (msg.h); French runs longer, hence sup_note's buffer. */
    if (hung)
        sup_note(t, msg(IDS_SUP_HUNG), c->index, (unsigned long)c->pid,
                 (unsigned long)t->timeout);
    else
        sup_note(t, msg(IDS_SUP_DIED), c->index, (unsigned long)c->pid,
                 (unsigned long)c->exit_code);
    if (t->obs != NULL) {
        const char *key = hung ? "children_hung" : "children_died";
        const obs_cell *before = obs_fact_get(t->obs, key);
        obs_fact_add(t->obs, key, obs_int(before != NULL ? before->v.i + 1 : 1));
    }
    sup_close_child(c);
}

BOOL sup_spawn(sup_tour *t, sup_child *c, int index, const WCHAR *name)
{
    HANDLE child_in = NULL, child_out = NULL;
    STARTUPINFOW si = { .cb = sizeof si };
    PROCESS_INFORMATION pi;
    WCHAR cmd[MAX_PATH + 48];     /* --lang goes down: its err lines in the tour's */
    BOOL ok = FALSE, started = FALSE;

    memset(c, 0, sizeof *c);
    c->tour = t;
    c->index = index;
    if ((c->io_event = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
        w32_fail("CreateEventW");
        goto done;
    }
    if (!sup_pipe(t, TRUE, &c->to, &child_in) || !sup_pipe(t, FALSE, &c->from, &child_out))
        goto done;
    /* The child's DLL reads the name when it loads; the parent's DLL already has. */
    if (!SetEnvironmentVariableW(MEMSCOPE_NAME_ENV, name)) {
        w32_fail("SetEnvironmentVariableW");
        goto done;
    }
    swprintf(cmd, ARRAYSIZE(cmd), L"\"%ls\" --lang %ls " TEXT(TOUR_CHILD_COMMAND), t->exe, t->lang);
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = child_in;
    si.hStdOutput = child_out;
    /* The child's err lines and failures land where the tour's own do (NULL: nowhere). */
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    if (si.hStdError == INVALID_HANDLE_VALUE)
        w32_fail("GetStdHandle");
    /* Suspended until it is in the job, so not even its DllMain runs outside it.  Under
     * Wine a new process now and then dies while it starts and CreateProcess says
     * ERROR_INTERNAL_ERROR; another start succeeds, so that one error is retried. */
    for (int tries = 1;; tries++) {
        started = CreateProcessW(t->exe, cmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL,
                                 &si, &pi);
        if (started || GetLastError() != ERROR_INTERNAL_ERROR || tries == 5)
            break;
        Sleep(20 * tries);
    }
    if (!started) {
        w32_fail("CreateProcessW");
        goto done;
    }
    c->process = pi.hProcess;
    c->pid = pi.dwProcessId;
    if (t->job != NULL && !AssignProcessToJobObject(t->job, pi.hProcess))
        w32_fail("AssignProcessToJobObject");     /* reported; we still end it ourselves */
    if (ResumeThread(pi.hThread) == (DWORD)-1) {
        w32_fail("ResumeThread");
        if (!TerminateProcess(pi.hProcess, TOUR_KILLED_EXIT))
            w32_fail("TerminateProcess");
        sup_close(&pi.hThread);
        goto done;
    }
    sup_close(&pi.hThread);
    c->state = SUP_LIVE;
    ok = TRUE;
done:
    /* Our copies of the child's ends: closed, so its exit breaks the pipes. */
    sup_close(&child_in);
    sup_close(&child_out);
    if (!ok)
        sup_close_child(c);
    return ok;
}

/* Waits for an overlapped operation on h for at most ms.  Returns TRUE when it completed
 * (OUT *n: bytes), FALSE on timeout (the operation is cancelled) or failure (*err). */
static BOOL sup_finish_io(HANDLE h, OVERLAPPED *ov, DWORD ms, DWORD *n, DWORD *err)
{
    *err = GetLastError();
    if (*err != ERROR_IO_PENDING)
        return FALSE;
    DWORD w = WaitForSingleObject(ov->hEvent, ms);
    if (w != WAIT_OBJECT_0) {
        *err = w == WAIT_TIMEOUT ? ERROR_TIMEOUT : GetLastError();
        if (!CancelIo(h))
            w32_fail("CancelIo");
        /* The cancelled operation still owns *ov until it completes, which it does at once. */
        if (!GetOverlappedResult(h, ov, n, TRUE) && GetLastError() != ERROR_OPERATION_ABORTED)
            w32_fail("GetOverlappedResult");
        return FALSE;
    }
    if (!GetOverlappedResult(h, ov, n, FALSE)) {
        *err = GetLastError();
        return FALSE;
    }
    return TRUE;
}

/* Sends line (shorter than TOUR_LINE_MAX - 1) and its '\n'. */
static BOOL sup_send_line(sup_child *c, char *line)
{
    sup_tour *t = c->tour;
    if (c->state != SUP_LIVE)
        return FALSE;
    /* Fault injection (--fault STEP:KIND): child 2 gets "hang" or "crash" instead. */
    if (t->fault_step > 0 && t->obs != NULL && t->obs->number == t->fault_step &&
        !t->fault_done && !t->starting && c->index == (t->nkids >= 2 ? 2 : 1)) {
        t->fault_done = TRUE;
        snprintf(line, TOUR_LINE_MAX - 1, "%s", t->fault_kind);
    }
    size_t len = strlen(line);
    line[len++] = '\n';
    OVERLAPPED ov = { .hEvent = c->io_event };
    DWORD n = 0, err;
    if (!ResetEvent(c->io_event)) {
        w32_fail("ResetEvent");
        return FALSE;
    }
    if (!WriteFile(c->to, line, (DWORD)len, &n, &ov) &&
        !sup_finish_io(c->to, &ov, t->timeout, &n, &err)) {
        sup_lost(c, err == ERROR_TIMEOUT);
        return FALSE;
    }
    return TRUE;
}

/* Formats a command into line[TOUR_LINE_MAX], leaving room for the '\n'.  A command cut
 * short would be another command, so one that does not fit is not sent. */
static BOOL sup_format(sup_child *c, char *line, const char *fmt, va_list ap)
{
    int n = vsnprintf(line, TOUR_LINE_MAX - 1, fmt, ap);
    if (n < 0 || n >= TOUR_LINE_MAX - 1) {
        sup_note(c->tour, msg(IDS_SUP_TOO_LONG), TOUR_LINE_MAX - 2);
        return FALSE;
    }
    return TRUE;
}

BOOL sup_send(sup_child *c, const char *fmt, ...)
{
    char line[TOUR_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    BOOL ok = sup_format(c, line, fmt, ap);
    va_end(ap);
    return ok && sup_send_line(c, line);
}

BOOL sup_recv(sup_child *c, DWORD ms)
{
    ULONGLONG deadline = GetTickCount64() + ms;
    if (c->state != SUP_LIVE)
        return FALSE;
    for (;;) {
        char *nl = memchr(c->buf, '\n', c->len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - c->buf);
            memcpy(c->reply, c->buf, n);
            c->reply[n] = 0;
            if (n > 0 && c->reply[n - 1] == '\r')
                c->reply[n - 1] = 0;
            memmove(c->buf, nl + 1, c->len - n - 1);
            c->len -= n + 1;
            if (strncmp(c->reply, "ok", 2) == 0 && (c->reply[2] == 0 || c->reply[2] == ' '))
                return TRUE;
            sup_note(c->tour, msg(IDS_SUP_ANSWERED), c->index,
                     (unsigned long)c->pid, c->reply);
            return FALSE;
        }
        ULONGLONG now = GetTickCount64();
        if (c->len >= sizeof c->buf - 1 || now >= deadline) {
            sup_lost(c, TRUE);
            return FALSE;
        }
        OVERLAPPED ov = { .hEvent = c->io_event };
        DWORD got = 0, err;
        if (!ResetEvent(c->io_event)) {
            w32_fail("ResetEvent");
            return FALSE;
        }
        if (!ReadFile(c->from, c->buf + c->len, (DWORD)(sizeof c->buf - 1 - c->len), &got, &ov) &&
            !sup_finish_io(c->from, &ov, (DWORD)(deadline - now), &got, &err)) {
            sup_lost(c, err == ERROR_TIMEOUT);   /* else broken pipe: it exited */
            return FALSE;
        }
        c->len += got;
    }
}

BOOL sup_ask(sup_child *c, const char *fmt, ...)
{
    char line[TOUR_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    BOOL ok = sup_format(c, line, fmt, ap);
    va_end(ap);
    return ok && sup_send_line(c, line) && sup_recv(c, c->tour->timeout);
}

BOOL sup_live(const sup_child *c)
{
    return c->state == SUP_LIVE;
}

BOOL sup_kill(sup_child *c, DWORD code)
{
    if (!sup_live(c))
        return FALSE;
    BOOL ok = TerminateProcess(c->process, code);
    if (!ok)
        w32_fail("TerminateProcess");
    c->exit_code = sup_reap(c);
    c->state = SUP_DEAD;
    sup_close_child(c);
    return ok;
}

sup_child *sup_peer_of(sup_tour *t, int i)
{
    for (int k = 1; k < t->nkids; k++) {
        sup_child *p = &t->kids[(i + k) % t->nkids];
        if (sup_live(p))
            return p;
    }
    return NULL;
}

sup_child *sup_first_live(sup_tour *t)
{
    for (int i = 0; i < t->nkids; i++)
        if (sup_live(&t->kids[i]))
            return &t->kids[i];
    return NULL;
}

BOOL sup_start(sup_tour *t, sup_child *c, int index)
{
    if (!sup_spawn(t, c, index, t->name))
        return FALSE;
    t->starting = TRUE;
    BOOL ok = sup_ask(c, "hello");
    t->starting = FALSE;
    if (ok)
        snprintf(c->hello, sizeof c->hello, "%s", c->reply);
    return ok;
}

BOOL sup_stop(sup_child *c)
{
    if (!sup_live(c) || !sup_ask(c, "exit"))
        return FALSE;
    if (WaitForSingleObject(c->process, c->tour->timeout) != WAIT_OBJECT_0) {
        sup_lost(c, TRUE);
        return FALSE;
    }
    if (!GetExitCodeProcess(c->process, &c->exit_code))
        w32_fail("GetExitCodeProcess");
    c->state = SUP_EXITED;
    sup_close_child(c);
    return TRUE;
}

/* Kills the children in the job when the tour's handle to it closes, whatever happens to
 * the tour.  NULL (reported) if there is none: the tour still ends its children itself. */
static HANDLE sup_job(void)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim = { 0 };
    HANDLE job = CreateJobObjectW(NULL, NULL);
    if (job == NULL) {
        w32_fail("CreateJobObjectW");
        return NULL;
    }
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim, sizeof lim)) {
        w32_fail("SetInformationJobObject");
        sup_close(&job);
    }
    return job;
}

BOOL sup_init(sup_tour *t)
{
    DWORD n = GetModuleFileNameW(NULL, t->exe, MAX_PATH);
    if (n == 0 || n >= MAX_PATH) {
        w32_fail_err("GetModuleFileNameW", n == 0 ? GetLastError() : ERROR_INSUFFICIENT_BUFFER);
        return FALSE;
    }
    t->lang = strcmp(msg_lang(), "fr") == 0 ? L"fr" : L"en";
    swprintf(t->name, ARRAYSIZE(t->name), L"Local\\memscope-tour-%lu",
             (unsigned long)GetCurrentProcessId());
    w32_to_utf8(t->name, t->name8, sizeof t->name8);
    t->run = (unsigned long)(GetTickCount64() ^ ((ULONGLONG)GetCurrentProcessId() << 16));
    t->job = sup_job();
    return TRUE;
}

void sup_finish(sup_tour *t)
{
    t->obs = NULL;
    for (int i = 0; i < t->nkids; i++)
        sup_stop(&t->kids[i]);
    sup_close(&t->job);         /* kills whatever is still in it */
}
