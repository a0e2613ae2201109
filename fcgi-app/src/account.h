/*
 * account.h - shopper accounts: register, sign in and out, profile,
 * password change and reset, acting merchant, data export and deletion.
 *
 * Owns the `users` and `password_resets` tables (sessions are auth.c's).
 * Every handler here is a route in routes.c; see fcgi-app/openapi.yaml for
 * bodies and errors.
 */
#ifndef JISHI_ACCOUNT_H
#define JISHI_ACCOUNT_H

#include <stdint.h>

#include <json-c/json.h>

struct req;

int account_register(struct req *r);
int account_login(struct req *r);
int account_logout(struct req *r);
int account_logout_all(struct req *r);
int account_me(struct req *r);
int account_update_me(struct req *r);
int account_change_password(struct req *r);
int account_reset_request(struct req *r);
int account_reset_confirm(struct req *r);
int account_set_acting_merchant(struct req *r);
int account_export(struct req *r);
int account_delete(struct req *r);

/*
 * Create an admin account (CLI: jishi-fcgi create-admin), or make an
 * existing account an admin and set its password.  Returns 0 or -1.
 */
int account_create_admin(struct req *r, const char *email,
                         const char *password);

#endif
