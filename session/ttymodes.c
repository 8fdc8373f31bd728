/* SPDX-License-Identifier: ISC */
/*
 * Terminal modes of a pty-req (RFC 4254 §8) onto a struct termios, in
 * hsshd-session (the logged-in user).  The encoded string is
 * attacker-controlled; it is read through struct buf.
 */
#include "config.h"

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "session/ttymodes.h"

enum tty_field { F_CC, F_IFLAG, F_LFLAG, F_OFLAG, F_CFLAG };

struct tty_op {
	uint8_t		 op;
	enum tty_field	 field;
	tcflag_t	 value;		/* flag bit or c_cc index */
};

/* RFC 4254 §8 opcodes this system implements. */
static const struct tty_op tty_ops[] = {
	{ 1, F_CC, VINTR }, { 2, F_CC, VQUIT }, { 3, F_CC, VERASE },
	{ 4, F_CC, VKILL }, { 5, F_CC, VEOF }, { 6, F_CC, VEOL },
#ifdef VEOL2
	{ 7, F_CC, VEOL2 },
#endif
	{ 8, F_CC, VSTART }, { 9, F_CC, VSTOP }, { 10, F_CC, VSUSP },
#ifdef VDSUSP
	{ 11, F_CC, VDSUSP },
#endif
#ifdef VREPRINT
	{ 12, F_CC, VREPRINT },
#endif
#ifdef VWERASE
	{ 13, F_CC, VWERASE },
#endif
#ifdef VLNEXT
	{ 14, F_CC, VLNEXT },
#endif
#ifdef VFLUSH
	{ 15, F_CC, VFLUSH },
#endif
#ifdef VSWTCH
	{ 16, F_CC, VSWTCH },
#elif defined(VSWTC)
	{ 16, F_CC, VSWTC },
#endif
#ifdef VSTATUS
	{ 17, F_CC, VSTATUS },
#endif
#ifdef VDISCARD
	{ 18, F_CC, VDISCARD },
#endif
	{ 30, F_IFLAG, IGNPAR }, { 31, F_IFLAG, PARMRK },
	{ 32, F_IFLAG, INPCK }, { 33, F_IFLAG, ISTRIP },
	{ 34, F_IFLAG, INLCR }, { 35, F_IFLAG, IGNCR },
	{ 36, F_IFLAG, ICRNL },
#ifdef IUCLC
	{ 37, F_IFLAG, IUCLC },
#endif
	{ 38, F_IFLAG, IXON }, { 39, F_IFLAG, IXANY },
	{ 40, F_IFLAG, IXOFF },
#ifdef IMAXBEL
	{ 41, F_IFLAG, IMAXBEL },
#endif
#ifdef IUTF8
	{ 42, F_IFLAG, IUTF8 },
#endif
	{ 50, F_LFLAG, ISIG }, { 51, F_LFLAG, ICANON },
#ifdef XCASE
	{ 52, F_LFLAG, XCASE },
#endif
	{ 53, F_LFLAG, ECHO }, { 54, F_LFLAG, ECHOE },
	{ 55, F_LFLAG, ECHOK }, { 56, F_LFLAG, ECHONL },
	{ 57, F_LFLAG, NOFLSH }, { 58, F_LFLAG, TOSTOP },
	{ 59, F_LFLAG, IEXTEN },
#ifdef ECHOCTL
	{ 60, F_LFLAG, ECHOCTL },
#endif
#ifdef ECHOKE
	{ 61, F_LFLAG, ECHOKE },
#endif
#ifdef PENDIN
	{ 62, F_LFLAG, PENDIN },
#endif
	{ 70, F_OFLAG, OPOST },
#ifdef OLCUC
	{ 71, F_OFLAG, OLCUC },
#endif
	{ 72, F_OFLAG, ONLCR }, { 73, F_OFLAG, OCRNL },
	{ 74, F_OFLAG, ONOCR }, { 75, F_OFLAG, ONLRET },
	{ 90, F_CFLAG, CS7 }, { 91, F_CFLAG, CS8 },
	{ 92, F_CFLAG, PARENB }, { 93, F_CFLAG, PARODD },
};

