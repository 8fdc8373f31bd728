/* SPDX-License-Identifier: ISC */
/*
 * Encoded terminal modes (RFC 4254 §8, RFC 8160 IUTF8) of a "pty-req",
 * applied to a struct termios.  Runs in hsshd-session (the logged-in
 * user); the modes string comes from the network and is
 * attacker-controlled.  Pure function: the caller reads and writes the
 * terminal (tcgetattr/tcsetattr).
 */
#ifndef HS_SESSION_TTYMODES_H
#define HS_SESSION_TTYMODES_H

#include <stddef.h>
#include <stdint.h>

struct termios;

/* Opcodes with a meaning beyond the flags and characters. */
#define TTY_OP_END	0
#define TTY_OP_ISPEED	128
#define TTY_OP_OSPEED	129

/*
 * Apply len bytes of encoded modes to *tio.  The encoding is a sequence
 * of (u8 opcode, u32 argument) ending with TTY_OP_END or with the end of
 * the string; opcodes 160..255 (undefined) stop the parsing, and what
 * follows TTY_OP_END or such an opcode is ignored, as the RFC says.
 * Opcodes this system has no equivalent for, and speeds it does not know,
 * are ignored; a character value of 255 disables the character.
 * Returns 0, or HS_ERR_BAD_FORMAT (an opcode whose argument is cut off,
 * or more than SESS_TTYMODES_MAX bytes) with *tio unchanged.
 */
int	 ttymodes_apply(const uint8_t *modes, size_t len, struct termios *tio);

#endif
