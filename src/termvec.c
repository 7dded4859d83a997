/*
 * termvec.c — hot words (SPEC §10): the aggregate term_counts(doc) → termvec
 * and top_terms(target, reference, k), Dunning's log-likelihood G².
 *
 * minqing.termvec is a portable varlena in the layout of state.h (kind
 * MQ_KIND_TERMVEC) whose payload is
 *
 *   offset  size  field
 *        0     4  bytes of payload that were normalised at the last compaction
 *        4     4  reserved, zero
 *        8     …  entries: int64 count, uint32 length, term bytes (UTF-8)
 *
 * all numbers little-endian.  Flag bit 0 says the entries are normalised:
 * sorted by term bytes, distinct, counts positive.  The transition function
 * appends one entry per lexeme and compacts (sort, merge) when the payload
 * has doubled since the last compaction, so a row costs amortised
 * O(lexemes · log); combine appends and compacts; output, final and
 * top_terms work on normalised vectors.  Text form: {"term": count, ...}.
 */
#include "postgres.h"

#include <ctype.h>
#include <math.h>

#include "common/int.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/tuplestore.h"

#include "state.h"
#include "stats.h"
#include "text.h"

PG_FUNCTION_INFO_V1(termvec_in);
PG_FUNCTION_INFO_V1(termvec_out);
PG_FUNCTION_INFO_V1(term_counts_transfn);
PG_FUNCTION_INFO_V1(term_counts_combinefn);
PG_FUNCTION_INFO_V1(term_counts_finalfn);
PG_FUNCTION_INFO_V1(termvec_terms);
PG_FUNCTION_INFO_V1(top_terms);

#define TV_NAME			"term_counts"
#define TV_PAYLOAD0		8		/* bytes before the first entry */
#define TV_ENTRY_HDR	12		/* int64 count + uint32 length */
#define TV_NORMALISED	0x0001
#define TV_MAX_TERM		65535	/* longest term kept (bytes) */

typedef struct TvEntry
{
	const char *term;
	uint32		len;
	int64		count;
} TvEntry;

static inline uint32
TvCompacted(const bytea *s)
{
	return (uint32) mq_get_i32(MQ_STATE_PAYLOAD(s));
}

/* a termvec argument, validated (entry lengths inside the payload) */
static bytea *
TvCheck(Datum d)
{
	bytea	   *s = mq_state_check(d, MQ_KIND_TERMVEC, TV_PAYLOAD0, TV_NAME);
	const char *p = MQ_STATE_PAYLOAD(s);
	uint32		used = mq_state_used(s),
				o = TV_PAYLOAD0;

	while (o < used)
	{
		uint32		l;

		if (used - o < TV_ENTRY_HDR ||
			(l = (uint32) mq_get_i32(p + o + 8)) > used - o - TV_ENTRY_HDR ||
			mq_get_i64(p + o) <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid termvec: an entry at payload offset %u is truncated or has a non-positive count", o),
					 errhint("Pass only values produced by minqing.term_counts or termvec input.")));
		o += TV_ENTRY_HDR + l;
	}
	return s;
}

/* the entries of a state as an array (pointers into the state) */
static int
TvEntries(const bytea *s, TvEntry **out)
{
	const char *p = MQ_STATE_PAYLOAD(s);
	uint32		used = mq_state_used(s),
				o;
	int			n = 0,
				cap = 64;
	TvEntry    *e = palloc(sizeof(TvEntry) * cap);

	for (o = TV_PAYLOAD0; o < used;)
	{
		if (n == cap)
		{
			cap *= 2;
			e = repalloc_huge(e, sizeof(TvEntry) * cap);
		}
		e[n].count = mq_get_i64(p + o);
		e[n].len = (uint32) mq_get_i32(p + o + 8);
		e[n].term = p + o + TV_ENTRY_HDR;
		o += TV_ENTRY_HDR + e[n].len;
		n++;
	}
	*out = e;
	return n;
}

static int
TvEntryCmp(const void *a, const void *b)
{
	const TvEntry *x = a,
			   *y = b;
	int			c = memcmp(x->term, y->term, Min(x->len, y->len));

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : (x->len > y->len);
}

