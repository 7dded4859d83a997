/*
 * text.h — lexemes of the text search configuration minqing.chinese, shared
 * by the parser (text.c), term_counts (termvec.c) and sentiment (sentiment.c).
 */
#ifndef MINQING_TEXT_H
#define MINQING_TEXT_H

/* lexeme: lower-cased, NUL-terminated, valid only during the call */
typedef void (*MqLexemeCallback) (const char *lexeme, int nbytes, void *arg);

/* word tokens of s, lower-cased, stop words of minqing_chinese.stop removed */
extern void mq_lexemes(const char *s, int len, MqLexemeCallback cb, void *arg);

#endif
