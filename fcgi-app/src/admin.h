/*
 * admin.h - the platform staff console's endpoints: users and merchants.
 * (The audit log reader is audit_list() in audit.h.)  Every change is
 * audited in the same transaction.
 */
#ifndef JISHI_ADMIN_H
#define JISHI_ADMIN_H

struct req;

int admin_users(struct req *r);
int admin_user_disable(struct req *r);
int admin_user_enable(struct req *r);
int admin_merchants(struct req *r);
int admin_merchant_approve(struct req *r);
int admin_merchant_reject(struct req *r);
int admin_merchant_suspend(struct req *r);    /* reason: required */

#endif
