/*
 * internal.h: what the DLL's files share inside one process.  Nothing here is exported.
 *
 * Files depend only on the files below them, from the bottom up:
 *   log.c, testhooks.c, validate.c      no other file of the DLL
 *   block.c                             this process's attachment (ms_g) and ms_block
 *   procid.c, security.c                identity; descriptors and owner checks
 *   notify.c, lock.c, mutexlock.c       the change event; the block's lock; the baseline
 *   text.c, registry.c, counters.c      what the block holds (text.c uses the lock)
 *   private.c                           the private text (uses text.c's copy helpers)
 *   mapping.c                           the attachment: DllMain's part and the first call's
 *   dllmain.c                           the entry point
 * The lock reports that an owner died; the file whose data it guards decides what repair
 * means (text.c needs none).
 *
 * Prefixes: ms_log_ (log.c), ms_block (block.c), ms_proc_ and ms_thread_ (process and
 * thread identity, procid.c), ms_hook (testhooks.c), ms_map_ (the mapping,
 * mapping.c), ms_lock_ (lock.c), ms_mutex_ (mutexlock.c), ms_notify_ (notify.c), ms_reg_
 * (registry.c), ms_text_ (text.c), ms_sec_ (object security, security.c).
 */
#ifndef MEMSCOPE_INTERNAL_H
#define MEMSCOPE_INTERNAL_H

#ifndef MEMSCOPE_BUILDING_DLL
#define MEMSCOPE_BUILDING_DLL
#endif
#include "memscope.h"
#include "validate.h"

/* This process's attachment.  Written in DllMain (attach and detach, which the loader
 * serialises) and once more by ms_map_complete, which InitOnceExecuteOnce runs exactly once
 * before any accessor reads these fields; after that accessors only read them. */
typedef struct ms_state {
    DWORD status;                 /* ERROR_SUCCESS or why the block is unusable */
    const WCHAR *failed_call;     /* the Win32 call behind a failed status, or NULL */
    HANDLE mapping;               /* the named file mapping, or NULL */
    MEMSCOPE_BLOCK *block;        /* this process's view once accepted, or NULL */
    MEMSCOPE_BLOCK *pending;      /* a mapped view not yet judged (its creator had not
                                     published it when DllMain ran), or NULL */
    SIZE_T view_size;             /* the view's real size (VirtualQuery, whole pages) */
    ms_verdict verdict;           /* the check of an existing block */
    BOOL created_here;            /* no ERROR_ALREADY_EXISTS at creation */
    BOOL owner_known;             /* the platform reported the existing block's owner */
    DWORD mutex_status;           /* why the named mutex (mutexlock.c) did not open */
    DWORD slot;                   /* registry slot, or (DWORD)-1 */
    DWORD registration;           /* ERROR_SUCCESS or why there is no slot */
    DWORD tls;                    /* TLS index caching each thread's owner tag (procid.c) */
    uint64_t self_owner;          /* MEMSCOPE_OWNER(pid, tag) of this process */
    uint64_t self_create_time;    /* this process's creation time (FILETIME) */
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    WCHAR status_text[512];       /* what MemscopeStatusText returns (ms_map_complete) */
} ms_state;

extern ms_state ms_g;

/* ms_block: finishes the attachment on the first call (the work mapping.c handed to
 * ms_block_on_first_call, outside the loader lock), then returns the block if it is
 * usable; else NULL with *err set to the reason.  Every export that needs the block starts
 * here.  (block.c) */
MEMSCOPE_BLOCK *ms_block(DWORD *err);
void ms_block_on_first_call(PINIT_ONCE_FN fn);

/* Every value another process can write is read once, through these, into a local that is
 * then checked and used: volatile, so the compiler neither reloads it nor keeps a stale
 * copy; aligned 32- and 64-bit loads are single accesses on x86 and x86_64 (the 64-bit one
 * through a no-op compare-exchange on i686, where a plain load would tear). */
static inline LONG ms_load32(const volatile void *p)
{
    return *(const volatile LONG *)p;
}

static inline int64_t ms_load64(const volatile void *p)
{
#ifdef _WIN64
    return *(const volatile int64_t *)p;
#else
    return InterlockedCompareExchange64((volatile LONG64 *)p, 0, 0);
#endif
}

/* Copies the kernel32-only way (no CRT call under the loader lock): src, NUL-terminated,
 * then suffix, into dst of cap WCHARs, always terminated.  (block.c) */
