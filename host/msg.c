/*
 * msg.c: the string tables of memscope.exe, read by language id (see msg.h).
 *
 * Windows keeps a STRINGTABLE as blocks of 16 strings: block id/16 + 1 holds string id,
 * each entry a length (one WCHAR) then that many WCHARs, no terminator.  FindResourceExW
 * finds the block in exactly the language asked for, so a missing French string falls back
 * to the English one rather than to whatever the loader would pick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

#define MSG_EN MAKELANGID(LANG_ENGLISH, SUBLANG_ENGLISH_US)
#define MSG_FR MAKELANGID(LANG_FRENCH, SUBLANG_FRENCH)
#define MSG_MAX_ID 4096

static LANGID msg_langid;           /* 0: not chosen yet */
static BOOL msg_explicit;
static char *msg_cache[MSG_MAX_ID];

BOOL msg_set_lang(const char *code)
{
    if (strcmp(code, "en") == 0)
        msg_langid = MSG_EN;
    else if (strcmp(code, "fr") == 0)
        msg_langid = MSG_FR;
    else
        return FALSE;
    msg_explicit = TRUE;
    return TRUE;
}

static LANGID msg_current(void)
{
    if (msg_langid == 0)
        msg_langid = PRIMARYLANGID(GetUserDefaultUILanguage()) == LANG_FRENCH ? MSG_FR : MSG_EN;
    return msg_langid;
}

const char *msg_lang(void)
{
    return msg_current() == MSG_FR ? "fr" : "en";
}

BOOL msg_lang_explicit(void)
{
    return msg_explicit;
}

/* String id in language lang as UTF-16 (not terminated) and its length; NULL if absent. */
static const WCHAR *msg_find(UINT id, LANGID lang, int *len)
{
    HRSRC r = FindResourceExW(NULL, (LPCWSTR)RT_STRING, MAKEINTRESOURCEW(id / 16 + 1), lang);
    HGLOBAL g = r != NULL ? LoadResource(NULL, r) : NULL;
    const WCHAR *p = g != NULL ? (const WCHAR *)LockResource(g) : NULL;
    if (p == NULL)
        return NULL;
    for (UINT i = 0; i < id % 16; i++)
        p += 1 + *p;
    *len = *p;
    return *len > 0 ? p + 1 : NULL;
}

const char *msg(UINT id)
{
    if (id >= MSG_MAX_ID)
        return "?";
    if (msg_cache[id] != NULL)
        return msg_cache[id];
    int len = 0;
    const WCHAR *w = msg_find(id, msg_current(), &len);
    if (w == NULL)
        w = msg_find(id, MSG_EN, &len);
    if (w == NULL)
        return "?";
    int n = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
    char *s = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (s == NULL)
        return "?";
    WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL);
    s[n] = 0;
    msg_cache[id] = s;          /* kept for the life of the process */
    return s;
}

char *msg_utf8(const WCHAR *s, char *buf, size_t cap)
{
    if (cap == 0)
        return buf;
    if (WideCharToMultiByte(CP_UTF8, 0, s, -1, buf, (int)cap, NULL, NULL) == 0)
        snprintf(buf, cap, "?");
    buf[cap - 1] = 0;
    return buf;
}

char *msg_system(DWORD err, char *buf, size_t cap)
{
    WCHAR text[512];
    DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS;
    DWORD n = FormatMessageW(flags, NULL, err, msg_current(), text, ARRAYSIZE(text), NULL);
    if (n == 0)         /* the system has no message in that language: its own */
        n = FormatMessageW(flags, NULL, err, 0, text, ARRAYSIZE(text), NULL);
    while (n > 0 && (text[n - 1] == L'\r' || text[n - 1] == L'\n' || text[n - 1] == L' '))
        text[--n] = 0;
    if (n == 0 && cap > 0) {    /* no message for this code: the number is all there is */
        snprintf(buf, cap, msg(IDS_ERR_NO_TEXT), (unsigned long)err);
        return buf;
    }
    return msg_utf8(text, buf, cap);
}

char *msg_decimal(double v, int decimals, char *buf, size_t cap)
{
    char plain[64];
    WCHAR in[64], out[64], sep[8], none[1] = { 0 };
    LCID lcid = MAKELCID(msg_current(), SORT_DEFAULT);

    snprintf(plain, sizeof plain, "%.*f", decimals, v);   /* GetNumberFormatW's input */
    if (cap == 0)
        return buf;
    NUMBERFMTW f = { .NumDigits = (UINT)decimals, .LeadingZero = 1, .Grouping = 0,
                     .lpDecimalSep = sep, .lpThousandSep = none, .NegativeOrder = 1 };
    if (GetLocaleInfoW(lcid, LOCALE_SDECIMAL, sep, ARRAYSIZE(sep)) > 0 &&
        MultiByteToWideChar(CP_UTF8, 0, plain, -1, in, ARRAYSIZE(in)) > 0 &&
        GetNumberFormatW(lcid, 0, in, &f, out, ARRAYSIZE(out)) > 0)
        return msg_utf8(out, buf, cap);
    snprintf(buf, cap, "%s", plain);
    return buf;
}

int msg_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}
