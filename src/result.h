/*
 * result.h — building composite results: one row of a function's composite
 * return type, and arrays of composites (an aggregate returning setof-like
 * rows, e.g. stscan() and event_study()).
 *
 * How to use it:
 *
 *   one row (a final function, a window function, a plain function)
 *       Datum  values[3];
 *       bool   nulls[3];
 *       mq_result_nulls(nulls, 3);              -- all NULL to start with
 *       mq_result_f8(values, nulls, 0, est);    -- NULL when NaN or ±Infinity
 *       values[1] = Int64GetDatum(n); nulls[1] = false;
 *       PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
 *
 *   an array of composites (the function returns rowtype[])
 *       MqCompositeArray arr;
 *       mq_carray_init(&arr, fcinfo);
 *       for (...) { ...fill values/nulls...; mq_carray_add(&arr, values, nulls); }
 *       PG_RETURN_ARRAYTYPE_P(mq_carray_result(&arr));   -- '{}' when empty
 *
 *   a set-returning function: funcctx->tuple_desc = mq_result_desc(fcinfo);
 *       then heap_form_tuple(funcctx->tuple_desc, values, nulls) per row.
 *
 * A return type that is not composite (or not an array of a composite) is an
 * internal error naming the function: it means a wrong CREATE FUNCTION.
 */
#ifndef MINQING_RESULT_H
#define MINQING_RESULT_H

#include <math.h>

#include "postgres.h"
#include "fmgr.h"
#include "access/tupdesc.h"
#include "utils/array.h"

/* The function's composite return type, blessed (valid for the call). */
extern TupleDesc mq_result_desc(FunctionCallInfo fcinfo);

/* A composite datum of the function's return type. */
extern Datum mq_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* Mark the first n fields NULL. */
static inline void
mq_result_nulls(bool *nulls, int n)
{
	for (int i = 0; i < n; i++)
		nulls[i] = true;
}

/* float8 field i, or NULL when x is NaN or infinite. */
static inline void
mq_result_f8(Datum *values, bool *nulls, int i, double x)
{
	if (isnan(x) || isinf(x))
	{
		values[i] = (Datum) 0;
		nulls[i] = true;
		return;
	}
	values[i] = Float8GetDatum(x);
	nulls[i] = false;
}

/* An array of composites under construction (see the header comment). */
typedef struct MqCompositeArray
{
	Oid			elemtype;
	TupleDesc	desc;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	int			n;
	int			cap;
} MqCompositeArray;

/* Start an array of the element type of the function's rowtype[] result. */
extern void mq_carray_init(MqCompositeArray *a, FunctionCallInfo fcinfo);
/* Append one element built from values/nulls. */
extern void mq_carray_add(MqCompositeArray *a, Datum *values, bool *nulls);
/* The finished array (empty, not NULL, when nothing was added). */
extern ArrayType *mq_carray_result(MqCompositeArray *a);

#endif							/* MINQING_RESULT_H */