void ms_name_join(WCHAR *dst, size_t cap, const WCHAR *src, const WCHAR *suffix);

/* testhooks.c: forced faults, in the test variant only (see testhooks.c). */
#ifdef MEMSCOPE_TEST_HOOKS
typedef struct ms_hooks {
    BOOL noseqcheck, slowread, selftimes, slowrelease, slowpark;
    int diewrite, pausewrite;
} ms_hooks;
extern ms_hooks ms_hook;
void ms_hooks_read(void);
void ms_hook_write_stage(int stage);
#define MS_HOOK(field) (ms_hook.field)
#else
#define MS_HOOK(field) 0
#define ms_hooks_read() ((void)0)
#define ms_hook_write_stage(stage) ((void)(stage))
#endif

/* log.c.  Lines that would be written under the loader lock (DllMain) are kept, raw, and
 * written by ms_log_flush at the first call (FormatMessage and OutputDebugString stay out of
 * DllMain). */
void ms_log_defer(BOOL on);
void ms_log_flush(void);
void ms_log_win32(const char *tag, const char *call, DWORD err);
void ms_log_note(const char *tag, const char *note);
void ms_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
DWORD ms_log_message(DWORD err, WCHAR *buf, DWORD cch);

/* procid.c: who a process, and a thread, is across processes. */
uint64_t ms_proc_filetime_now(void);
DWORD ms_proc_self(uint64_t *owner, uint64_t *create_time);
uint32_t ms_proc_tag(uint64_t create_time);
BOOL ms_proc_owner_dead(uint64_t owner);
DWORD ms_thread_init(void);
void ms_thread_fini(void);
DWORD ms_thread_self(uint64_t *word);
BOOL ms_thread_owner_dead(uint64_t word, uint64_t self);
DWORD ms_thread_process(uint64_t word);

/* security.c: the descriptor memscope's named objects are created with, and the owner
 * check of an object opened by name. */
#define MS_SEC_ACL_BYTES (sizeof(ACL) + 2 * (sizeof(ACCESS_ALLOWED_ACE) - sizeof(DWORD) + \
                                           SECURITY_MAX_SID_SIZE))
typedef struct ms_sec_attr {
    SECURITY_ATTRIBUTES sa;       /* what CreateFileMappingW/CreateEventW take */
    SECURITY_DESCRIPTOR sd;       /* absolute: points at acl below and at the user SID */
    union {
        ACL acl;
        BYTE bytes[MS_SEC_ACL_BYTES];
    } acl;
} ms_sec_attr;
DWORD ms_sec_init(void);
DWORD ms_sec_attributes(ms_sec_attr *out, DWORD access);
DWORD ms_sec_check_owner(HANDLE h, BOOL *known);
DWORD ms_sec_create_semaphore(const WCHAR *name, HANDLE *out, const WCHAR **failed);
DWORD ms_sec_create_event(const WCHAR *name, BOOL manual_reset, HANDLE *out,
                          const WCHAR **failed);

/* mapping.c */
void ms_map_attach(void);
void ms_map_detach(BOOL process_terminating);

/* lock.c: the lock knows nothing of what it guards: it reports an abandonment, and the
 * caller decides what repair means. */
DWORD ms_lock_acquire(MEMSCOPE_BLOCK *b, DWORD timeout_ms, uint64_t *self);
DWORD ms_lock_release(MEMSCOPE_BLOCK *b, uint64_t self);
void ms_lock_detach(MEMSCOPE_BLOCK *b, BOOL process_terminating);
DWORD ms_lock_wake_status(const WCHAR **failed);

/* mutexlock.c */
void ms_mutex_close(void);
/* notify.c */
void ms_notify_close(BOOL process_terminating);
void ms_notify_signal(void);

/* registry.c */
void ms_reg_attach(BOOL may_reclaim);
void ms_reg_detach(void);

/* private.c */
void ms_private_free(void);

/* Copies a WCHAR string out to a caller's buffer under the common convention: cchBuf must
 * hold len + 1; else ERROR_INSUFFICIENT_BUFFER and buf untouched.  (text.c) */
DWORD ms_text_copy_out(const WCHAR *src, DWORD len, LPWSTR buf, DWORD cchBuf, DWORD *pcch);
/* Checks a caller's (text, cchText) input against max.  (text.c) */
DWORD ms_text_check_in(LPCWSTR text, DWORD cchText, DWORD max);

#endif