/*
 * Sort and merge the entries of s in place.  The entries before
 * TvCompacted(s) are already sorted and distinct (the last compaction), so
 * only the newer ones are sorted, then the two runs are merged.
 */
static void
TvCompact(bytea *s)
{
	TvEntry    *e;
	int			n = TvEntries(s, &e),
				nold = 0,
				i,
				j,
				k;
	uint32		used = mq_state_used(s),
				compacted = TvCompacted(s);
	char	   *buf = palloc_extended(used, MCXT_ALLOC_HUGE);
	uint32		o = TV_PAYLOAD0;
	TvEntry    *last = NULL;
	int64		lastcount = 0;

	/* entries of the sorted prefix (only when it is a valid boundary) */
	if (compacted > TV_PAYLOAD0 && compacted <= used)
	{
		uint32		off = TV_PAYLOAD0;

		while (nold < n && off < compacted)
			off += TV_ENTRY_HDR + e[nold++].len;
		if (off != compacted)
			nold = 0;
		for (i = 1; i < nold; i++)
			if (TvEntryCmp(&e[i - 1], &e[i]) >= 0)
			{
				nold = 0;		/* not sorted after all: sort everything */
				break;
			}
	}
	if (nold == 0)
		qsort(e, n, sizeof(TvEntry), TvEntryCmp);
	else
		qsort(e + nold, n - nold, sizeof(TvEntry), TvEntryCmp);

	/* merge the runs [0, nold) and [nold, n) (one run when nold = 0) */
	i = 0;
	j = nold;
	for (k = 0; k < n; k++)
	{
		TvEntry    *next;

		if (nold == 0)
			next = &e[k];
		else if (j >= n || (i < nold && TvEntryCmp(&e[i], &e[j]) <= 0))
			next = &e[i++];
		else
			next = &e[j++];
		if (last != NULL && TvEntryCmp(last, next) == 0)
		{
			if (pg_add_s64_overflow(lastcount, next->count, &lastcount))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("term count out of range"),
						 errhint("Counts are 64-bit integers.")));
			continue;
		}
		if (last != NULL)
		{
			mq_put_i64(buf + o, lastcount);
			mq_put_i32(buf + o + 8, (int32) last->len);
			memcpy(buf + o + TV_ENTRY_HDR, last->term, last->len);
			o += TV_ENTRY_HDR + last->len;
		}
		last = next;
		lastcount = next->count;
		if ((k & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	if (last != NULL)
	{
		mq_put_i64(buf + o, lastcount);
		mq_put_i32(buf + o + 8, (int32) last->len);
		memcpy(buf + o + TV_ENTRY_HDR, last->term, last->len);
		o += TV_ENTRY_HDR + last->len;
	}
	memcpy(MQ_STATE_PAYLOAD(s) + TV_PAYLOAD0, buf + TV_PAYLOAD0, o - TV_PAYLOAD0);
	mq_state_set_used(s, o);
	mq_put_i32(MQ_STATE_PAYLOAD(s), (int32) o);
	mq_state_set_flags(s, mq_state_flags(s) | TV_NORMALISED);
	pfree(buf);
	pfree(e);
}

/* a normalised copy of s (or s itself when already normalised) */
static bytea *
TvNormalised(bytea *s)
{
	bytea	   *c;

	if (mq_state_flags(s) & TV_NORMALISED)
		return s;
	c = palloc(VARSIZE(s));
	memcpy(c, s, VARSIZE(s));
	TvCompact(c);
	return c;
}

/* append (term, count) to s, growing it when needed */
static bytea *
TvAppend(bytea *s, const char *term, uint32 len, int64 count)
{
	uint32		used = mq_state_used(s);

	s = mq_state_reserve(s, (Size) used + TV_ENTRY_HDR + len, TV_NAME);
	mq_put_i64(MQ_STATE_PAYLOAD(s) + used, count);
	mq_put_i32(MQ_STATE_PAYLOAD(s) + used + 8, (int32) len);
	memcpy(MQ_STATE_PAYLOAD(s) + used + TV_ENTRY_HDR, term, len);
	mq_state_set_used(s, used + TV_ENTRY_HDR + len);
	mq_state_set_flags(s, mq_state_flags(s) & ~TV_NORMALISED);
	return s;
}

/* compact when the payload has doubled since the last compaction */
static void
TvMaybeCompact(bytea *s)
{
	if (mq_state_used(s) >= 2 * Max(TvCompacted(s), 16384))
		TvCompact(s);
}

static bytea *
TvNew(void)
{
	bytea	   *s = mq_state_new(MQ_KIND_TERMVEC, 1024, TV_PAYLOAD0);

	mq_state_set_flags(s, TV_NORMALISED);
	return s;
}

/* ------------------------------------------------------------------------
 * Text I/O: {"term": count, ...}
 * ------------------------------------------------------------------------ */

static void
TvSyntax(const char *str, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type termvec: \"%s\"", str),
			 errdetail("%s", why),
			 errhint("Write {\"term\": count, ...} with positive integer counts.")));
}

