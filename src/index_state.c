/*
 * index_state.c — minqing.index_state (SPEC §8): every raw count the
 * public-sentiment index needs, in one portable, mergeable state.
 *
 *   index_state(category_code, responded, resolved, satisfied, caller_id)
 *       aggregate building a state (one per unit and period, or per day and
 *       community in a rollup table)
 *   index_state(index_state)       aggregate merging states exactly
 *   index_state_counts(state)      the counts per category, for the index's
 *                                  SQL orchestration (install/60-index.sql)
 *
 * Per category the state keeps nine counters: orders, orders with a caller,
 * distinct callers of the category, and n/k of responded, resolved and
 * satisfied.  Repeat orders of a category are (orders with a caller) −
 * (distinct callers), exactly as the index has always counted them: a
 * caller's second, third … order in the same category.  Counting them
 * exactly across merged states (two days of a rollup, two parallel workers)
 * needs the set of distinct (caller, category) pairs, so the state keeps it:
 * memory is O(distinct pairs), about 12 + len(caller_id) bytes each, plus
 * 44 + len(category_code) per category and, while building, two 8-byte
 * hash slots per entry.  Tier weights and the sector filter
 * are applied when the counts are read, so one state serves every profile.
 *
 * Payload (after the 16-byte state header of state.h; every integer
 * little-endian):
 *   0  int32 nslots     hash slots (a power of two), 0 in a stored state;
 *                       the top bit marks a state with pending pairs
 *   4  int32 nentries   category and pair entries
 *   8  int32 arena_used bytes of entries
 *  12  int32 ncat       category entries
 *  16  nslots × 8 bytes slot: uint32 1 + arena offset of an entry (0 =
 *                       empty) and uint32 the entry's hash, so a probe
 *                       touches the arena only when the hashes agree
 *  ..  arena: entries, each 4-byte aligned
 *     category: uint32 hash | uint8 1 | uint8 isnull | uint16 len |
 *               9 × int32 counters | len bytes of category_code
 *     pair:     uint32 hash | uint8 2 | uint8 0 | uint16 len |
 *               uint32 arena offset of its category | len bytes of caller_id
 * A category entry always precedes its pairs.  Hashes depend only on the
 * strings, so they are valid in every state; the slots are rebuilt from
 * the arena whenever a state without slots (from disk, from text, from a
 * final function) is merged into.
 *
 * Merging many small states (a rollup's days) is lazy: inside an aggregate
 * the merge adds the category counters at once but appends the other
 * state's pairs as they are, without looking them up ("pending": the
 * slots then index the categories only, and the distinct-caller counters
 * are stale).  The final function, the output functions and every reader
 * first deduplicate a pending state in one pass over a table sized for all
 * its entries (Clean), so each pair is hashed once instead of once per
 * merge, and the state grows by plain appends.  A pending state never
 * leaves the aggregate that built it.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "mqhash.h"
#include "state.h"

#define IDX_NAME		"index_state"

#define IDX_NSLOTS		0
#define IDX_NENTRIES	4
#define IDX_ARENA_USED	8
#define IDX_NCAT		12
#define IDX_HDR			16

#define TAG_CAT			1
#define TAG_PAIR		2

#define CAT_HDR			44		/* 8 + 9 × 4 */
#define PAIR_HDR		12

/* counters of a category entry */
enum
{
	C_ORDERS, C_CALLERS, C_PAIRS, C_RSP_N, C_RSP_K, C_RSL_N, C_RSL_K, C_SAT_N, C_SAT_K, C_NCOUNTERS
};

#define SLOT_BYTES		8		/* uint32 offset + 1, uint32 hash */
#define PENDING_FLAG	0x80000000u

#define ALIGN4(x)		(((x) + 3) & ~((Size) 3))
#define MAX_KEY			65535

/* ---- small accessors ---- */
static inline uint32
get_u32(const char *p)
{
	return (uint32) mq_get_i32(p);
}

static inline void
put_u32(char *p, uint32 v)
{
	mq_put_i32(p, (int32) v);
}

static inline uint16
get_u16(const char *p)
{
	uint16		u;

	memcpy(&u, p, 2);
	return MQ_LE16(u);
}

static inline void
put_u16(char *p, uint16 v)
{
	uint16		u = MQ_LE16(v);

	memcpy(p, &u, 2);
}

/* a category's counter c (stored as 32 bits, never negative in a valid state) */
#define GetCtr(e, c)	((int64) mq_get_i32(ENTRY_CTR(e, c)))

