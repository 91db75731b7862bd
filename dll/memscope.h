/*
 * memscope.h: the one public header of memscope.dll.
 *
 * memscope.dll shows the scope of Windows memory: on DLL_PROCESS_ATTACH it creates (or
 * opens) one named file mapping, by default "Local\memscope" (the environment variable
 * MEMSCOPE_NAME replaces the name), validates it, maps a view and registers the process.
 * The functions below read and write that shared block, or memory that stays private to
 * the calling process, so a host can show side by side what is shared and what is not.
 *
 * Error convention.  Apart from the two functions of Microsoft's sample (SetSharedMem and
 * GetSharedMem, which return BOOL and set the last error, exactly like the sample), every
 * function returns a Win32 error code: ERROR_SUCCESS (0) or the reason it failed.  The
 * caller never needs GetLastError.  Arguments are checked first; a function that fails
 * changes nothing (no shared byte, no OUT parameter unless documented).  When the block was
 * refused at attach, every function that needs it returns the reason it was refused (see
 * MemscopeStatus); the counters of the DLL image itself keep working.
 *
 * Security.  The block (and the lock's event, "<name>.lock") is created with an explicit
 * descriptor: owner this user, a protected DACL granting all access to this user and to
 * LocalSystem only (dll/security.c).  An object that already exists under the name is
 * checked before one byte of it is trusted, in this order: its kind, its DACL, its owner,
 * its real size, its header; a refused block is never written to.
 *
 * Errors that any block accessor can return, besides its own:
 *   ERROR_INVALID_HANDLE     the name belongs to another kind of object (a mutex, an event)
 *   ERROR_ACCESS_DENIED      an existing block's DACL does not let this user map it
 *                            read-write (e.g. it grants everyone read only)
 *   ERROR_INVALID_OWNER      an existing block is owned by someone other than this user
 *                            (checked where the platform reports owners: Windows, Wine)
 *   ERROR_INVALID_DATA       an existing block under our name has the wrong magic, or a
 *                            field out of range (a text length above MEMSCOPE_TEXT_MAX)
 *   ERROR_INVALID_ADDRESS    ... pages that are not committed read-write over the whole
 *                            view (a section created with SEC_RESERVE): refused before one
 *                            byte of it is read
 *   ERROR_REVISION_MISMATCH  ... the right magic but another layout version
 *   ERROR_BAD_LENGTH         ... a size (header field or real section size) that is not ours
 *   ERROR_TIMEOUT            ... a magic of 0 that its creator never published (it died
 *                            while initialising the block, or is not memscope)
 *   ERROR_INVALID_NAME       MEMSCOPE_NAME is longer than MEMSCOPE_NAME_MAX characters
 *   GetProcessTimes' error   this process's own creation time could not be read: without
 *                            it, other processes could not tell it from a dead one, so it
 *                            does not attach
 *   other Win32 codes        building the descriptor, CreateFileMapping or MapViewOfFile
 *                            failed; MemscopeStatusText says which call failed and why.
 * The lock's event carries wake-ups only, no data: when "<name>.lock" is another kind of
 * object, denies us access or has another owner, the block is still used, the lock polls
 * every 50 ms instead of waiting on the event, and MemscopeStatusText says so.  Works from C
 * and C++.
 */
#ifndef MEMSCOPE_H
#define MEMSCOPE_H

#include <windows.h>
#include <stddef.h>
#include <stdint.h>

#ifdef MEMSCOPE_BUILDING_DLL
#define MEMSCOPE_API
#else
#define MEMSCOPE_API __declspec(dllimport)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------
 * The shared block, byte by byte (layout version 3).  Little-endian, the same on i686 and
 * x86_64: fixed-width fields only, explicit padding, every offset pinned below.  It holds
 * offsets and plain values only, never a pointer or a handle: those mean nothing in
 * another process.  A "foreign reader" that maps the block by name with nothing but this
 * header sees the same values as the DLL.
 *
 * Any process that can map the block can write any byte of it at any instant (the DACL
 * keeps other users out, not a buggy or hostile process of this user).  So the DLL reads
 * every shared field once, into a local, checks it, and only then uses it; no shared value
 * ever becomes an index or a length before it is clamped.
 *
 * Guards, named on every field:
 *   [init]    written once by the creator before it publishes `magic`; read-only after.
 *   [atomic]  read and written only with Interlocked* operations.
 *   [lock]    written only by the holder of the block's lock (MEMSCOPE_LOCK).
 *   [pub]     a text buffer: written under [lock] only while it is *not* the published one
 *             (text_pub), so a reader of the published buffer never meets a write.
 *   [slot]    written only by the process that claimed the slot (owner), between the claim
 *             and the publication of state = MEMSCOPE_SLOT_READY.
 *   [racy]    deliberately unsynchronised: the tour's lost-update demonstration.
 * ------------------------------------------------------------------------------------- */

