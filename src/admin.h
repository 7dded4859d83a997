/*
 * admin.h — admin division codes (src/admin.c) for C callers.
 */
#ifndef MINQING_ADMIN_H
#define MINQING_ADMIN_H

/* room for the longest code any level may produce */
#define MQ_ADMIN_CODE_MAX 32

extern bool mq_admin_ancestor(const char *code, int len, int level, char *out, int *outlen);

#endif							/* MINQING_ADMIN_H */