#define PL(s)			MQ_STATE_PAYLOAD(s)
#define NSLOTS(s)		(get_u32(PL(s) + IDX_NSLOTS) & ~PENDING_FLAG)
#define PENDING(s)		((get_u32(PL(s) + IDX_NSLOTS) & PENDING_FLAG) != 0)
#define SLOTS(s)		(PL(s) + IDX_HDR)
#define ARENA(s)		(PL(s) + IDX_HDR + (Size) NSLOTS(s) * SLOT_BYTES)
#define ARENA_USED(s)	get_u32(PL(s) + IDX_ARENA_USED)
#define ENTRY_CTR(e, c)	((e) + 8 + 4 * (c))

/* FNV-1a (mqhash.h) over the bytes from a seed, folded to 32 bits */
static inline uint32
HashBytes(const char *p, int len, uint32 seed)
{
	return (uint32) mq_mix64(mq_fnv1a_extend(MQ_FNV1A_INIT ^ seed, p, len));
}

static inline uint32
CatHash(const char *key, int len, bool isnull)
{
	return HashBytes(key, len, isnull ? 0x9e3779b9u : 0u);
}

static inline uint32
PairHash(uint32 cathash, const char *caller, int len)
{
	return HashBytes(caller, len, cathash);
}

static inline Size
EntrySize(const char *e)
{
	return ALIGN4((e[4] == TAG_CAT ? CAT_HDR : PAIR_HDR) + (Size) get_u16(e + 6));
}

static inline void
CheckKeyLength(int len, const char *what)
{
	if (len > MAX_KEY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s of %d bytes is too long for index_state", what, len),
				 errdetail("index_state keeps keys of at most %d bytes.", MAX_KEY),
				 errhint("Use short category codes and caller ids, e.g. pseudonymize(caller_id).")));
}

/*
 * A copy of state `s` with `nslots` slots and room for at least
 * `arena_room` arena bytes, slots rebuilt from the arena: all entries, or
 * only the categories of a pending state (`pending`; a pending state stays
 * pending, see Clean).  Built in the current memory context (see state.h
 * on growing states).
 */
static bytea *
Rebuild(bytea *s, uint32 nslots, Size arena_room, bool pending)
{
	uint32		used = ARENA_USED(s);
	Size		cap;
	bytea	   *n;
	char	   *arena;
	char	   *slots;
	uint32		mask = nslots - 1;

	if (PENDING(s) && !pending)
		elog(ERROR, "index_state: a state with pending pairs must be cleaned first");
	Assert(!pending || nslots > 0);
	if ((Size) nslots * SLOT_BYTES + arena_room + IDX_HDR > MaxAllocSize - MQ_STATE_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("index_state would exceed the 1 GB limit"),
				 errdetail("It holds %u distinct (caller, category) pairs and categories.",
						   get_u32(PL(s) + IDX_NENTRIES)),
				 errhint("Build states per day and unit and merge fewer of them, or group by finer units.")));
	cap = IDX_HDR + (Size) nslots * SLOT_BYTES + Max(arena_room, used);
	n = mq_state_new(MQ_KIND_INDEX_STATE, cap, IDX_HDR + (Size) nslots * SLOT_BYTES + used);
	memcpy(PL(n) + 4, PL(s) + 4, IDX_HDR - 4);
	put_u32(PL(n) + IDX_NSLOTS, nslots | (pending ? PENDING_FLAG : 0));
	arena = ARENA(n);
	memcpy(arena, ARENA(s), used);
	slots = SLOTS(n);
	if (nslots == 0)
		return n;
	for (Size off = 0; off < used; off += EntrySize(arena + off))
	{
		uint32		h = get_u32(arena + off);
		uint32		i = h & mask;

		if (pending && arena[off + 4] != TAG_CAT)
			continue;
		while (get_u32(slots + SLOT_BYTES * i) != 0)
			i = (i + 1) & mask;
		put_u32(slots + SLOT_BYTES * i, (uint32) off + 1);
		put_u32(slots + SLOT_BYTES * i + 4, h);
	}
	return n;
}

/*
 * Whether `n` entries need more than `nslots` slots: the load stays at most
 * 3/4 (a probe compares the hashes held in the slots, so a longer run costs
 * little), so the slots take 11-21 bytes per entry beside a pair's 12 +
 * length(caller_id) arena bytes; at 1/2 they took 16-32.
 */
static inline bool
TooFull(Size n, Size nslots)
{
	return n * 4 > nslots * 3;
}

/* The slots for `n` entries: the smallest power of two from Max(from, 64) on that is not TooFull. */
static uint32
SlotsFor(Size n, uint32 from)
{
	uint32		ns = Max(from, 64);

	while (TooFull(n, ns))
		ns *= 2;
	return ns;
}

/*
 * Make room for one more entry of `esize` bytes: enough slots (load ≤ 3/4, TooFull;
 * a pending state slots only its categories) when `slotted`, and arena.
 * May return a new state.
 */
