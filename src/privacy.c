/*
 * privacy.c — pseudonyms and small-cell suppression (SPEC §7).
 *
 * pseudonymize() is a keyed hash (HMAC-SHA256, RFC 2104 / RFC 4231) computed
 * with PostgreSQL's own common/hmac.h, so it is OpenSSL's HMAC when the
 * server is built with OpenSSL and PostgreSQL's fallback implementation
 * otherwise; both give the same bytes.  The one-argument form reads the
 * superuser-only setting minqing.pseudonym_key straight from its C variable:
 * an ordinary role can use the key without ever being able to read it.
 *
 * Row-level scopes (minqing.scope, enable_scope) are plain SQL and live in
 * install/70-privacy.sql.
 */
#include "postgres.h"

#include "common/cryptohash.h"
#include "common/hmac.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "guc.h"

/*
 * Refuse an empty key: an HMAC with an empty key is a plain hash that
 * anybody can recompute, which is no pseudonym at all.
 */
static void
CheckKey(int keylen, bool from_setting)
{
	if (keylen > 0)
		return;
	if (from_setting)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("minqing.pseudonym_key is not set"),
				 errdetail("pseudonymize(value) keys its HMAC with the superuser-only setting minqing.pseudonym_key, which is empty."),
				 errhint("A superuser sets it in postgresql.conf or with ALTER SYSTEM SET minqing.pseudonym_key = '…' (and preloads minqing), or pass the key explicitly: pseudonymize(value, key).")));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("pseudonym key must not be empty"),
			 errdetail("An HMAC with an empty key can be recomputed by anyone."),
			 errhint("Use a long random secret, e.g. encode(gen_random_bytes(32), 'hex') from pgcrypto.")));
}

/*
 * HMAC-SHA256 of data under key, written as 64 lower-case hex digits into a
 * new text datum.
 */
static text *
HmacSha256Hex(const uint8 *key, size_t keylen, const uint8 *data, size_t datalen)
{
	static const char hexdigits[] = "0123456789abcdef";
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_LENGTH * 2];
	pg_hmac_ctx *ctx;

	ctx = pg_hmac_create(PG_SHA256);
	if (ctx == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while creating an HMAC context")));
	if (pg_hmac_init(ctx, key, keylen) < 0 ||
		pg_hmac_update(ctx, data, datalen) < 0 ||
		pg_hmac_final(ctx, digest, sizeof(digest)) < 0)
	{
		const char *why = pstrdup(pg_hmac_error(ctx));

		pg_hmac_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not compute HMAC-SHA256: %s", why)));
	}
	pg_hmac_free(ctx);

	for (int i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		hex[2 * i] = hexdigits[digest[i] >> 4];
		hex[2 * i + 1] = hexdigits[digest[i] & 0x0f];
	}
	explicit_bzero(digest, sizeof(digest));
	return cstring_to_text_with_len(hex, sizeof(hex));
}

/*
 * pseudonymize(value text, key text) -> text, and pseudonymize(value text)
 * keyed by minqing.pseudonym_key.  Both SQL forms call this function; the
 * number of arguments tells which.  The bytes hashed are the value's and the
 * key's bytes in the database encoding (UTF-8 for every sensible database),
 * so Python's hmac.new(key.encode(), value.encode(), 'sha256').hexdigest()
 * gives the same string.
 */
PG_FUNCTION_INFO_V1(pseudonymize);
Datum
pseudonymize(PG_FUNCTION_ARGS)
{
	text	   *value = PG_GETARG_TEXT_PP(0);
	const uint8 *key;
	int			keylen;

	if (PG_NARGS() >= 2)
	{
		text	   *k = PG_GETARG_TEXT_PP(1);

		key = (const uint8 *) VARDATA_ANY(k);
		keylen = VARSIZE_ANY_EXHDR(k);
		CheckKey(keylen, false);
	}
	else
	{
		key = (const uint8 *) (mq_pseudonym_key ? mq_pseudonym_key : "");
		keylen = strlen((const char *) key);
		CheckKey(keylen, true);
	}

	PG_RETURN_TEXT_P(HmacSha256Hex(key, keylen,
								   (const uint8 *) VARDATA_ANY(value),
								   VARSIZE_ANY_EXHDR(value)));
}

/*
 * suppress(n bigint, k int) -> n when n >= k, else NULL: the primary
 * small-cell suppression rule of statistical disclosure control.
 */
PG_FUNCTION_INFO_V1(suppress);
Datum
suppress(PG_FUNCTION_ARGS)
{
	int64		n = PG_GETARG_INT64(0);
	int32		k = PG_GETARG_INT32(1);

	if (k < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("suppression threshold must not be negative"),
				 errdetail("Got k = %d.", k),
				 errhint("Counts below k are suppressed; k = 10 is a common rule, k = 0 suppresses nothing.")));
	if (n < k)
		PG_RETURN_NULL();
	PG_RETURN_INT64(n);
}
