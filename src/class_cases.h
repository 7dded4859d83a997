/*
 * class_cases.h — helpers shared by the class-case and repeat-call functions
 * (SPEC §9: stdbscan.c, repeat.c, knox.c, profile.c).
 */
#ifndef MINQING_CLASS_CASES_H
#define MINQING_CLASS_CASES_H

#include "postgres.h"
#include "datatype/timestamp.h"

/*
 * An interval in microseconds, a month counted as 30 days (PostgreSQL's own
 * interval comparison does the same).  ERROR naming fname and argname unless
 * it is positive and finite.
 */
extern int64 mq_interval_usecs(const Interval *iv, const char *fname, const char *argname);

#endif