static bytea *
Reserve(bytea *s, Size esize, bool slotted)
{
	uint32		nslots = NSLOTS(s);
	bool		pending = PENDING(s);
	uint32		nslotted = get_u32(PL(s) + (pending ? IDX_NCAT : IDX_NENTRIES));
	Size		used = ARENA_USED(s);
	Size		room = MQ_STATE_CAPACITY(s) - IDX_HDR - (Size) nslots * SLOT_BYTES;

	if (nslots == 0 || (slotted && TooFull((Size) nslotted + 1, nslots)))
		return Rebuild(s, SlotsFor((Size) nslotted + 1, nslots), Max(used + esize, 2 * used), pending);
	/* a pending state only appends: grow it ×4 (each move is a copy nodeAgg repeats) */
	if (used + esize > room)
		return mq_state_reserve(s, IDX_HDR + (Size) nslots * SLOT_BYTES +
								Max(used + esize, (pending ? 4 : 2) * used), IDX_NAME);
	return s;
}

/* Account for an entry of `size` bytes written at arena offset `off`. */
static inline void
EntryAdded(bytea *s, uint32 off, Size size, int tag)
{
	put_u32(PL(s) + IDX_ARENA_USED, off + (uint32) size);
	put_u32(PL(s) + IDX_NENTRIES, get_u32(PL(s) + IDX_NENTRIES) + 1);
	if (tag == TAG_CAT)
		put_u32(PL(s) + IDX_NCAT, get_u32(PL(s) + IDX_NCAT) + 1);
	mq_state_set_used(s, IDX_HDR + NSLOTS(s) * SLOT_BYTES + off + (uint32) size);
}

/*
 * Append an entry (the caller reserved room) and record it in `slot`;
 * returns its arena offset.
 */
static uint32
AppendEntry(bytea *s, uint32 slot, uint32 hash, int tag, bool isnull, const char *key, int len,
			uint32 catoff)
{
	char	   *arena = ARENA(s);
	uint32		off = ARENA_USED(s);
	char	   *e = arena + off;
	Size		size = ALIGN4((tag == TAG_CAT ? CAT_HDR : PAIR_HDR) + (Size) len);

	memset(e, 0, size);
	put_u32(e, hash);
	e[4] = (char) tag;
	e[5] = isnull ? 1 : 0;
	put_u16(e + 6, (uint16) len);
	if (tag == TAG_CAT)
		memcpy(e + CAT_HDR, key, len);
	else
	{
		put_u32(e + 8, catoff);
		memcpy(e + PAIR_HDR, key, len);
	}
	put_u32(SLOTS(s) + SLOT_BYTES * slot, off + 1);
	put_u32(SLOTS(s) + SLOT_BYTES * slot + 4, hash);
	EntryAdded(s, off, size, tag);
	return off;
}

/*
 * Find or add the category (key, len, isnull) of hash h (CatHash; a
 * merged entry's own hash): returns its arena offset.  *sp is the state,
 * replaced when it grows.
 */
static uint32
FindCategory(bytea **sp, const char *key, int len, bool isnull, uint32 h)
{
	bytea	   *s;
	uint32		mask,
				i;
	char	   *arena,
			   *slots;

	*sp = s = Reserve(*sp, ALIGN4(CAT_HDR + (Size) len), true);
	mask = NSLOTS(s) - 1;
	arena = ARENA(s);
	slots = SLOTS(s);
	for (i = h & mask;; i = (i + 1) & mask)
	{
		uint32		v = get_u32(slots + SLOT_BYTES * i);
		char	   *e;

		if (v == 0)
			break;
		if (get_u32(slots + SLOT_BYTES * i + 4) != h)
			continue;
		e = arena + v - 1;
		if (e[4] == TAG_CAT && e[5] == (isnull ? 1 : 0) &&
			get_u16(e + 6) == len && memcmp(e + CAT_HDR, key, len) == 0)
			return v - 1;
	}
	return AppendEntry(s, i, h, TAG_CAT, isnull, key, len, 0);
}

static inline void
AddCounter(char *e, int c, int64 v)
{
	int64		n = GetCtr(e, c) + v;

	if (n > PG_INT32_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("index_state: more than %d orders of one category in one state", PG_INT32_MAX),
				 errhint("Merge fewer days or units into one state.")));
	put_u32(ENTRY_CTR(e, c), (uint32) n);
}

/*
 * Add the pair (category at catoff, caller) with hash h (PairHash of the
 * category's hash and the caller) unless present; counts a new distinct
 * caller of the category.  *sp may be replaced.  Not for pending states.
 */
