/* SPDX-License-Identifier: ISC */
/*
 * Functions that have no place in hsshd: each becomes a compile error.
 * Included last by every .c file (through mem.h), after the system headers.
 */
#ifndef HS_BANNED_H
#define HS_BANNED_H

#define HS_BANNED(func) sorry_##func##_is_banned_in_hsshd

#undef strcpy
#define strcpy(x, y) HS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) HS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) HS_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) HS_BANNED(strncat)
#undef sprintf
#define sprintf(...) HS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) HS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) HS_BANNED(strtok)
#undef gets
#define gets(x) HS_BANNED(gets)
#undef atoi
#define atoi(x) HS_BANNED(atoi)
#undef atol
#define atol(x) HS_BANNED(atol)
#undef gmtime
#define gmtime(x) HS_BANNED(gmtime)
#undef localtime
#define localtime(x) HS_BANNED(localtime)
#undef ctime
#define ctime(x) HS_BANNED(ctime)

#endif