#define MEMSCOPE_MAGIC          0x5043534Du /* "MSCP" in memory order */
#define MEMSCOPE_LAYOUT_VERSION 3u
#define MEMSCOPE_BLOCK_SIZE     32768u      /* eight 4 KiB pages */
#define MEMSCOPE_TEXT_CAPACITY  2048u       /* WCHARs in a text buffer, NUL included */
#define MEMSCOPE_TEXT_MAX       (MEMSCOPE_TEXT_CAPACITY - 1u) /* longest text, in WCHARs */
#define MEMSCOPE_PRIVATE_MAX    MEMSCOPE_TEXT_MAX /* longest private text, in WCHARs */
#define MEMSCOPE_SLOTS          64u         /* registry: processes attached at once */
#define MEMSCOPE_IMAGE_CHARS    48u         /* registry: image base name, NUL included */
#define MEMSCOPE_DEFAULT_NAME   L"Local\\memscope"
#define MEMSCOPE_NAME_ENV       L"MEMSCOPE_NAME"
#define MEMSCOPE_NAME_MAX       200u        /* longest mapping name, in WCHARs */
/* The block's change event is named "<mapping name>.changed": a named manual-reset event the
 * DLL sets, while someone watches (MemscopeChangeEvent), when the text or the list of
 * attached processes changes (not on counter increments).  A watcher resets it, reads the
 * block, and waits on it again. */
#define MEMSCOPE_CHANGED_SUFFIX L".changed"

/* Header: what a process checks before it trusts (or writes) one byte of the block. */
typedef struct MEMSCOPE_HEADER {
    uint32_t magic;          /*  0 [init] MEMSCOPE_MAGIC, published last (0 = still being built) */
    uint32_t version;        /*  4 [init] MEMSCOPE_LAYOUT_VERSION */
    uint32_t size;           /*  8 [init] MEMSCOPE_BLOCK_SIZE */
    uint32_t creator_pid;    /* 12 [init] process id of the process that created the block */
    uint64_t creator_time;   /* 16 [init] its creation time (FILETIME): ids are reused */
    uint64_t created_at;     /* 24 [init] when the block was initialised (FILETIME, UTC) */
    uint8_t  reserved[32];   /* 32 zero */
} MEMSCOPE_HEADER;

/* Owner words.  The lock's names a *thread*, a registry slot's a *process*: the id in the
 * high half, a tag of that thread's or process's creation time in the low half, so an id
 * the system has reused does not pass for the owner that died.  A tag is never 0. */
#define MEMSCOPE_OWNER(id, tag)  (((uint64_t)(uint32_t)(id) << 32) | (uint32_t)(tag))
/* The tag of a creation time (FILETIME as a 64-bit count): its two halves folded together,
 * 1 where that fold is 0 (so a tag of 0 never looks like a free word's). */
#define MEMSCOPE_TIME_TAG(t) \
    ((uint32_t)((uint64_t)(t) ^ ((uint64_t)(t) >> 32)) != 0 \
         ? (uint32_t)((uint64_t)(t) ^ ((uint64_t)(t) >> 32)) : 1u)
#define MEMSCOPE_OWNER_ID(w)     ((uint32_t)((uint64_t)(w) >> 32))
#define MEMSCOPE_OWNER_PID(w)    MEMSCOPE_OWNER_ID(w)  /* a slot's owner word */
#define MEMSCOPE_OWNER_TAG(w)    ((uint32_t)(w))
/* The lock's owner word after a process let go of it without unlocking (FreeLibrary or
 * ExitProcess while one of its threads held it): free, and the next owner is told
 * ERROR_ABANDONED_WAIT_0.  No thread has id 0. */
#define MEMSCOPE_LOCK_ABANDONED  MEMSCOPE_OWNER(0, 1)

/* The lock that lives in the block (dll/lock.c): fast path one interlocked operation; a
 * dead owner (a thread that ended, a process that died) is detected and the lock taken
 * over. */