Datum
termvec_in(PG_FUNCTION_ARGS)
{
	const char *str = PG_GETARG_CSTRING(0);
	const char *p = str;
	bytea	   *s = TvNew();
	StringInfoData term;

	initStringInfo(&term);
	while (isspace((unsigned char) *p))
		p++;
	if (*p++ != '{')
		TvSyntax(str, "It must start with \"{\".");
	for (;;)
	{
		int64		count = 0;

		while (isspace((unsigned char) *p))
			p++;
		if (*p == '}' && term.len == 0 && mq_state_used(s) == TV_PAYLOAD0)
		{
			p++;
			break;
		}
		if (*p++ != '"')
			TvSyntax(str, "A term must be a double-quoted string.");
		resetStringInfo(&term);
		while (*p != '"')
		{
			if (*p == '\0')
				TvSyntax(str, "A term is not terminated.");
			if (*p == '\\')
			{
				p++;
				if (*p != '"' && *p != '\\')
					TvSyntax(str, "Only \\\" and \\\\ are escapes.");
			}
			appendStringInfoChar(&term, *p++);
		}
		p++;
		if (term.len == 0 || term.len > TV_MAX_TERM)
			TvSyntax(str, "A term must have 1 to 65535 bytes.");
		pg_verify_mbstr(GetDatabaseEncoding(), term.data, term.len, false);
		while (isspace((unsigned char) *p))
			p++;
		if (*p++ != ':')
			TvSyntax(str, "A term must be followed by \":\".");
		while (isspace((unsigned char) *p))
			p++;
		if (!isdigit((unsigned char) *p))
			TvSyntax(str, "A count must be a positive integer.");
		while (isdigit((unsigned char) *p))
		{
			if (pg_mul_s64_overflow(count, 10, &count) || pg_add_s64_overflow(count, *p - '0', &count))
				TvSyntax(str, "A count is out of range.");
			p++;
		}
		if (count <= 0)
			TvSyntax(str, "A count must be a positive integer.");
		s = TvAppend(s, term.data, term.len, count);
		while (isspace((unsigned char) *p))
			p++;
		if (*p == ',')
		{
			p++;
			continue;
		}
		if (*p++ != '}')
			TvSyntax(str, "Expected \",\" or \"}\".");
		break;
	}
	while (isspace((unsigned char) *p))
		p++;
	if (*p != '\0')
		TvSyntax(str, "Unexpected characters after \"}\".");
	TvCompact(s);
	PG_RETURN_BYTEA_P(s);
}

Datum
termvec_out(PG_FUNCTION_ARGS)
{
	bytea	   *s = TvNormalised(TvCheck(PG_GETARG_DATUM(0)));
	TvEntry    *e;
	int			n = TvEntries(s, &e),
				i;
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < n; i++)
	{
		uint32		k;

		if (i > 0)
			appendStringInfoString(&buf, ", ");
		appendStringInfoChar(&buf, '"');
		for (k = 0; k < e[i].len; k++)
		{
			if (e[i].term[k] == '"' || e[i].term[k] == '\\')
				appendStringInfoChar(&buf, '\\');
			appendStringInfoChar(&buf, e[i].term[k]);
		}
		appendStringInfo(&buf, "\": " INT64_FORMAT, e[i].count);
	}
	appendStringInfoChar(&buf, '}');
	PG_RETURN_CSTRING(buf.data);
}

