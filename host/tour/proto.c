/*
 * proto.c: encoding and parsing of the tour's answer lines (see proto.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

const char *proto_enc(const char *s, char *out, size_t cap)
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

void proto_dec(char *s)
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

int proto_kv(const char *line, const char *key, char *out, size_t cap)
{
    size_t k = strlen(key);
    out[0] = 0;
    for (const char *p = strchr(line, ' '); p != NULL; p = strchr(p + 1, ' ')) {
        if (strncmp(p + 1, key, k) != 0 || p[1 + k] != '=')
            continue;
        const char *v = p + 2 + k;
        size_t n = strcspn(v, " ");
        if (n >= cap)
            n = cap - 1;
        memcpy(out, v, n);
        out[n] = 0;
        proto_dec(out);
        return 1;
    }
    return 0;
}

long long proto_num(const char *line, const char *key, long long dflt)
{
    char v[64];
    return proto_kv(line, key, v, sizeof v) && v[0] && strcmp(v, "-") != 0
               ? strtoll(v, NULL, 0) : dflt;
}

uint64_t proto_addr(const char *line, const char *key)
{
    char v[64];
    return proto_kv(line, key, v, sizeof v) ? strtoull(v, NULL, 0) : 0;
}

int proto_records(const char *buf, int n, const char *run)
{
    char tag[32];
    int found = 0;
    snprintf(tag, sizeof tag, "run %s", run);
    for (int k = 1; (k + 1) * TOUR_RECORD <= n; k++) {
        char rec[TOUR_RECORD + 1];
        memcpy(rec, buf + (size_t)k * TOUR_RECORD, TOUR_RECORD);
        rec[TOUR_RECORD] = 0;
        found += strncmp(rec, "child ", 6) == 0 && strstr(rec, tag) != NULL;
    }
    return found;
}
