/*
 * segment.c — jieba-compatible Chinese word segmentation (SPEC §10).
 *
 * minqing.zh_segment(doc) returns exactly jieba.lcut(doc, HMM=False) of
 * Debian's python3-jieba 0.42.1 with its default dictionary.  The algorithm
 * is jieba's "accurate mode without HMM", re-implemented here:
 *
 *  1. The document is split into maximal runs of "block" characters (CJK
 *     U+4E00..U+9FD5, ASCII letters and digits, and + # & . _ % -) and the
 *     rest.  Outside blocks every character is its own token, except that
 *     "\r\n" stays one token (Python's \s is the whitespace set below).
 *  2. In a block, every position k has the dictionary words starting there
 *     (the DAG); a position with none has the single character.  The route
 *     maximises the sum of log(freq) - log(total) from right to left; a word
 *     absent from the dictionary, or a mere prefix (freq 0), counts as freq 1.
 *     Ties go to the longer word (Python's max over (score, end) tuples).
 *  3. Walking the route, single ASCII letters and digits are glued together
 *     (jieba's buffer), so "abc" or "2024" come out as one token unless the
 *     dictionary has a longer word covering them.
 *
 * The dictionary (dict.txt of python3-jieba, MIT licensed, see
 * minqing_jieba_dict.NOTICE) is installed as an extension data file and read
 * once per backend into a compact trie: one 16-byte node per distinct prefix,
 * the children of a node contiguous and sorted by code point (binary search).
 * Words of the configuration table minqing.zh_userdict live in a small
 * second trie that is rebuilt when the table changes (a statement trigger on
 * the table sends a relcache invalidation that every backend receives).
 * User words are added as jieba's add_word() does — a missing frequency is
 * jieba's suggest_freq(word) — except that the dictionary total is left
 * unchanged, so a text without user words segments exactly as with the
 * default dictionary.
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "port.h"
#include "portability/instr_time.h"
#include "storage/fd.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "result.h"
#include "segment.h"
#include "unicode_class.h"

PG_FUNCTION_INFO_V1(zh_segment);
PG_FUNCTION_INFO_V1(zh_config_changed);
PG_FUNCTION_INFO_V1(zh_dictionary_info);

#define DICT_FILE		"minqing_jieba_dict.txt"
#define NO_NODE			UINT32_MAX

/* one trie node: a distinct prefix of a dictionary word */
typedef struct TrieNode
{
	uint32		cp;				/* last code point of the prefix */
	int32		freq;			/* frequency of the word, -1 if only a prefix */
	uint32		first;			/* index of the first child */
	uint32		nchild;			/* children, contiguous, sorted by cp */
} TrieNode;

/* the default dictionary, read once per backend */
static TrieNode *dict_nodes = NULL;
static uint32 dict_nnodes = 0;
static int64 dict_total = 0;
static double dict_logtotal = 0.0;
static double dict_load_ms = 0.0;
/* children of the root by code point for the BMP: one lookup, no search */
static uint32 *dict_root_bmp = NULL;
/* log(f) for the small frequencies most words have (the same doubles) */
#define LOG_CACHE		4096
static double log_cache[LOG_CACHE];

/*
 * User words: a growable trie (children as sorted index arrays) rebuilt
 * whenever minqing.zh_userdict changes.
 */
typedef struct UserNode
{
	uint32		cp;
	int32		freq;			/* -1 if only a prefix */
	uint32	   *kids;			/* indexes into user_nodes, sorted by cp */
	uint32		nkids;
	uint32		capkids;
} UserNode;

static MemoryContext user_context = NULL;
static UserNode *user_nodes = NULL;
static uint32 user_nnodes = 0;
static uint32 user_cap = 0;
static uint32 user_nwords = 0;
static bool user_valid = false;
/* bit c & 0xFFFF set when some user word starts with c: most positions skip the user trie */
static uint8 user_first[0x10000 / 8];
static bool user_loading = false;
static bool user_callback_registered = false;
static Oid	user_relid = InvalidOid;

