/*
 * state.h — portable, versioned aggregate states (SPEC §0).
 *
 * Every minqing aggregate keeps its transition state in a plain bytea, never
 * in `internal`, so that parallel workers and Citus can ship partial states
 * (Citus moves them as text: bytea's hex output and input).  The bytes are
 * portable between machines:
 *
 *   offset  size  field
 *        0     4  varlena header (PostgreSQL's own)
 *        4     1  format version (MQ_STATE_VERSION)
 *        5     1  kind: which aggregate owns the state (MqStateKind)
 *        6     2  flags, little-endian: bit 0 (MQ_STATE_F_CONSTANTS) says the
 *                 per-call constants are set (every kind); other bits per kind
 *        8     4  used: payload bytes in use, little-endian
 *       12     4  reserved, zero
 *       16     …  payload: every number little-endian (int64, float8 IEEE 754)
 *
 * VARSIZE may exceed 16 + used: growable states keep slack (zeroed) so that
 * appending is amortised O(1).  Transition functions update the state in
 * place when called as an aggregate (AggCheckCallContext), exactly as core's
 * float8_accum does; called directly as functions they work on a copy.
 *
 * Growing a state must never repalloc() it: nodeAgg pfree()s the old value
 * itself when a transition function returns a different pointer, so a grown
 * state is built in the per-call memory context and nodeAgg copies it into
 * the aggregate context (one copy per doubling).
 */
#ifndef MINQING_STATE_H
#define MINQING_STATE_H

#include "postgres.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "port/pg_bswap.h"
#include "utils/expandeddatum.h"

#define MQ_STATE_VERSION	1
#define MQ_STATE_HDRSZ		16

/* Kinds: each aggregate family owns a range; a number is never reused. */
typedef enum MqStateKind
{
	MQ_KIND_RATE = 1,
	MQ_KIND_KPI = 2,
	/* 3..9 rollup state types (minqing.rate_state, minqing.kpi_state) */
	MQ_KIND_RATE_ROLLUP = 3,
	MQ_KIND_KPI_ROLLUP = 4,
	/* 10..19 density and hotspots */
	MQ_KIND_KDE = 10,
	MQ_KIND_KDE_BANDWIDTH = 11,
	/* 20..29 policy effects and resilience */
	MQ_KIND_BEFORE_AFTER = 20,
	MQ_KIND_ITS = 21,
	MQ_KIND_DID = 22,
	MQ_KIND_CONTENT_SHIFT = 23,
	MQ_KIND_RESILIENCE = 24,
	MQ_KIND_EVENT_STUDY = 25,
	/* 30..39 early warning */
	MQ_KIND_STSCAN = 30,
	/* 40..49 index */
	MQ_KIND_INDEX = 40,			/* reserved, never used */
	MQ_KIND_INDEX_STATE = 41,	/* minqing.index_state */
	/* 50..59 class cases and repeat calls */
	MQ_KIND_KNOX = 50,
	MQ_KIND_CALLER_PROFILE = 51,
	/* 60..69 complaint text */
	MQ_KIND_TERMVEC = 60
} MqStateKind;

/* ---- fixed byte order accessors (little-endian on disk and on the wire) ---- */
#ifdef WORDS_BIGENDIAN
#define MQ_LE64(x) pg_bswap64(x)
#define MQ_LE32(x) pg_bswap32(x)
#define MQ_LE16(x) pg_bswap16(x)
#else
#define MQ_LE64(x) (x)
#define MQ_LE32(x) (x)
#define MQ_LE16(x) (x)
#endif

static inline int64
mq_get_i64(const char *p)
{
	uint64		u;

	memcpy(&u, p, 8);
	return (int64) MQ_LE64(u);
}

static inline void
mq_put_i64(char *p, int64 v)
{
	uint64		u = MQ_LE64((uint64) v);

	memcpy(p, &u, 8);
}

static inline double
mq_get_f8(const char *p)
{
	uint64		u;
	double		d;

	memcpy(&u, p, 8);
	u = MQ_LE64(u);
	memcpy(&d, &u, 8);
	return d;
}

