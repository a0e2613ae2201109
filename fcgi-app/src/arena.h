/*
 * arena.h - per-request bump allocator with cleanup callbacks.
 *
 * One arena lives for one request: created before routing, destroyed after
 * the response is flushed.  Everything a handler allocates comes from it, so
 * handlers never call free().  Resources that are not plain memory (a json-c
 * root, a libxml2 document) register a cleanup that runs, newest first, when
 * the arena is reset or freed.
 *
 * Allocation failure aborts inside the arena: callers never check for NULL.
 */
#ifndef JISHI_ARENA_H
#define JISHI_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena_cleanup;

struct arena {
    struct arena_block *head;       /* block being carved, newest first */
    struct arena_cleanup *cleanups; /* run in reverse order of adding */
    size_t block_size;              /* size of ordinary blocks */
    size_t allocated;               /* bytes obtained from malloc */
};

/* Initialise an empty arena whose blocks are block_size bytes (0: 16 KiB). */
void arena_init(struct arena *a, size_t block_size);

/* Run cleanups and free every block; the arena can be reused afterwards. */
void arena_release(struct arena *a);

/*
 * Run cleanups and keep the first block for the next request, so a worker's
 * steady state makes no malloc calls for small requests.
 */
void arena_reset(struct arena *a);

/* Free the process's cached spare block (before exit, for leak checks). */
void arena_drop_spare(void);

/* Uninitialised memory aligned for any type.  Never NULL. */
void *arena_alloc(struct arena *a, size_t n);

/* Zeroed memory for n elements of size sz; aborts on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t sz);

/* Copies; the result is NUL-terminated. */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Register fn(data) to run when the arena is reset or released. */
void arena_on_release(struct arena *a, void (*fn)(void *), void *data);

#endif