typedef struct MEMSCOPE_LOCK {
    int64_t  owner;          /*  0 [atomic] 0 = free, MEMSCOPE_LOCK_ABANDONED, or the holding
                                thread's MEMSCOPE_OWNER(thread id, thread creation-time tag) */
    LONG     waiters;        /*  8 [atomic] threads parked on the lock's named event (a
                                releaser takes one off and wakes it: see dll/lock.c) */
    LONG     abandoned;      /* 12 [lock] times the lock was taken over from a dead owner */
    uint64_t acquisitions;   /* 16 [lock] times the lock was acquired (waiters read it, racily,
                                to see whether the lock changes hands) */
    LONG     parks;          /* 24 [atomic] times a waiter parked, wrapping (a releaser that
                                woke a waiter before letting go checks it for any that
                                parked meanwhile) */
    uint8_t  reserved[36];   /* 28 zero; pads the lock to its own 64-byte cache line */
} MEMSCOPE_LOCK;

/* One of the two text buffers.  A writer fills the buffer that is not published, then
 * publishes it (text_pub): a writer that dies half way leaves the published text whole. */
typedef struct MEMSCOPE_TEXTBUF {
    uint32_t len;            /*  0 [pub] length of text in WCHARs, NUL excluded (<= TEXT_MAX) */
    uint32_t writer;         /*  4 [pub] process id of the writer (0 = never written) */
    uint8_t  reserved[56];   /*  8 zero */
    uint16_t text[MEMSCOPE_TEXT_CAPACITY]; /* 64 [pub] UTF-16, NUL-terminated */
} MEMSCOPE_TEXTBUF;          /* 4160 */

/* One registry slot (dll/registry.c): one per attached process. */
typedef struct MEMSCOPE_SLOT {
    int64_t  owner;          /*   0 [atomic] 0 = free, else MEMSCOPE_OWNER(pid, time tag) */
    uint32_t pid;            /*   8 [slot] process id */
    LONG     state;          /*  12 [atomic] MEMSCOPE_SLOT_FREE / _CLAIMED / _READY */
    uint64_t create_time;    /*  16 [slot] process creation time (FILETIME) */
    uint64_t attach_time;    /*  24 [slot] when it attached (FILETIME, UTC) */
    uint16_t image[MEMSCOPE_IMAGE_CHARS]; /* 32 [slot] image base name, UTF-16, NUL-terminated */
} MEMSCOPE_SLOT;

#define MEMSCOPE_SLOT_FREE    0u
#define MEMSCOPE_SLOT_CLAIMED 1u
#define MEMSCOPE_SLOT_READY   2u

typedef struct MEMSCOPE_BLOCK {
    MEMSCOPE_HEADER header;  /*     0 */
    MEMSCOPE_LOCK   lock;    /*    64 */
    int64_t  counter;        /*   128 [atomic] the shared counter */
    uint8_t  pad0[56];       /*   136 zero: the counter has its cache line to itself */
    int64_t  racy;           /*   192 [racy] incremented by plain read-modify-write */
    int64_t  locked_total;   /*   200 [lock] incremented under the lock */
    uint8_t  pad1[48];       /*   208 zero */
    LONG     text_pub;       /*   256 [lock, atomic] bit 0: the published text buffer; bits
                                     1-31: how many texts were published (wraps) */
    LONG     watchers;       /*   260 [atomic] processes watching the change event
                                     (MemscopeChangeEvent); 0: nobody is signalled */
    uint8_t  pad2[56];       /*   264 zero */
    MEMSCOPE_TEXTBUF texts[2]; /* 320 [pub] the two text buffers */
    uint8_t  pad3[64];       /*  8640 zero */
    MEMSCOPE_SLOT slots[MEMSCOPE_SLOTS];   /* 8704 the registry, 128 bytes a slot */
    uint8_t  tail[15872];    /* 16896 zero: room for later layout versions */
} MEMSCOPE_BLOCK;            /* 32768 */

