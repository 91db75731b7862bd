/*
 * win32.h: the Win32 words the tour prints, shared by the parent and the children.
 *
 * The tour teaches the article's vocabulary, so it reports what Windows says in Windows'
 * own names: error codes as ERROR_..., and what VirtualQuery says about an address as its
 * Type (MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE), or MEM_FREE, and its protection (PAGE_...).
 * The lowest layer of host/tour/: it depends on nothing else here.
 */
#ifndef MEMSCOPE_TOUR_WIN32_H
#define MEMSCOPE_TOUR_WIN32_H

#include <windows.h>
#include <stddef.h>

/* FormatMessage's text for err, without the trailing newline ("error N" if it has none). */
const char *w32_message(DWORD err, char *buf, size_t cap);

/* Prints "memscope: CALL failed: <system message> (err)" on stderr.  Returns 1, the exit
 * code of a failed command.  w32_fail reads GetLastError itself. */
int w32_fail_err(const char *call, DWORD err);
int w32_fail(const char *call);

/* The ERROR_... name of the codes the tour shows, else "error N" (in buf). */
const char *w32_error_name(DWORD err, char *buf, size_t cap);

/* What VirtualQuery said, in its own words.  w32_type_name: "MEM_FREE" when nothing is
 * allocated there, else the Type (MEM_PRIVATE, MEM_MAPPED, MEM_IMAGE).  w32_protect_name:
 * the pages' protection when committed (PAGE_READWRITE, modifiers joined with '|'),
 * "MEM_RESERVE" for a range only reserved (no pages, so no protection yet), "-" when free. */
const char *w32_type_name(const MEMORY_BASIC_INFORMATION *mbi);
const char *w32_protect_name(const MEMORY_BASIC_INFORMATION *mbi, char *buf, size_t cap);

/* Reads up to cap bytes of the file at path with plain ReadFile, as any program would.
 * Returns the bytes read, or -1 (reported; *err says why). */
int w32_read_file(const char *path, char *buf, int cap, DWORD *err);

/* Creates the file at path, or empties it (reported if it cannot). */
void w32_empty_file(const char *path);

/* UTF-16 to UTF-8; "?" (reported) if it cannot be converted. */
void w32_to_utf8(const WCHAR *w, char *out, int cap);

#endif
