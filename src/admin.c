/*
 * admin.c — Chinese statistical division codes (SPEC §1, §13): 12 digits
 * (2 province, 2 city, 2 county/district, 3 township/street, 3
 * village/community; the level 1..5 is read from the trailing zeros) and
 * 15-digit grid codes (网格, level 6): a community's 12 digits followed by a
 * grid serial 001–999.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "admin.h"

#define ADMIN_CODE_LEN 12
#define GRID_CODE_LEN 15
#define MAX_LEVEL 6

StaticAssertDecl(MQ_ADMIN_CODE_MAX >= GRID_CODE_LEN, "mq_admin_ancestor buffers must hold a grid code");

/* digits that end each level: level L keeps the first mq_level_end[L] */
static const int mq_level_end[MAX_LEVEL + 1] = {0, 2, 4, 6, 9, 12, 15};

/*
 * Whether a code is well formed: 12 digits with a non-zero province, or 15
 * digits whose first 12 are a community and whose serial is 001-999.
 * CheckCode says why a code is not.
 */
static bool
CodeValid(const char *s, int len)
{
	bool		ok = (len == ADMIN_CODE_LEN || len == GRID_CODE_LEN);
	bool		community = false;

	for (int i = 0; ok && i < len; i++)
		ok = (s[i] >= '0' && s[i] <= '9');
	if (!ok || (s[0] == '0' && s[1] == '0'))
		return false;
	if (len == ADMIN_CODE_LEN)
		return true;
	for (int i = 9; i < ADMIN_CODE_LEN; i++)
		community |= (s[i] != '0');
	return community && !(s[12] == '0' && s[13] == '0' && s[14] == '0');
}

static void
CheckCode(const char *s, int len)
{
	bool		ok = (len == ADMIN_CODE_LEN || len == GRID_CODE_LEN);

	if (CodeValid(s, len))
		return;

	for (int i = 0; ok && i < len; i++)
		ok = (s[i] >= '0' && s[i] <= '9');
	if (ok && s[0] == '0' && s[1] == '0')
		ok = false;
	if (!ok)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("malformed admin code \"%.*s\"", Min(len, 40), s),
				 errdetail("An admin code has 12 digits (15 for a grid) and a non-zero province part."),
				 errhint("Zero-pad shorter codes, e.g. rpad('110105', 12, '0'); a grid code is its community's 12 digits and a serial 001-999.")));
	if (len == GRID_CODE_LEN)
	{
		bool		community = false;

		for (int i = 9; i < ADMIN_CODE_LEN; i++)
			community |= (s[i] != '0');
		if (!community)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("malformed grid code \"%.*s\"", len, s),
					 errdetail("The first 12 digits of a grid code must be a community (level 5) code."),
					 errhint("A grid belongs to one community: its code is the community's code followed by a serial 001-999.")));
		if (s[12] == '0' && s[13] == '0' && s[14] == '0')
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("malformed grid code \"%.*s\"", len, s),
					 errdetail("The grid serial (the last 3 digits) must be between 001 and 999."),
					 errhint("Number the grids of a community from 001.")));
	}
}

/* Level of a checked code of length len. */
static int
CodeLevel(const char *s, int len)
{
	if (len == GRID_CODE_LEN)
		return 6;
	for (int level = 1; level < 5; level++)
	{
		bool		rest_zero = true;

		for (int i = mq_level_end[level]; rest_zero && i < ADMIN_CODE_LEN; i++)
			rest_zero = (s[i] == '0');
		if (rest_zero)
			return level;
	}
	return 5;
}

static void
CheckLevel(int level)
{
	if (level < 1 || level > MAX_LEVEL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("admin level must be between 1 and 6"),
				 errdetail("Got %d.", level),
				 errhint("Levels: 1 province, 2 city, 3 district/county, 4 street/township, 5 community/village, 6 grid.")));
}

/* admin_level(code) -> 1..6 */
PG_FUNCTION_INFO_V1(admin_level);
Datum
admin_level(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);

	CheckCode(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	PG_RETURN_INT32(CodeLevel(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

/*
 * admin_ancestor(code, level) -> the code truncated to `level` and
 * zero-padded to 12 digits (levels 1..5), or the grid code itself (level 6);
 * NULL when the code is coarser than `level` (a district has no street
 * ancestor, a community no grid, so grouping never mixes levels).
 */
PG_FUNCTION_INFO_V1(admin_ancestor);
Datum
admin_ancestor(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	int			level = PG_GETARG_INT32(1);
	const char *s = VARDATA_ANY(t);
	int			len = VARSIZE_ANY_EXHDR(t);
	char		buf[ADMIN_CODE_LEN];

	CheckCode(s, len);
	CheckLevel(level);
	if (CodeLevel(s, len) < level)
		PG_RETURN_NULL();
	if (level == 6)
		PG_RETURN_TEXT_P(cstring_to_text_with_len(s, GRID_CODE_LEN));
	memset(buf, '0', ADMIN_CODE_LEN);
	memcpy(buf, s, mq_level_end[level]);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, ADMIN_CODE_LEN));
}

/*
 * mq_admin_ancestor: like admin_ancestor, for code that must not raise on a
 * malformed code (the index skips such rows, as it always has): writes the
 * ancestor into out (at least MQ_ADMIN_CODE_MAX bytes) and its length, and
 * returns false when the code is malformed, the level out of range or the
 * code coarser than the level.
 */
bool
mq_admin_ancestor(const char *s, int len, int level, char *out, int *outlen)
{
	if (level < 1 || level > MAX_LEVEL || !CodeValid(s, len) || CodeLevel(s, len) < level)
		return false;
	if (level == 6)
	{
		memcpy(out, s, GRID_CODE_LEN);
		*outlen = GRID_CODE_LEN;
		return true;
	}
	memset(out, '0', ADMIN_CODE_LEN);
	memcpy(out, s, mq_level_end[level]);
	*outlen = ADMIN_CODE_LEN;
	return true;
}

/*
 * index_unit(code, level) -> the ancestor at `level`, or NULL for a
 * malformed code or one coarser than the level: the grouping key of the
 * index scans, which skip such rows instead of failing on them.
 */
PG_FUNCTION_INFO_V1(index_unit);
Datum
index_unit(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	char		buf[MQ_ADMIN_CODE_MAX];
	int			len;

	if (!mq_admin_ancestor(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), PG_GETARG_INT32(1), buf, &len))
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text_with_len(buf, len));
}
