/*
 * child_file.c: the child's side of step 6 with --file: a named mapping backed by a file
 * instead of the paging file, records written through the view, the two flushes a program
 * needs to have them on the disk (FlushViewOfFile, then FlushFileBuffers), and the view
 * unmapped and the handles closed.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memscope.h"
#include "child.h"
#include "proto.h"

static HANDLE tc_file, tc_file_map;
static char *tc_file_view;

/* fileopen PATH NAME (percent-encoded): the file mapped under NAME, created by the first
 * child and opened by the others (created=0: ERROR_ALREADY_EXISTS). */
void tc_fileopen(int argc, char **argv)
{
    WCHAR wpath[MAX_PATH], wname[MEMSCOPE_NAME_MAX + 16];
    if (argc != 2) {
        tc_reply_err("fileopen PATH NAME", ERROR_INVALID_PARAMETER);
        return;
    }
    if (tc_file_view != NULL) {
        tc_reply_err("fileopen (already open)", ERROR_ALREADY_INITIALIZED);
        return;
    }
    proto_dec(argv[0]);
    proto_dec(argv[1]);
    if (MultiByteToWideChar(CP_UTF8, 0, argv[0], -1, wpath, MAX_PATH) == 0 ||
        MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, wname, ARRAYSIZE(wname)) == 0) {
        tc_reply_err("MultiByteToWideChar", GetLastError());
        return;
    }
    tc_file = CreateFileW(wpath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                          NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (tc_file == INVALID_HANDLE_VALUE) {
        tc_file = NULL;
        tc_reply_err("CreateFileW", GetLastError());
        return;
    }
    /* The size extends a shorter file; the name lets the other children share the one
     * mapping object (and its pages) rather than each mapping the file on its own. */
    tc_file_map = CreateFileMappingW(tc_file, NULL, PAGE_READWRITE, 0, TOUR_FILE_SIZE, wname);
    if (tc_file_map == NULL) {
        tc_reply_err("CreateFileMappingW", GetLastError());
        return;
    }
    BOOL created = GetLastError() != ERROR_ALREADY_EXISTS;
    tc_file_view = MapViewOfFile(tc_file_map, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, 0);
    if (tc_file_view == NULL) {
        tc_reply_err("MapViewOfFile", GetLastError());
        return;
    }
    tc_reply("created=%d view=0x%" PRIxPTR, created ? 1 : 0, (uintptr_t)tc_file_view);
}

/* filewrite K RUN: record K of the file, 32 bytes of text at offset 32*K, so a hex dump
 * reads as lines; record 0 is a header every child writes alike. */
void tc_filewrite(int argc, char **argv)
{
    char rec[TOUR_RECORD + 1], *end = NULL;
    long k = argc == 2 ? strtol(argv[0], &end, 10) : 0;
    if (tc_file_view == NULL || end == argv[0] || end == NULL || *end != 0 || k < 1 ||
        (k + 1) * TOUR_RECORD > TOUR_FILE_SIZE) {
        tc_reply_err("filewrite", ERROR_INVALID_PARAMETER);
        return;
    }
    snprintf(rec, sizeof rec, "%-31s\n", "memscope tour file: a record/line");
    memcpy(tc_file_view, rec, TOUR_RECORD);
    char body[96];
    snprintf(body, sizeof body, "child %-2ld pid %-5lu run %s", k,
             (unsigned long)GetCurrentProcessId(), argv[1]);
    snprintf(rec, sizeof rec, "%-31.31s\n", body);
    memcpy(tc_file_view + (size_t)k * TOUR_RECORD, rec, TOUR_RECORD);
    tc_reply("%s", "");
}

/* fileflushview: FlushViewOfFile on this child's view.  It starts writing the view's dirty
 * pages to the file and returns: it does not wait for the disk, and it does not write the
 * file's metadata (its size, its times).  Microsoft's advice: call FlushFileBuffers next. */
void tc_fileflushview(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (tc_file_view == NULL) {
        tc_reply_err("fileflushview", ERROR_INVALID_HANDLE);
        return;
    }
    if (!FlushViewOfFile(tc_file_view, 0)) {
        tc_reply_err("FlushViewOfFile", GetLastError());
        return;
    }
    tc_reply("%s", "");
}

/* fileflushbuffers: FlushFileBuffers on the file handle this child opened (it needs
 * GENERIC_WRITE, which fileopen asked for).  It returns once the file's buffered data and
 * its metadata have been written to the disk. */
void tc_fileflushbuffers(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (tc_file == NULL) {
        tc_reply_err("fileflushbuffers", ERROR_INVALID_HANDLE);
        return;
    }
    if (!FlushFileBuffers(tc_file)) {
        tc_reply_err("FlushFileBuffers", GetLastError());
        return;
    }
    tc_reply("%s", "");
}

/* fileclose: UnmapViewOfFile on this child's view of the file, then CloseHandle on the
 * mapping and on the file; answers what VirtualQuery says where the view was (t). */
void tc_fileclose(int argc, char **argv)
{
    tc_region r;
    (void)argc, (void)argv;
    if (tc_file_view == NULL) {
        tc_reply_err("fileclose", ERROR_INVALID_HANDLE);
        return;
    }
    if (!UnmapViewOfFile(tc_file_view)) {
        tc_reply_err("UnmapViewOfFile", GetLastError());
        return;
    }
    const void *was = tc_file_view;     /* only asked about, never read: it is gone */
    tc_file_view = NULL;
    tc_look(was, 1, &r);
    if (!CloseHandle(tc_file_map)) {
        tc_file_map = NULL;
        tc_reply_err("CloseHandle(mapping)", GetLastError());
        return;
    }
    tc_file_map = NULL;
    if (!CloseHandle(tc_file)) {
        tc_file = NULL;
        tc_reply_err("CloseHandle(file)", GetLastError());
        return;
    }
    tc_file = NULL;
    tc_reply("t=%s", r.type);
}
