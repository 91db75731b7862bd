/*
 * win32.c: Win32 error and memory words for the tour (see win32.h).
 */
#include <stdio.h>
#include <string.h>

#include "../msg.h"
#include "win32.h"

/* The system's words for err, in UTF-8 and in the tour's language (--lang, else the
 * user's UI language) when Windows has them: FormatMessageW through msg_system, never
 * FormatMessageA, whose ANSI code page would turn every accent of a French message into
 * '?'.  They go into the tour's notes and onto stderr, both UTF-8 like everything the
 * tour prints. */
const char *w32_message(DWORD err, char *buf, size_t cap)
{
    return msg_system(err, buf, cap);      /* UTF-8, in the tour's language */
}

int w32_fail_err(const char *call, DWORD err)
{
    char text[3 * 256];
    msg_eprintf(msg(IDS_ERR_FAILED), call, w32_message(err, text, sizeof text),
                (unsigned long)err);
    return 1;
}

int w32_fail(const char *call)
{
    return w32_fail_err(call, GetLastError());
}

const char *w32_error_name(DWORD err, char *buf, size_t cap)
{
    static const struct { DWORD code; const char *name; } names[] = {
        { ERROR_SUCCESS, "ERROR_SUCCESS" },
        { ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND" },
        { ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED" },
        { ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE" },
        { ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY" },
        { ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER" },
        { ERROR_ALREADY_EXISTS, "ERROR_ALREADY_EXISTS" },
        { ERROR_INVALID_ADDRESS, "ERROR_INVALID_ADDRESS" },
        { ERROR_TIMEOUT, "ERROR_TIMEOUT" },
        { ERROR_BAD_LENGTH, "ERROR_BAD_LENGTH" },
        { ERROR_INVALID_DATA, "ERROR_INVALID_DATA" },
        { ERROR_ABANDONED_WAIT_0, "ERROR_ABANDONED_WAIT_0" },
        { ERROR_DLL_INIT_FAILED, "ERROR_DLL_INIT_FAILED" },
        { ERROR_NOT_OWNER, "ERROR_NOT_OWNER" },
    };
    for (size_t i = 0; i < ARRAYSIZE(names); i++)
        if (names[i].code == err)
            return names[i].name;
    snprintf(buf, cap, "error %lu", (unsigned long)err);
    return buf;
}

const char *w32_type_name(const MEMORY_BASIC_INFORMATION *mbi)
{
    if (mbi->State == MEM_FREE)       /* Type means nothing for a free range */
        return "MEM_FREE";
    switch (mbi->Type) {
    case MEM_PRIVATE: return "MEM_PRIVATE";
    case MEM_MAPPED:  return "MEM_MAPPED";
    case MEM_IMAGE:   return "MEM_IMAGE";
    default:          return "-";
    }
}

const char *w32_protect_name(const MEMORY_BASIC_INFORMATION *mbi, char *buf, size_t cap)
{
    static const struct { DWORD bit; const char *name; } base[] = {
        { PAGE_NOACCESS, "PAGE_NOACCESS" }, { PAGE_READONLY, "PAGE_READONLY" },
        { PAGE_READWRITE, "PAGE_READWRITE" }, { PAGE_WRITECOPY, "PAGE_WRITECOPY" },
        { PAGE_EXECUTE, "PAGE_EXECUTE" }, { PAGE_EXECUTE_READ, "PAGE_EXECUTE_READ" },
        { PAGE_EXECUTE_READWRITE, "PAGE_EXECUTE_READWRITE" },
        { PAGE_EXECUTE_WRITECOPY, "PAGE_EXECUTE_WRITECOPY" },
        { PAGE_GUARD, "PAGE_GUARD" }, { PAGE_NOCACHE, "PAGE_NOCACHE" },
        { PAGE_WRITECOMBINE, "PAGE_WRITECOMBINE" },
    };
    if (mbi->State == MEM_RESERVE)
        return "MEM_RESERVE";
    if (mbi->State != MEM_COMMIT)
        return "-";
    buf[0] = 0;
    DWORD left = mbi->Protect;
    for (size_t i = 0; i < ARRAYSIZE(base); i++) {
        if (!(left & base[i].bit))
            continue;
        left &= ~base[i].bit;
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s%s", n ? "|" : "", base[i].name);
    }
    if (left != 0 || buf[0] == 0) {     /* a bit this table does not name: show it raw */
        size_t n = strlen(buf);
        snprintf(buf + n, cap - n, "%s0x%lx", n ? "|" : "", (unsigned long)left);
    }
    return buf;
}

int w32_read_file(const char *path, char *buf, int cap, DWORD *err)
{
    DWORD got = 0;
    *err = ERROR_SUCCESS;
    HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                           OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        *err = GetLastError();
        w32_fail_err("CreateFileA", *err);
        return -1;
    }
    BOOL ok = ReadFile(h, buf, (DWORD)cap, &got, NULL);
    if (!ok) {
        *err = GetLastError();
        w32_fail_err("ReadFile", *err);
    }
    if (!CloseHandle(h))
        w32_fail("CloseHandle");
    return ok ? (int)got : -1;
}

void w32_empty_file(const char *path)
{
    HANDLE h = CreateFileA(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL,
                           NULL);
    if (h == INVALID_HANDLE_VALUE)
        w32_fail("CreateFileA");
    else if (!CloseHandle(h))
        w32_fail("CloseHandle");
}

void w32_to_utf8(const WCHAR *w, char *out, int cap)
{
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, out, cap, NULL, NULL) == 0) {
        w32_fail("WideCharToMultiByte");
        snprintf(out, (size_t)cap, "?");
    }
}
