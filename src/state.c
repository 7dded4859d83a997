/*
 * state.c — the aggregate-state machinery shared by every minqing aggregate.
 * See state.h for the byte layout and the in-place update rules.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "state.h"

/* Kept outside the header so the name tables stay in one place. */
bool
mq_in_aggregate(FunctionCallInfo fcinfo)
{
	return AggCheckCallContext(fcinfo, NULL) != 0;
}

static Size GrownCapacity(Size cap, Size needed, const char *aggname);

Datum
mq_state_expand(bytea *s, MemoryContext parent, const ExpandedObjectMethods *methods, const char *name)
{
	/* name: a string constant (the context keeps the pointer) */
	MemoryContext cxt = AllocSetContextCreateInternal(parent, name, ALLOCSET_DEFAULT_SIZES);
	MqExpandedState *x = (MqExpandedState *) MemoryContextAllocZero(cxt, sizeof(MqExpandedState));

	EOH_init_header(&x->hdr, methods, cxt);
	x->state = (bytea *) MemoryContextAllocHuge(cxt, VARSIZE(s));
	memcpy(x->state, s, VARSIZE(s));
	return EOHPGetRWDatum(&x->hdr);
}

void
mq_expanded_reserve(MqExpandedState *x, Size needed, const char *aggname)
{
	Size		newcap;

	if (needed <= MQ_STATE_CAPACITY(x->state))
		return;
	newcap = GrownCapacity(MQ_STATE_CAPACITY(x->state), needed, aggname);
	/* the chunk is the object's own: grow it where it is (no copy by nodeAgg) */
	x->state = (bytea *) repalloc_huge(x->state, MQ_STATE_HDRSZ + newcap);
	SET_VARSIZE(x->state, MQ_STATE_HDRSZ + newcap);
}

MqExpandedState *
mq_expanded_state(Datum d, const ExpandedObjectMethods *methods)
{
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)) && DatumGetEOHP(d)->eoh_methods == methods)
		return (MqExpandedState *) DatumGetEOHP(d);
	return NULL;
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

/*
 * The capacity a state of capacity `cap` grows to so that `needed` payload
 * bytes fit: doubled, at most the 1 GB limit, which a larger need is
 * refused with.
 */
static Size
GrownCapacity(Size cap, Size needed, const char *aggname)
{
	Size		newcap;

	if (needed > MaxAllocSize - MQ_STATE_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s state would need %zu bytes, above the 1 GB limit", aggname,
						add_size(needed, MQ_STATE_HDRSZ)),
				 errhint("Aggregate fewer rows per group.")));
	newcap = Max(cap, 64);
	while (newcap < needed)
		newcap = Min(newcap * 2, MaxAllocSize - MQ_STATE_HDRSZ);
	return newcap;
}

