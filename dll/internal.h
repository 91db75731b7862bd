/*
 * internal.h: what the DLL's files share inside one process.  Nothing here is exported.
 *
 * Prefixes: ms_log_ (log.c), ms_proc_ (process identity, procid.c), ms_map_ (the mapping,
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

/* This process's attachment.  Written only in DllMain (attach and detach), which the loader
 * serialises; accessors only read it. */
typedef struct ms_state {
    DWORD status;                 /* ERROR_SUCCESS or why the block is unusable */
    HANDLE mapping;               /* the named file mapping, or NULL */
    MEMSCOPE_BLOCK *block;        /* this process's view, or NULL */
    SIZE_T view_size;             /* the view's real size (VirtualQuery) */
    BOOL created_here;            /* no ERROR_ALREADY_EXISTS at creation */
    HANDLE lock_event;            /* the lock's named auto-reset event, or NULL */
    DWORD mutex_status;           /* why the named mutex (mutexlock.c) did not open */
    DWORD slot;                   /* registry slot, or (DWORD)-1 */
    DWORD registration;           /* ERROR_SUCCESS or why there is no slot */
    uint64_t self_owner;          /* MEMSCOPE_OWNER(pid, tag) of this process */
    uint64_t self_create_time;    /* this process's creation time (FILETIME) */
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    WCHAR status_text[512];       /* what MemscopeStatusText returns */
} ms_state;

extern ms_state ms_g;

/* Returns the block if it is usable; else NULL with *err set to the reason. */
static inline MEMSCOPE_BLOCK *ms_block(DWORD *err)
{
    if (ms_g.block == NULL) {
        *err = ms_g.status != ERROR_SUCCESS ? ms_g.status : ERROR_INVALID_HANDLE;
        return NULL;
    }
    *err = ERROR_SUCCESS;
    return ms_g.block;
}

/* Plain loads of shared fields that other processes write: volatile, so the compiler reads
 * memory each time; aligned 32- and 64-bit loads are single accesses on x86 and x86_64 (the
 * 64-bit one through a no-op compare-exchange on i686, where it would tear). */
static inline LONG ms_load32(const LONG *p)
{
    return *(const volatile LONG *)p;
}

static inline int64_t ms_load64(const int64_t *p)
{
#ifdef _WIN64
    return *(const volatile int64_t *)p;
#else
    return InterlockedCompareExchange64((volatile LONG64 *)p, 0, 0);
#endif
}

/* testhooks.c: forced faults, in the test variant only (see testhooks.c). */
#ifdef MEMSCOPE_TEST_HOOKS
typedef struct ms_hooks {
    BOOL noseqcheck, slowread, selftimes;
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

/* log.c */
void ms_log_win32(const char *tag, const char *call, DWORD err);
void ms_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
DWORD ms_log_message(DWORD err, WCHAR *buf, DWORD cch);

/* procid.c */
uint64_t ms_proc_filetime_now(void);
DWORD ms_proc_self(uint64_t *owner, uint64_t *create_time);
uint32_t ms_proc_tag(uint64_t create_time);
BOOL ms_proc_owner_dead(uint64_t owner);

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
DWORD ms_sec_create_event(const WCHAR *name, BOOL manual_reset, HANDLE *out,
                          const WCHAR **failed);

/* mapping.c */
void ms_map_attach(void);
void ms_map_detach(BOOL process_terminating);
void ms_map_status_append(const WCHAR *fmt, ...);

/* lock.c */
DWORD ms_lock_open(void);
void ms_lock_close(void);
DWORD ms_lock_acquire(MEMSCOPE_BLOCK *b, DWORD timeout_ms);
void ms_lock_release(MEMSCOPE_BLOCK *b);

/* mutexlock.c */
DWORD ms_mutex_open(void);
void ms_mutex_close(void);
/* notify.c */
DWORD ms_notify_open(void);
void ms_notify_close(void);
void ms_notify_signal(void);

/* registry.c */
void ms_reg_attach(void);
void ms_reg_detach(void);
DWORD ms_reg_count(MEMSCOPE_BLOCK *b);

/* text.c */
void ms_text_repair(MEMSCOPE_BLOCK *b);

/* private.c */
void ms_private_free(void);

/* Copies a WCHAR string out to a caller's buffer under the common convention: cchBuf must
 * hold len + 1; else ERROR_INSUFFICIENT_BUFFER and buf untouched.  (text.c) */
DWORD ms_text_copy_out(const WCHAR *src, DWORD len, LPWSTR buf, DWORD cchBuf, DWORD *pcch);
/* Checks a caller's (text, cchText) input against max.  (text.c) */
DWORD ms_text_check_in(LPCWSTR text, DWORD cchText, DWORD max);

#endif