#define MEMSCOPE_ASSERT_OFFSET(type, field, off) \
    _Static_assert(offsetof(type, field) == (off), #type "." #field " is at " #off)
#ifndef __cplusplus
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, magic, 0);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, version, 4);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, size, 8);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, creator_pid, 12);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, creator_time, 16);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, created_at, 24);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_HEADER, reserved, 32);
_Static_assert(sizeof(MEMSCOPE_HEADER) == 64, "MEMSCOPE_HEADER is 64 bytes");
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, owner, 0);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, waiters, 8);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, abandoned, 12);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, acquisitions, 16);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, parks, 24);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_LOCK, reserved, 28);
_Static_assert(sizeof(MEMSCOPE_LOCK) == 64, "MEMSCOPE_LOCK is 64 bytes");
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_TEXTBUF, len, 0);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_TEXTBUF, writer, 4);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_TEXTBUF, reserved, 8);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_TEXTBUF, text, 64);
_Static_assert(sizeof(MEMSCOPE_TEXTBUF) == 4160, "MEMSCOPE_TEXTBUF is 4160 bytes");
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, owner, 0);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, pid, 8);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, state, 12);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, create_time, 16);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, attach_time, 24);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_SLOT, image, 32);
_Static_assert(sizeof(MEMSCOPE_SLOT) == 128, "MEMSCOPE_SLOT is 128 bytes");
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, header, 0);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, lock, 64);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, counter, 128);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, racy, 192);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, locked_total, 200);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, text_pub, 256);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, watchers, 260);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, texts, 320);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, texts[1], 4480);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, slots, 8704);
MEMSCOPE_ASSERT_OFFSET(MEMSCOPE_BLOCK, tail, 16896);
_Static_assert(sizeof(MEMSCOPE_BLOCK) == MEMSCOPE_BLOCK_SIZE, "MEMSCOPE_BLOCK is 32 KiB");
#endif

/* ---------------------------------------------------------------------------------------
 * Microsoft's sample "Using Shared Memory in a Dynamic-Link Library", same names, same
 * parameters, same calling convention (__cdecl, as the sample declares them and its client
 * programs import them: on i686 the import library's names are _SetSharedMem and
 * _GetSharedMem).  They return TRUE on success; on failure FALSE with the last error set.
 * (The sample returns VOID; a BOOL return is harmless to a caller that expects VOID.)
 * ------------------------------------------------------------------------------------- */

/* SetSharedMem: copies the NUL-terminated lpszBuf into the shared text.
 * Errors (GetLastError): ERROR_INVALID_PARAMETER (lpszBuf NULL); ERROR_INSUFFICIENT_BUFFER
 * (longer than MEMSCOPE_TEXT_MAX characters: nothing is copied, where the sample
 * truncated); ERROR_POSSIBLE_DEADLOCK (the calling thread holds the block's lock: see
 * MemscopeLock); ERROR_TIMEOUT (another live thread kept the lock for MEMSCOPE_WRITE_WAIT_MS:
 * nothing changed); a block error (see above). */
MEMSCOPE_API BOOL __cdecl SetSharedMem(LPWSTR lpszBuf);

/* GetSharedMem: copies the shared text, NUL-terminated, into lpszBuf of cchSize WCHARs.
 * Errors: ERROR_INVALID_PARAMETER (lpszBuf NULL or cchSize 0: nothing written);
 * ERROR_INSUFFICIENT_BUFFER (the text does not fit: like the sample, the first cchSize-1
 * characters are copied and terminated, and FALSE tells the caller it was cut);
 * ERROR_TIMEOUT (see MemscopeGetText: lpszBuf is then the empty string); a block error
 * (lpszBuf is then set to the empty string). */
MEMSCOPE_API BOOL __cdecl GetSharedMem(LPWSTR lpszBuf, DWORD cchSize);

/* ---------------------------------------------------------------------------------------
 * The project's own API: every function returns a Win32 error code.  Declared WINAPI
 * (stdcall on i686, the Windows API convention): the DLL exports the names undecorated on
 * both architectures, and the import library binds the decorated i686 references
 * (_MemscopeLock@4) to them.
 * ------------------------------------------------------------------------------------- */

/* How long a text writer (MemscopeSetText, SetSharedMem) waits for the block's lock before
 * it gives up with ERROR_TIMEOUT; a reader that keeps meeting new writes falls back to the
 * lock with the same bound. */
#define MEMSCOPE_WRITE_WAIT_MS 5000u

/* MemscopeStatus: ERROR_SUCCESS if this process attached to a valid block, else the reason
 * the block was refused or could not be mapped (the block errors above).  The first call of
 * any block function finishes the attachment (a block whose creator had not yet published
 * it is waited for here, at most 2 s, never in DllMain). */
MEMSCOPE_API DWORD WINAPI MemscopeStatus(void);

