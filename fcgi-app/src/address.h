/*
 * address.h - a shopper's address book.  Owns the `addresses` table.
 * Every query is scoped by the session's user id; another user's address
 * is "not found".  At most one address per user is the default.
 */
#ifndef JISHI_ADDRESS_H
#define JISHI_ADDRESS_H

struct req;

#include <stdint.h>

#include <json-c/json.h>

int address_list(struct req *r);

/* user_id's addresses as a JSON array (export); db error or JS_OK. */
int address_list_json(struct req *r, int64_t user_id, json_object **out);
int address_create(struct req *r);
int address_update(struct req *r);
int address_delete(struct req *r);

#endif