/* ------------------------------------------------------------------------
 * Aggregate term_counts(doc text)
 * ------------------------------------------------------------------------ */

typedef struct TvAcc
{
	bytea	   *s;
} TvAcc;

static void
TvAddLexeme(const char *lex, int nbytes, void *arg)
{
	TvAcc	   *a = arg;

	if (nbytes > 0 && nbytes <= TV_MAX_TERM)
		a->s = TvAppend(a->s, lex, nbytes, 1);
}

Datum
term_counts_transfn(PG_FUNCTION_ARGS)
{
	TvAcc		a;
	text	   *doc;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	if (PG_ARGISNULL(0))
		a.s = TvNew();
	else
		a.s = mq_state_for_update(fcinfo, 0, MQ_KIND_TERMVEC, 1024, TV_PAYLOAD0, TV_NAME);
	doc = PG_GETARG_TEXT_PP(1);
	mq_lexemes(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), TvAddLexeme, &a);
	TvMaybeCompact(a.s);
	PG_RETURN_BYTEA_P(a.s);
}

Datum
term_counts_combinefn(PG_FUNCTION_ARGS)
{
	bool		done;
	bytea	   *s = mq_state_combine_nulls(fcinfo, MQ_KIND_TERMVEC, TV_PAYLOAD0, TV_NAME, &done);
	bytea	   *t;
	uint32		tused;

	if (done)
	{
		if (s == NULL)
			PG_RETURN_NULL();
		PG_RETURN_BYTEA_P(s);
	}
	s = mq_state_for_update(fcinfo, 0, MQ_KIND_TERMVEC, 1024, TV_PAYLOAD0, TV_NAME);
	TvCheck(PointerGetDatum(s));
	t = TvCheck(PG_GETARG_DATUM(1));
	tused = mq_state_used(t);
	if (tused > TV_PAYLOAD0)
	{
		uint32		used = mq_state_used(s);

		s = mq_state_reserve(s, (Size) used + tused - TV_PAYLOAD0, TV_NAME);
		memcpy(MQ_STATE_PAYLOAD(s) + used, MQ_STATE_PAYLOAD(t) + TV_PAYLOAD0, tused - TV_PAYLOAD0);
		mq_state_set_used(s, used + tused - TV_PAYLOAD0);
		TvCompact(s);
	}
	PG_RETURN_BYTEA_P(s);
}

/* final: the normalised vector (compacted in place: FINALFUNC_MODIFY = READ_WRITE) */
Datum
term_counts_finalfn(PG_FUNCTION_ARGS)
{
	bytea	   *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = TvCheck(PG_GETARG_DATUM(0));
	if (!(mq_state_flags(s) & TV_NORMALISED))
	{
		if ((Pointer) s != DatumGetPointer(PG_GETARG_DATUM(0)) || !mq_in_aggregate(fcinfo))
			s = TvNormalised(s);
		else
			TvCompact(s);
	}
	PG_RETURN_BYTEA_P(s);
}

/* minqing.terms(termvec) → TABLE(term text, count bigint), by term */
Datum
termvec_terms(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *s = TvNormalised(TvCheck(PG_GETARG_DATUM(0)));
	TvEntry    *e;
	int			n = TvEntries(s, &e),
				i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < n; i++)
	{
		Datum		v[2];
		bool		nulls[2] = {false, false};

		v[0] = PointerGetDatum(cstring_to_text_with_len(e[i].term, e[i].len));
		v[1] = Int64GetDatum(e[i].count);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}

/* ------------------------------------------------------------------------
 * top_terms
 * ------------------------------------------------------------------------ */

