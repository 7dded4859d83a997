/*
 * text.c — complaint text in SQL (SPEC §10): the text search parser behind
 * the configuration minqing.chinese, the lexemes that configuration indexes
 * (shared with term_counts), and text_similarity.
 *
 * The parser hands PostgreSQL jieba's tokens (segment.c) typed as
 *   1 asciiword   ASCII letters and digits only ("wifi", "12345")
 *   2 word        anything with an ideograph or another script's letter
 *  12 blank       whitespace, punctuation, symbols (emoji)
 * so that the headline function of the default parser (prsd_headline, which
 * treats type 12 as a space) works unchanged.  minqing.chinese maps word and
 * asciiword to a simple dictionary with the stop words of
 * tsearch_data/minqing_chinese.stop and ignores blanks.
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "common/unicode_norm.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "tsearch/ts_locale.h"
#include "tsearch/ts_public.h"
#include "utils/builtins.h"
#include "utils/formatting.h"
#include "utils/memutils.h"

#include "segment.h"
#include "text.h"

PG_FUNCTION_INFO_V1(zh_prsstart);
PG_FUNCTION_INFO_V1(zh_prstoken);
PG_FUNCTION_INFO_V1(zh_prsend);
PG_FUNCTION_INFO_V1(zh_prslextype);
PG_FUNCTION_INFO_V1(text_similarity);

#define TOK_ASCIIWORD	1
#define TOK_WORD		2
#define TOK_BLANK		12

/* ------------------------------------------------------------------------
 * Parser
 * ------------------------------------------------------------------------ */

typedef struct ParserState
{
	const char *s;
	int			ntok;
	int			cap;
	int			pos;
	int		   *off;
	int		   *len;
	int		   *type;
} ParserState;

static int
TokenType(const char *tok, int nbytes, MqTokenKind kind)
{
	int			i;

	if (kind != MQ_TOK_WORD)
		return TOK_BLANK;
	for (i = 0; i < nbytes; i++)
		if ((unsigned char) tok[i] >= 0x80)
			return TOK_WORD;
	return TOK_ASCIIWORD;
}

static void
ParserCollect(const char *tok, int nbytes, MqTokenKind kind, void *arg)
{
	ParserState *ps = arg;

	if (ps->ntok == ps->cap)
	{
		ps->cap *= 2;
		ps->off = repalloc_huge(ps->off, sizeof(int) * ps->cap);
		ps->len = repalloc_huge(ps->len, sizeof(int) * ps->cap);
		ps->type = repalloc_huge(ps->type, sizeof(int) * ps->cap);
	}
	ps->off[ps->ntok] = tok - ps->s;
	ps->len[ps->ntok] = nbytes;
	ps->type[ps->ntok] = TokenType(tok, nbytes, kind);
	ps->ntok++;
}

/* prsstart(text internal, len int4): segment the whole text at once */
Datum
zh_prsstart(PG_FUNCTION_ARGS)
{
	ParserState *ps = palloc0(sizeof(ParserState));

	ps->s = (const char *) PG_GETARG_POINTER(0);
	ps->cap = 64;
	ps->off = palloc(sizeof(int) * ps->cap);
	ps->len = palloc(sizeof(int) * ps->cap);
	ps->type = palloc(sizeof(int) * ps->cap);
	mq_segment(ps->s, PG_GETARG_INT32(1), ParserCollect, ps);
	PG_RETURN_POINTER(ps);
}

/* prstoken(state, char **token, int *len) → token type, 0 at the end */
Datum
zh_prstoken(PG_FUNCTION_ARGS)
{
	ParserState *ps = (ParserState *) PG_GETARG_POINTER(0);
	char	  **t = (char **) PG_GETARG_POINTER(1);
	int		   *tlen = (int *) PG_GETARG_POINTER(2);

	if (ps->pos >= ps->ntok)
		PG_RETURN_INT32(0);
	*t = (char *) ps->s + ps->off[ps->pos];
	*tlen = ps->len[ps->pos];
	PG_RETURN_INT32(ps->type[ps->pos++]);
}

Datum
zh_prsend(PG_FUNCTION_ARGS)
{
	ParserState *ps = (ParserState *) PG_GETARG_POINTER(0);

	pfree(ps->off);
	pfree(ps->len);
	pfree(ps->type);
	pfree(ps);
	PG_RETURN_VOID();
}

Datum
zh_prslextype(PG_FUNCTION_ARGS)
{
	LexDescr   *d = palloc(sizeof(LexDescr) * 4);

	d[0].lexid = TOK_ASCIIWORD;
	d[0].alias = pstrdup("asciiword");
	d[0].descr = pstrdup("Word of ASCII letters and digits");
	d[1].lexid = TOK_WORD;
	d[1].alias = pstrdup("word");
	d[1].descr = pstrdup("Chinese word (jieba) or other word");
	d[2].lexid = TOK_BLANK;
	d[2].alias = pstrdup("blank");
	d[2].descr = pstrdup("Space, punctuation or symbol");
	d[3].lexid = 0;
	PG_RETURN_POINTER(d);
}

/* ------------------------------------------------------------------------
 * Lexemes of minqing.chinese (for term_counts and sentiment)
 * ------------------------------------------------------------------------ */

static StopList stoplist;
static bool stoplist_loaded = false;

/* the stop words of tsearch_data/minqing_chinese.stop, read once */
static void
EnsureStopList(void)
{
	MemoryContext old;

	if (stoplist_loaded)
		return;
	old = MemoryContextSwitchTo(TopMemoryContext);
#if PG_VERSION_NUM >= 160000
	readstoplist("minqing_chinese", &stoplist, str_tolower);
#else
	readstoplist("minqing_chinese", &stoplist, lowerstr);
#endif
	MemoryContextSwitchTo(old);
	stoplist_loaded = true;
}

