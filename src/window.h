/*
 * window.h — the one window-partition context every minqing window function
 * uses (PostGIS ST_ClusterDBSCAN shape: read the partition once on its first
 * row, compute every row's answer into partition-local memory, hand back one
 * precomputed answer per call).
 *
 * How to write a window function with it:
 *
 *     typedef struct MyRow { bool ok; double value; } MyRow;   -- zeroed: NULL
 *
 *     Datum
 *     my_window(PG_FUNCTION_ARGS)
 *     {
 *         MqWindow    w;
 *         MyRow      *rows = mq_window_begin(fcinfo, sizeof(MyRow), "my_window", &w);
 *
 *         if (!w.ready)
 *         {
 *             MqWinConst  dist = MQ_WIN_CONST_INIT;
 *
 *             for (int64 r = 0; r < w.nrows; r++)
 *             {
 *                 bool        vnull,
 *                             dnull;
 *                 double      v = mq_warg_float8(&w, 0, r, &vnull);
 *                 double      d = mq_warg_float8(&w, 2, r, &dnull);
 *
 *                 if (vnull || dnull)
 *                     continue;                  -- the row's answer stays NULL
 *                 mq_check_positive_finite(d, w.fname, "distance", MQ_HINT_LENGTH);
 *                 mq_window_constant(&w, &dist, "distance", d, r);
 *                 rows[r].value = ...;
 *                 rows[r].ok = true;
 *             }
 *             mq_window_ready(&w);
 *         }
 *         if (!rows[w.cur].ok)
 *             PG_RETURN_NULL();
 *         PG_RETURN_FLOAT8(rows[w.cur].value);
 *     }
 *
 * mq_window_begin refuses a partition whose per-row array cannot fit one
 * allocation (one message, naming the function and the limit) and returns
 * the zeroed array of w.nrows rows (at least one, so it is never NULL);
 * w.cur is the current row, already checked to lie inside the partition.
 * STRICT does not apply to window functions: the argument readers report
 * NULL through *isnull (and return 0 / NULL), every caller decides what a
 * NULL row means.  Scratch memory: allocate in CurrentMemoryContext while
 * computing (it is the per-call context), or in a context of your own that
 * you delete; only the row array lives as long as the partition.
 */
#ifndef MINQING_WINDOW_H
#define MINQING_WINDOW_H

#include "postgres.h"
#include "fmgr.h"
#include "windowapi.h"

#include "geom.h"

typedef struct MqWindow
{
	WindowObject win;
	const char *fname;			/* SQL name, for messages */
	int64		nrows;			/* rows in the partition */
	int64		cur;			/* the current row, 0 .. nrows - 1 */
	bool		ready;			/* the rows were computed on an earlier call */
	bool	   *ready_flag;		/* (internal) the flag in partition memory */
} MqWindow;

/*
 * Start a call: fill *w and return the partition's per-row array of
 * `rowsize`-byte rows, zeroed on the partition's first call.  When
 * w->ready is false, compute every row and call mq_window_ready(w).
 */
extern void *mq_window_begin(FunctionCallInfo fcinfo, Size rowsize, const char *fname,
							 MqWindow *w);

/* Mark the partition computed: later calls find w->ready true. */
extern void mq_window_ready(MqWindow *w);

/*
 * The partition's memory context, for per-row data of variable size (arrays
 * a row points to) that must live as long as the row array.
 */
extern MemoryContext mq_window_memory(MqWindow *w);

/*
 * Argument readers: argument `argno` (0-based) of partition row `row`.
 * *isnull is set; a NULL argument returns 0 / false / NULL.  Values are
 * returned as they are (no finiteness check): use mq_check_finite or
 * mq_check_positive_finite (stats.h) on what must be finite.
 */
extern Datum mq_warg_datum(MqWindow *w, int argno, int64 row, bool *isnull);
extern double mq_warg_float8(MqWindow *w, int argno, int64 row, bool *isnull);
extern int32 mq_warg_int32(MqWindow *w, int argno, int64 row, bool *isnull);
extern bool mq_warg_bool(MqWindow *w, int argno, int64 row, bool *isnull);
/* text, detoasted (the pointer is valid in CurrentMemoryContext) */
extern text *mq_warg_text(MqWindow *w, int argno, int64 row, bool *isnull);

/*
 * A point argument: true and *pt filled for a usable point; false for NULL
 * or POINT EMPTY (*isnull tells which).  A geometry that is not a point, or
 * has NaN/infinite coordinates, is an error naming the function.
 */
extern bool mq_warg_point(MqWindow *w, int argno, int64 row, MqPoint *pt, bool *isnull);

/*
 * The per-partition constant check: an argument such as a distance band is
 * one number for the whole partition.  Keep one MqWinConst per argument,
 * initialised with MQ_WIN_CONST_INIT, and pass every non-NULL row's value
 * (int and bool arguments as double: exact).  The first value is kept in
 * c->value; a different later value is an error:
 *   "<fname>: argument <argname> must be the same on every row of the partition"
 */
typedef struct MqWinConst
{
	bool		have;
	double		value;
	int64		row;
} MqWinConst;

#define MQ_WIN_CONST_INIT	{false, 0.0, 0}

extern void mq_window_constant(MqWindow *w, MqWinConst *c, const char *argname,
							   double value, int64 row);

#endif							/* MINQING_WINDOW_H */
