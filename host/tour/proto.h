/*
 * proto.h: the line protocol between the tour (the parent) and its children.
 *
 * The parent writes one command a line ("peek 0x34d0b0 0x1630000"); the child does it in its
 * own address space and answers one line, "ok key=value ..." or "err <call>: <message>".
 * Values never hold a space: text that may is percent-encoded (proto_enc).  A child reports
 * what it observed, never a conclusion: the parent computes every verdict.
 */
#ifndef MEMSCOPE_TOUR_PROTO_H
#define MEMSCOPE_TOUR_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define TOUR_LINE_MAX   4096    /* one command or one answer, '\n' included */
#define TOUR_FILE_SIZE  4096    /* step 6's file-backed mapping */
#define TOUR_RECORD     32      /* bytes a record in that file: a hex dump shows one a line */

/* Percent-encodes s: anything but [A-Za-z0-9._:/-] becomes %XX.  Returns out. */
const char *proto_enc(const char *s, char *out, size_t cap);

/* Decodes %XX in place. */
void proto_dec(char *s);

/* The value of " key=" in an answer line, percent-decoded into out.  Returns 0 if the key
 * is absent (out is then ""). */
int proto_kv(const char *line, const char *key, char *out, size_t cap);

/* The value of key as a number (decimal or 0x...), or dflt when absent or "-". */
long long proto_num(const char *line, const char *key, long long dflt);
uint64_t proto_addr(const char *line, const char *key);

/* How many records of run RUN (a "child K pid P run RUN" line) the file's first n bytes
 * hold; record 0 is the header every child writes alike. */
int proto_records(const char *buf, int n, const char *run);

#endif
