/* log: the one global: messages for a person. In batch mode they go to
 * standard error at once; with the screen up they are kept in a bounded ring
 * that the status line and the log view read (never written to the tty). */
#ifndef NFTOP_LOG_H
#define NFTOP_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_RING 64
#define LOG_LINE 256

enum log_level { LOG_INFO, LOG_WARN, LOG_ERROR };

/* 1: also write to stderr (batch); 0: ring only (screen). */
void log_to_stderr(int on);
void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies the newest message into buf; returns its sequence number (0 = none). */
uint64_t log_last(char *buf, size_t len, enum log_level *lv);
/* Copies up to n newest messages, newest first; returns how many. */
size_t log_recent(char (*lines)[LOG_LINE], size_t n);

#endif
