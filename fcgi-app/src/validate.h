/*
 * validate.h - input validation for JSON bodies, with field-level errors.
 *
 * The v_* helpers read one member of r->json, check it, and on failure
 * write a 400 naming the field and return JS_REPLIED, so a handler reads
 *
 *     if (v_email(r, "email", &email) || v_str(r, "name", 1, 64, true, &n))
 *         return JS_REPLIED;
 *
 * Lengths count characters (UTF-8 code points), not bytes.  Strings with
 * control characters are refused.  The pure helpers below them are
 * unit-tested on their own.
 */
#ifndef JISHI_VALIDATE_H
#define JISHI_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct req;

/* Characters in a valid UTF-8 string. */
size_t utf8_chars(const char *s);

/* True when s has a C0 control character or DEL (tabs and newlines
 * only when allow_newlines). */
bool has_control_chars(const char *s, bool allow_newlines);

/*
 * Normalise an email address: trim spaces, lower-case ASCII, check the
 * shape (one '@', non-empty local part <= 64, a dotted domain, <= 254 in
 * all, no spaces or controls).  Returns the arena copy or NULL.
 */
char *email_normalize(struct arena *a, const char *in);

/*
 * Password policy for a new password: 10..128 characters, not one of the
 * most common passwords, not the email address.  Returns NULL when
 * acceptable, else a reason for the user.
 */
const char *password_policy(const char *pw, const char *email);

/* String member: trimmed copy; absent and !required -> *out NULL. */
int v_str(struct req *r, const char *key, size_t min_chars, size_t max_chars,
          bool required, const char **out);

/* Text that may contain newlines (descriptions, reasons); required text
 * must not be empty once trimmed. */
int v_text(struct req *r, const char *key, size_t max_chars, bool required,
           const char **out);

/* Integer member in [min, max]; absent and !required -> *present false. */
int v_int(struct req *r, const char *key, int64_t min, int64_t max,
          bool required, int64_t *out, bool *present);

/* Boolean member; absent -> *present false. */
int v_bool(struct req *r, const char *key, bool *out, bool *present);

/* Required email member, normalised. */
int v_email(struct req *r, const char *key, const char **out);

/* Required password member (any length 1..1024 bytes, not validated
 * against the policy: for checking an existing password). */
int v_password(struct req *r, const char *key, const char **out);

/* Required new password member checked against password_policy(). */
int v_new_password(struct req *r, const char *key, const char *email,
                   const char **out);

#endif
