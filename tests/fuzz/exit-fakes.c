/* SPDX-License-Identifier: ISC */
/*
 * Test code only (fuzz harnesses and unit tests; unprivileged; the input
 * is the test's): the blocks a step allocates and still holds, followed
 * through the sanitizer allocator's malloc and free hooks, so that what a
 * fake exit leaves behind can be freed or marked.  See exit-fakes.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/exit-fakes.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EXITF_ASAN 1
#endif
#endif
#if !defined(EXITF_ASAN) && defined(__SANITIZE_ADDRESS__)
#define EXITF_ASAN 1
#endif

#ifdef EXITF_ASAN

/* From <sanitizer/allocator_interface.h> and <sanitizer/lsan_interface.h>
 * (not every compiler installs the first). */
int	__sanitizer_install_malloc_and_free_hooks(
	    void (*malloc_hook)(const volatile void *, size_t),
	    void (*free_hook)(const volatile void *));
void	__lsan_ignore_object(const void *);

/* An open-addressing set of the step's live blocks.  A step of these
 * harnesses allocates a few thousand blocks at most. */
#define EXITF_BITS	17
#define EXITF_SLOTS	(1u << EXITF_BITS)
#define EXITF_FILL_MAX	(EXITF_SLOTS / 2)

enum exitf_phase { EXITF_OFF, EXITF_TRACKING, EXITF_ABANDONED };

static const void *exitf_slot[EXITF_SLOTS];
static uint32_t exitf_filled[EXITF_FILL_MAX];	/* slots to clear */
static size_t exitf_nfilled;
static bool exitf_overflow, exitf_hooked;
static enum exitf_phase exitf_phase;
static pthread_t exitf_thread;
static const char exitf_tomb_mark;
#define EXITF_TOMB	((const void *)&exitf_tomb_mark)

static uint32_t
exitf_hash(const volatile void *p)
{
	return (uint32_t)(((uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull) >>
	    (64 - EXITF_BITS));
}

static bool
exitf_ours(void)
{
	/* Blocks of other threads (the fuzzer's own) are not the step's. */
	return pthread_equal(pthread_self(), exitf_thread) != 0;
}

static void
exitf_malloc_hook(const volatile void *p, size_t size)
{
	uint32_t i;

	(void)size;
	if (exitf_phase != EXITF_TRACKING || p == NULL || !exitf_ours())
		return;
	for (i = exitf_hash(p);; i = (i + 1) & (EXITF_SLOTS - 1)) {
		if (exitf_slot[i] == EXITF_TOMB) {
			exitf_slot[i] = (const void *)p;
			return;
		}
		if (exitf_slot[i] == NULL)
			break;
	}
	if (exitf_nfilled == EXITF_FILL_MAX) {
		exitf_overflow = true;
		return;
	}
	exitf_slot[i] = (const void *)p;
	exitf_filled[exitf_nfilled++] = i;
}

static void
exitf_free_hook(const volatile void *p)
{
	uint32_t i;

	if (exitf_phase == EXITF_OFF || p == NULL || !exitf_ours())
		return;
	for (i = exitf_hash(p); exitf_slot[i] != NULL;
	    i = (i + 1) & (EXITF_SLOTS - 1)) {
		if (exitf_slot[i] == (const void *)p) {
			exitf_slot[i] = EXITF_TOMB;
			return;
		}
	}
}

static void
exitf_clear(void)
{
	size_t i;

	exitf_phase = EXITF_OFF;
	for (i = 0; i < exitf_nfilled; i++)
		exitf_slot[exitf_filled[i]] = NULL;
	exitf_nfilled = 0;
	exitf_overflow = false;
}

void
exitf_step_begin(void)
{
	if (exitf_phase != EXITF_OFF) {
		fprintf(stderr, "exit-fakes: a step is still open\n");
		abort();
	}
	if (!exitf_hooked) {
		if (__sanitizer_install_malloc_and_free_hooks(exitf_malloc_hook,
		    exitf_free_hook) == 0) {
			fprintf(stderr, "exit-fakes: cannot install the "
			    "allocator hooks\n");
			abort();
		}
		exitf_hooked = true;
	}
	exitf_thread = pthread_self();
	exitf_clear();
	exitf_phase = EXITF_TRACKING;
}

void
exitf_step_end(void)
{
	exitf_clear();
}

void
exitf_step_abandoned(void)
{
	if (exitf_phase != EXITF_TRACKING) {
		fprintf(stderr, "exit-fakes: no step to abandon\n");
		abort();
	}
	if (exitf_overflow) {
		fprintf(stderr, "exit-fakes: more than %u blocks in one step\n",
		    EXITF_FILL_MAX);
		abort();
	}
	exitf_phase = EXITF_ABANDONED;
}

/* Each block of the abandoned step still allocated. */
static void
exitf_each(void (*fn)(void *))
{
	const void *p;
	size_t i;

	if (exitf_phase != EXITF_ABANDONED) {
		fprintf(stderr, "exit-fakes: no abandoned step\n");
		abort();
	}
	/* Off first: the frees below are not to be followed. */
	exitf_phase = EXITF_OFF;
	for (i = 0; i < exitf_nfilled; i++) {
		p = exitf_slot[exitf_filled[i]];
		if (p != NULL && p != EXITF_TOMB)
			fn((void *)p);
	}
	exitf_clear();
}

static void
exitf_ignore(void *p)
{
	__lsan_ignore_object(p);
}

void
exitf_release(void)
{
	exitf_each(free);
}

void
exitf_keep(void)
{
	exitf_each(exitf_ignore);
}

#else /* !EXITF_ASAN */

void
exitf_step_begin(void)
{
}

void
exitf_step_end(void)
{
}

void
exitf_step_abandoned(void)
{
}

void
exitf_release(void)
{
}

void
exitf_keep(void)
{
}

#endif