static void
AddPair(bytea **sp, uint32 catoff, const char *caller, int len, uint32 h)
{
	bytea	   *s;
	uint32		mask,
				i;
	char	   *arena,
			   *slots;

	Assert(!PENDING(*sp));
	*sp = s = Reserve(*sp, ALIGN4(PAIR_HDR + (Size) len), true);
	arena = ARENA(s);
	mask = NSLOTS(s) - 1;
	slots = SLOTS(s);
	for (i = h & mask;; i = (i + 1) & mask)
	{
		uint32		v = get_u32(slots + SLOT_BYTES * i);
		char	   *e;

		if (v == 0)
			break;
		if (get_u32(slots + SLOT_BYTES * i + 4) != h)
			continue;
		e = arena + v - 1;
		if (e[4] == TAG_PAIR && get_u32(e + 8) == catoff &&
			get_u16(e + 6) == len && memcmp(e + PAIR_HDR, caller, len) == 0)
			return;
	}
	AppendEntry(s, i, h, TAG_PAIR, false, caller, len, catoff);
	arena = ARENA(s);
	AddCounter(arena + catoff, C_PAIRS, 1);
}

/*
 * Validate the payload of a state from outside (text, binary input): every
 * entry inside the arena, pairs pointing at earlier categories, counters
 * consistent (k ≤ n ≤ orders, distinct callers = the pairs present).  Any
 * state that passes is safe to merge and read.
 */
static void
ValidatePayload(bytea *s)
{
	Size		used = mq_state_used(s);
	Size		arena_used,
				nslots,
				off;
	uint32		nentries = 0,
				ncat = 0;
	char	   *arena;
	int64	   *pairs;

	if (used < IDX_HDR || PENDING(s))
		goto bad;
	nslots = NSLOTS(s);
	arena_used = ARENA_USED(s);
	if (nslots > (used - IDX_HDR) / SLOT_BYTES || IDX_HDR + nslots * SLOT_BYTES + arena_used != used)
		goto bad;
	arena = ARENA(s);
	pairs = (int64 *) palloc0(sizeof(int64) * (arena_used / CAT_HDR + 1));
	for (off = 0; off < arena_used;)
	{
		char	   *e = arena + off;
		Size		size;

		if (arena_used - off < PAIR_HDR || (e[4] != TAG_CAT && e[4] != TAG_PAIR))
			goto bad;
		size = EntrySize(e);
		if (size > arena_used - off)
			goto bad;
		if (e[4] == TAG_CAT)
		{
			int64		c[C_NCOUNTERS];

			if (size < CAT_HDR || (e[5] != 0 && e[5] != 1) ||
				get_u32(e) != CatHash(e + CAT_HDR, get_u16(e + 6), e[5] == 1))
				goto bad;
			for (int j = 0; j < C_NCOUNTERS; j++)
				c[j] = GetCtr(e, j);
			if (c[C_ORDERS] < 0 || c[C_CALLERS] < 0 || c[C_CALLERS] > c[C_ORDERS] || c[C_PAIRS] > c[C_CALLERS])
				goto bad;
			for (int j = C_RSP_N; j < C_NCOUNTERS; j += 2)
				if (c[j] < 0 || c[j] > c[C_ORDERS] || c[j + 1] < 0 || c[j + 1] > c[j])
					goto bad;
			ncat++;
		}
		else
		{
			uint32		cat = get_u32(e + 8);
			char	   *ce = arena + cat;

			/* its category: an earlier category entry (checked by offset walk) */
			if (cat >= off || cat % 4 != 0 || ce[4] != TAG_CAT ||
				get_u32(e) != PairHash(get_u32(ce), e + PAIR_HDR, get_u16(e + 6)))
				goto bad;
			pairs[cat / CAT_HDR]++;
		}
		nentries++;
		off += size;
		CHECK_FOR_INTERRUPTS();
	}
	if (nentries != get_u32(PL(s) + IDX_NENTRIES) || ncat != get_u32(PL(s) + IDX_NCAT))
		goto bad;
	/* distinct callers per category = pairs present; cat offsets are unique per CAT_HDR bucket */
	for (off = 0; off < arena_used; off += EntrySize(arena + off))
	{
		char	   *e = arena + off;

		if (e[4] == TAG_CAT && GetCtr(e, C_PAIRS) != pairs[off / CAT_HDR])
			goto bad;
	}
	pfree(pairs);
	return;

bad:
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid index_state: its entries are inconsistent"),
			 errhint("The state is truncated or corrupted; rebuild it with minqing.index_state().")));
}

/*
 * A pair entry's category offset must point at a category entry that
 * starts before it; the walk above only checks the tag at that byte, so
 * make sure the offset is the start of an entry.
 */
