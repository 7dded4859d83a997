/*
 * sentiment.c — minqing.sentiment_score(doc) (SPEC §10): a lexicon method
 * over the words of minqing.zh_lexicon (docs/text.md).
 *
 * The document is cut by the segmenter (segment.c).  Lexicon entries may
 * span up to four consecutive word tokens ("没人管" is 没人 + 管); at each
 * position the longest entry wins.  Walking the words of one clause (a
 * clause ends at any punctuation token):
 *   negation words (不, 没有, ...) flip the sign of the next sentiment word,
 *   degree words (非常 ×2, 有点 ×0.6, ...) multiply it,
 *   a sentiment word contributes sign · weight · degrees · (−1)^negations
 *   and resets the modifiers.
 * score is the sum of the contributions; positive / negative count the
 * contributions above / below zero.  The lexicon is cached per backend and
 * reloaded when the table changes (its statement trigger sends a relcache
 * invalidation, as for zh_userdict).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "result.h"
#include "segment.h"

PG_FUNCTION_INFO_V1(sentiment_score);

#define LEX_KEYLEN		96		/* longest entry kept (bytes, with NUL) */
#define LEX_MAXTOK		4		/* tokens an entry may span */

typedef enum LexKind
{
	LEX_POSITIVE,
	LEX_NEGATIVE,
	LEX_NEGATION,
	LEX_DEGREE
} LexKind;

typedef struct LexEntry
{
	char		word[LEX_KEYLEN];
	LexKind		kind;
	double		weight;
} LexEntry;

static HTAB *lex_hash = NULL;
static MemoryContext lex_context = NULL;
static bool lex_valid = false;
static bool lex_callback_registered = false;
static Oid	lex_relid = InvalidOid;

static void
LexiconCallback(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == lex_relid)
		lex_valid = false;
}