static inline void
mq_put_f8(char *p, double d)
{
	uint64		u;

	memcpy(&u, &d, 8);
	u = MQ_LE64(u);
	memcpy(p, &u, 8);
}

static inline int32
mq_get_i32(const char *p)
{
	uint32		u;

	memcpy(&u, p, 4);
	return (int32) MQ_LE32(u);
}

static inline void
mq_put_i32(char *p, int32 v)
{
	uint32		u = MQ_LE32((uint32) v);

	memcpy(p, &u, 4);
}

/* ---- header access ---- */
#define MQ_STATE_PAYLOAD(s)	((char *) (s) + MQ_STATE_HDRSZ)
#define MQ_STATE_CAPACITY(s) ((Size) VARSIZE(s) - MQ_STATE_HDRSZ)

static inline uint32
mq_state_used(const bytea *s)
{
	return (uint32) mq_get_i32((const char *) s + 8);
}

static inline void
mq_state_set_used(bytea *s, uint32 used)
{
	mq_put_i32((char *) s + 8, (int32) used);
}

static inline uint16
mq_state_flags(const bytea *s)
{
	uint16		u;

	memcpy(&u, (const char *) s + 6, 2);
	return MQ_LE16(u);
}

static inline void
mq_state_set_flags(bytea *s, uint16 flags)
{
	uint16		u = MQ_LE16(flags);

	memcpy((char *) s + 6, &u, 2);
}

/* New zeroed state with `capacity` payload bytes, `used` set to `used`. */
extern bytea *mq_state_new(MqStateKind kind, Size capacity, Size used);

/*
 * Validate a state handed to a support function (it may come from a user,
 * a parallel worker or a Citus node): version, kind and sizes.  Returns a
 * 4-byte-header, non-toasted pointer.  Errors name `aggname`.
 */
extern bytea *mq_state_check(Datum d, MqStateKind kind, Size min_used,
							 const char *aggname);

/*
 * Transition-function entry: return the state in argument `argno`, ready to
 * be modified: created (capacity `capacity`, used `used`) when NULL, used in
 * place when running as an aggregate, copied otherwise.
 */
extern bytea *mq_state_for_update(FunctionCallInfo fcinfo, int argno,
								  MqStateKind kind, Size capacity, Size used,
								  const char *aggname);

/*
 * Make room for `needed` payload bytes: returns `s` itself when it fits,
 * else a copy with geometric growth (see header comment).  Refuses states
 * above MaxAllocSize with a clear error.
 */
extern bytea *mq_state_reserve(bytea *s, Size needed, const char *aggname);

/* Combine-function entry: the four NULL cases; sets *done when resolved. */
extern bytea *mq_state_combine_nulls(FunctionCallInfo fcinfo, MqStateKind kind,
									 Size min_used, const char *aggname,
									 bool *done);

/*
 * Text and binary I/O of the state types (minqing.rate_state, kpi_state,
 * index_state): the same bytes as the bytea form, '\x' + hex, header
 * included and slack dropped.  Input validates version, kind and sizes and
 * names the type (`typname`) in its errors; the caller validates the payload.
 */
extern bytea *mq_state_from_cstring(const char *str, MqStateKind kind, Size min_used,
									const char *typname);
extern char *mq_state_to_cstring(bytea *s);
extern bytea *mq_state_from_binary(StringInfo buf, MqStateKind kind, Size min_used,
								   const char *typname);
extern bytea *mq_state_to_binary(bytea *s);

/* True when called as an aggregate (or window aggregate) support function. */
extern bool mq_in_aggregate(FunctionCallInfo fcinfo);

/*
 * A large state inside a grouping aggregate can live in an expanded object
 * of its own memory context, a child of the aggregate's: it grows there in
 * place (repalloc), and nodeAgg adopts the object instead of copying the
 * state every time it moves.  Each state type gives its own
 * ExpandedObjectMethods (flattening yields the type's stored form; `stored`
 * may cache it).  mq_state_expand copies s into a new object under parent
 * (the context AggCheckCallContext returns; name, a string constant, names
 * the context); mq_expanded_state returns the
 * object behind d when d is an expanded datum with these methods, else NULL.
 */
