/*
 * result.c — composite results and arrays of composites; see result.h.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "result.h"

/* The SQL name of the called function, for internal errors only. */
static const char *
CalledName(FunctionCallInfo fcinfo)
{
	return get_func_name(fcinfo->flinfo->fn_oid);
}

TupleDesc
mq_result_desc(FunctionCallInfo fcinfo)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "%s: return type must be a row type", CalledName(fcinfo));
	return BlessTupleDesc(tupdesc);
}

Datum
mq_result_tuple(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	return HeapTupleGetDatum(heap_form_tuple(mq_result_desc(fcinfo), values, nulls));
}

void
mq_carray_init(MqCompositeArray *a, FunctionCallInfo fcinfo)
{
	Oid			rettype = get_fn_expr_rettype(fcinfo->flinfo);

	if (!OidIsValid(rettype))
		rettype = get_func_rettype(fcinfo->flinfo->fn_oid);
	a->elemtype = OidIsValid(rettype) ? get_element_type(rettype) : InvalidOid;
	if (!OidIsValid(a->elemtype) || !type_is_rowtype(a->elemtype))
		elog(ERROR, "%s: return type must be an array of a row type", CalledName(fcinfo));
	a->desc = BlessTupleDesc(lookup_rowtype_tupdesc_copy(a->elemtype, -1));
	get_typlenbyvalalign(a->elemtype, &a->typlen, &a->typbyval, &a->typalign);
	a->n = 0;
	a->cap = 16;
	a->elems = palloc(sizeof(Datum) * a->cap);
}

void
mq_carray_add(MqCompositeArray *a, Datum *values, bool *nulls)
{
	if (a->n == a->cap)
	{
		if ((Size) a->cap * 2 * sizeof(Datum) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("result array of more than %d rows is too large", a->cap)));
		a->cap *= 2;
		a->elems = repalloc(a->elems, sizeof(Datum) * a->cap);
	}
	a->elems[a->n++] = HeapTupleGetDatum(heap_form_tuple(a->desc, values, nulls));
}

ArrayType *
mq_carray_result(MqCompositeArray *a)
{
	if (a->n == 0)
		return construct_empty_array(a->elemtype);
	return construct_array(a->elems, a->n, a->elemtype, a->typlen, a->typbyval, a->typalign);
}
