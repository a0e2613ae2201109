/*
 * validate.c - input validation (see validate.h).
 */
#include "config.h"
#include "validate.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "json.h"
#include "reply.h"
#include "req.h"
#include "util.h"

/* The commonest passwords of at least ten characters, lower-case. */
static const char *const common_passwords[] = {
    "1234567890", "0123456789", "12345678910", "1234567891", "qwertyuiop",
    "1q2w3e4r5t", "1qaz2wsx3edc", "password12", "password123",
    "password1234", "passw0rd123", "iloveyou12", "qwerty1234",
    "qwerty12345", "qwerty123456", "1111111111", "0000000000",
    "abcdefghij", "abc1234567", "a123456789", "aa12345678", "asdfghjkl1",
    "zxcvbnm123", "welcome123", "letmein123", "admin12345", "administrator",
    "11111111111", "123123123123", "987654321a", "9876543210",
    "1234567890a", "qazwsxedcrfv", "qweasdzxc123", "princess12",
    "football12", "baseball12", "sunshine12", "monkey1234", "dragon1234",
    "1q2w3e4r5t6y", "woaini1314", "woaini520", "5201314520", "1314520520",
    "abcd123456", "abc123456789", "jishi12345", "changeme123",
};

size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        if (((unsigned char)*s & 0xc0) != 0x80)
            n++;
    return n;
}

bool
has_control_chars(const char *s, bool allow_newlines)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (allow_newlines && (c == '\n' || c == '\r' || c == '\t'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return true;
    }
    return false;
}

char *
email_normalize(struct arena *a, const char *in)
{
    const char *start = in, *end, *at, *dot;
    size_t len;
    char *out;

    while (*start == ' ' || *start == '\t')
        start++;
    end = start + strlen(start);
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    len = (size_t)(end - start);
    if (len < 3 || len > 254)
        return NULL;
    out = arena_strndup(a, start, len);
    for (char *p = out; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"' ||
            c == ',' || c == ';' || c == '\\' || c == '(' || c == ')')
            return NULL;
        if (c >= 'A' && c <= 'Z')
            *p = (char)(c - 'A' + 'a');
    }
    at = strchr(out, '@');
    if (!at || at == out || strchr(at + 1, '@') || at - out > 64)
        return NULL;
    dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strstr(at, "..") ||
        out[len - 1] == '.')
        return NULL;
    return out;
}

const char *
password_policy(const char *pw, const char *email)
{
    size_t n = utf8_chars(pw);

    if (n < 10)
        return "password must have at least 10 characters";
    if (n > 128 || strlen(pw) > 1024)
        return "password must have at most 128 characters";
    for (size_t i = 0; i < ARRAY_SIZE(common_passwords); i++)
        if (strcasecmp(pw, common_passwords[i]) == 0)
            return "password is too common";
    if (email && strcasecmp(pw, email) == 0)
        return "password must not be the email address";
    return NULL;
}

static int
bad(struct req *r, const char *key, const char *why)
{
    return reply_err(r, JS_INVALID, key, "'%s' %s", key, why);
}

static char *
trim(struct arena *a, const char *s)
{
    const char *end;

    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
                       end[-1] == '\n' || end[-1] == '\r'))
        end--;
    return arena_strndup(a, s, (size_t)(end - s));
}

static int
get_string(struct req *r, const char *key, size_t min_chars,
           size_t max_chars, bool required, bool newlines, const char **out)
{
    const char *s;
    char *t;
    size_t n;
    int rc = json_get_string(r->json, key, &s);

    *out = NULL;
    if (rc == JS_NOTFOUND)
        return required ? bad(r, key, "is required") : JS_OK;
    if (rc)
        return bad(r, key, "must be a string");
    t = trim(&r->arena, s);
    if (has_control_chars(t, newlines))
        return bad(r, key, "contains control characters");
    n = utf8_chars(t);
    if (n < min_chars)
        return min_chars == 1 ? bad(r, key, "must not be empty")
                              : reply_err(r, JS_INVALID, key,
                                          "'%s' must have at least %zu "
                                          "characters", key, min_chars);
    if (n > max_chars)
        return reply_err(r, JS_INVALID, key,
                         "'%s' must have at most %zu characters", key,
                         max_chars);
    *out = t;
    return JS_OK;
}

int
v_str(struct req *r, const char *key, size_t min_chars, size_t max_chars,
      bool required, const char **out)
{
    return get_string(r, key, min_chars, max_chars, required, false, out);
}

int
v_text(struct req *r, const char *key, size_t max_chars, bool required,
       const char **out)
{
    return get_string(r, key, required ? 1 : 0, max_chars, required, true,
                      out);
}

int
v_int(struct req *r, const char *key, int64_t min, int64_t max,
      bool required, int64_t *out, bool *present)
{
    int rc = json_get_int64(r->json, key, min, max, out);

    if (present)
        *present = rc == JS_OK;
    if (rc == JS_NOTFOUND)
        return required ? bad(r, key, "is required") : JS_OK;
    if (rc)
        return reply_err(r, JS_INVALID, key,
                         "'%s' must be a whole number from %lld to %lld",
                         key, (long long)min, (long long)max);
    return JS_OK;
}

int
v_bool(struct req *r, const char *key, bool *out, bool *present)
{
    int rc = json_get_bool(r->json, key, out);

    *present = rc == JS_OK;
    if (rc == JS_INVALID)
        return bad(r, key, "must be true or false");
    return JS_OK;
}

int
v_email(struct req *r, const char *key, const char **out)
{
    const char *s;
    int rc = json_get_string(r->json, key, &s);

    if (rc == JS_NOTFOUND)
        return bad(r, key, "is required");
    if (rc)
        return bad(r, key, "must be a string");
    *out = email_normalize(&r->arena, s);
    if (!*out)
        return bad(r, key, "is not a valid email address");
    return JS_OK;
}

int
v_password(struct req *r, const char *key, const char **out)
{
    int rc = json_get_string(r->json, key, out);

    if (rc == JS_NOTFOUND)
        return bad(r, key, "is required");
    if (rc)
        return bad(r, key, "must be a string");
    if (!**out || strlen(*out) > 1024)
        return bad(r, key, "has an invalid length");
    return JS_OK;
}

int
v_new_password(struct req *r, const char *key, const char *email,
               const char **out)
{
    const char *why;

    if (v_password(r, key, out))
        return JS_REPLIED;
    why = password_policy(*out, email);
    if (why)
        return reply_err(r, JS_INVALID, key, "%s", why);
    return JS_OK;
}
