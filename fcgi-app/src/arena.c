/*
 * arena.c - per-request bump allocator (see arena.h).
 */
#include "config.h"
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ARENA_ALIGN 16
#define ARENA_DEFAULT_BLOCK (16 * 1024)

struct arena_block {
    struct arena_block *next;
    size_t size;                /* usable bytes in data */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

/*
 * One spare ordinary block per process: a worker's arenas come and go once
 * per request, and handing the same block back and forth saves a malloc
 * and free (and glibc's consolidation of a 16 KiB chunk) every request.
 */
static struct arena_block *spare;

struct arena_cleanup {
    struct arena_cleanup *next;
    void (*fn)(void *);
    void *data;
};

void
arena_init(struct arena *a, size_t block_size)
{
    a->head = NULL;
    a->cleanups = NULL;
    a->block_size = block_size ? block_size : ARENA_DEFAULT_BLOCK;
    a->allocated = 0;
}

static void
run_cleanups(struct arena *a)
{
    /* A cleanup may allocate nothing from the arena; pop before calling. */
    while (a->cleanups) {
        struct arena_cleanup *c = a->cleanups;

        a->cleanups = c->next;
        c->fn(c->data);
    }
}

void
arena_release(struct arena *a)
{
    struct arena_block *b, *next;

    run_cleanups(a);
    for (b = a->head; b; b = next) {
        next = b->next;
        if (!spare && b->size == ARENA_DEFAULT_BLOCK)
            spare = b;
        else
            free(b);
    }
    a->head = NULL;
    a->allocated = 0;
}

void
arena_drop_spare(void)
{
    free(spare);
    spare = NULL;
}

void
arena_reset(struct arena *a)
{
    struct arena_block *keep = NULL, *b, *next;

    run_cleanups(a);
    /* Keep the oldest ordinary block (the tail); free the rest. */
    for (b = a->head; b; b = next) {
        next = b->next;
        if (!next && b->size == a->block_size) {
            keep = b;
            break;
        }
        free(b);
    }
    a->head = keep;
    a->allocated = 0;
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
        a->allocated = sizeof(*keep) + keep->size;
    }
}

static struct arena_block *
block_new(struct arena *a, size_t size)
{
    struct arena_block *b;

    if (size > SIZE_MAX - sizeof(*b))
        BUG("arena block size overflow");
    if (spare && size == ARENA_DEFAULT_BLOCK) {
        b = spare;
        spare = NULL;
        b->used = 0;
        a->allocated += sizeof(*b) + size;
        return b;
    }
    b = malloc(sizeof(*b) + size);
    if (!b)
        die_oom();
    b->size = size;
    b->used = 0;
    a->allocated += sizeof(*b) + size;
    return b;
}

void *
arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t off;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        BUG("arena allocation overflow");
    if (b) {
        off = (b->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        if (off <= b->size && b->size - off >= n) {
            b->used = off + n;
            return b->data + off;
        }
    }
    if (n > a->block_size / 4) {
        /* Large allocation: its own block, linked behind the head so the
         * head keeps serving small allocations. */
        struct arena_block *big = block_new(a, n);

        big->used = n;
        if (b) {
            big->next = b->next;
            b->next = big;
        } else {
            big->next = NULL;
            a->head = big;
        }
        return big->data;
    }
    b = block_new(a, a->block_size);
    b->next = a->head;
    a->head = b;
    b->used = n;
    return b->data;
}

void *
arena_calloc(struct arena *a, size_t n, size_t sz)
{
    void *p;

    if (sz && n > SIZE_MAX / sz)
        BUG("arena_calloc overflow");
    p = arena_alloc(a, n * sz);
    memset(p, 0, n * sz);
    return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        BUG("bad format '%s'", fmt);
    p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
arena_on_release(struct arena *a, void (*fn)(void *), void *data)
{
    struct arena_cleanup *c = arena_alloc(a, sizeof(*c));

    c->fn = fn;
    c->data = data;
    c->next = a->cleanups;
    a->cleanups = c;
}
