/* SPDX-License-Identifier: ISC */
/*
 * Test code only (fuzz harnesses and unit tests; unprivileged; the input
 * is the test's).  Harnesses replace the functions that end a process
 * (tr_disconnect, mon_violation, mon_exit ...) with a longjmp back to the
 * harness.  The real process exits there and the kernel takes back what
 * the interrupted code still held; in the harness those blocks would
 * stay allocated: LeakSanitizer would report them, libFuzzer would run a
 * full leak scan after every such input (and give up on leak detection
 * after a thousand), and memory would grow.
 *
 * So a harness runs each piece of production code that may "exit" as a
 * step, and the allocator's hooks follow the step's blocks:
 *
 *	exitf_step_begin();
 *	if (setjmp(jb) == 0) { call(); exitf_step_end(); }
 *	else {
 *		exitf_step_abandoned();
 *		... release the harness's own state ...
 *		exitf_release();	(or exitf_keep())
 *	}
 *
 * exitf_step_end: the code returned; its blocks are ordinary heap (leak
 * checking applies).  exitf_step_abandoned: it was left by a longjmp;
 * from then on frees still count, new blocks are not the step's.
 * exitf_release then frees every block of the step that is still
 * allocated: only for steps that cannot have put anything into static
 * storage (no getpwnam, no lazily built library state), and only after
 * the harness has freed whatever of its state points into the step's
 * blocks.  exitf_keep instead marks them as not leaks (safe for any
 * step; they stay allocated).
 *
 * Without AddressSanitizer all of these do nothing.  Steps do not nest;
 * a step with more blocks than the tracker holds aborts if abandoned.
 */
#ifndef HS_TESTS_EXIT_FAKES_H
#define HS_TESTS_EXIT_FAKES_H

void	exitf_step_begin(void);
void	exitf_step_end(void);
void	exitf_step_abandoned(void);
void	exitf_release(void);
void	exitf_keep(void);

#endif