typedef struct MqExpandedState
{
	ExpandedObjectHeader hdr;
	bytea	   *state;			/* flat, with slack; in hdr.eoh_context */
	bytea	   *stored;			/* cached flattened form, or NULL */
} MqExpandedState;

extern Datum mq_state_expand(bytea *s, MemoryContext parent, const ExpandedObjectMethods *methods,
							 const char *name);
extern MqExpandedState *mq_expanded_state(Datum d, const ExpandedObjectMethods *methods);
/* Room for `needed` payload bytes in x->state, grown in place (doubling). */
extern void mq_expanded_reserve(MqExpandedState *x, Size needed, const char *aggname);

/*
 * Per-call constants (a confidence, a bandwidth, a reference period ...).
 * FINALFUNC_EXTRA passes only NULLs, so an aggregate copies its constant
 * arguments into the state on the first row and compares them on every later
 * row and when combining; the header flag MQ_STATE_F_CONSTANTS says they are
 * set (no 0.0 sentinel: 0 may be a legal value).  Each constant is stored
 * little-endian at its payload offset, as float8 or int32.
 *
 *     MqStateConst c[] = {{"cell_size", MQ_CONST_F8, KDE_CELL, cell},
 *                         {"bandwidth", MQ_CONST_F8, KDE_BW, bw}};
 *     mq_state_constants(s, c, 2, "kde");            -- in the transition
 *     mq_state_combine_constants(a, b, c, 2, "kde"); -- in the combine (values unused)
 *     if (mq_state_has_constants(s)) conf = mq_get_f8(pl + RATE_CONF);
 *
 * A row (or a partial state) that disagrees is one error:
 *   "<agg>: argument <name> must be the same on every row of the group"
 */
#define MQ_STATE_F_CONSTANTS	0x0001

typedef enum MqConstType
{
	MQ_CONST_F8,
	MQ_CONST_I32,
	MQ_CONST_DATE				/* an int32 DateADT, shown as a date in messages */
} MqConstType;

typedef struct MqStateConst
{
	const char *name;			/* the argument's SQL name */
	MqConstType type;
	Size		off;			/* payload offset */
	double		value;			/* this row's value (an int32 exactly) */
} MqStateConst;

static inline bool
mq_state_has_constants(const bytea *s)
{
	return (mq_state_flags(s) & MQ_STATE_F_CONSTANTS) != 0;
}

/* Record the constants (first row) or check them against the state's. */
extern void mq_state_constants(bytea *s, const MqStateConst *c, int n, const char *aggname);

/* Combine: `a` takes b's constants when it has none; both set must agree. */
extern void mq_state_combine_constants(bytea *a, const bytea *b, const MqStateConst *c, int n,
									   const char *aggname);

/*
 * States that keep every row as a fixed-size record after a header (knox's
 * points, caller_profile's orders): an int64 record count at payload offset
 * n_off, then `rec` bytes per record from payload offset `hdr`.
 * mq_records_check validates such a state (kind, 0 <= n <= max, exactly
 * hdr + n × rec bytes used), naming the aggregate and the records (`what`);
 * mq_records_add appends one record and returns it to be filled in;
 * mq_records_combine is the whole combine function: the NULL cases, both
 * states validated, `merge` (may be NULL) checks b's header against a's
 * (constants, SRID) and refuses too many records in total, then b's records
 * are appended to a's.
 */
typedef struct MqRecords
{
	MqStateKind kind;
	Size		hdr;
	Size		rec;
	int			n_off;
	int64		max;
	const char *aggname;
	const char *what;			/* "points", "orders" */
} MqRecords;

extern bytea *mq_records_check(Datum d, const MqRecords *r);
extern char *mq_records_add(bytea **s, const MqRecords *r);
extern Datum mq_records_combine(FunctionCallInfo fcinfo, const MqRecords *r,
								void (*merge) (bytea *a, const bytea *b));

/* ISO text of a date (DateADT) for messages, whatever DateStyle says. */
extern char *mq_date_text(int32 day);

#endif							/* MINQING_STATE_H */
