/*
 * state.c — the aggregate-state machinery shared by every minqing aggregate.
 * See state.h for the byte layout and the in-place update rules.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/memutils.h"

#include "state.h"

/* Kept outside the header so the name tables stay in one place. */
bool
mq_in_aggregate(FunctionCallInfo fcinfo)
{
	return AggCheckCallContext(fcinfo, NULL) != 0;
}

bytea *
mq_state_new(MqStateKind kind, Size capacity, Size used)
{
	Size		total = add_size(MQ_STATE_HDRSZ, capacity);
	bytea	   *s;

	if (total > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("aggregate state of %zu bytes exceeds the 1 GB limit", total),
				 errhint("Aggregate fewer rows per group or use a coarser grid.")));
	s = (bytea *) palloc0(total);
	SET_VARSIZE(s, total);
	((char *) s)[4] = MQ_STATE_VERSION;
	((char *) s)[5] = (char) kind;
	mq_state_set_used(s, (uint32) used);
	return s;
}

bytea *
mq_state_check(Datum d, MqStateKind kind, Size min_used, const char *aggname)
{
	bytea	   *s = DatumGetByteaP(d);
	Size		size = VARSIZE(s);
	uint8		version,
				k;
	uint32		used;

	if (size < MQ_STATE_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: %zu bytes is shorter than the %d-byte header",
						aggname, size, MQ_STATE_HDRSZ),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	version = ((uint8 *) s)[4];
	k = ((uint8 *) s)[5];
	if (version != MQ_STATE_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: format version %d, expected %d",
						aggname, version, MQ_STATE_VERSION),
				 errhint("All nodes of a cluster must run the same minqing version.")));
	if (k != (uint8) kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: it belongs to another aggregate (kind %d, expected %d)",
						aggname, k, (int) kind),
				 errhint("Pass only states produced by minqing's own transition functions.")));
	used = mq_state_used(s);
	if (used < min_used || (Size) used > size - MQ_STATE_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: %u payload bytes in use, capacity %zu, minimum %zu",
						aggname, used, size - MQ_STATE_HDRSZ, min_used),
				 errhint("The state is truncated or corrupted.")));
	return s;
}

bytea *
mq_state_for_update(FunctionCallInfo fcinfo, int argno, MqStateKind kind,
					Size capacity, Size used, const char *aggname)
{
	bytea	   *s;

	if (PG_ARGISNULL(argno))
		return mq_state_new(kind, capacity, used);

	s = mq_state_check(PG_GETARG_DATUM(argno), kind, 0, aggname);
	if (!mq_in_aggregate(fcinfo) && (Pointer) s == DatumGetPointer(PG_GETARG_DATUM(argno)))
	{
		/* called as a plain function: never scribble on the caller's datum */
		bytea	   *copy = (bytea *) palloc(VARSIZE(s));

		memcpy(copy, s, VARSIZE(s));
		s = copy;
	}
	return s;
}

bytea *
mq_state_reserve(bytea *s, Size needed, const char *aggname)
{
	Size		cap = MQ_STATE_CAPACITY(s);
	Size		newcap;
	bytea	   *n;

	if (needed <= cap)
		return s;
	if (needed > MaxAllocSize - MQ_STATE_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s state would need %zu bytes, above the 1 GB limit", aggname,
						add_size(needed, MQ_STATE_HDRSZ)),
				 errhint("Aggregate fewer rows per group.")));
	newcap = Max(cap, 64);
	while (newcap < needed)
		newcap = Min(newcap * 2, MaxAllocSize - MQ_STATE_HDRSZ);
	/*
	 * Copy what is used and zero only the slack (palloc0 would zero the
	 * whole block and then overwrite most of it: twice the page writes of a
	 * large state).
	 */
	n = (bytea *) palloc(MQ_STATE_HDRSZ + newcap);
	memcpy(n, s, MQ_STATE_HDRSZ + mq_state_used(s));
	memset((char *) n + MQ_STATE_HDRSZ + mq_state_used(s), 0, newcap - mq_state_used(s));
	SET_VARSIZE(n, MQ_STATE_HDRSZ + newcap);
	return n;
}

bytea *
mq_state_combine_nulls(FunctionCallInfo fcinfo, MqStateKind kind, Size min_used,
					   const char *aggname, bool *done)
{
	*done = true;
	if (PG_ARGISNULL(0) && PG_ARGISNULL(1))
		return NULL;
	if (PG_ARGISNULL(0))
	{
		/* copy, so nodeAgg can own it (it may point into a worker's tuple) */
		bytea	   *s2 = mq_state_check(PG_GETARG_DATUM(1), kind, min_used, aggname);
		bytea	   *copy = (bytea *) palloc(VARSIZE(s2));

		memcpy(copy, s2, VARSIZE(s2));
		return copy;
	}
	if (PG_ARGISNULL(1))
		return mq_state_check(PG_GETARG_DATUM(0), kind, min_used, aggname);
	*done = false;
	return mq_state_for_update(fcinfo, 0, kind, 0, 0, aggname);
}