typedef struct TopTerm
{
	const char *term;
	uint32		len;
	int64		a;				/* count in target */
	int64		b;				/* count in reference */
	double		g2;
	double		log_ratio;
} TopTerm;

/*
 * Dunning's log-likelihood G² of the 2x2 table
 *   [ a        b     ]   term
 *   [ A - a    B - b ]   other terms
 * (columns target, reference): 2 Σ O ln(O / E), E from the margins.
 */
static double
DunningG2(double a, double b, double A, double B)
{
	double		o[4] = {a, b, A - a, B - b};
	double		n = A + B;
	double		row[2] = {a + b, n - a - b};
	double		col[2] = {A, B};
	double		g = 0.0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		double		e = row[i / 2] * col[i % 2] / n;

		if (o[i] > 0.0)
			g += o[i] * log(o[i] / e);
	}
	return Max(2.0 * g, 0.0);
}

static int
TopTermCmp(const void *x, const void *y)
{
	const TopTerm *p = x,
			   *q = y;
	int			c;

	if (p->g2 != q->g2)
		return p->g2 > q->g2 ? -1 : 1;
	c = memcmp(p->term, q->term, Min(p->len, q->len));
	if (c != 0)
		return c;
	return p->len < q->len ? -1 : (p->len > q->len);
}

/*
 * minqing.top_terms(target, reference, k): the k terms most over-used in
 * target compared with reference (relative frequency higher in target),
 * strongest G² first.  log_ratio = log2 of the ratio of relative
 * frequencies, a zero reference count taken as 0.5.
 */
Datum
top_terms(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *ts = TvNormalised(TvCheck(PG_GETARG_DATUM(0)));
	bytea	   *rs = TvNormalised(TvCheck(PG_GETARG_DATUM(1)));
	int32		k = PG_GETARG_INT32(2);
	TvEntry    *te,
			   *re;
	int			nt = TvEntries(ts, &te),
				nr = TvEntries(rs, &re),
				i,
				j = 0,
				m = 0;
	double		A = 0.0,
				B = 0.0;
	TopTerm    *tt;

	if (k <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("k must be positive"),
				 errdetail("Got %d.", k),
				 errhint("Ask for at least one term.")));
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < nt; i++)
		A += (double) te[i].count;
	for (i = 0; i < nr; i++)
		B += (double) re[i].count;
	if (A <= 0.0)
		return (Datum) 0;

	tt = palloc_extended(sizeof(TopTerm) * Max(nt, 1), MCXT_ALLOC_HUGE);
	for (i = 0; i < nt; i++)
	{
		int64		b = 0;
		double		fa,
					fb;

		CHECK_FOR_INTERRUPTS();
		while (j < nr && TvEntryCmp(&re[j], &te[i]) < 0)
			j++;
		if (j < nr && TvEntryCmp(&re[j], &te[i]) == 0)
			b = re[j].count;
		fa = (double) te[i].count / A;
		fb = B > 0.0 ? (double) b / B : 0.0;
		if (!(fa > fb))
			continue;			/* not over-used in the target */
		tt[m].term = te[i].term;
		tt[m].len = te[i].len;
		tt[m].a = te[i].count;
		tt[m].b = b;
		tt[m].g2 = DunningG2((double) te[i].count, (double) b, A, B);
		tt[m].log_ratio = B > 0.0 ? log2(fa / (Max((double) b, 0.5) / B)) : get_float8_infinity();
		m++;
	}
	qsort(tt, m, sizeof(TopTerm), TopTermCmp);
	for (i = 0; i < m && i < k; i++)
	{
		Datum		v[6];
		bool		nulls[6] = {false, false, false, false, false, false};

		v[0] = PointerGetDatum(cstring_to_text_with_len(tt[i].term, tt[i].len));
		v[1] = Int64GetDatum(tt[i].a);
		v[2] = Int64GetDatum(tt[i].b);
		v[3] = Float8GetDatum(tt[i].g2);
		v[4] = Float8GetDatum(mq_chi2_sf(tt[i].g2, 1.0));
		v[5] = Float8GetDatum(tt[i].log_ratio);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, nulls);
	}
	return (Datum) 0;
}
