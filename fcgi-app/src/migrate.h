/*
 * migrate.h - schema migrations: schema_dir/NNNN_name.sql applied in order
 * to the primary and recorded in schema_migrations with a checksum.
 * Applying twice is a no-op; an applied file that changed is an error.
 */
#ifndef JISHI_MIGRATE_H
#define JISHI_MIGRATE_H

struct conf;

/* Apply pending migrations; db_init() must have run.  Returns 0 or -1. */
int migrate_run(const struct conf *conf);

/* 1 when name looks like a migration file ("0001_init.sql"), else 0. */
int migrate_is_file(const char *name);

#endif
