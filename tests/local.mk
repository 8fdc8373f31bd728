# SPDX-License-Identifier: ISC
# tests/: C unit tests (TAP), end-to-end scripts (TAP) and fuzz harnesses.
UNIT_LDADD = $(COMMON_LIBS)

check_PROGRAMS += %D%/unit/test-buf
%C%_unit_test_buf_LDADD = $(UNIT_LDADD)

TESTS += %D%/unit/test-buf

EXTRA_DIST += %D%/tap.h