static void
ValidateCategoryStarts(bytea *s)
{
	Size		arena_used = ARENA_USED(s);
	char	   *arena = ARENA(s);
	bool	   *start = (bool *) palloc0(arena_used + 1);

	for (Size off = 0; off < arena_used; off += EntrySize(arena + off))
		start[off] = true;
	for (Size off = 0; off < arena_used; off += EntrySize(arena + off))
		if (arena[off + 4] == TAG_PAIR && !start[get_u32(arena + off + 8)])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
					 errmsg("invalid index_state: its entries are inconsistent"),
					 errhint("The state is truncated or corrupted; rebuild it with minqing.index_state().")));
	pfree(start);
}

static bytea *Clean(bytea *s);

/* The stored form of any state: no pending pairs, no slots, no slack. */
static bytea *
Stored(bytea *s)
{
	s = Clean(s);
	if (NSLOTS(s) != 0)
		s = Rebuild(s, 0, 0, false);
	return s;
}

static bytea *
CheckedInput(bytea *s)
{
	ValidatePayload(s);
	ValidateCategoryStarts(s);
	return Stored(s);
}

PG_FUNCTION_INFO_V1(index_state_in);
Datum
index_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_BYTEA_P(CheckedInput(mq_state_from_cstring(PG_GETARG_CSTRING(0), MQ_KIND_INDEX_STATE,
														 IDX_HDR, IDX_NAME)));
}

PG_FUNCTION_INFO_V1(index_state_out);
Datum
index_state_out(PG_FUNCTION_ARGS)
{
	bytea	   *s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME);

	PG_RETURN_CSTRING(mq_state_to_cstring(Stored(s)));
}

PG_FUNCTION_INFO_V1(index_state_recv);
Datum
index_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);

	PG_RETURN_BYTEA_P(CheckedInput(mq_state_from_binary(buf, MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME)));
}

PG_FUNCTION_INFO_V1(index_state_send);
Datum
index_state_send(PG_FUNCTION_ARGS)
{
	bytea	   *s = mq_state_check(PG_GETARG_DATUM(0), MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME);

	PG_RETURN_BYTEA_P(mq_state_to_binary(Stored(s)));
}

/*
 * index_state_trans(state, category_code, responded, resolved, satisfied,
 * caller_id): one order.  Every row counts (like kpi); a NULL category is a
 * category of its own (tier unknown), a NULL flag does not count toward its
 * rate, a NULL caller toward the repeats.
 */
PG_FUNCTION_INFO_V1(index_state_trans);
Datum
index_state_trans(PG_FUNCTION_ARGS)
{
	bytea	   *s = mq_state_for_update(fcinfo, 0, MQ_KIND_INDEX_STATE, IDX_HDR, IDX_HDR, IDX_NAME);
	const char *cat = "";
	int			catlen = 0;
	bool		catnull = PG_ARGISNULL(1);
	uint32		catoff;
	char	   *e;

	s = Clean(s);
	if (!catnull)
	{
		text	   *t = PG_GETARG_TEXT_PP(1);

		cat = VARDATA_ANY(t);
		catlen = VARSIZE_ANY_EXHDR(t);
		CheckKeyLength(catlen, "category_code");
	}
	catoff = FindCategory(&s, cat, catlen, catnull, CatHash(cat, catlen, catnull));
	e = ARENA(s) + catoff;
	AddCounter(e, C_ORDERS, 1);
	for (int i = 0; i < 3; i++)
	{
		if (PG_ARGISNULL(i + 2))
			continue;
		AddCounter(e, C_RSP_N + 2 * i, 1);
		if (PG_GETARG_BOOL(i + 2))
			AddCounter(e, C_RSP_K + 2 * i, 1);
	}
	if (!PG_ARGISNULL(5))
	{
		text	   *c = PG_GETARG_TEXT_PP(5);

		CheckKeyLength(VARSIZE_ANY_EXHDR(c), "caller_id");
		AddCounter(e, C_CALLERS, 1);
		AddPair(&s, catoff, VARDATA_ANY(c), VARSIZE_ANY_EXHDR(c),
				PairHash(get_u32(e), VARDATA_ANY(c), VARSIZE_ANY_EXHDR(c)));
	}
	PG_RETURN_BYTEA_P(s);
}

/*
 * Categories of a state b being merged or copied: where each of b's
 * categories (by its offset in b's arena) went.  An open-addressing table
 * of at least twice as many slots as b has categories, so a pair finds its
 * category in about one probe (a binary search here cost a third of a
 * rollup read).
 */
typedef struct CatMap
{
	uint32	   *from;			/* b's offset + 1; 0 = empty slot */
	uint32	   *to;
	uint32		mask;
	int			shift;
	int			n;
	int			max;
} CatMap;

/* Fibonacci hashing: the top bits of the product (offsets are multiples of 4) */
static inline uint32
CatMapSlot(const CatMap *m, uint32 bcat)
{
	return ((bcat + 1) * 2654435761U) >> m->shift;
}