static const struct {
	uint32_t	 baud;
	speed_t		 speed;
} tty_speeds[] = {
	{ 0, B0 }, { 50, B50 }, { 75, B75 }, { 110, B110 }, { 134, B134 },
	{ 150, B150 }, { 200, B200 }, { 300, B300 }, { 600, B600 },
	{ 1200, B1200 }, { 1800, B1800 }, { 2400, B2400 }, { 4800, B4800 },
	{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
#ifdef B57600
	{ 57600, B57600 },
#endif
#ifdef B115200
	{ 115200, B115200 },
#endif
#ifdef B230400
	{ 230400, B230400 },
#endif
#ifdef B460800
	{ 460800, B460800 },
#endif
#ifdef B921600
	{ 921600, B921600 },
#endif
};

static bool
tty_speed(uint32_t baud, speed_t *ret)
{
	size_t i;

	for (i = 0; i < sizeof(tty_speeds) / sizeof(tty_speeds[0]); i++) {
		if (tty_speeds[i].baud == baud) {
			*ret = tty_speeds[i].speed;
			return true;
		}
	}
	return false;
}

static void
tty_set_flag(tcflag_t *field, tcflag_t bit, uint32_t on)
{
	if (on != 0)
		*field |= bit;
	else
		*field &= ~bit;
}

static void
tty_apply_op(struct termios *t, uint8_t op, uint32_t arg)
{
	speed_t sp;
	size_t i;

	if (op == TTY_OP_ISPEED || op == TTY_OP_OSPEED) {
		if (tty_speed(arg, &sp)) {
			if (op == TTY_OP_ISPEED)
				(void)cfsetispeed(t, sp);
			else
				(void)cfsetospeed(t, sp);
		}
		return;
	}
	for (i = 0; i < sizeof(tty_ops) / sizeof(tty_ops[0]); i++) {
		if (tty_ops[i].op != op)
			continue;
		switch (tty_ops[i].field) {
		case F_CC:
			/* 255 disables the character (RFC 4254 §8). */
			t->c_cc[tty_ops[i].value] = arg == 255 ?
			    _POSIX_VDISABLE : (cc_t)arg;
			break;
		case F_IFLAG:
			tty_set_flag(&t->c_iflag, tty_ops[i].value, arg);
			break;
		case F_LFLAG:
			tty_set_flag(&t->c_lflag, tty_ops[i].value, arg);
			break;
		case F_OFLAG:
			tty_set_flag(&t->c_oflag, tty_ops[i].value, arg);
			break;
		case F_CFLAG:
			if (tty_ops[i].value == CS7 || tty_ops[i].value == CS8) {
				/* A character size, not a bit of its own. */
				if (arg != 0) {
					t->c_cflag &= ~CSIZE;
					t->c_cflag |= tty_ops[i].value;
				}
			} else
				tty_set_flag(&t->c_cflag, tty_ops[i].value,
				    arg);
			break;
		}
		return;
	}
}

int
ttymodes_apply(const uint8_t *modes, size_t len, struct termios *tio)
{
	struct termios t;
	struct buf *b = NULL;
	uint32_t arg;
	uint8_t op;
	int r = HS_ERR_INTERNAL;

	if (tio == NULL || (modes == NULL && len != 0))
		return HS_ERR_INVALID_ARGUMENT;
	if (len > SESS_TTYMODES_MAX)
		return HS_ERR_BAD_FORMAT;
	if ((b = buf_from(modes, len)) == NULL)
		return HS_ERR_ALLOC;
	t = *tio;
	while (buf_len(b) > 0) {
		if ((r = buf_get_u8(b, &op)) != 0)
			goto out;
		if (op == TTY_OP_END || op >= 160)
			break;
		if (buf_get_u32(b, &arg) != 0) {
			r = HS_ERR_BAD_FORMAT;
			goto out;
		}
		tty_apply_op(&t, op, arg);
	}
	*tio = t;
	r = 0;
 out:
	buf_free(b);
	return r;
}