/* ------------------------------------------------------------------------
 * Character classes (jieba's regular expressions)
 * ------------------------------------------------------------------------ */

/* [\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-] of re_han_default */
static inline bool
IsBlockChar(uint32 c)
{
	if (c >= 0x4E00 && c <= 0x9FD5)
		return true;
	if (c >= 0x80)
		return false;
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '+' || c == '#' || c == '&' || c == '.' || c == '_' || c == '%' || c == '-';
}

/* [a-zA-Z0-9] of re_eng */
static inline bool
IsAsciiAlnum(uint32 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Python's \s on str: str.isspace() */
static inline bool
IsPySpace(uint32 c)
{
	if (c <= 0x20)
		return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
	if (c < 0x85)
		return false;
	return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
		c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/*
 * Unicode general-category class of a code point (table generated from
 * Python's unicodedata by test/reference/text_unicode_class.py).
 */
int
mq_unicode_class(uint32 cp)
{
	int			lo = 0,
				hi = lengthof(mq_unicode_ranges) - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (cp < mq_unicode_ranges[mid].first)
			hi = mid - 1;
		else if (cp > mq_unicode_ranges[mid].last)
			lo = mid + 1;
		else
			return mq_unicode_ranges[mid].cls;
	}
	return MQ_UCLASS_OTHER;
}

void
mq_segment_check_encoding(void)
{
	if (GetDatabaseEncoding() != PG_UTF8)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("Chinese segmentation requires a UTF8 database"),
				 errdetail("The database encoding is %s.", GetDatabaseEncodingName()),
				 errhint("Create the database with ENCODING 'UTF8'.")));
}

/* ------------------------------------------------------------------------
 * Default dictionary
 * ------------------------------------------------------------------------ */

typedef struct DictEntry
{
	const char *word;			/* in the file buffer, not terminated */
	int			len;
	int32		freq;
	int32		lineno;
} DictEntry;

static int
DictEntryCmp(const void *a, const void *b)
{
	const DictEntry *x = a;
	const DictEntry *y = b;
	int			c = memcmp(x->word, y->word, Min(x->len, y->len));

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->lineno < y->lineno ? -1 : (x->lineno > y->lineno);
}

typedef struct DictBuild
{
	uint32	   *cps;			/* code points of all unique words */
	uint32	   *start;			/* word i is cps[start[i] .. start[i+1]) */
	int32	   *freq;
	TrieNode   *nodes;
	uint32		nnodes;
} DictBuild;

/*
 * Fill node `ni` from the sorted words [lo, hi), all sharing the node's
 * prefix of `depth` code points: the word equal to the prefix (if any) gives
 * the frequency, the distinct next code points become contiguous children.
 */
static void
DictBuildNode(DictBuild *b, uint32 ni, uint32 lo, uint32 hi, uint32 depth)
{
	uint32		i,
				g,
				nchild = 0,
				first;

	check_stack_depth();
	b->nodes[ni].freq = -1;
	if (lo < hi && b->start[lo + 1] - b->start[lo] == depth)
	{
		b->nodes[ni].freq = b->freq[lo];
		lo++;
	}
	for (i = lo; i < hi; i++)
		if (i == lo || b->cps[b->start[i] + depth] != b->cps[b->start[i - 1] + depth])
			nchild++;
	first = b->nnodes;
	b->nnodes += nchild;
	b->nodes[ni].first = first;
	b->nodes[ni].nchild = nchild;
	g = 0;
	for (i = lo; i < hi;)
	{
		uint32		c = b->cps[b->start[i] + depth];
		uint32		j = i + 1;

		while (j < hi && b->cps[b->start[j] + depth] == c)
			j++;
		b->nodes[first + g].cp = c;
		DictBuildNode(b, first + g, i, j, depth + 1);
		g++;
		i = j;
	}
}