static void
CatMapInit(CatMap *m, bytea *b)
{
	uint32		ns = 8;
	int			bits = 3;

	/* a checked state has fewer than 2^26 categories (44 bytes each, 1 GB) */
	m->max = (int) get_u32(PL(b) + IDX_NCAT) + 1;
	while (ns < 2 * (uint32) m->max)
	{
		ns *= 2;
		bits++;
	}
	m->mask = ns - 1;
	m->shift = 32 - bits;
	m->from = (uint32 *) palloc0(sizeof(uint32) * ns);
	m->to = (uint32 *) palloc(sizeof(uint32) * ns);
	m->n = 0;
}

static void
CatMapAdd(CatMap *m, uint32 boff, uint32 aoff)
{
	uint32		i;

	if (m->n >= m->max)
		elog(ERROR, "index_state: more categories than its header says");
	for (i = CatMapSlot(m, boff); m->from[i] != 0; i = (i + 1) & m->mask)
		;
	m->from[i] = boff + 1;
	m->to[i] = aoff;
	m->n++;
}

/* Where the category at b's offset bcat went. */
static inline uint32
CatMapGet(const CatMap *m, uint32 bcat)
{
	for (uint32 i = CatMapSlot(m, bcat); m->from[i] != 0; i = (i + 1) & m->mask)
		if (m->from[i] == bcat + 1)
			return m->to[i];
	elog(ERROR, "index_state: pair without its category");
	pg_unreachable();
}

static void
CatMapFree(CatMap *m)
{
	pfree(m->from);
	pfree(m->to);
}

/*
 * Add the category entry e (of another state) to *ap: found or appended,
 * its counters added except the distinct callers.  Returns its offset in
 * *ap, which may move.
 */
static uint32
MergeCategory(bytea **ap, const char *e)
{
	uint32		aoff = FindCategory(ap, e + CAT_HDR, get_u16(e + 6), e[5] == 1, get_u32(e));
	char	   *ae = ARENA(*ap) + aoff;

	for (int c = 0; c < C_NCOUNTERS; c++)
		if (c != C_PAIRS)
			AddCounter(ae, c, GetCtr(e, c));
	return aoff;
}

/*
 * Merge state b (clean or pending) into the clean state a exactly: pairs
 * are looked up and counted.  a gets slots for both up front; returns a,
 * maybe moved.
 */
static bytea *
MergeExact(bytea *a, bytea *b)
{
	char	   *barena = ARENA(b);
	Size		bused = ARENA_USED(b);
	Size		total;
	CatMap		map;

	Assert(!PENDING(a));
	CatMapInit(&map, b);
	/* one allocation for b's entries up front */
	total = (Size) get_u32(PL(a) + IDX_NENTRIES) + get_u32(PL(b) + IDX_NENTRIES) + 1;
	if (NSLOTS(a) == 0 || TooFull(total, NSLOTS(a)))
		a = Rebuild(a, SlotsFor(total, NSLOTS(a)), ARENA_USED(a) + bused, false);
	for (Size off = 0; off < bused;)
	{
		char	   *e = barena + off;

		if (e[4] == TAG_CAT)
			CatMapAdd(&map, (uint32) off, MergeCategory(&a, e));
		else
			/* hashes depend only on the strings: b's is a's (checked on input) */
			AddPair(&a, CatMapGet(&map, get_u32(e + 8)), e + PAIR_HDR, get_u16(e + 6), get_u32(e));
		off += EntrySize(e);
		if ((off & 0xFFFF) < 64)
			CHECK_FOR_INTERRUPTS();
	}
	CatMapFree(&map);
	return a;
}

/*
 * Merge state b into a lazily (inside an aggregate): categories add their
 * counters, b's pairs are appended unchecked and a becomes (or stays)
 * pending.  Returns a, maybe moved.
 */
static bytea *
MergePending(bytea *a, bytea *b)
{
	Size		bused = ARENA_USED(b);
	CatMap		map;

	CatMapInit(&map, b);
	if (!PENDING(a))
		a = Rebuild(a, SlotsFor((Size) get_u32(PL(a) + IDX_NCAT) + map.max, 64), 2 * (ARENA_USED(a) + bused), true);
	else
		a = Reserve(a, bused, false);
	for (Size off = 0; off < bused;)
	{
		char	   *e = ARENA(b) + off;
		Size		size = EntrySize(e);

		if (e[4] == TAG_CAT)
			CatMapAdd(&map, (uint32) off, MergeCategory(&a, e));
		else
		{
			uint32		acat = CatMapGet(&map, get_u32(e + 8));
			uint32		aoff = ARENA_USED(a);

			a = Reserve(a, size, false);
			memcpy(ARENA(a) + aoff, e, size);
			put_u32(ARENA(a) + aoff + 8, acat);
			EntryAdded(a, aoff, size, TAG_PAIR);
		}
		off += size;
		if ((off & 0xFFFF) < 64)
			CHECK_FOR_INTERRUPTS();
	}
	CatMapFree(&map);
	return a;
}

