/*
 * json.c - json-c helpers (see json.h).
 */
#include "config.h"
#include "json.h"

#include <string.h>

#include "arena.h"
#include "log.h"
#include "util.h"

static void
put_json(void *p)
{
    json_object_put(p);
}

json_object *
json_arena_own(struct arena *a, json_object *obj)
{
    if (obj)
        arena_on_release(a, put_json, obj);
    return obj;
}

bool
utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const unsigned char *end = p + len;

    while (p < end) {
        uint32_t cp;
        size_t n = *p ? utf8_next(p, (size_t)(end - p), &cp) : 0;

        if (n == 0)
            return false;
        p += n;
    }
    return true;
}

/* json-c accepts NaN and Infinity, which are not JSON: refuse them. */
static bool
all_finite(json_object *o)
{
    switch (json_object_get_type(o)) {
    case json_type_double: {
        double d = json_object_get_double(o);

        return d == d && d - d == 0;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (!all_finite(json_object_array_get_idx(o, i)))
                return false;
        return true;
    case json_type_object: {
        json_object_object_foreach(o, k, v) {
            (void)k;
            if (!all_finite(v))
                return false;
        }
        return true;
    }
    default:
        return true;
    }
}

int
json_parse(struct arena *a, const char *text, size_t len, unsigned max_depth,
           json_object **out, const char **why)
{
    struct json_tokener *tok;
    json_object *obj;
    enum json_tokener_error jerr;
    size_t used;

    *out = NULL;
    if (len == 0) {
        *why = "request body is empty";
        return JS_INVALID;
    }
    if (len > INT32_MAX) {
        *why = "request body is too large";
        return JS_INVALID;
    }
    if (!utf8_valid(text, len)) {
        *why = "request body is not valid UTF-8";
        return JS_INVALID;
    }
    tok = json_tokener_new_ex((int)max_depth);
    if (!tok)
        die_oom();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    used = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue) {
        /* A number or literal that ends the input is complete only once
         * the tokener sees the end: hand it the terminating NUL. */
        obj = json_tokener_parse_ex(tok, "", 1);
        jerr = json_tokener_get_error(tok);
        if (jerr != json_tokener_success)
            jerr = json_tokener_continue;
    }
    json_tokener_free(tok);
    if (jerr == json_tokener_error_depth) {
        json_object_put(obj);
        *why = "JSON nesting is too deep";
        return JS_INVALID;
    }
    if (jerr != json_tokener_success) {
        json_object_put(obj);
        *why = jerr == json_tokener_continue ? "JSON ends too early"
                                             : "malformed JSON";
        return JS_INVALID;
    }
    /* Only whitespace may follow the value. */
    for (; used < len; used++) {
        char c = text[used];

        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            json_object_put(obj);
            *why = "unexpected data after the JSON value";
            return JS_INVALID;
        }
    }
    if (!all_finite(obj)) {
        json_object_put(obj);
        *why = "NaN and Infinity are not JSON";
        return JS_INVALID;
    }
    *out = json_arena_own(a, obj);
    return JS_OK;
}

const char *
json_to_string(struct arena *a, json_object *obj, size_t *len)
{
    size_t n;
    const char *s = json_object_to_json_string_length(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

    if (!s)
        die_oom();
    if (len)
        *len = n;
    return arena_strndup(a, s, n);
}

static int
member(json_object *o, const char *key, json_object **v)
{
    if (!o || !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, key, v) || !*v)
        return JS_NOTFOUND;
    return JS_OK;
}

int
json_get_string(json_object *o, const char *key, const char **out)
{
    json_object *v;

    if (member(o, key, &v))
        return JS_NOTFOUND;
    if (!json_object_is_type(v, json_type_string))
        return JS_INVALID;
    *out = json_object_get_string(v);
    /* "\u0000" inside a string would silently cut it short in C. */
    if (strlen(*out) != (size_t)json_object_get_string_len(v))
        return JS_INVALID;
    return JS_OK;
}

int
json_get_int64(json_object *o, const char *key, int64_t min, int64_t max,
               int64_t *out)
{
    json_object *v;
    int64_t n;

    if (member(o, key, &v))
        return JS_NOTFOUND;
    if (!json_object_is_type(v, json_type_int))
        return JS_INVALID;
    /* json-c saturates at INT64 limits; treat those as out of range. */
    n = json_object_get_int64(v);
    if (n < min || n > max || n == INT64_MAX || n == INT64_MIN)
        return JS_INVALID;
    *out = n;
    return JS_OK;
}

int
json_get_bool(json_object *o, const char *key, bool *out)
{
    json_object *v;

    if (member(o, key, &v))
        return JS_NOTFOUND;
    if (!json_object_is_type(v, json_type_boolean))
        return JS_INVALID;
    *out = json_object_get_boolean(v);
    return JS_OK;
}

static json_object *
nn(json_object *o)
{
    if (!o)
        die_oom();
    return o;
}

json_object *
json_str(const char *s)
{
    return nn(json_object_new_string(s ? s : ""));
}

json_object *
json_strn(const char *s, size_t n)
{
    return nn(json_object_new_string_len(s, (int)n));
}

json_object *
json_int(int64_t v)
{
    return nn(json_object_new_int64(v));
}

json_object *
json_raw(char *text)
{
    json_object *o = json_object_new_object();

    if (!o)
        die_oom();
    /* json-c writes the userdata string in place of the object. */
    json_object_set_serializer(o, json_object_userdata_to_json_string,
                               text, NULL);
    return o;
}

json_object *
json_money(int64_t amount, const char *currency)
{
    json_object *o = json_object_new_object();

    if (!o)
        die_oom();
    json_object_object_add(o, "amount", json_int(amount));
    json_object_object_add(o, "currency", json_str(currency));
    return o;
}

void
json_add_str(json_object *o, const char *key, const char *s)
{
    json_object_object_add(o, key, s ? json_str(s) : NULL);
}
