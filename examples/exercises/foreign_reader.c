/*
 * foreign_reader.c: a solution of docs/exercises.md, "a foreign reader".  It reads
 * memscope's block by name with nothing but dll/memscope.h: it does not load memscope.dll,
 * and links nothing of it.  The header's layout, offsets pinned by _Static_assert, is the
 * whole contract.
 *
 *   foreign_reader      the block MEMSCOPE_NAME names (default Local\memscope): its header,
 *                       the published text, the counter and the registered processes
 *
 * What it gets right, as memscope.dll does:
 * - it opens the mapping read-only (FILE_MAP_READ): a reader has no business writing;
 * - it asks the view its real size (VirtualQuery) before it reads a byte: the name may hold
 *   someone else's, smaller, section;
 * - it checks magic, version and size before it trusts anything else;
 * - it reads the text as the DLL's readers do, without the lock: text_pub, a copy of the
 *   published buffer (its length read once and clamped), text_pub again; if that changed,
 *   a writer published meanwhile, and it copies again.
 * Every field another process writes is read through a volatile pointer, once.
 * Exit codes: 0 read, 1 no such block or not a memscope block.
 */
#include <windows.h>
#include <stdio.h>

#include "memscope.h"

typedef const volatile MEMSCOPE_BLOCK shared_block;

static void put_utf8(const WCHAR *w)
{
    static char s[4 * MEMSCOPE_TEXT_CAPACITY];
    if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, sizeof s, NULL, NULL) == 0)
        s[0] = 0;
    fputs(s, stdout);
}

/* A 32-bit field other processes change: one load, here, through a volatile pointer. */
static LONG load32(const volatile LONG *p)
{
    return *p;
}

/* A 64-bit field other processes change, read from a read-only view: one load on x86_64;
 * on i686 the two halves, again until the high one reads the same before and after (an
 * interlocked compare-exchange, the usual atomic 64-bit read there, writes: it faults on a
 * read-only page). */
static int64_t load64(const volatile int64_t *p)
{
#ifdef _WIN64
    return *p;
#else
    const volatile uint32_t *half = (const volatile uint32_t *)p;
    uint32_t hi, lo;
    do {
        hi = half[1];
        lo = half[0];
    } while (half[1] != hi);
    return (int64_t)(((uint64_t)hi << 32) | lo);
#endif
}

/* One whole text into out (MEMSCOPE_TEXT_CAPACITY WCHARs).  Returns the buffer it came
 * from, or -1 when writers kept publishing during 100 copies in a row. */
static int read_text(shared_block *b, WCHAR *out, uint32_t *writer)
{
    for (int tries = 0; tries < 100; tries++) {
        LONG pub = load32(&b->text_pub);
        MemoryBarrier();
        const volatile MEMSCOPE_TEXTBUF *t = &b->texts[pub & 1];
        uint32_t len = t->len;                       /* once, then clamped */
        if (len > MEMSCOPE_TEXT_MAX)
            len = MEMSCOPE_TEXT_MAX;
        for (uint32_t k = 0; k < len; k++)
            out[k] = t->text[k];
        out[len] = 0;
        *writer = t->writer;
        MemoryBarrier();
        if (load32(&b->text_pub) == pub)             /* nothing published meanwhile */
            return pub & 1;
    }
    return -1;
}

int main(void)
{
    WCHAR name[MEMSCOPE_NAME_MAX + 1];
    static WCHAR text[MEMSCOPE_TEXT_CAPACITY];
    MEMORY_BASIC_INFORMATION mbi;
    uint32_t writer = 0;

    SetConsoleOutputCP(CP_UTF8);
    DWORD n = GetEnvironmentVariableW(MEMSCOPE_NAME_ENV, name, ARRAYSIZE(name));
    if (n == 0 || n >= ARRAYSIZE(name))
        lstrcpyW(name, MEMSCOPE_DEFAULT_NAME);
    HANDLE h = OpenFileMappingW(FILE_MAP_READ, FALSE, name);
    if (h == NULL) {
        printf("foreign_reader: no block named %ls (error %lu: no process holds one)\n", name,
               GetLastError());
        return 1;
    }
    shared_block *b = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    if (b == NULL || VirtualQuery((const void *)b, &mbi, sizeof mbi) == 0) {
        printf("foreign_reader: cannot map %ls (error %lu)\n", name, GetLastError());
        return 1;
    }
    /* Not one byte is read before the view is known to be committed and big enough. */
    BOOL big = mbi.State == MEM_COMMIT && mbi.RegionSize >= MEMSCOPE_BLOCK_SIZE;
    uint32_t magic = big ? b->header.magic : 0, version = big ? b->header.version : 0;
    uint32_t size = big ? b->header.size : 0, creator = big ? b->header.creator_pid : 0;
    if (magic != MEMSCOPE_MAGIC || version != MEMSCOPE_LAYOUT_VERSION ||
        size != MEMSCOPE_BLOCK_SIZE) {
        printf("foreign_reader: %ls is not a memscope block of layout %u (%lu bytes "
               "committed, magic 0x%08lx)\n", name, MEMSCOPE_LAYOUT_VERSION,
               mbi.State == MEM_COMMIT ? (unsigned long)mbi.RegionSize : 0ul,
               (unsigned long)magic);
        return 1;
    }
    printf("block %ls: layout %lu, %lu bytes, created by pid %lu\n", name,
           (unsigned long)version, (unsigned long)size, (unsigned long)creator);
    int buffer = read_text(b, text, &writer);
    if (buffer < 0) {
        printf("text: writers never stopped publishing\n");
    } else {
        printf("text \"");
        put_utf8(text);
        printf("\" (buffer %d, written by pid %lu)\n", buffer, (unsigned long)writer);
    }
    printf("counter %lld\n", (long long)load64(&b->counter));
    for (uint32_t s = 0; s < MEMSCOPE_SLOTS; s++) {
        const volatile MEMSCOPE_SLOT *slot = &b->slots[s];
        if (slot->state != MEMSCOPE_SLOT_READY)
            continue;
        WCHAR image[MEMSCOPE_IMAGE_CHARS];
        for (uint32_t k = 0; k < MEMSCOPE_IMAGE_CHARS; k++)
            image[k] = slot->image[k];
        image[MEMSCOPE_IMAGE_CHARS - 1] = 0;
        printf("slot %lu: pid %lu ", (unsigned long)s, (unsigned long)slot->pid);
        put_utf8(image);
        printf("\n");
    }
    UnmapViewOfFile((const void *)b);
    CloseHandle(h);
    return 0;
}