/* read a whole file into memory (palloc'd, NUL-terminated) */
static char *
ReadWholeFile(const char *path, size_t *len)
{
	FILE	   *f = AllocateFile(path, PG_BINARY_R);
	char	   *buf;
	long		size;

	if (f == NULL)
		ereport(ERROR,
				(errcode_for_file_access(),
				 errmsg("could not open the segmentation dictionary \"%s\": %m", path),
				 errhint("Reinstall minqing: its build copies dict.txt of python3-jieba to the extension directory.")));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not read \"%s\": %m", path)));
	if (size > 256 * 1024 * 1024)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("segmentation dictionary \"%s\" is too large", path),
				 errdetail("It has %ld bytes; the limit is 256 MB.", size)));
	buf = palloc(size + 1);
	if (fread(buf, 1, size, f) != (size_t) size)
		ereport(ERROR, (errcode_for_file_access(), errmsg("could not read \"%s\": %m", path)));
	buf[size] = '\0';
	FreeFile(f);
	*len = size;
	return buf;
}

/*
 * Parse dict.txt ("word freq [tag]" per line, as jieba's gen_pfdict does:
 * the last line of a repeated word wins, the total counts every line) and
 * build the compact trie in TopMemoryContext.
 */
static void
LoadDictionary(void)
{
	char		share[MAXPGPATH],
				path[MAXPGPATH];
	MemoryContext tmp,
				old;
	char	   *buf,
			   *p,
			   *end;
	size_t		len;
	DictEntry  *ents;
	int			nents = 0,
				cap = 1 << 16,
				lineno = 0,
				nuniq = 0,
				i;
	int64		total = 0;
	DictBuild	b;
	uint32		ncps = 0,
				nnodes;
	instr_time	t0,
				t1;

	INSTR_TIME_SET_CURRENT(t0);
	get_share_path(my_exec_path, share);
	snprintf(path, sizeof(path), "%s/extension/%s", share, DICT_FILE);

	tmp = AllocSetContextCreate(CurrentMemoryContext, "minqing dictionary build", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(tmp);
	buf = ReadWholeFile(path, &len);
	end = buf + len;
	ents = palloc(sizeof(DictEntry) * cap);
	for (p = buf; p < end;)
	{
		char	   *eol = memchr(p, '\n', end - p),
				   *w,
				   *sp;
		int64		freq = 0;

		if (eol == NULL)
			eol = end;
		lineno++;
		/* strip, as Python's str.strip() (ASCII whitespace suffices here) */
		w = p;
		while (w < eol && (*w == ' ' || *w == '\t' || *w == '\r'))
			w++;
		sp = eol;
		while (sp > w && (sp[-1] == ' ' || sp[-1] == '\t' || sp[-1] == '\r'))
			sp--;
		if (sp > w)
		{
			char	   *q = memchr(w, ' ', sp - w);
			char	   *d;

			if (q == NULL || q == w || q + 1 >= sp)
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("invalid segmentation dictionary entry in \"%s\" at line %d", path, lineno)));
			for (d = q + 1; d < sp && *d != ' '; d++)
			{
				if (*d < '0' || *d > '9' || freq > PG_INT32_MAX / 10)
					ereport(ERROR,
							(errcode(ERRCODE_DATA_CORRUPTED),
							 errmsg("invalid frequency in \"%s\" at line %d", path, lineno)));
				freq = freq * 10 + (*d - '0');
			}
			if (!pg_verify_mbstr(PG_UTF8, w, q - w, true))
				ereport(ERROR,
						(errcode(ERRCODE_DATA_CORRUPTED),
						 errmsg("invalid UTF-8 in \"%s\" at line %d", path, lineno)));
			if (nents == cap)
			{
				cap *= 2;
				ents = repalloc(ents, sizeof(DictEntry) * cap);
			}
			ents[nents].word = w;
			ents[nents].len = q - w;
			ents[nents].freq = (int32) freq;
			ents[nents].lineno = lineno;
			nents++;
			total += freq;
		}
		p = eol + 1;
		if ((lineno & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	qsort(ents, nents, sizeof(DictEntry), DictEntryCmp);

	/* unique words (the last line of a repeated word), decoded to code points */
	b.cps = palloc(sizeof(uint32) * (len + 1));
	b.start = palloc(sizeof(uint32) * (nents + 1));
	b.freq = palloc(sizeof(int32) * (nents + 1));
	nnodes = 1;
	for (i = 0; i < nents; i++)
	{
		const unsigned char *s;
		uint32		wstart = ncps,
					lcp = 0;

		if (i + 1 < nents && ents[i + 1].len == ents[i].len &&
			memcmp(ents[i + 1].word, ents[i].word, ents[i].len) == 0)
			continue;
		for (s = (const unsigned char *) ents[i].word;
			 s < (const unsigned char *) ents[i].word + ents[i].len;
			 s += pg_utf_mblen(s))
			b.cps[ncps++] = utf8_to_unicode(s);
		if (nuniq > 0)
		{
			uint32		pstart = b.start[nuniq - 1];
			uint32		plen = wstart - pstart;

			while (lcp < plen && lcp < ncps - wstart && b.cps[pstart + lcp] == b.cps[wstart + lcp])
				lcp++;
		}
		nnodes += (ncps - wstart) - lcp;
		b.start[nuniq] = wstart;
		b.freq[nuniq] = ents[i].freq;
		nuniq++;
	}
	b.start[nuniq] = ncps;

	b.nodes = MemoryContextAllocHuge(TopMemoryContext, sizeof(TrieNode) * (Size) nnodes);
	b.nodes[0].cp = 0;
	b.nnodes = 1;
	DictBuildNode(&b, 0, 0, nuniq, 0);
	Assert(b.nnodes == nnodes);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(tmp);

	for (i = 1; i < LOG_CACHE; i++)
		log_cache[i] = log((double) i);
	dict_root_bmp = MemoryContextAlloc(TopMemoryContext, sizeof(uint32) * 0x10000);
	for (i = 0; i < 0x10000; i++)
		dict_root_bmp[i] = NO_NODE;
	for (i = 0; i < (int) b.nodes[0].nchild; i++)
	{
		uint32		k = b.nodes[0].first + i;

		if (b.nodes[k].cp < 0x10000)
			dict_root_bmp[b.nodes[k].cp] = k;
	}
	dict_nodes = b.nodes;
	dict_nnodes = b.nnodes;
	dict_total = total;
	dict_logtotal = log((double) total);
	INSTR_TIME_SET_CURRENT(t1);
	INSTR_TIME_SUBTRACT(t1, t0);
	dict_load_ms = INSTR_TIME_GET_MILLISEC(t1);
}

/* child of dictionary node ni with code point c, or NO_NODE */
static inline uint32
DictChild(uint32 ni, uint32 c)
{
	const TrieNode *n = &dict_nodes[ni];
	uint32		lo = n->first,
				hi = n->first + n->nchild;

	if (ni == 0 && c < 0x10000)
		return dict_root_bmp[c];

	while (lo < hi)
	{
		uint32		mid = (lo + hi) / 2;

		if (dict_nodes[mid].cp < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < n->first + n->nchild && dict_nodes[lo].cp == c) ? lo : NO_NODE;
}

/* ------------------------------------------------------------------------
 * User words
 * ------------------------------------------------------------------------ */

static inline uint32
UserChild(uint32 ni, uint32 c)
{
	const UserNode *n = &user_nodes[ni];
	uint32		lo = 0,
				hi = n->nkids;

	while (lo < hi)
	{
		uint32		mid = (lo + hi) / 2;

		if (user_nodes[n->kids[mid]].cp < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo < n->nkids && user_nodes[n->kids[lo]].cp == c) ? n->kids[lo] : NO_NODE;
}

static uint32
UserNewNode(uint32 c)
{
	if (user_nnodes == user_cap)
	{
		user_cap = user_cap ? user_cap * 2 : 256;
		user_nodes = user_nodes ? repalloc(user_nodes, sizeof(UserNode) * user_cap)
			: palloc(sizeof(UserNode) * user_cap);
	}
	user_nodes[user_nnodes].cp = c;
	user_nodes[user_nnodes].freq = -1;
	user_nodes[user_nnodes].kids = NULL;
	user_nodes[user_nnodes].nkids = 0;
	user_nodes[user_nnodes].capkids = 0;
	return user_nnodes++;
}

/* add (or overwrite) a user word; CurrentMemoryContext is user_context */
static void
UserAddWord(const uint32 *cps, int n, int32 freq)
{
	uint32		ni = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		uint32		k = UserChild(ni, cps[i]);

		if (k == NO_NODE)
		{
			UserNode   *p;
			uint32		lo = 0,
						hi;

			k = UserNewNode(cps[i]);
			p = &user_nodes[ni];
			hi = p->nkids;
			while (lo < hi)
			{
				uint32		mid = (lo + hi) / 2;

				if (user_nodes[p->kids[mid]].cp < cps[i])
					lo = mid + 1;
				else
					hi = mid;
			}
			if (p->nkids == p->capkids)
			{
				p->capkids = p->capkids ? p->capkids * 2 : 4;
				p->kids = p->kids ? repalloc(p->kids, sizeof(uint32) * p->capkids)
					: palloc(sizeof(uint32) * p->capkids);
			}
			memmove(p->kids + lo + 1, p->kids + lo, sizeof(uint32) * (p->nkids - lo));
			p->kids[lo] = k;
			p->nkids++;
		}
		ni = k;
	}
	user_nodes[ni].freq = freq;
	if (n > 0)
		user_first[(cps[0] & 0xFFFF) >> 3] |= (uint8) (1 << (cps[0] & 7));
}

/*
 * jieba's FREQ.get(word, absent): the user entry, else the dictionary entry,
 * else 0 for a prefix of some word, else `absent`.
 */
static int64
LookupFreq(const uint32 *cps, int n, int64 absent)
{
	uint32		d = 0,
				u = user_nnodes > 0 ? 0 : NO_NODE;
	int			i;

	for (i = 0; i < n && (d != NO_NODE || u != NO_NODE); i++)
	{
		if (d != NO_NODE)
			d = DictChild(d, cps[i]);
		if (u != NO_NODE)
			u = UserChild(u, cps[i]);
	}
	if (n == 0 || (d == NO_NODE && u == NO_NODE))
		return absent;
	if (u != NO_NODE && user_nodes[u].freq >= 0)
		return user_nodes[u].freq;
	if (d != NO_NODE && dict_nodes[d].freq >= 0)
		return dict_nodes[d].freq;
	return 0;
}

static void UserDictCallback(Datum arg, Oid relid);

/* collects the code-point lengths of tokens (for suggest_freq) */
typedef struct TokLens
{
	const char *base;
	int			ntok;
	int			off[64];
	int			len[64];
	bool		overflow;
} TokLens;

static void
CollectToken(const char *tok, int nbytes, MqTokenKind kind, void *arg)
{
	TokLens    *t = arg;

	if (t->ntok == lengthof(t->off))
	{
		t->overflow = true;
		return;
	}
	t->off[t->ntok] = tok - t->base;
	t->len[t->ntok] = nbytes;
	t->ntok++;
}

/* decode UTF-8 s[0..len) into cps (room for len), returning the count */
static int
DecodeUtf8(const char *s, int len, uint32 *cps)
{
	const unsigned char *p = (const unsigned char *) s,
			   *e = p + len;
	int			n = 0;

	while (p < e)
	{
		cps[n++] = utf8_to_unicode(p);
		p += pg_utf_mblen(p);
	}
	return n;
}

/*
 * jieba's suggest_freq(word, tune=False): the product over the pieces of
 * cut(word, HMM=False) of FREQ.get(piece, 1) / total, times total, plus one,
 * and at least the word's current frequency.
 */
static int32
SuggestFreq(const char *word, int len)
{
	TokLens		t;
	double		ftotal = (double) dict_total,
				f = 1.0;
	uint32	   *cps = palloc(sizeof(uint32) * (len + 1));
	int			i,
				n;
	double		v;
	int64		cur;

	t.base = word;
	t.ntok = 0;
	t.overflow = false;
	mq_segment(word, len, CollectToken, &t);
	if (t.overflow)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user word \"%s\" is too long", word),
				 errhint("Give it an explicit frequency or shorten it.")));
	for (i = 0; i < t.ntok; i++)
	{
		n = DecodeUtf8(word + t.off[i], t.len[i], cps);
		f *= (double) LookupFreq(cps, n, 1) / ftotal;
	}
	v = f * (double) dict_total;
	n = DecodeUtf8(word, len, cps);
	cur = LookupFreq(cps, n, 1);
	pfree(cps);
	if (v >= (double) PG_INT32_MAX)
		return PG_INT32_MAX;
	return (int32) Max((int64) v + 1, cur);
}