/*
 * The stored form of a pending state: its entries copied in order, each
 * pair only the first time it occurs (one probe of a table sized for all
 * entries, so nothing grows), the distinct callers counted afresh.  Leaves
 * s untouched (a window aggregate may read it again).
 */
static bytea *
Dedup(bytea *s)
{
	Size		used = ARENA_USED(s);
	uint32		total = get_u32(PL(s) + IDX_NENTRIES);
	uint32		ns,
				mask;
	uint32	   *slots;
	CatMap		map;
	uint32		nout = 0,
				nused = 0;
	bytea	   *n;
	char	   *src = ARENA(s),
			   *dst;

	CatMapInit(&map, s);
	ns = SlotsFor((Size) total + 1, 64);
	mask = ns - 1;
	slots = (uint32 *) palloc_extended(sizeof(uint32) * 2 * (Size) ns, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	n = mq_state_new(MQ_KIND_INDEX_STATE, IDX_HDR + used, IDX_HDR);
	dst = PL(n) + IDX_HDR;
	for (Size off = 0; off < used;)
	{
		char	   *e = src + off;
		Size		size = EntrySize(e);

		if (e[4] == TAG_CAT)
		{
			memcpy(dst + nused, e, size);
			put_u32(ENTRY_CTR(dst + nused, C_PAIRS), 0);
			CatMapAdd(&map, (uint32) off, nused);
			nused += (uint32) size;
			nout++;
		}
		else
		{
			uint32		acat = CatMapGet(&map, get_u32(e + 8));
			uint32		h = get_u32(e);
			int			len = get_u16(e + 6);
			uint32		i;

			for (i = h & mask; slots[2 * i] != 0; i = (i + 1) & mask)
			{
				char	   *d = dst + slots[2 * i] - 1;

				if (slots[2 * i + 1] == h && get_u32(d + 8) == acat &&
					get_u16(d + 6) == len && memcmp(d + PAIR_HDR, e + PAIR_HDR, len) == 0)
					break;
			}
			if (slots[2 * i] == 0)
			{
				memcpy(dst + nused, e, size);
				put_u32(dst + nused + 8, acat);
				slots[2 * i] = nused + 1;
				slots[2 * i + 1] = h;
				AddCounter(dst + acat, C_PAIRS, 1);
				nused += (uint32) size;
				nout++;
			}
		}
		off += size;
		if ((off & 0xFFFF) < 64)
			CHECK_FOR_INTERRUPTS();
	}
	put_u32(PL(n) + IDX_NENTRIES, nout);
	put_u32(PL(n) + IDX_ARENA_USED, nused);
	put_u32(PL(n) + IDX_NCAT, (uint32) map.n);
	mq_state_set_used(n, IDX_HDR + nused);
	SET_VARSIZE(n, MQ_STATE_HDRSZ + IDX_HDR + nused);
	pfree(slots);
	CatMapFree(&map);
	return n;
}

/* A clean state: s itself, or the stored form of a pending s. */
static bytea *
Clean(bytea *s)
{
	return PENDING(s) ? Dedup(s) : s;
}

/*
 * A large pending state inside a grouping aggregate lives in an expanded
 * object of its own memory context (child of the aggregate's): it grows in
 * place (repalloc) and nodeAgg adopts it instead of copying it each time it
 * moves; flattening it (a partial aggregate's result, a spilled group, any
 * plain reader) gives the stored form.  Small states stay flat.
 */
#define EXPAND_AT		(32 * 1024)

static Size IdxFlatSize(ExpandedObjectHeader *eohptr);
static void IdxFlattenInto(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods IdxMethods = {IdxFlatSize, IdxFlattenInto};

static Size
IdxFlatSize(ExpandedObjectHeader *eohptr)
{
	MqExpandedState *x = (MqExpandedState *) eohptr;

	if (x->stored == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(x->hdr.eoh_context);

		x->stored = Dedup(x->state);
		MemoryContextSwitchTo(old);
	}
	return MQ_STATE_HDRSZ + mq_state_used(x->stored);
}

static void
IdxFlattenInto(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	MqExpandedState *x = (MqExpandedState *) eohptr;
	Size		size = IdxFlatSize(eohptr);

	if (allocated_size != size)
		elog(ERROR, "index_state: flattening into %zu bytes, %zu needed", allocated_size, size);
	memcpy(result, x->stored, size);
	SET_VARSIZE(result, size);
}

/* The state of argument argno, read only: an expanded state's flat block. */
static bytea *
StateArg(FunctionCallInfo fcinfo, int argno)
{
	MqExpandedState *x = mq_expanded_state(PG_GETARG_DATUM(argno), &IdxMethods);

	if (x != NULL)
		return x->state;
	return mq_state_check(PG_GETARG_DATUM(argno), MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME);
}

/* Merge b into the expanded state x, growing it in place. */
static void
ExpandedMerge(MqExpandedState *x, bytea *b)
{
	MemoryContext old;
	bytea	   *a;

	if (x->stored != NULL)
	{
		pfree(x->stored);
		x->stored = NULL;
	}
	mq_expanded_reserve(x, IDX_HDR + (Size) NSLOTS(x->state) * SLOT_BYTES + ARENA_USED(x->state) +
						ARENA_USED(b), IDX_NAME);
	/* a category slot table that must grow is rebuilt in the object's context */
	old = MemoryContextSwitchTo(x->hdr.eoh_context);
	a = MergePending(x->state, b);
	MemoryContextSwitchTo(old);
	if (a != x->state)
	{
		pfree(x->state);
		x->state = a;
	}
}

/*
 * index_state_combine(a, b): the combine function of both aggregates and
 * the transition function of index_state(index_state).  Exact: categories
 * add their counters, pairs are unioned, so a caller seen on two days is
 * one distinct caller and the second order is a repeat.  Inside an
 * aggregate the union is deferred to the final function (MergePending);
 * called directly it returns the stored form.
 */
PG_FUNCTION_INFO_V1(index_state_combine);
Datum
index_state_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt = NULL;
	int			ctx = AggCheckCallContext(fcinfo, &aggcxt);
	MqExpandedState *x;
	bool		done;
	bytea	   *a;
	bytea	   *b;

	if (ctx == AGG_CONTEXT_AGGREGATE && !PG_ARGISNULL(0) &&
		(x = mq_expanded_state(PG_GETARG_DATUM(0), &IdxMethods)) != NULL)
	{
		if (!PG_ARGISNULL(1))
			ExpandedMerge(x, StateArg(fcinfo, 1));
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = mq_state_combine_nulls(fcinfo, MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME, &done);
	if (!done)
	{
		b = mq_state_check(PG_GETARG_DATUM(1), MQ_KIND_INDEX_STATE, IDX_HDR, IDX_NAME);
		a = ctx != 0 ? MergePending(a, b) : MergeExact(Clean(a), b);
	}
	if (a == NULL)
		PG_RETURN_NULL();
	if (ctx == 0)
		a = Stored(a);
	else if (ctx == AGG_CONTEXT_AGGREGATE && PENDING(a) && VARSIZE(a) >= EXPAND_AT)
		PG_RETURN_DATUM(mq_state_expand(a, aggcxt, &IdxMethods, "minqing index_state"));
	PG_RETURN_BYTEA_P(a);
}

/* index_state_final(state): the stored form, without slots or slack. */
PG_FUNCTION_INFO_V1(index_state_final);
Datum
index_state_final(PG_FUNCTION_ARGS)
{
	bytea	   *s;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = StateArg(fcinfo, 0);
	/* a new block either way: never the transition value itself */
	PG_RETURN_BYTEA_P(PENDING(s) ? Dedup(s) : Rebuild(s, 0, 0, false));
}

/*
 * index_state_counts(state) -> one row per category: category_code (NULL
 * for orders without one), orders, caller_orders, repeat_orders (caller
 * orders − distinct callers), and n, k of responded, resolved, satisfied.
 */
PG_FUNCTION_INFO_V1(index_state_counts);
Datum
index_state_counts(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	bytea	   *s;
	char	   *arena;
	Size		used;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	s = Clean(StateArg(fcinfo, 0));
	arena = ARENA(s);
	used = ARENA_USED(s);
	for (Size off = 0; off < used; off += EntrySize(arena + off))
	{
		char	   *e = arena + off;
		Datum		values[10];
		bool		nulls[10] = {false};

		if (e[4] != TAG_CAT)
			continue;
		if (e[5])
			nulls[0] = true;
		else
			values[0] = PointerGetDatum(cstring_to_text_with_len(e + CAT_HDR, get_u16(e + 6)));
		values[1] = Int64GetDatum(GetCtr(e, C_ORDERS));
		values[2] = Int64GetDatum(GetCtr(e, C_CALLERS));
		values[3] = Int64GetDatum(GetCtr(e, C_CALLERS) - GetCtr(e, C_PAIRS));
		for (int c = C_RSP_N; c < C_NCOUNTERS; c++)
			values[c + 1] = Int64GetDatum(GetCtr(e, c));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
