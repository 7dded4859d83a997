/*
 * segment.h — jieba-compatible Chinese word segmentation (SPEC §10).
 *
 * mq_segment() cuts a UTF-8 string exactly as jieba.lcut(s, HMM=False) of
 * Debian's python3-jieba 0.42.1 with its default dictionary (plus the words
 * of minqing.zh_userdict), calling `cb` once per token in order.  Every token
 * is a contiguous piece of the input; the pieces concatenate to the input.
 */
#ifndef MINQING_SEGMENT_H
#define MINQING_SEGMENT_H

#include "postgres.h"

/* what a token is made of, for the text search parser and the counters */
typedef enum MqTokenKind
{
	MQ_TOK_WORD = 1,			/* contains a letter, digit or ideograph */
	MQ_TOK_SPACE = 2,			/* one whitespace character or "\r\n" */
	MQ_TOK_PUNCT = 3			/* punctuation, symbols, controls only */
} MqTokenKind;

typedef void (*MqTokenCallback) (const char *tok, int nbytes, MqTokenKind kind, void *arg);

/* largest document (bytes) the segmenter accepts */
#define MQ_SEGMENT_MAX_BYTES	(4 * 1024 * 1024)

/* ERROR unless the database encoding is UTF8 */
extern void mq_segment_check_encoding(void);

/* segment s[0..len) (valid UTF-8), calling cb for every token */
extern void mq_segment(const char *s, int len, MqTokenCallback cb, void *arg);

/* Unicode class of a code point: punctuation/space/control, symbol, other */
#define MQ_UCLASS_OTHER		0
#define MQ_UCLASS_PUNCT		1	/* general category P*, Z*, Cc, Cf */
#define MQ_UCLASS_SYMBOL	2	/* general category S* */
extern int	mq_unicode_class(uint32 cp);

#endif