/* (re)read minqing.zh_userdict into the user trie */
static void
LoadUserWords(void)
{
	MemoryContext old,
				caller = CurrentMemoryContext;
	Oid			nsp = get_namespace_oid("minqing", true);
	Oid			relid = OidIsValid(nsp) ? get_relname_relid("zh_userdict", nsp) : InvalidOid;
	uint64		r;

	if (!user_callback_registered)
	{
		CacheRegisterRelcacheCallback(UserDictCallback, (Datum) 0);
		user_callback_registered = true;
	}
	if (user_context == NULL)
		user_context = AllocSetContextCreate(TopMemoryContext, "minqing user words", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(user_context);
	user_nodes = NULL;
	user_nnodes = user_cap = user_nwords = 0;
	memset(user_first, 0, sizeof(user_first));
	user_relid = relid;
	if (!OidIsValid(relid))
		return;

	old = MemoryContextSwitchTo(user_context);
	UserNewNode(0);				/* root */
	MemoryContextSwitchTo(caller);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT word, freq FROM minqing.zh_userdict ORDER BY word COLLATE \"C\"", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read minqing.zh_userdict");
	for (r = 0; r < SPI_processed; r++)
	{
		bool		isnull,
					fnull;
		Datum		wd = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1, &isnull);
		Datum		fd = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2, &fnull);
		text	   *wt;
		char	   *w;
		int			wlen;
		int32		freq;
		uint32	   *cps;
		int			n;

		if (isnull)
			continue;
		wt = DatumGetTextPP(wd);
		w = text_to_cstring(wt);
		wlen = strlen(w);
		if (wlen == 0 || wlen > 1024)
			continue;
		freq = fnull ? SuggestFreq(w, wlen) : Max(DatumGetInt32(fd), 0);
		cps = palloc(sizeof(uint32) * (wlen + 1));
		n = DecodeUtf8(w, wlen, cps);
		old = MemoryContextSwitchTo(user_context);
		UserAddWord(cps, n, freq);
		MemoryContextSwitchTo(old);
		user_nwords++;
		CHECK_FOR_INTERRUPTS();
	}
	SPI_finish();
}