/* MemscopeStatusText: a one-line English description of the attach outcome ("attached to
 * Local\memscope (created by this process)", or which call failed and the system's message)
 * into buf of cchBuf WCHARs.  OUT *pcchText (may be NULL): its length, NUL excluded.
 * Errors: ERROR_INVALID_PARAMETER (buf NULL with cchBuf > 0); ERROR_INSUFFICIENT_BUFFER
 * (buf too small, or NULL with cchBuf 0: nothing written, *pcchText set to the length). */
MEMSCOPE_API DWORD WINAPI MemscopeStatusText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText);

/* MemscopeSetText: replaces the shared text with the cchText WCHARs at text (no NUL needed;
 * cchText 0 makes it empty, and text may then be NULL).  Writers serialise on the block's
 * lock and fill the text buffer that is not published, then publish it: a reader gets the
 * old text or the new one, never a mix, even when a writer dies half way.
 * Errors: ERROR_INVALID_PARAMETER (text NULL with cchText > 0, or text holds a NUL within
 * cchText); ERROR_INSUFFICIENT_BUFFER (cchText > MEMSCOPE_TEXT_MAX); ERROR_POSSIBLE_DEADLOCK
 * (the calling thread holds the block's lock); ERROR_TIMEOUT (another live thread kept the
 * lock for MEMSCOPE_WRITE_WAIT_MS: nothing changed); the lock's identity errors (see
 * MemscopeLock); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeSetText(LPCWSTR text, DWORD cchText);

/* MemscopeGetText: copies the shared text and a NUL into buf of cchBuf WCHARs.  Takes no
 * lock: it copies the published buffer and checks that no new text was published during
 * the copy; after a few tries that keep meeting new texts it takes the lock (at most
 * MEMSCOPE_WRITE_WAIT_MS) so a flood of writers cannot starve it.  A writer that is stopped
 * or dead does not hold readers up.
 * OUT *pcchText (may be NULL): the text's length in WCHARs, NUL excluded, on success and on
 * ERROR_INSUFFICIENT_BUFFER, so a caller can size its buffer (cchText + 1).
 * Errors: ERROR_INVALID_PARAMETER (buf NULL with cchBuf > 0); ERROR_INSUFFICIENT_BUFFER
 * (cchBuf < length + 1, including buf NULL with cchBuf 0: buf untouched); ERROR_TIMEOUT (new
 * texts kept coming and the lock could not be had within MEMSCOPE_WRITE_WAIT_MS: buf
 * untouched); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeGetText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText);

/* MemscopeCounterIncrement: adds 1 to the shared counter with one interlocked operation.
 * OUT *pValue (may be NULL): the value after the increment.  Errors: a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeCounterIncrement(LONGLONG *pValue);

/* MemscopeCounterRead: OUT *pValue: the shared counter, read atomically (no torn 64-bit read
 * on i686).  Errors: ERROR_INVALID_PARAMETER (pValue NULL); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeCounterRead(LONGLONG *pValue);

/* MemscopeSetPrivateText: keeps a copy of the cchText WCHARs at text in memory this DLL
 * allocates with HeapAlloc on behalf of the calling process: no other process can see it,
 * even though they load the same DLL.  Errors as MemscopeSetText but with
 * MEMSCOPE_PRIVATE_MAX, plus ERROR_NOT_ENOUGH_MEMORY (HeapAlloc failed: the old text is
 * kept).  Needs no block and no lock.  Freed when the DLL is unloaded (FreeLibrary). */
MEMSCOPE_API DWORD WINAPI MemscopeSetPrivateText(LPCWSTR text, DWORD cchText);

/* MemscopeGetPrivateText: like MemscopeGetText for this process's private text.
 * OUT *ppAddress (may be NULL): the address of the heap memory holding it (NULL if never
 * set), so a host can show that the same address in another process holds something else.
 * Errors: ERROR_INVALID_PARAMETER; ERROR_INSUFFICIENT_BUFFER (as MemscopeGetText). */
MEMSCOPE_API DWORD WINAPI MemscopeGetPrivateText(LPWSTR buf, DWORD cchBuf, DWORD *pcchText,
                                                 void **ppAddress);

/* MemscopeGlobalIncrement / MemscopeSectionIncrement: add 1 to a counter in the DLL image:
 * an ordinary global (every process has its own copy of the DLL's .data) or a variable in
 * the PE section ".shared" marked shared (one copy for every process that loads this DLL
 * file, in any session: a demonstration only; never ship a shared section, see
 * dll/counters.c).  OUT *pValue (may be NULL): the value after the increment.  Never fail:
 * they need no block. */