/* (re)read minqing.zh_lexicon into a hash table */
static void
LoadLexicon(void)
{
	HASHCTL		ctl;
	Oid			nsp = get_namespace_oid("minqing", true);
	uint64		r;
	HTAB	   *h;

	if (!lex_callback_registered)
	{
		CacheRegisterRelcacheCallback(LexiconCallback, (Datum) 0);
		lex_callback_registered = true;
	}
	if (lex_context == NULL)
		lex_context = AllocSetContextCreate(TopMemoryContext, "minqing lexicon", ALLOCSET_SMALL_SIZES);
	MemoryContextReset(lex_context);
	lex_hash = NULL;
	lex_relid = OidIsValid(nsp) ? get_relname_relid("zh_lexicon", nsp) : InvalidOid;

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = LEX_KEYLEN;
	ctl.entrysize = sizeof(LexEntry);
	ctl.hcxt = lex_context;
	h = hash_create("minqing lexicon", 1024, &ctl, HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	lex_valid = true;
	if (!OidIsValid(lex_relid))
	{
		lex_hash = h;
		return;
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute("SELECT word, kind, weight FROM minqing.zh_lexicon", true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read minqing.zh_lexicon");
	for (r = 0; r < SPI_processed; r++)
	{
		char	   *w = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
		char	   *k = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 2);
		bool		isnull;
		Datum		wd = SPI_getbinval(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 3, &isnull);
		LexEntry   *e;
		bool		found;

		if (w == NULL || k == NULL || isnull || strlen(w) == 0 || strlen(w) >= LEX_KEYLEN)
			continue;
		e = hash_search(h, w, HASH_ENTER, &found);
		e->weight = DatumGetFloat8(wd);
		if (strcmp(k, "positive") == 0)
			e->kind = LEX_POSITIVE;
		else if (strcmp(k, "negative") == 0)
			e->kind = LEX_NEGATIVE;
		else if (strcmp(k, "negation") == 0)
			e->kind = LEX_NEGATION;
		else
			e->kind = LEX_DEGREE;
	}
	SPI_finish();
	lex_hash = h;
}

static void
EnsureLexicon(void)
{
	if (lex_valid && lex_hash != NULL)
		return;
	PG_TRY();
	{
		LoadLexicon();
	}
	PG_CATCH();
	{
		lex_valid = false;
		lex_hash = NULL;
		PG_RE_THROW();
	}
	PG_END_TRY();
}

typedef struct SentTokens
{
	int			n;
	int			cap;
	const char **tok;
	int		   *len;
	bool	   *word;
	bool	   *clause_end;
} SentTokens;

static void
SentCollect(const char *tok, int nbytes, MqTokenKind kind, void *arg)
{
	SentTokens *t = arg;

	if (kind == MQ_TOK_SPACE)
		return;
	if (t->n == t->cap)
	{
		t->cap *= 2;
		t->tok = repalloc_huge(t->tok, sizeof(char *) * t->cap);
		t->len = repalloc_huge(t->len, sizeof(int) * t->cap);
		t->word = repalloc_huge(t->word, sizeof(bool) * t->cap);
		t->clause_end = repalloc_huge(t->clause_end, sizeof(bool) * t->cap);
	}
	t->tok[t->n] = tok;
	t->len[t->n] = nbytes;
	t->word[t->n] = (kind == MQ_TOK_WORD);
	t->clause_end[t->n] = (kind == MQ_TOK_PUNCT);
	t->n++;
}

/*
 * The longest lexicon entry made of the word tokens i, i+1, ... (at most
 * LEX_MAXTOK); *span gets the number of tokens.
 */
static LexEntry *
LongestEntry(const SentTokens *t, int i, int *span)
{
	int			m;

	for (m = Min(LEX_MAXTOK, t->n - i); m >= 1; m--)
	{
		char		key[LEX_KEYLEN];
		int			len = 0,
					j;
		bool		ok = true;
		LexEntry   *e;

		for (j = i; j < i + m; j++)
		{
			if (!t->word[j] || len + t->len[j] >= LEX_KEYLEN)
			{
				ok = false;
				break;
			}
			memcpy(key + len, t->tok[j], t->len[j]);
			len += t->len[j];
		}
		if (!ok)
			continue;
		key[len] = '\0';
		e = hash_search(lex_hash, key, HASH_FIND, NULL);
		if (e != NULL)
		{
			*span = m;
			return e;
		}
	}
	return NULL;
}

/*
 * minqing.sentiment_score(doc) → (score float8, positive int, negative int)
 */
Datum
sentiment_score(PG_FUNCTION_ARGS)
{
	text	   *doc = PG_GETARG_TEXT_PP(0);
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	SentTokens	t;
	double		score = 0.0,
				degree = 1.0;
	int			negations = 0,
				npos = 0,
				nneg = 0,
				i;

	mq_segment_check_encoding();
	EnsureLexicon();

	t.n = 0;
	t.cap = 64;
	t.tok = palloc(sizeof(char *) * t.cap);
	t.len = palloc(sizeof(int) * t.cap);
	t.word = palloc(sizeof(bool) * t.cap);
	t.clause_end = palloc(sizeof(bool) * t.cap);
	mq_segment(VARDATA_ANY(doc), VARSIZE_ANY_EXHDR(doc), SentCollect, &t);

	for (i = 0; i < t.n;)
	{
		LexEntry   *e;
		int			span = 1;

		if ((i & 0xFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (t.clause_end[i])
		{
			negations = 0;
			degree = 1.0;
			i++;
			continue;
		}
		e = t.word[i] ? LongestEntry(&t, i, &span) : NULL;
		i += span;
		if (e == NULL)
			continue;
		switch (e->kind)
		{
			case LEX_NEGATION:
				negations++;
				break;
			case LEX_DEGREE:
				degree *= e->weight;
				break;
			case LEX_POSITIVE:
			case LEX_NEGATIVE:
				{
					double		v = (e->kind == LEX_POSITIVE ? 1.0 : -1.0) * e->weight * degree;

					if (negations % 2 == 1)
						v = -v;
					if (v > 0)
						npos++;
					else if (v < 0)
						nneg++;
					score += v;
					negations = 0;
					degree = 1.0;
				}
				break;
		}
	}
	values[0] = Float8GetDatum(score);
	values[1] = Int32GetDatum(npos);
	values[2] = Int32GetDatum(nneg);
	PG_RETURN_DATUM(mq_result_tuple(fcinfo, values, nulls));
}