static void
UserDictCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == user_relid)
		user_valid = false;
}

/* make sure the dictionary and the current user words are loaded */
static void
EnsureLoaded(void)
{
	if (dict_nodes == NULL)
		LoadDictionary();
	if (!user_valid && !user_loading)
	{
		/*
		 * While loading, user_valid is set so that an invalidation arriving
		 * meanwhile clears it again (and forces the next call to reload), and
		 * the segmentations done by SuggestFreq see the words added so far,
		 * as jieba's sequence of add_word calls does.
		 */
		user_valid = true;
		user_loading = true;
		PG_TRY();
		{
			LoadUserWords();
		}
		PG_CATCH();
		{
			user_valid = false;
			user_loading = false;
			user_nnodes = 0;
			PG_RE_THROW();
		}
		PG_END_TRY();
		user_loading = false;
	}
}

/* ------------------------------------------------------------------------
 * Segmentation
 * ------------------------------------------------------------------------ */

/* classify a token for the text search parser and the counters */
static MqTokenKind
TokenKind(const uint32 *cps, int n)
{
	int			i;
	bool		space = true;

	for (i = 0; i < n; i++)
	{
		if (IsBlockChar(cps[i]) ? IsAsciiAlnum(cps[i]) || cps[i] >= 0x4E00
			: mq_unicode_class(cps[i]) == MQ_UCLASS_OTHER)
			return MQ_TOK_WORD;
		if (!IsPySpace(cps[i]))
			space = false;
	}
	return space ? MQ_TOK_SPACE : MQ_TOK_PUNCT;
}