MEMSCOPE_API DWORD WINAPI MemscopeGlobalIncrement(LONG *pValue);
MEMSCOPE_API DWORD WINAPI MemscopeSectionIncrement(LONG *pValue);

/* MemscopeImageCounters: OUT *pGlobal, *pSection (either may be NULL, not both): the two
 * image counters above.  Errors: ERROR_INVALID_PARAMETER (both NULL). */
MEMSCOPE_API DWORD WINAPI MemscopeImageCounters(LONG *pGlobal, LONG *pSection);

/* MemscopeViewAddress: OUT *ppView: where this process's view of the block is mapped;
 * OUT *pcbView (may be NULL): the view's size in bytes (the section's real size, rounded up
 * to whole pages by the system).
 * Errors: ERROR_INVALID_PARAMETER (ppView NULL); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeViewAddress(void **ppView, SIZE_T *pcbView);

/* MemscopeChangeEvent: OUT *phEvent: a handle (the caller's to close) to the block's change
 * event "<name>.changed", a manual-reset event every process sets when it changes the text
 * or attaches or detaches, from now on: the call counts this process as a watcher (until it
 * detaches), and processes signal only while someone watches.  Reset it before reading the
 * block, then wait on it.  Errors: ERROR_INVALID_PARAMETER (phEvent NULL);
 * ERROR_INVALID_HANDLE (the event could not be created or opened: another kind of object,
 * another owner or a DACL under its name; the status log says which); DuplicateHandle's
 * error; a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeChangeEvent(HANDLE *phEvent);

/* MemscopeAttachedCount: OUT *pCount: processes attached to the block now.  Slots left by
 * processes that died without detaching (TerminateProcess) are reclaimed first, so the count
 * holds live processes only.  Errors: ERROR_INVALID_PARAMETER (pCount NULL); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeAttachedCount(DWORD *pCount);

/* MemscopeLock: takes the block's lock (dll/lock.c) for the calling *thread*, waiting at most
 * timeoutMs milliseconds in all (INFINITE allowed; 0 is one try, which does take over a
 * dead owner).  Fast path: one interlocked operation; under contention a short spin, then a
 * wait on a named event.  Not recursive.  The lock belongs to the thread that took it: only
 * that thread can unlock it; if the thread ends, or the process unloads the DLL or exits,
 * while holding it, the next owner is told it was abandoned.
 * Returns ERROR_SUCCESS (held); ERROR_ABANDONED_WAIT_0 (held, but its previous owner ended
 * without unlocking: repair what you guard with it; the DLL's own data needs no repair);
 * ERROR_TIMEOUT (not held); ERROR_POSSIBLE_DEADLOCK (the calling thread already holds it:
 * nothing changed); the error of GetThreadTimes on the calling thread, whose creation time
 * names it in the owner word (not held); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeLock(DWORD timeoutMs);

/* MemscopeUnlock: releases the lock.  Errors: ERROR_NOT_OWNER (the calling thread does not
 * hold it, even if another thread of this process does: nothing changed); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeUnlock(void);

/* MemscopeLockedIncrement: adds 1 to the block's locked_total under the lock (waiting as
 * long as a live thread holds it; a dead holder is taken over).  OUT *pValue (may be NULL):
 * the value after the increment.  Errors: ERROR_POSSIBLE_DEADLOCK (the calling thread holds
 * the lock); the lock's identity errors (see MemscopeLock); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeLockedIncrement(LONGLONG *pValue);

/* MemscopeMutexLock: the classic way, kept as the baseline (dll/mutexlock.c): waits at most
 * timeoutMs (INFINITE allowed) for the named mutex "<mapping name>.mutex", which a process
 * opens at its first MemscopeMutexLock/Unlock.  Every call is a system call (under Wine a
 * wineserver round trip, ~10^4 times the block's lock).  The mutex is owned by the calling
 * *thread* and is recursive (each lock needs its unlock); it guards nothing by itself: it is
 * the caller's to use.  Like every named object it lives only while some process has it
 * open: if its holder dies while no other process has opened it, its abandoned state dies
 * too (the block's own lock has no such gap).
 * Returns ERROR_SUCCESS (held); ERROR_ABANDONED_WAIT_0 (held, but its previous owner ended
 * without releasing it: WAIT_ABANDONED, repair what it guarded); ERROR_TIMEOUT (not held);
 * a block error; CreateMutexW's error at the first call (e.g. ERROR_INVALID_HANDLE when the
 * name belongs to another kind of object, ERROR_INVALID_OWNER when another user made it);
 * WaitForSingleObject's error. */