bytea *
mq_state_reserve(bytea *s, Size needed, const char *aggname)
{
	Size		newcap;
	bytea	   *n;

	if (needed <= MQ_STATE_CAPACITY(s))
		return s;
	newcap = GrownCapacity(MQ_STATE_CAPACITY(s), needed, aggname);
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

/*
 * A copy of `s` without its slack: header + used bytes.  What travels as
 * text or binary and what a user stores.
 */
static bytea *
StateTrimmed(bytea *s)
{
	Size		len = MQ_STATE_HDRSZ + mq_state_used(s);
	bytea	   *t = (bytea *) palloc(len);

	memcpy(t, s, len);
	SET_VARSIZE(t, len);
	return t;
}

bytea *
mq_state_from_cstring(const char *str, MqStateKind kind, Size min_used, const char *typname)
{
	bytea	   *raw;

	if (str[0] != '\\' || str[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type minqing.%s", typname),
				 errdetail("A %s is written as \\x followed by hexadecimal digits.", typname),
				 errhint("Use only text produced by minqing's output function.")));
	raw = DatumGetByteaPP(DirectFunctionCall1(byteain, CStringGetDatum(str)));
	raw = mq_state_check(PointerGetDatum(raw), kind, min_used, typname);
	return StateTrimmed(raw);
}

/* Always hex, whatever bytea_output says: the text form is the wire form. */
char *
mq_state_to_cstring(bytea *s)
{
	Size		len = MQ_STATE_HDRSZ + mq_state_used(s) - VARHDRSZ;
	char	   *out = palloc(2 * len + 3);
	uint64		n;

	out[0] = '\\';
	out[1] = 'x';
	n = hex_encode(VARDATA(s), len, out + 2);
	out[2 + n] = '\0';
	return out;
}

bytea *
mq_state_from_binary(StringInfo buf, MqStateKind kind, Size min_used, const char *typname)
{
	int			len = buf->len - buf->cursor;
	bytea	   *raw = (bytea *) palloc(len + VARHDRSZ);

	SET_VARSIZE(raw, len + VARHDRSZ);
	pq_copymsgbytes(buf, VARDATA(raw), len);
	raw = mq_state_check(PointerGetDatum(raw), kind, min_used, typname);
	return StateTrimmed(raw);
}

bytea *
mq_state_to_binary(bytea *s)
{
	StringInfoData buf;
	bytea	   *t = StateTrimmed(s);

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, VARDATA(t), VARSIZE(t) - VARHDRSZ);
	return pq_endtypsend(&buf);
}

/* The stored value of constant c (float8 or int32) of a payload. */
static double
ConstGet(const char *pl, const MqStateConst *c)
{
	return c->type == MQ_CONST_F8 ? mq_get_f8(pl + c->off) : (double) mq_get_i32(pl + c->off);
}

static void
ConstPut(char *pl, const MqStateConst *c, double v)
{
	if (c->type == MQ_CONST_F8)
		mq_put_f8(pl + c->off, v);
	else
		mq_put_i32(pl + c->off, (int32) v);
}

static void
CheckConstantsFit(const bytea *s, const MqStateConst *c, int n, const char *aggname)
{
	for (int i = 0; i < n; i++)
		if (c[i].off + (c[i].type == MQ_CONST_F8 ? 8 : 4) > mq_state_used(s))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid %s state: %u payload bytes cannot hold its constants",
							aggname, mq_state_used(s)),
					 errhint("Pass only states produced by minqing's own transition functions.")));
}

/* ISO text of a date (DateADT) for messages, whatever DateStyle says. */
char *
mq_date_text(int32 day)
{
	int			y,
				m,
				d;

	j2date(day + POSTGRES_EPOCH_JDATE, &y, &m, &d);
	return y > 0 ? psprintf("%04d-%02d-%02d", y, m, d)
		: psprintf("%04d-%02d-%02d BC", 1 - y, m, d);
}

/* A constant's value for a message: dates as ISO dates, numbers with %g. */
static char *
ConstText(const MqStateConst *c, double v)
{
	if (c->type == MQ_CONST_DATE)
		return mq_date_text((int32) v);
	return psprintf("%g", v);
}

static void pg_attribute_noreturn()
ConstMismatch(const char *aggname, const MqStateConst *c, double first, double now, bool partial)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: argument %s must be the same on every row of the group", aggname, c->name),
			 partial ? errdetail("Partial states carry %s and %s.", ConstText(c, first), ConstText(c, now))
			 : errdetail("Got %s after %s.", ConstText(c, now), ConstText(c, first)),
			 errhint("Pass a constant, or GROUP BY the column that varies.")));
}

static inline bool
SameConst(double a, double b)
{
	return a == b || (isnan(a) && isnan(b));
}

