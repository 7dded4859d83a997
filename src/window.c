/*
 * window.c — the shared window-partition context; see window.h for how to
 * use it.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/memutils.h"
#include "windowapi.h"

#include "geom.h"
#include "window.h"

/* The head of the partition-local block; the row array follows. */
typedef struct MqWinHeader
{
	bool		ready;
	int64		nrows;
} MqWinHeader;

#define MQ_WIN_HDRSZ	MAXALIGN(sizeof(MqWinHeader))

/*
 * mq_window_begin: guard the partition size, get (or create, zeroed) the
 * partition-local block and locate the current row.
 */
void *
mq_window_begin(FunctionCallInfo fcinfo, Size rowsize, const char *fname, MqWindow *w)
{
	WindowObject win = PG_WINDOW_OBJECT();
	int64		nrows = WinGetPartitionRowCount(win);
	int64		maxrows = (int64) ((MaxAllocSize - MQ_WIN_HDRSZ) / Max(rowsize, 1));
	MqWinHeader *hdr;

	if (nrows > maxrows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: partition of %lld rows is too large", fname, (long long) nrows),
				 errdetail("At most %lld rows fit in one partition.", (long long) maxrows),
				 errhint("Split the input with PARTITION BY.")));
	hdr = (MqWinHeader *) WinGetPartitionLocalMemory(win,
													 add_size(MQ_WIN_HDRSZ,
															  mul_size(Max(nrows, 1), rowsize)));
	if (!hdr->ready)
		hdr->nrows = nrows;
	w->win = win;
	w->fname = fname;
	w->nrows = hdr->nrows;
	w->ready = hdr->ready;
	w->ready_flag = &hdr->ready;
	w->cur = WinGetCurrentPosition(win);
	if (w->cur < 0 || w->cur >= w->nrows)
		elog(ERROR, "%s: row %lld outside its partition of %lld rows", fname,
			 (long long) w->cur, (long long) w->nrows);
	return (char *) hdr + MQ_WIN_HDRSZ;
}

void
mq_window_ready(MqWindow *w)
{
	*w->ready_flag = true;
	w->ready = true;
}

Datum
mq_warg_datum(MqWindow *w, int argno, int64 row, bool *isnull)
{
	bool		isout;
	Datum		d = WinGetFuncArgInPartition(w->win, argno, row, WINDOW_SEEK_HEAD,
											 false, isnull, &isout);

	if (isout)
		elog(ERROR, "%s: row %lld outside its partition", w->fname, (long long) row);
	return *isnull ? (Datum) 0 : d;
}

double
mq_warg_float8(MqWindow *w, int argno, int64 row, bool *isnull)
{
	Datum		d = mq_warg_datum(w, argno, row, isnull);

	return *isnull ? 0.0 : DatumGetFloat8(d);
}

int32
mq_warg_int32(MqWindow *w, int argno, int64 row, bool *isnull)
{
	Datum		d = mq_warg_datum(w, argno, row, isnull);

	return *isnull ? 0 : DatumGetInt32(d);
}

bool
mq_warg_bool(MqWindow *w, int argno, int64 row, bool *isnull)
{
	Datum		d = mq_warg_datum(w, argno, row, isnull);

	return *isnull ? false : DatumGetBool(d);
}

text *
mq_warg_text(MqWindow *w, int argno, int64 row, bool *isnull)
{
	Datum		d = mq_warg_datum(w, argno, row, isnull);

	return *isnull ? NULL : DatumGetTextPP(d);
}

bool
mq_warg_point(MqWindow *w, int argno, int64 row, MqPoint *pt, bool *isnull)
{
	Datum		d = mq_warg_datum(w, argno, row, isnull);

	if (*isnull)
		return false;
	return mq_point_read(d, pt, w->fname) == MQ_POINT_OK;
}

/*
 * mq_window_constant: one value per partition for arguments such as a
 * distance band; a partition mixing them has no single answer.
 */
void
mq_window_constant(MqWindow *w, MqWinConst *c, const char *argname, double value, int64 row)
{
	if (!c->have)
	{
		c->have = true;
		c->value = value;
		c->row = row;
		return;
	}
	if (c->value == value || (isnan(c->value) && isnan(value)))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: argument %s must be the same on every row of the partition",
					w->fname, argname),
			 errdetail("Got %g on row %lld and %g on row %lld of the partition.",
					   c->value, (long long) c->row + 1, value, (long long) row + 1),
			 errhint("Pass one value for the whole partition, or add the column to PARTITION BY.")));
}

/* The partition's memory context (the header is the start of its block). */
MemoryContext
mq_window_memory(MqWindow *w)
{
	return GetMemoryChunkContext(w->ready_flag);
}