typedef struct SegDoc
{
	const char *s;
	const uint32 *cps;
	const int  *off;			/* byte offset of each code point, n + 1 */
	MqTokenCallback cb;
	void	   *arg;
} SegDoc;

static inline void
Emit(SegDoc *d, int a, int b)
{
	d->cb(d->s + d->off[a], d->off[b] - d->off[a], TokenKind(d->cps + a, b - a), d->arg);
}

/*
 * jieba's __cut_DAG_NO_HMM on the block cps[a..b): maximum-probability route
 * from right to left, then the walk with the Latin/digit buffer.
 */
static void
CutBlock(SegDoc *d, int a, int b, double *route, int *next)
{
	const uint32 *cps = d->cps;
	bool		have_user = user_nnodes > 0;
	int			k,
				x,
				buf_start;

	route[b - a] = 0.0;
	for (k = b - 1; k >= a; k--)
	{
		uint32		dn = 0,
					un = (have_user && (user_first[(cps[k] & 0xFFFF) >> 3] & (1 << (cps[k] & 7)))) ? 0 : NO_NODE;
		double		best = 0.0;
		int			bestx = -1;
		int			i;

		for (i = k; i < b; i++)
		{
			int64		f = -1;
			double		cand;

			if (dn != NO_NODE)
				dn = DictChild(dn, cps[i]);
			if (un != NO_NODE)
				un = UserChild(un, cps[i]);
			if (dn == NO_NODE && un == NO_NODE)
				break;
			if (un != NO_NODE && user_nodes[un].freq >= 0)
				f = user_nodes[un].freq;
			else if (dn != NO_NODE)
				f = dict_nodes[dn].freq;
			if (f <= 0)
				continue;
			cand = ((f < LOG_CACHE ? log_cache[f] : log((double) f)) - dict_logtotal) + route[i + 1 - a];
			if (bestx < 0 || cand >= best)
			{
				best = cand;
				bestx = i;
			}
		}
		if (bestx < 0)
		{
			/* no word starts here: the single character, frequency 1 */
			best = (0.0 - dict_logtotal) + route[k + 1 - a];
			bestx = k;
		}
		route[k - a] = best;
		next[k - a] = bestx + 1;
		if (((b - k) & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
	}

	buf_start = -1;
	for (x = a; x < b;)
	{
		int			y = next[x - a];

		if (y - x == 1 && IsAsciiAlnum(cps[x]))
		{
			if (buf_start < 0)
				buf_start = x;
		}
		else
		{
			if (buf_start >= 0)
				Emit(d, buf_start, x);
			buf_start = -1;
			Emit(d, x, y);
		}
		x = y;
	}
	if (buf_start >= 0)
		Emit(d, buf_start, b);
}

/*
 * The segmentation of s[0..len) as jieba.cut(s, HMM=False): see the header
 * comment of this file.
 */
void
mq_segment(const char *s, int len, MqTokenCallback cb, void *arg)
{
	uint32	   *cps;
	int		   *off;
	double	   *route = NULL;
	int		   *next = NULL;
	int			n,
				i,
				cap = 0;
	uint32		steps = 0;
	const unsigned char *p;
	SegDoc		d;

	mq_segment_check_encoding();
	if (len > MQ_SEGMENT_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("document too long for segmentation"),
				 errdetail("It has %d bytes; the limit is %d bytes.", len, MQ_SEGMENT_MAX_BYTES),
				 errhint("Split the document into smaller pieces.")));
	if (len == 0)
		return;
	EnsureLoaded();

	cps = palloc(sizeof(uint32) * len);
	off = palloc(sizeof(int) * (len + 1));
	n = 0;
	for (p = (const unsigned char *) s; p < (const unsigned char *) s + len; p += pg_utf_mblen(p))
	{
		off[n] = (const char *) p - s;
		cps[n++] = utf8_to_unicode(p);
	}
	off[n] = len;
	d.s = s;
	d.cps = cps;
	d.off = off;
	d.cb = cb;
	d.arg = arg;

	for (i = 0; i < n;)
	{
		if ((++steps & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (IsBlockChar(cps[i]))
		{
			int			j = i + 1;

			while (j < n && IsBlockChar(cps[j]))
				j++;
			if (j - i + 1 > cap)
			{
				if (route)
				{
					pfree(route);
					pfree(next);
				}
				cap = j - i + 1;
				route = palloc(sizeof(double) * cap);
				next = palloc(sizeof(int) * cap);
			}
			CutBlock(&d, i, j, route, next);
			i = j;
		}
		else if (cps[i] == '\r' && i + 1 < n && cps[i + 1] == '\n')
		{
			Emit(&d, i, i + 2);
			i += 2;
		}
		else
		{
			Emit(&d, i, i + 1);
			i++;
		}
	}
	pfree(cps);
	pfree(off);
	if (route)
	{
		pfree(route);
		pfree(next);
	}
}

/* ------------------------------------------------------------------------
 * SQL functions
 * ------------------------------------------------------------------------ */

typedef struct ArrayCollect
{
	ArrayBuildState *astate;
} ArrayCollect;

static void
CollectArray(const char *tok, int nbytes, MqTokenKind kind, void *arg)
{
	ArrayCollect *c = arg;

	c->astate = accumArrayResult(c->astate, PointerGetDatum(cstring_to_text_with_len(tok, nbytes)),
								 false, TEXTOID, CurrentMemoryContext);
}

/*
 * minqing.zh_segment(doc text) → text[]: jieba.lcut(doc, HMM=False), every
 * token including spaces and punctuation.
 */
Datum
zh_segment(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	ArrayCollect c;

	c.astate = NULL;
	mq_segment(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), CollectArray, &c);
	if (c.astate == NULL)
		PG_RETURN_ARRAYTYPE_P(construct_empty_array(TEXTOID));
	PG_RETURN_DATUM(makeArrayResult(c.astate, CurrentMemoryContext));
}

/*
 * Statement trigger on minqing.zh_userdict: invalidate the table's relcache
 * entry, so that every backend (this one at the end of the command, the
 * others when they next read invalidations) rebuilds its user words.
 */
Datum
zh_config_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("zh_config_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	user_valid = false;
	return PointerGetDatum(NULL);
}

/*
 * minqing.zh_dictionary_info() → (words, nodes, bytes, total, load_ms,
 * user_words): the backend's dictionary, loading it if needed.
 */
Datum
zh_dictionary_info(PG_FUNCTION_ARGS)
{
	Datum		values[6];
	bool		nulls[6] = {false};
	int64		words = 0;
	uint32		i;

	mq_segment_check_encoding();
	EnsureLoaded();
	for (i = 0; i < dict_nnodes; i++)
		if (dict_nodes[i].freq >= 0)
			words++;
	values[0] = Int64GetDatum(words);
	values[1] = Int64GetDatum(dict_nnodes);
	values[2] = Int64GetDatum((int64) dict_nnodes * sizeof(TrieNode) + sizeof(uint32) * 0x10000);
	values[3] = Int64GetDatum(dict_total);
	values[4] = Float8GetDatum(dict_load_ms);
	values[5] = Int64GetDatum(user_nwords);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