typedef struct LexemeCtx
{
	MqLexemeCallback cb;
	void	   *arg;
} LexemeCtx;

/*
 * True when lower-casing tok cannot change it in any locale: it has only
 * CJK ideographs (U+3400..U+9FFF) and ASCII characters other than A-Z.
 */
static bool
NoCaseChange(const char *tok, int nbytes)
{
	const unsigned char *p = (const unsigned char *) tok,
			   *e = p + nbytes;

	while (p < e)
	{
		if (*p < 0x80)
		{
			if (*p >= 'A' && *p <= 'Z')
				return false;
			p++;
		}
		else
		{
			pg_wchar	c = utf8_to_unicode(p);

			if (c < 0x3400 || c > 0x9FFF)
				return false;
			p += pg_utf_mblen(p);
		}
	}
	return true;
}

static void
LexemeToken(const char *tok, int nbytes, MqTokenKind kind, void *arg)
{
	LexemeCtx  *c = arg;
	char	   *low;

	if (kind != MQ_TOK_WORD)
		return;
	if (NoCaseChange(tok, nbytes))
	{
		/* ideographs, digits, ASCII lower case: lowering is the identity */
		low = pnstrdup(tok, nbytes);
	}
	else
		low = str_tolower(tok, nbytes, DEFAULT_COLLATION_OID);
	if (!searchstoplist(&stoplist, low))
		c->cb(low, strlen(low), c->arg);
	pfree(low);
}

/*
 * The lexemes to_tsvector('minqing.chinese', doc) would produce, in order:
 * word tokens, lower-cased, stop words removed.
 */
void
mq_lexemes(const char *s, int len, MqLexemeCallback cb, void *arg)
{
	LexemeCtx	c;

	mq_segment_check_encoding();
	EnsureStopList();
	c.cb = cb;
	c.arg = arg;
	mq_segment(s, len, LexemeToken, &c);
}

/* ------------------------------------------------------------------------
 * text_similarity
 * ------------------------------------------------------------------------ */

/*
 * NFKC, then drop whitespace, punctuation, separators and controls (Unicode
 * P*, Z*, Cc, Cf): the characters text_similarity compares.  Returns the
 * number of code points left in *out (palloc'd).
 */
static int
CleanChars(text *t, pg_wchar **out)
{
	int			nbytes = VARSIZE_ANY_EXHDR(t);
	const unsigned char *p = (const unsigned char *) VARDATA_ANY(t);
	pg_wchar   *in = palloc(sizeof(pg_wchar) * (nbytes + 1));
	pg_wchar   *norm;
	int			n = 0,
				m = 0,
				i;

	while (nbytes > 0)
	{
		int			l = pg_utf_mblen(p);

		in[n++] = utf8_to_unicode(p);
		p += l;
		nbytes -= l;
	}
	in[n] = 0;
	norm = unicode_normalize(UNICODE_NFKC, in);
	if (norm == NULL)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory")));
	for (i = 0; norm[i] != 0; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (mq_unicode_class(norm[i]) != MQ_UCLASS_PUNCT)
			norm[m++] = norm[i];
	}
	pfree(in);
	*out = norm;
	return m;
}

static int
CmpU64(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a,
				y = *(const uint64 *) b;

	return x < y ? -1 : (x > y);
}

/* sorted distinct character bigrams (a lone character counts as itself) */
static int
Bigrams(const pg_wchar *c, int n, uint64 **out)
{
	uint64	   *g = palloc(sizeof(uint64) * Max(n, 1));
	int			k = 0,
				i,
				m = 0;

	if (n == 1)
		g[k++] = (uint64) c[0];
	for (i = 0; i + 1 < n; i++)
		g[k++] = ((uint64) (c[i] + 1) << 32) | c[i + 1];
	qsort(g, k, sizeof(uint64), CmpU64);
	for (i = 0; i < k; i++)
		if (m == 0 || g[m - 1] != g[i])
			g[m++] = g[i];
	*out = g;
	return m;
}

/*
 * minqing.text_similarity(a, b): Jaccard index of the character-bigram sets
 * of a and b after NFKC and removing punctuation and spaces.  NULL when both
 * are empty after cleaning.
 */
Datum
text_similarity(PG_FUNCTION_ARGS)
{
	text	   *a = PG_GETARG_TEXT_PP(0);
	text	   *b = PG_GETARG_TEXT_PP(1);
	pg_wchar   *ca,
			   *cb;
	uint64	   *ga,
			   *gb;
	int			na,
				nb,
				i = 0,
				j = 0,
				inter = 0;

	mq_segment_check_encoding();
	if (VARSIZE_ANY_EXHDR(a) > MQ_SEGMENT_MAX_BYTES || VARSIZE_ANY_EXHDR(b) > MQ_SEGMENT_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("document too long for text_similarity"),
				 errdetail("The limit is %d bytes per document.", MQ_SEGMENT_MAX_BYTES),
				 errhint("Compare shorter pieces.")));
	na = CleanChars(a, &ca);
	nb = CleanChars(b, &cb);
	na = Bigrams(ca, na, &ga);
	nb = Bigrams(cb, nb, &gb);
	if (na + nb == 0)
		PG_RETURN_NULL();
	while (i < na && j < nb)
	{
		if (ga[i] == gb[j])
		{
			inter++;
			i++;
			j++;
		}
		else if (ga[i] < gb[j])
			i++;
		else
			j++;
	}
	PG_RETURN_FLOAT8((double) inter / (double) (na + nb - inter));
}