void
mq_state_constants(bytea *s, const MqStateConst *c, int n, const char *aggname)
{
	char	   *pl = MQ_STATE_PAYLOAD(s);

	CheckConstantsFit(s, c, n, aggname);
	if (!mq_state_has_constants(s))
	{
		for (int i = 0; i < n; i++)
			ConstPut(pl, &c[i], c[i].value);
		mq_state_set_flags(s, mq_state_flags(s) | MQ_STATE_F_CONSTANTS);
		return;
	}
	for (int i = 0; i < n; i++)
	{
		double		old = ConstGet(pl, &c[i]);

		if (!SameConst(old, c[i].value))
			ConstMismatch(aggname, &c[i], old, c[i].value, false);
	}
}

void
mq_state_combine_constants(bytea *a, const bytea *b, const MqStateConst *c, int n,
						   const char *aggname)
{
	char	   *pa = MQ_STATE_PAYLOAD(a);
	const char *pb = MQ_STATE_PAYLOAD(b);

	if (!mq_state_has_constants(b))
		return;
	CheckConstantsFit(a, c, n, aggname);
	CheckConstantsFit(b, c, n, aggname);
	if (!mq_state_has_constants(a))
	{
		for (int i = 0; i < n; i++)
			ConstPut(pa, &c[i], ConstGet(pb, &c[i]));
		mq_state_set_flags(a, mq_state_flags(a) | MQ_STATE_F_CONSTANTS);
		return;
	}
	for (int i = 0; i < n; i++)
	{
		double		va = ConstGet(pa, &c[i]),
					vb = ConstGet(pb, &c[i]);

		if (!SameConst(va, vb))
			ConstMismatch(aggname, &c[i], va, vb, true);
	}
}

/* ---------------------------------------------------------------------------
 * States of fixed-size records (state.h: MqRecords)
 * ------------------------------------------------------------------------- */
bytea *
mq_records_check(Datum d, const MqRecords *r)
{
	bytea	   *s = mq_state_check(d, r->kind, r->hdr, r->aggname);
	int64		n = mq_get_i64(MQ_STATE_PAYLOAD(s) + r->n_off);

	if (n < 0 || n > r->max || (int64) mq_state_used(s) != (int64) (r->hdr + n * r->rec))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid %s state: %lld %s in %u bytes", r->aggname, (long long) n, r->what,
						mq_state_used(s)),
				 errhint("The state is truncated or corrupted.")));
	return s;
}

char *
mq_records_add(bytea **s, const MqRecords *r)
{
	int64		n = mq_get_i64(MQ_STATE_PAYLOAD(*s) + r->n_off);
	char	   *p;

	*s = mq_state_reserve(*s, r->hdr + (n + 1) * r->rec, r->aggname);
	p = MQ_STATE_PAYLOAD(*s);
	mq_put_i64(p + r->n_off, n + 1);
	mq_state_set_used(*s, r->hdr + (n + 1) * r->rec);
	return p + r->hdr + n * r->rec;
}

Datum
mq_records_combine(FunctionCallInfo fcinfo, const MqRecords *r, void (*merge) (bytea *a, const bytea *b))
{
	bool		done;
	bytea	   *a = mq_state_combine_nulls(fcinfo, r->kind, r->hdr, r->aggname, &done);
	bytea	   *b;
	const char *pb;
	int64		na,
				nb;
	char	   *pa;

	if (done)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(mq_records_check(PointerGetDatum(a), r));
	}
	a = mq_records_check(PointerGetDatum(a), r);
	b = mq_records_check(PG_GETARG_DATUM(1), r);
	if (merge != NULL)
		merge(a, b);
	pb = MQ_STATE_PAYLOAD(b);
	na = mq_get_i64(MQ_STATE_PAYLOAD(a) + r->n_off);
	nb = mq_get_i64(pb + r->n_off);
	a = mq_state_reserve(a, r->hdr + (na + nb) * r->rec, r->aggname);
	pa = MQ_STATE_PAYLOAD(a);
	memcpy(pa + r->hdr + na * r->rec, pb + r->hdr, nb * r->rec);
	mq_put_i64(pa + r->n_off, na + nb);
	mq_state_set_used(a, r->hdr + (na + nb) * r->rec);
	PG_RETURN_BYTEA_P(a);
}