MEMSCOPE_API DWORD WINAPI MemscopeMutexLock(DWORD timeoutMs);

/* MemscopeMutexUnlock: releases the named mutex once.  Errors: ERROR_NOT_OWNER (the calling
 * thread does not hold it: nothing changed); a block error; CreateMutexW's error. */
MEMSCOPE_API DWORD WINAPI MemscopeMutexUnlock(void);

/* MemscopeRacyIncrement: adds 1 to the block's `racy` field by a plain read, add, write,
 * with no synchronisation at all: the tour's demonstration of lost updates.  Never copy
 * this into real code.  OUT *pValue (may be NULL): the value it wrote.  Errors: a block
 * error. */
MEMSCOPE_API DWORD WINAPI MemscopeRacyIncrement(LONGLONG *pValue);

typedef struct MEMSCOPE_LOCK_STATE {
    DWORD    ownerPid;      /* process of the thread holding the lock now; 0 if free, or if
                               that thread no longer exists (a dead owner not yet taken over) */
    LONG     waiters;       /* threads parked on the lock's event (not those spinning) */
    LONG     abandoned;     /* times it was taken over from a dead owner */
    LONGLONG lockedTotal;   /* the block's locked_total */
    LONGLONG racy;          /* the block's racy field */
    DWORD    ownerTid;      /* thread holding the lock (from the owner word), 0 if free */
} MEMSCOPE_LOCK_STATE;

/* MemscopeLockState: OUT *pState: a snapshot of the lock and the two demonstration fields.
 * Errors: ERROR_INVALID_PARAMETER (pState NULL); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeLockState(MEMSCOPE_LOCK_STATE *pState);

/* One attached process, as the registry lists it. */
typedef struct MEMSCOPE_PROCESS {
    DWORD     slot;          /* its registry slot */
    DWORD     pid;           /* process id */
    ULONGLONG createTime;    /* process creation time (FILETIME) */
    ULONGLONG attachTime;    /* when it attached (FILETIME, UTC) */
    WCHAR     image[MEMSCOPE_IMAGE_CHARS]; /* image base name */
} MEMSCOPE_PROCESS;

/* MemscopeListProcesses: reclaims dead processes' slots, then copies up to capacity entries
 * into list.  OUT *pCount: the number of attached processes listed in the registry.
 * Errors: ERROR_INVALID_PARAMETER (pCount NULL, or list NULL with capacity > 0);
 * ERROR_MORE_DATA (more than capacity: the first capacity are copied); a block error. */
MEMSCOPE_API DWORD WINAPI MemscopeListProcesses(MEMSCOPE_PROCESS *list, DWORD capacity,
                                                DWORD *pCount);

/* MemscopeInfo: what this process knows of its attachment, for hosts and tests. */
typedef struct MEMSCOPE_INFO {
    DWORD    cbSize;         /* IN: sizeof(MEMSCOPE_INFO) */
    DWORD    status;         /* MemscopeStatus() */
    DWORD    pid;            /* this process */
    DWORD    creatorPid;     /* the block's creator (0 if refused) */
    BOOL     createdHere;    /* this process created the mapping (no ERROR_ALREADY_EXISTS) */
    DWORD    slot;           /* this process's registry slot, or (DWORD)-1 */
    DWORD    registration;   /* ERROR_SUCCESS, or why the process is not in the registry
                                (ERROR_DATABASE_FULL: every slot is taken) */
    void    *view;           /* this process's view address (NULL if refused) */
    SIZE_T   cbView;         /* its size */
    WCHAR    name[MEMSCOPE_NAME_MAX + 1]; /* the mapping's name */
} MEMSCOPE_INFO;

/* MemscopeGetInfo: fills *pInfo, whose cbSize the caller sets.  Errors:
 * ERROR_INVALID_PARAMETER (pInfo NULL or cbSize not sizeof(MEMSCOPE_INFO)).  Succeeds when
 * the block was refused too (status says why). */
MEMSCOPE_API DWORD WINAPI MemscopeGetInfo(MEMSCOPE_INFO *pInfo);

#ifdef __cplusplus
}
#endif

#endif /* MEMSCOPE_H */
