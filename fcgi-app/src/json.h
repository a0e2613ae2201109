/*
 * json.h - json-c helpers bound to the request arena.
 *
 * A parsed document has one root; json_parse_body() registers its release
 * on the arena, so handlers never call json_object_put() on it.  Getters
 * validate type and write a field-level 400 through reply.h when asked to.
 */
#ifndef JISHI_JSON_H
#define JISHI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct arena;

/*
 * Parse exactly one JSON value from text[0..len) with nesting at most
 * max_depth, counting every level including the innermost scalar ([[1]]
 * is depth 3).  Rejects trailing garbage, NUL bytes, invalid UTF-8, NaN
 * and Infinity.
 * On success *out is owned by the arena.  Returns 0 or JS_INVALID, with a
 * short reason in *why (static string).
 */
int json_parse(struct arena *a, const char *text, size_t len,
               unsigned max_depth, json_object **out, const char **why);

/* Hand obj's release to the arena; returns obj. */
json_object *json_arena_own(struct arena *a, json_object *obj);

/* Serialise compactly (no slash escaping); the string lives in the arena. */
const char *json_to_string(struct arena *a, json_object *obj, size_t *len);

/*
 * Typed member getters.  Return 0 and set *out when present and of the
 * right type; JS_NOTFOUND when absent (or JSON null); JS_INVALID when of
 * the wrong type or out of range.
 */
int json_get_string(json_object *o, const char *key, const char **out);
int json_get_int64(json_object *o, const char *key, int64_t min, int64_t max,
                   int64_t *out);
int json_get_bool(json_object *o, const char *key, bool *out);

/* Constructors that never return NULL. */
json_object *json_str(const char *s);
json_object *json_strn(const char *s, size_t n);
json_object *json_int(int64_t v);

/* Add key: s, or key: null when s is NULL. */
void json_add_str(json_object *o, const char *key, const char *s);

/*
 * A value that serialises as the JSON text `text`, verbatim (not copied:
 * text must stay valid until the value is serialised).  For JSON built
 * once and sent many times, such as a cached listing's facets.
 */
json_object *json_raw(char *text);

/* Money: {"amount": minor units, "currency": "CNY"}. */
json_object *json_money(int64_t amount, const char *currency);

/* True when s[0..len) is well-formed UTF-8 without NUL bytes. */
bool utf8_valid(const char *s, size_t len);

#endif
