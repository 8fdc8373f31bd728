/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the PEM private key formats in common/key-file.c (PKCS#1
 * RSA, SEC1 EC, PKCS#8): fixtures made once with ssh-keygen and openssl,
 * their fingerprints as ssh-keygen -l -E sha256 printed them, sign/verify
 * and conversion to openssh-key-v1 for each; encrypted, DSA and other
 * unsupported keys with their exact error codes; RFC 8032 / RFC 8410
 * known answers for Ed25519 in PKCS#8; damaged armor, headers and DER.
 * Runs as the invoking user during "make check"; no network.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifdef HAVE_OPENSSL
#include <openssl/err.h>
#endif

#include "common/buf.h"
#include "common/err.h"
#include "common/key.h"
#include "tests/tap.h"

#ifdef HAVE_OPENSSL
static const bool have_openssl = true;
#else
static const bool have_openssl = false;
#endif

/*
 * Fixtures, made with OpenSSH 9.2p1's ssh-keygen and OpenSSL 3.0:
 *  fx_pem_rsa2048	ssh-keygen -t rsa -b 2048 -m PEM -N ''
 *  fx_pem_ec{256,384,521}
 *			ssh-keygen -t ecdsa -b 256|384|521 -m PEM -N ''
 *  fx_pem_ec256_compressed
 *			openssl ec -conv_form compressed < fx_pem_ec256
 *  fx_pkcs8_rsa3072	ssh-keygen -t rsa -m PKCS8 -N ''
 *  fx_pkcs8_ec256	ssh-keygen -t ecdsa -b 256 -m PKCS8 -N ''
 *  fx_pkcs8_ed25519	openssl genpkey -algorithm ed25519
 *  fx_pkcs8_ed25519_attr	the RFC 8410 §10.3 example key as version 0
 *			(its publicKey field dropped, its attribute kept),
 *			which OpenSSL 3.0 reads but our fixed-layout
 *			decoder does not: it takes the OpenSSL path
 *  fx_pem_enc		ssh-keygen -t ecdsa -m PEM -N passphrase
 *			(ssh-keygen wants at least five characters)
 *  fx_pkcs8_enc		openssl pkcs8 -topk8 -v2 aes256 (an EC key)
 *  fx_pem_dsa		openssl dsaparam -genkey 1024; openssl pkey
 *			-traditional (BEGIN DSA PRIVATE KEY)
 *  fx_pkcs8_dsa		openssl genpkey -paramfile (DSA params)
 *  fx_pem_secp256k1	openssl ecparam -name secp256k1 -genkey -noout
 *  fx_pkcs8_x25519	openssl genpkey -algorithm x25519
 *  fx_pem_rsa768		openssl genrsa -traditional 768
 */
static const char fx_pem_rsa2048[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIEoAIBAAKCAQEA3PR6CR7+GMqCggUaajNx7dQnj5j0wX7NqkfafE/J3sFVAnTB\n"
	"6RO7DMdoqErXll32Wi5PRTq6fRksdGaoXtCFwmz7xSW3ZGQtmEl1rq74Q9rncB/m\n"
	"G0yE+7OA4IshTYeVLkU6TRBCifecNuo8PQjsosJbVWgAi/AxjXfLAW6iEM0T+bN2\n"
	"agwgHN6FyVsjMBBUDehWB/I8NqlRx0so0s/I4b6yyv42CmbhGxx5I/UCwLUOcN1h\n"
	"mSqUiH4bjVLuD/T76Vl7f4oYzsaRTuimcO5YHDLSSDe3/nCkt0NVrcEE5YR4EoTO\n"
	"y3xAiyAdvJHdBZIqHrRTYWdXPDb+6MVoi6ErlQIDAQABAoH/CRM9wsBDIG64bYga\n"
	"80lAO0R3tdtZ9fLwSt03tnJyY3PRJGMJKna/Wejl38dvZjnms3qzc/sP4oRttKWC\n"
	"xNqmDTRlMfPARYEyMQtL1WStL6PR1ic9BLxf2AXHZzVewycG7kU8dl7Ha+rK7O71\n"
	"vyKa7+dAaCdDC6mKX32XZD8yUkmOBMb4I5jJUK86yChc/3e3v7JHI70eM3kreXd9\n"
	"lIYnIDp4HHHfJfn4tnAkhujOCu0CPKIhbevq4YP9eAJ25epa4zbO0amEILMbf1Sw\n"
	"da3UbedcFjGBsltCIY5XyMdOUZT8HAeIOSE463QJgGIVVV7pDhLp8/BVF94MA1Bl\n"
	"kZtJAoGBAPlDlD2kGYAJXtPdX6ARu+FZjNx5bvp654JWNY6Qs+4bDUUU2D2UrEZf\n"
	"41r0INm+rlsvCs8AOWUZYSkV2HmYCV1QDQBwZz9ofbQ/MNOuvJKKMbVeMoRe3VE1\n"
	"/oczAb78W3ZjuPSAxsxASMHtzixTtYQ9TxMXqK8YpFt9glRM1BoJAoGBAOLtDfiS\n"
	"7aNK/P5Jq1uGsrt8zWXrMt7ydork/KzO0oL8bTvppu09ojQGG1ebw3zh6jy5LBae\n"
	"1WfNHfBXQss2dWOp4D+I4h6arR5w0bY0CRFYC0MZa9X8az8Kn073QNX7pKk9TwdX\n"
	"mFjzJFBgo4yhE++nxq5FdGYyCxvFSwGdmdgtAoGAVfrXkYOfQCj7Sr1blM1JL2xC\n"
	"SHKis0fdv3mZM7n6NrGiHCgahvNXkVbWB7OZ+UHqxo0tf0WmhpcAirl8WET3Rfas\n"
	"5W/gTWDvq1L4tqvZY/rDNrptVneag77KMzyG56gIrIetbrlU2XN7JVmv+l5NiHXV\n"
	"ZtKMXwly+BQM9qMhrnECgYAmMSuGyIPCVd6alZ+HefYe4/RV0O3w4/HbkoqMMwrv\n"
	"DLj9umdjylnAU77KUebm38bijW/EJttX6we86ZLOTM4ZBgA98TXNXM8CLo69Eajt\n"
	"CFps4pxpmWAbbhg93BNHcGDYMv9YBwAXCGT2Oi2Mf5exYBVqQzpB8O45sEzdar73\n"
	"yQKBgC07pHem0cNGeaiEgReFHAA8NlvguT0nok3U4QGqDupl0+RaGuJ7RJUV1+g3\n"
	"8OmsgyDwqSMkBt20EhRgiW2fgFidJKV5C1BRej7fVJrGqj/7WK8IXyk1Qw5rN3l0\n"
	"RGwOrYVsazQPYczuKPfEL+9Jy7/0UDfWO8UuHSpHRZ4F1Xmx\n"
	"-----END RSA PRIVATE KEY-----\n";

static const char fx_pem_ec256[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHcCAQEEIBoUiBuuGagNSqqzEX8hb/XGPQiAOx01JeAYJW1KdB4HoAoGCCqGSM49\n"
	"AwEHoUQDQgAEGe5sDF4vEwHjkFNez1CNpEi5IMbAcUN52RY2HWlgXSZk9bfGTuMo\n"
	"g/Kk3dTKM7FHfKlyDx4f1x9g1Wwk1PLJyw==\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pem_ec384[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MIGkAgEBBDAlCdgNPK0VQ9xR5l7esEbhHv4eKo0VjTZOu2kyVcfTR4eq/WCUNFr0\n"
	"FCE4aqNJdrCgBwYFK4EEACKhZANiAAS3MvW4ZrZPCzk55v7vG9EZzcmjsydl8JL6\n"
	"5iVR7JkzI7J0QWZDu4k4e2z2lYDbCZ9+vaSPDB0swh8JGOpXVzDmPw2JFE+pFvT6\n"
	"pRQCVx1n9IxrLvznD/sZAxSbOytM8O4=\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pem_ec521[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MIHcAgEBBEIB9uW+QBvGu2aUspqkjLtm4dnECAorHOeJ2RJk8o1NOxjL3NgYrvTS\n"
	"F2mkWBWmdYIcUlLrHzPCHOTeRUDUl3gwQhWgBwYFK4EEACOhgYkDgYYABAHgH0XS\n"
	"UQ/Hxy1mwIlOaexPB7shDgvElTCzqg8i/PiC/wKa1feDeazmXFSTId99t+bQP0ju\n"
	"UoPqzCsj6FdgMiRg9AF6hVtDQV4VbxyVmth9XZDUW1cMcNqovPOsk3CyGsFLsPZo\n"
	"tnzqrtSyhD0wmTP1gtiS+g2EZsHcZSZPyF60zJxzVQ==\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pem_ec256_compressed[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MFcCAQEEIBoUiBuuGagNSqqzEX8hb/XGPQiAOx01JeAYJW1KdB4HoAoGCCqGSM49\n"
	"AwEHoSQDIgADGe5sDF4vEwHjkFNez1CNpEi5IMbAcUN52RY2HWlgXSY=\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pkcs8_rsa3072[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIG/gIBADANBgkqhkiG9w0BAQEFAASCBugwggbkAgEAAoIBgQDZkQelKA7p1ck3\n"
	"6S4yxN4tskhCQJnVc03IO1+jcG1ozJqumWr/gS3e3sI6fsWDtZ4euvuCnGgC+pIQ\n"
	"gcUgBIceXcIWUr71dV08ar6iMRsLPplkw+k8HZLEvplnlBNd9jnaUzWPzB2TM2gO\n"
	"vAlhvsXjUxTXPm5ECxiBPJ5Ly7YApjmmD37HvbkPk4yno5oA/4Q8QuKXOeC9+x52\n"
	"eQsjJhEI+vdJiRSiahLMEOumNEKGmXbBUbag88Dv7iXMTbF6JmozmCYIb6ux1elf\n"
	"P1Mqw/8tcGW8+Bcgp383Ol0lWZ+9zfsfop1YR/T3TSWuFMHRduPLFoNzfJX2hgX1\n"
	"9HGSolWeYmX3Q/11bX+xZeMHaeC6CObcMhHk/tivX7DezX5RP9+OPPsMMxFhyqd6\n"
	"6xviUR1obujx9Q8/GeYBcgaFzp8aEqRR3OHopwZzjQM1cigOsN0ExJ8pYQuukrMC\n"
	"ypSX+Hfj/roChVRNIkg2w5W8vrKIy5LAZ//oQd5RqSrWN5AyIqUCAwEAAQKCAYAJ\n"
	"ImEnSnTB1YNysPwLDp/jXEJTYcHzp7kiyHdd9cjqJvjxjqhi3MoPutt9uDfTrUrb\n"
	"sG8Bz05AncOHJOOhUf9YQ4h0BnpU9N36vOKPDa+8e57WD7GZoAY682OeaSWdAsrw\n"
	"AyFTDbdKKFTclYFxVKCbSDAuT0Uy3yJivqhIt19HTLNL6QeiHDGKWWAE48YB97hW\n"
	"DVrVDY2FfGcNg0x358+8SEkckcBHh1uNrMIwAq6uVwAY4rTfsgwuJpn4p2Rlo/oq\n"
	"qFvssmsLT4zhq4W+gN3n2BqxNICO/f58s5ejwFCZJthVR/KELS4UstaUJ/RYjrQo\n"
	"Dw4+QvfM8tniOLcITXSiVzJZ9UJVSfebALqvaW5lVlABo9bEwIsRGZh4AYeZlRnk\n"
	"xFE/q/SrDE2QOiSbo/qpyUt8jq0yVHR6JPYkXIxcBvC9wR1WtrLyEC0pLv1qdTBL\n"
	"NirFdVvDsCn6YNwDDSgimQokGHsFR2Ia8R9bCZd4sl20lxV1aTRmJ7yAspBNfLsC\n"
	"gcEA8odIbK1HuLr9Vca56gO5eggGHlTEzMiTbOeIxa9nadDM+wzn0u5efoeZKCGx\n"
	"AoSDr+mu8AJ4bI35gtgtbybXMQLcGv8iz91aS5hP0UBiQque1D7VfaSY/S5pDLk5\n"
	"XI9dWKp8/pDRpNpgaRy3/q/cbKkT6hq8LAzHtu2GnrSSh1uBFNvnOWndJvZMPLMT\n"
	"9BT9HBeZeo458sEprz7cWc0HEzioxrUAlMam5XYY3pqMb1439Rc38GVAFdQ+HjC+\n"
	"7xELAoHBAOWmys8h08k6KmZhcIujWGHbag7TidOcKqrScu290alP5PSA4w1zDo0n\n"
	"rjRNu6zvnF8q8PRQqQOO7clBpQnN7u6HV4Lkw1Xwc9VTuLGRq5y/RGgrBaQgEayk\n"
	"OatIFTc9swVngaLlz5/R19ZVl8d6JhH3fX5e7fxV2N+2kzmcVM/Qmw5PotL2e4W0\n"
	"O/BnwEeVhkYjato29M4zWkplfYr1adw/dmb5HUR8QGLRz0lUEE0UXvBFqIVoPhb5\n"
	"qS2HuXxJDwKBwQCU6dveXsca9jV25X5h4ceQ1jxrg0ETPFTJGaExQHIO1tYFj/cH\n"
	"3LTInBm+OnGlShhRevqfA+VNQh9h57p99StMPKVJLj8Bwrgeknbv1MiAh0AOskYD\n"
	"z3zgeA6ocVJ3Ms/uEUCOTf1ra2qnH6saBoEhdu9zXtcLdQ1rlIyEBfuygMzRMfTX\n"
	"m9jeg3xsCMjHpduD1Dm4tnt+QnyFzeMegHVHqBJ5b8nbj94KJmk+xUZVW1SgeJEw\n"
	"WfrvbFJ31xZlU+ECgcBHrWppge5fRSdMsyb0fnQsftY4cG/5OynaDTtP1sokpUoZ\n"
	"wkybuwiUqAjoTEbCcDsHPRjduHs4IBk5kqKXT84+ZsG6mfoZzaXptGrWCVhd4RjR\n"
	"xnPJSTUbBFr3idUNW9WPX0IH/OBzyoQqYqav3QEa5HsnwStYcdbx5ENJXPDfuAVd\n"
	"Tx/L5qChF6MJouhRr2qsY4uLNlHsNfz9cXXgtD5pPumOtDwdTwatkTy4b2NzG2OS\n"
	"bLtvgBy5AQ17p3wOPaMCgcEAhn4Sab/vHjST+zfevi6a24zi6VVu91n7J5Z5MvwK\n"
	"PIbxEqYAhzq2ny6yWR33rWghudIgJrKYpT00APWAtvkcvwa3JrkPEGQN4ZS7lwI+\n"
	"rghAOC4h8YGFbywHlvKUCzJMzKX9lO6w7mMONZdmsTl5wTVM0kTpBvu6TD0UUiI8\n"
	"dX4be96lscLZcA/LjfiPK91sycBMbjgBILGppGa/YFbsY5sMp1z58tyeM9Lq75Tw\n"
	"CzlPP9cQAhRWnUPqr3gAeGPk\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pkcs8_ec256[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgnV9BvO33f8pxmGvC\n"
	"jbY0BmKhjBJX3kxuqgUHZlCXUYChRANCAARL0c3y51gg6CIlSI1QLHzjElmbwjtL\n"
	"7Mi5flPdXdSqhVftZrc7wGlD80OHpjfy6U5OLMkgukEVvEyd8uXOzfup\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pkcs8_ed25519[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIM1w9PVg5pzXf+RdBD1HIX5tUOZoFMUlleuoe3bU42vc\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pkcs8_ed25519_attr[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"ME8CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n"
	"oB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJz\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pem_enc[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"Proc-Type: 4,ENCRYPTED\n"
	"DEK-Info: AES-128-CBC,97C2651B59EE3B2CBE98A1C214420B62\n"
	"\n"
	"f/5L9k4CHzROdtMRtLQNkLL8PvzTTGDXZpWgTdatCtnNjdfnz8ppGHzKRCDcWV2f\n"
	"7qfs2rw+CxJ920w2CHQmzy8yD4eg+qZ6U8R3qktuQpQGuB7jsWMdTHlD6farG7nu\n"
	"T06lhxRPEvZIWqJsTQlckDk5HGzjevZ11GGqHPB7i2w=\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pkcs8_enc[] =
	"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
	"MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAi0MVCK+fSVgAICCAAw\n"
	"DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEAlAa2ieFSfl+9mm0a6G16EEgZD3\n"
	"8+IQvJSF9eqTXIkiP+dOLKk3egD0T6sdQwH3qesg77x/WJUYDF5Lv5cYcy6Ja0CF\n"
	"n754/rv1A1mvy2NIu3boBc66z1PhsXSYC2Nd1vNcuJ7qEJ4FNYWPgehISsEOmoHt\n"
	"0JTObfibGCQcXsOGW+xAYCX61NGgbRE7jfRzWcM4gevB7r0QFbQBK6SOS2E2W8o=\n"
	"-----END ENCRYPTED PRIVATE KEY-----\n";

static const char fx_pem_dsa[] =
	"-----BEGIN DSA PRIVATE KEY-----\n"
	"MIIBywIBAAKBgQCAWAF9h4fnH0z9FGlzjUDoEnNWcTk/NUQRXBuvowIO4qxGUs/k\n"
	"PbMdW6ejbPT6fI1+Y1AwhgohLeByHmqy4xFLeqiiZy++zu7JxgvBO/nuJz0u/l0E\n"
	"iKt5c1N8SWVP0dsK4fvCbG59zdEn79oqNUusDnh2cCs6iAjgw0YQOARoRwIdANpu\n"
	"pi8x41vAKuwqHZRZvTvN/h3GcSbGwNmy3HsCgYAZRRJDegqDZ7Cxqha22zodQ02n\n"
	"uTDQ7tgMcX7ViStfOztxgt6q7rU0zlXVH4zhBENZJpVhYQHNrASyGI+vnkxkWYdh\n"
	"6h8yxmFYshBAUnPpuHgHMPZCmTWFCUkOjgHJMRqRLH8l0zXUhnGcEHN4MunqmqQW\n"
	"Rcj6wH6hZcieeukG+wKBgEOSImg+IOhai2bG3GJAtdj5c/28bnle6Z4LZRtI1tUG\n"
	"fSiWzx22++EDt6KBKuK5Pm1NT+BFI+7vtYICA6L5QMDIfbTRss5TT18pNcqIC7ga\n"
	"l6pEYbGWZVg2IfIkKixbUBgOsyvS6EaDRzxWkW9fC8bBY2YlIaf+L7gm3Y6JAlP7\n"
	"Ah0Alz5yxCanIOPek0sHx95ZzgWC2AdGUb71Y/UYBw==\n"
	"-----END DSA PRIVATE KEY-----\n";

static const char fx_pkcs8_dsa[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIIBWwIBADCCATMGByqGSM44BAEwggEmAoGBAIBYAX2Hh+cfTP0UaXONQOgSc1Zx\n"
	"OT81RBFcG6+jAg7irEZSz+Q9sx1bp6Ns9Pp8jX5jUDCGCiEt4HIearLjEUt6qKJn\n"
	"L77O7snGC8E7+e4nPS7+XQSIq3lzU3xJZU/R2wrh+8Jsbn3N0Sfv2io1S6wOeHZw\n"
	"KzqICODDRhA4BGhHAh0A2m6mLzHjW8Aq7CodlFm9O83+HcZxJsbA2bLcewKBgBlF\n"
	"EkN6CoNnsLGqFrbbOh1DTae5MNDu2AxxftWJK187O3GC3qrutTTOVdUfjOEEQ1km\n"
	"lWFhAc2sBLIYj6+eTGRZh2HqHzLGYViyEEBSc+m4eAcw9kKZNYUJSQ6OAckxGpEs\n"
	"fyXTNdSGcZwQc3gy6eqapBZFyPrAfqFlyJ566Qb7BB8CHQCXPnLEJqcg496TSwfH\n"
	"3lnOBYLYB0ZRvvVj9RgH\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pem_secp256k1[] =
	"-----BEGIN EC PRIVATE KEY-----\n"
	"MHQCAQEEIKr/wSwybC2o8YjeUPnteGq1OufD0iwrMKcuZranRZFooAcGBSuBBAAK\n"
	"oUQDQgAEgQbaIUO3G7H1H7LHA1XfJPMGHLE7GHguyBSLwlo0ofWID7uXjTauH4qV\n"
	"F3pVmCuqJ8l6aazOvLiXEOWpUqnaEw==\n"
	"-----END EC PRIVATE KEY-----\n";

static const char fx_pkcs8_x25519[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VuBCIEIPizZmI2Q3y3x5mHIFLyiO5cKC5gjRc7FMu7glSYPuJb\n"
	"-----END PRIVATE KEY-----\n";

static const char fx_pem_rsa768[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"MIIBywIBAAJhAJvftvzCxMrvqeW5/Nne1qbHglYQPFNCh043rW9NTDOxSaVOwRp/\n"
	"fSscxh/j9gsgFZLkR7CPMrlTzzrG9IZMMc9fe0M1KZaVEIW0ppk27Tn4qM0fQRLz\n"
	"IFtNvfPmWHsYqQIDAQABAmB1flR4gnfEYJM4TtGBiK9UV96u8N4IBIXpN57L3wAp\n"
	"luFkcdCtIJxA+xd8wmCcUjnDq/PgKIiylbPSBLc/JUciEjpKy3sPWt9zS8AUx6nq\n"
	"3s7mIQblFzBx6VZANAN4M+ECMQDKGqpfeNmBLtHr+KUD2zrBBS/rURj3Sj0ueLx5\n"
	"nauLSvBMFk2wG4LssLgp3I7qVIsCMQDFcPsSgU3tPTV780i7YWLOtVqS2t9bJZpY\n"
	"oIOt4dBdqroDK5/mhWrjw1QYLIJ8ShsCMQCsJ3SzKI0V5lz4hW+Czm7I1nNQHl+G\n"
	"3h0phbz+V1k1qNrx5Rm+BmFK3umw9uhiISsCMDTfUnzcH5AeSgpNVfbH13vfWMfm\n"
	"0NVJtpFxOpH/3JqYs4NR1VoX9E3V6tkmYjMCbQIxAJM0C6a246XO3ikMcWZdNQaV\n"
	"m9w+GkhJyZnIN3sLegMbg9HSPtElzu+YkHjCTEQtRQ==\n"
	"-----END RSA PRIVATE KEY-----\n";

/* Valid base64 of bytes that are no DER at all, inside a valid armor. */
static const char fx_pem_garbage[] =
	"-----BEGIN RSA PRIVATE KEY-----\n"
	"VGhpcyBpcyBub3QgYSBERVIgZW5jb2RlZCBSU0EgcHJpdmF0ZSBrZXkgYXQgYWxs\n"
	"Lg==\n"
	"-----END RSA PRIVATE KEY-----\n";

/*
 * Fingerprints as ssh-keygen -l -E sha256 -f FILE printed them, FILE
 * alone in a directory (no .pub beside it).  ssh-keygen 9.2 does not read
 * Ed25519 in PKCS#8: for those two, of the public key line built from
 * "openssl pkey -pubout".
 */
#define FP_PEM_RSA2048 "SHA256:9Jyb9pKqgtMvC2LTcsL6Kb6cGGUwiWHQwZQB3mPr11A"
#define FP_PEM_EC256	"SHA256:Yw46gWDszWdFuTyxVGLBTCg6qr7TPi8ShXB5i7lQA7s"
#define FP_PEM_EC384	"SHA256:PhB0pjSqsxz5XJuPIw+UdUWlst+sFrFhvtnLIdwGU2U"
#define FP_PEM_EC521	"SHA256:ioXsSGyCCVxhFn6pYlEsPydUdx/pcYxZ2sGBi5ixAyE"
#define FP_PKCS8_RSA3072 "SHA256:GpfHLsfofDUNPv0FH3SVCtRc2zUcrwfbxOHZ0nChR8I"
#define FP_PKCS8_EC256 "SHA256:HEy+Pmz6K9x9q1MyP62XXDKnNLPnVO3DLovUxA6QbME"
#define FP_PKCS8_ED25519 "SHA256:9mtwoxDLC1J1EL+jwWlsA5W5wj7NzDF5h3dY+8qJ8I8"
#define FP_PKCS8_ED25519_ATTR \
	"SHA256:ebCT4wkJOqO5AIlHG03cHvn3Cr3ZZEEh8m81duHhR3Q"

static const struct good {
	const char	*name;
	const char	*text;
	const char	*fp;
	unsigned int	 bits;
	const char	*type_name;
	bool		 openssl;	/* needs OpenSSL to load */
} goods[] = {
	{ "PKCS#1 RSA 2048", fx_pem_rsa2048, FP_PEM_RSA2048, 2048,
	    "ssh-rsa", true },
	{ "SEC1 EC P-256", fx_pem_ec256, FP_PEM_EC256, 256,
	    "ecdsa-sha2-nistp256", true },
	{ "SEC1 EC P-384", fx_pem_ec384, FP_PEM_EC384, 384,
	    "ecdsa-sha2-nistp384", true },
	{ "SEC1 EC P-521", fx_pem_ec521, FP_PEM_EC521, 521,
	    "ecdsa-sha2-nistp521", true },
	/* The same key as fx_pem_ec256, its point stored compressed. */
	{ "SEC1 EC P-256, compressed point", fx_pem_ec256_compressed,
	    FP_PEM_EC256, 256, "ecdsa-sha2-nistp256", true },
	{ "PKCS#8 RSA 3072", fx_pkcs8_rsa3072, FP_PKCS8_RSA3072, 3072,
	    "ssh-rsa", true },
	{ "PKCS#8 EC P-256", fx_pkcs8_ec256, FP_PKCS8_EC256, 256,
	    "ecdsa-sha2-nistp256", true },
	{ "PKCS#8 Ed25519", fx_pkcs8_ed25519, FP_PKCS8_ED25519, 256,
	    "ssh-ed25519", false },
	{ "PKCS#8 Ed25519 with an attribute", fx_pkcs8_ed25519_attr,
	    FP_PKCS8_ED25519_ATTR, 256, "ssh-ed25519", true },
};
#define NGOODS	(sizeof(goods) / sizeof(goods[0]))

static const struct bad {
	const char	*name;
	const char	*text;
	int		 err;		/* with OpenSSL */
	int		 err_plain;	/* without */
} bads[] = {
	/* Without OpenSSL no passphrase would make an EC key load. */
	{ "encrypted PEM (Proc-Type: 4,ENCRYPTED)", fx_pem_enc,
	    HS_ERR_KEY_ENCRYPTED, HS_ERR_KEY_UNSUPPORTED },
	{ "encrypted PKCS#8", fx_pkcs8_enc, HS_ERR_KEY_ENCRYPTED,
	    HS_ERR_KEY_ENCRYPTED },
	{ "DSA PEM", fx_pem_dsa, HS_ERR_KEY_UNSUPPORTED,
	    HS_ERR_KEY_UNSUPPORTED },
	{ "DSA in PKCS#8", fx_pkcs8_dsa, HS_ERR_KEY_UNSUPPORTED,
	    HS_ERR_KEY_UNSUPPORTED },
	{ "SEC1 EC on secp256k1", fx_pem_secp256k1, HS_ERR_KEY_UNSUPPORTED,
	    HS_ERR_KEY_UNSUPPORTED },
	{ "X25519 in PKCS#8", fx_pkcs8_x25519, HS_ERR_KEY_UNSUPPORTED,
	    HS_ERR_KEY_UNSUPPORTED },
	{ "PKCS#1 RSA 768 (below RSA_MIN_BITS)", fx_pem_rsa768,
	    HS_ERR_KEY_SMALL, HS_ERR_KEY_UNSUPPORTED },
	{ "garbage inside an RSA armor", fx_pem_garbage, HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED },
};
#define NBADS	(sizeof(bads) / sizeof(bads[0]))

/* ---- helpers ------------------------------------------------------------ */

static struct buf *
xbuf(void)
{
	struct buf *b = buf_new();

	if (b == NULL)
		abort();
	return b;
}

/*
 * key_parse_private() on len bytes of text, with the checks every call
 * must pass: no key on failure, never a comment, and OpenSSL's error
 * queue left empty.
 */
static int
parse_len(const char *text, size_t len, struct key **ret)
{
	struct key *k = NULL;
	char *comment = NULL;
	int r;

	r = key_parse_private((const uint8_t *)text, len, &k, &comment);
	if (r != 0 && k != NULL)
		tap_fail(__FILE__, __LINE__, "a key despite error %d", r);
	if (comment != NULL)
		tap_fail(__FILE__, __LINE__, "PEM key with comment \"%s\"",
		    comment);
#ifdef HAVE_OPENSSL
	if (ERR_peek_error() != 0) {
		tap_fail(__FILE__, __LINE__,
		    "OpenSSL error queue not empty after parse (r = %d)", r);
		ERR_clear_error();
	}
#endif
	free(comment);
	if (ret != NULL)
		*ret = k;
	else
		key_free(k);
	return r;
}

static int
parse(const char *text, struct key **ret)
{
	return parse_len(text, strlen(text), ret);
}

/* The expected error in this build. */
static int
expect(int with_openssl, int without)
{
	return have_openssl ? with_openssl : without;
}

/* The DER inside a PEM text without headers (test-side decoder). */
static uint8_t *
pem_der(const char *text, size_t *ret_len)
{
	const char *s = strchr(text, '\n'), *e = strstr(text, "-----END");
	uint8_t *der;

	if (s == NULL || e == NULL || e < s ||
	    (der = malloc(strlen(text))) == NULL)
		abort();
	if (sodium_base642bin(der, strlen(text), s + 1, (size_t)(e - s - 1),
	    "\n", ret_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		abort();
	return der;
}

/* A PEM text as OpenSSL writes it: 64 columns, final newline. */
static char *
pem_text(const char *label, const uint8_t *der, size_t len)
{
	size_t b64size = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64 = malloc(b64size), *out;
	size_t i, n, o, outsize = b64size + b64size / 64 + 2 * strlen(label) +
	    64;

	if (b64 == NULL || (out = malloc(outsize)) == NULL)
		abort();
	sodium_bin2base64(b64, b64size, der, len,
	    sodium_base64_VARIANT_ORIGINAL);
	n = strlen(b64);
	o = (size_t)snprintf(out, outsize, "-----BEGIN %s-----\n", label);
	for (i = 0; i < n; i++) {
		out[o++] = b64[i];
		if (i % 64 == 63 || i == n - 1)
			out[o++] = '\n';
	}
	snprintf(out + o, outsize - o, "-----END %s-----\n", label);
	free(b64);
	return out;
}

/* Tag and definite length at pos; the contents' offset and length. */
static bool
der_tl(const uint8_t *p, size_t end, size_t pos, size_t *ret_off,
    size_t *ret_len)
{
	size_t len, nb, i;

	if (pos + 2 > end)
		return false;
	len = p[pos + 1];
	pos += 2;
	if (len & 0x80) {
		nb = len & 0x7f;
		if (nb == 0 || nb > 3 || nb > end - pos)
			return false;
		for (len = 0, i = 0; i < nb; i++)
			len = len << 8 | p[pos++];
	}
	if (len > end - pos)
		return false;
	*ret_off = pos;
	*ret_len = len;
	return true;
}

/* Contents of the idx-th element of the outer SEQUENCE. */
static void
der_elem(const uint8_t *der, size_t len, size_t idx, size_t *ret_off,
    size_t *ret_len)
{
	size_t off, elen, pos, end, i;

	if (!der_tl(der, len, 0, &off, &elen))
		abort();
	end = off + elen;
	for (pos = off, i = 0; i <= idx; i++) {
		if (!der_tl(der, end, pos, ret_off, ret_len))
			abort();
		pos = *ret_off + *ret_len;
	}
}

/* text with ins inserted after its first line. */
static char *
insert_after_first_line(const char *text, const char *ins)
{
	const char *nl = strchr(text, '\n');
	size_t n = strlen(text) + strlen(ins) + 1;
	char *out = malloc(n);

	if (nl == NULL || out == NULL)
		abort();
	snprintf(out, n, "%.*s%s%s", (int)(nl - text + 1), text, ins, nl + 1);
	return out;
}

static char *
replace_first_line(const char *text, const char *first)
{
	const char *nl = strchr(text, '\n');
	size_t n = strlen(text) + strlen(first) + 2;
	char *out = malloc(n);

	if (nl == NULL || out == NULL)
		abort();
	snprintf(out, n, "%s%s", first, nl);
	return out;
}

/* Sign with k under every algorithm of its type; verify with pub. */
static void
sign_verify_all(const struct key *k, const struct key *pub)
{
	static const uint8_t data[] = "host key signature";
	const char *algs[2] = { key_type_name(k), NULL };
	struct buf *sig;
	size_t i;

	if (key_type(k) == KEY_RSA) {
		algs[0] = "rsa-sha2-256";
		algs[1] = "rsa-sha2-512";
	}
	for (i = 0; i < 2 && algs[i] != NULL; i++) {
		sig = xbuf();
		ASSERT_INT_EQ(key_sign(k, algs[i], data, sizeof(data) - 1,
		    sig), 0);
		ASSERT_INT_EQ(key_verify(pub, algs[i], buf_ptr(sig),
		    buf_len(sig), data, sizeof(data) - 1), 0);
		ASSERT_INT_EQ(key_verify(pub, algs[i], buf_ptr(sig),
		    buf_len(sig), data, sizeof(data) - 2), HS_ERR_SIGNATURE);
		buf_free(sig);
	}
}

/* ---- fixtures ----------------------------------------------------------- */

static void
test_good(const struct good *g)
{
	struct key *k = NULL, *pub = NULL, *conv = NULL;
	struct buf *out;
	char name[128], *fp = NULL, *comment = NULL;
	int r;

	if (g->openssl && !have_openssl)
		snprintf(name, sizeof(name), "%s: unsupported without OpenSSL",
		    g->name);
	else
		snprintf(name, sizeof(name), "%s: loads as ssh-keygen reads it",
		    g->name);
	TEST_START(name);
	r = parse(g->text, &k);
	if (g->openssl && !have_openssl) {
		ASSERT_INT_EQ(r, HS_ERR_KEY_UNSUPPORTED);
		TEST_DONE();
		return;
	}
	ASSERT_INT_EQ(r, 0);
	if (k == NULL) {
		TEST_DONE();
		return;
	}
	ASSERT_TRUE(key_is_private(k));
	ASSERT_STR_EQ(key_type_name(k), g->type_name);
	ASSERT_INT_EQ(key_bits(k), g->bits);
	ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
	ASSERT_STR_EQ(fp, g->fp);
	free(fp);
	fp = NULL;
	TEST_DONE();

	snprintf(name, sizeof(name), "%s: signs and verifies", g->name);
	TEST_START(name);
	ASSERT_INT_EQ(key_public_copy(k, &pub), 0);
	if (pub != NULL)
		sign_verify_all(k, pub);
	TEST_DONE();

	/* The key is the one the openssh-key-v1 path would have built. */
	snprintf(name, sizeof(name), "%s: converts to openssh-key-v1",
	    g->name);
	TEST_START(name);
	out = xbuf();
	ASSERT_INT_EQ(key_format_private(k, "converted", out), 0);
	ASSERT_INT_EQ(key_parse_private(buf_ptr(out), buf_len(out), &conv,
	    &comment), 0);
	ASSERT_STR_EQ(comment, "converted");
	if (conv != NULL) {
		ASSERT_TRUE(key_equal_public(k, conv));
		ASSERT_INT_EQ(key_fingerprint(conv, &fp), 0);
		ASSERT_STR_EQ(fp, g->fp);
		sign_verify_all(conv, k);
		sign_verify_all(k, conv);
	}
	free(fp);
	free(comment);
	buf_free(out);
	TEST_DONE();
	key_free(conv);
	key_free(pub);
	key_free(k);
}

static void
test_fixtures(void)
{
	char name[128];
	struct key *k = NULL;
	size_t i;
	int r;

	for (i = 0; i < NGOODS; i++)
		test_good(&goods[i]);
	for (i = 0; i < NBADS; i++) {
		snprintf(name, sizeof(name), "%s: refused", bads[i].name);
		TEST_START(name);
		r = parse(bads[i].text, &k);
		ASSERT_INT_EQ(r, expect(bads[i].err, bads[i].err_plain));
		ASSERT_PTR_EQ(k, NULL);
		TEST_DONE();
	}

	TEST_START("refusal messages name the reason");
	ASSERT_TRUE(strstr(hs_err_str(HS_ERR_KEY_ENCRYPTED),
	    "encrypted") != NULL);
	ASSERT_TRUE(strstr(hs_err_str(HS_ERR_KEY_UNSUPPORTED),
	    "key type not supported") != NULL);
	TEST_DONE();
}

/* ---- known answers: Ed25519 in PKCS#8 ----------------------------------- */

static void
test_ed25519_kat(void)
{
	/* The DER prefix of RFC 8410 §7's example, then the seed. */
	static const char prefix[] = "302e020100300506032b657004220420";
	/* RFC 8032 §7.1 TEST 1. */
	static const char seed[] =
	    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
	static const char pk[] =
	    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
	static const char sig[] =
	    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
	/* RFC 8410 §10.3: the example key's publicKey field. */
	static const char pk8410[] =
	    "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";
	uint8_t der[64], want_pk[32], want_sig[64];
	size_t n;
	struct buf *b, *s;
	struct key *k = NULL;
	char *text;

	TEST_START("PKCS#8 Ed25519: RFC 8032 TEST 1 seed");
	n = tap_unhex(prefix, der, sizeof(der));
	n += tap_unhex(seed, der + n, sizeof(der) - n);
	tap_unhex(pk, want_pk, sizeof(want_pk));
	tap_unhex(sig, want_sig, sizeof(want_sig));
	text = pem_text("PRIVATE KEY", der, n);
	ASSERT_INT_EQ(parse(text, &k), 0);
	if (k != NULL) {
		b = xbuf();
		s = xbuf();
		/* Blob: string "ssh-ed25519", string pk. */
		ASSERT_INT_EQ(key_to_blob(k, b), 0);
		ASSERT_INT_EQ(buf_len(b), 4 + 11 + 4 + 32);
		ASSERT_MEM_EQ(buf_ptr(b) + 19, want_pk, 32);
		/* The empty message; signature: string alg, string sig. */
		ASSERT_INT_EQ(key_sign(k, NULL, (const uint8_t *)"", 0, s), 0);
		ASSERT_INT_EQ(buf_len(s), 4 + 11 + 4 + 64);
		ASSERT_MEM_EQ(buf_ptr(s) + 19, want_sig, 64);
		buf_free(s);
		buf_free(b);
	}
	key_free(k);
	k = NULL;
	free(text);
	TEST_DONE();

	TEST_START("PKCS#8 Ed25519: RFC 8410 example key");
	tap_unhex(pk8410, want_pk, sizeof(want_pk));
	ASSERT_INT_EQ(parse(fx_pkcs8_ed25519_attr, &k),
	    expect(0, HS_ERR_KEY_UNSUPPORTED));
	if (k != NULL) {
		b = xbuf();
		ASSERT_INT_EQ(key_to_blob(k, b), 0);
		ASSERT_INT_EQ(buf_len(b), 4 + 11 + 4 + 32);
		ASSERT_MEM_EQ(buf_ptr(b) + 19, want_pk, 32);
		buf_free(b);
	}
	key_free(k);
	TEST_DONE();
}

/* ---- damaged DER -------------------------------------------------------- */

/* Flip a bit of the last byte of an element of the outer SEQUENCE. */
static int
parse_tampered(const char *fixture, const char *label, size_t elem)
{
	uint8_t *der;
	size_t len, off, elen;
	char *text;
	int r;

	der = pem_der(fixture, &len);
	der_elem(der, len, elem, &off, &elen);
	if (elen == 0)
		abort();
	der[off + elen - 1] ^= 0x02;
	text = pem_text(label, der, len);
	r = parse(text, NULL);
	free(text);
	free(der);
	return r;
}

static void
test_der_damaged(void)
{
	/* RSAPrivateKey (RFC 8017 A.1.2) after the version. */
	static const char *const rsa_fields[] = {
		NULL, "n", "e", "d", "p", "q", "dP", "dQ", "qInv",
	};
	uint8_t *der, *der2;
	size_t len, len2, i;
	struct key *k = NULL;
	char name[128], *text, *fp;
	int r;

	for (i = 1; i < sizeof(rsa_fields) / sizeof(rsa_fields[0]); i++) {
		snprintf(name, sizeof(name), "PKCS#1 RSA: altered %s %s",
		    rsa_fields[i], have_openssl ? "is a mismatch" :
		    "(unsupported without OpenSSL)");
		TEST_START(name);
		ASSERT_INT_EQ(parse_tampered(fx_pem_rsa2048, "RSA PRIVATE KEY",
		    i), expect(HS_ERR_KEY_MISMATCH, HS_ERR_KEY_UNSUPPORTED));
		TEST_DONE();
	}

	/* ECPrivateKey (RFC 5915): the point ends the structure. */
	TEST_START("SEC1 EC: another key's point is a mismatch");
	der = pem_der(fx_pem_ec256, &len);
	der2 = pem_der(fx_pkcs8_ec256, &len2);
	memcpy(der + len - 64, der2 + len2 - 64, 64);
	text = pem_text("EC PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_MISMATCH,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	/* A point off the curve: OpenSSL's decoder refuses it already. */
	der[len - 1] ^= 0x01;
	text = pem_text("EC PRIVATE KEY", der, len);
	r = parse(text, NULL);
	ASSERT_TRUE(r == (have_openssl ? HS_ERR_KEY_FORMAT :
	    HS_ERR_KEY_UNSUPPORTED) || (have_openssl &&
	    r == HS_ERR_KEY_INVALID));
	free(text);
	free(der2);
	free(der);
	TEST_DONE();

	TEST_START("a byte after the DER structure");
	der = pem_der(fx_pem_rsa2048, &len);
	der2 = malloc(len + 1);
	memcpy(der2, der, len);
	der2[len] = 0;
	text = pem_text("RSA PRIVATE KEY", der2, len + 1);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der2);
	free(der);
	der = pem_der(fx_pkcs8_ed25519, &len);
	der2 = malloc(len + 1);
	memcpy(der2, der, len);
	der2[len] = 0;
	text = pem_text("PRIVATE KEY", der2, len + 1);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der2);
	free(der);
	TEST_DONE();

	TEST_START("a structure under the wrong armor");
	der = pem_der(fx_pem_rsa2048, &len);
	text = pem_text("EC PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	text = pem_text("PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der);
	der = pem_der(fx_pem_ec256, &len);
	text = pem_text("RSA PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der);
	der = pem_der(fx_pem_ec256, &len);
	text = pem_text("PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der);
	der = pem_der(fx_pkcs8_ec256, &len);
	text = pem_text("RSA PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der);
	/* Encrypted PKCS#8 under another armor: no passphrase is asked. */
	der = pem_der(fx_pkcs8_enc, &len);
	text = pem_text("EC PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	text = pem_text("PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	free(der);
	der = pem_der(fx_pkcs8_rsa3072, &len);
	/* The openssh-key-v1 parser does not take DER either. */
	text = pem_text("OPENSSH PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
	free(text);
	free(der);
	TEST_DONE();

	/* As ssh-keygen: PKCS#8 under a PKCS#1 or SEC1 armor of its type. */
	TEST_START("PKCS#8 under the RSA or EC armor, as sshd reads it");
	der = pem_der(fx_pkcs8_rsa3072, &len);
	text = pem_text("RSA PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, &k), expect(0, HS_ERR_KEY_UNSUPPORTED));
	if (k != NULL) {
		ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
		ASSERT_STR_EQ(fp, FP_PKCS8_RSA3072);
		free(fp);
	}
	key_free(k);
	k = NULL;
	free(text);
	free(der);
	der = pem_der(fx_pkcs8_ec256, &len);
	text = pem_text("EC PRIVATE KEY", der, len);
	ASSERT_INT_EQ(parse(text, &k), expect(0, HS_ERR_KEY_UNSUPPORTED));
	if (k != NULL) {
		ASSERT_INT_EQ(key_fingerprint(k, &fp), 0);
		ASSERT_STR_EQ(fp, FP_PKCS8_EC256);
		free(fp);
	}
	key_free(k);
	free(text);
	free(der);
	TEST_DONE();

	TEST_START("every truncation of the DER fails");
	der = pem_der(fx_pem_rsa2048, &len);
	for (i = 0; i < len; i++) {
		text = pem_text("RSA PRIVATE KEY", der, i);
		if ((r = parse(text, NULL)) == 0)
			tap_fail(__FILE__, __LINE__, "RSA DER cut to %zu "
			    "loaded", i);
		free(text);
	}
	free(der);
	der = pem_der(fx_pkcs8_ed25519, &len);
	for (i = 0; i < len; i++) {
		text = pem_text("PRIVATE KEY", der, i);
		if ((r = parse(text, NULL)) == 0)
			tap_fail(__FILE__, __LINE__, "Ed25519 DER cut to %zu "
			    "loaded", i);
		free(text);
	}
	free(der);
	TEST_DONE();
}

/* ---- armor -------------------------------------------------------------- */

static void
test_armor(void)
{
	static const char *const others[] = {
		"-----BEGIN CERTIFICATE-----",
		"-----BEGIN PUBLIC KEY-----",
		"-----BEGIN RSA PUBLIC KEY-----",
		"-----BEGIN EC PARAMETERS-----",
		"---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----",
		"-----BEGIN PRIVATE KEY----- ",
		"-----BEGIN private key-----",
	};
	const char *ed = fx_pkcs8_ed25519;
	size_t n, i, o;
	char *text, *bad;

	TEST_START("armor: CRLF line ends and trailing blank lines");
	n = strlen(ed);
	text = malloc(2 * n + 8);
	for (i = 0, o = 0; i < n; i++) {
		if (ed[i] == '\n')
			text[o++] = '\r';
		text[o++] = ed[i];
	}
	snprintf(text + o, 8, "\n \n");
	ASSERT_INT_EQ(parse(text, NULL), 0);
	free(text);
	TEST_DONE();

	TEST_START("armor: damaged");
	bad = malloc(n + 64);
	/* Text after END, or before BEGIN. */
	snprintf(bad, n + 64, "%sjunk\n", ed);
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	snprintf(bad, n + 64, "\n%s", ed);
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	/* No END line; the END line of another armor. */
	snprintf(bad, n + 64, "%.*s", (int)(strstr(ed, "-----END") - ed), ed);
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	snprintf(bad, n + 64, "%.*s-----END RSA PRIVATE KEY-----\n",
	    (int)(strstr(ed, "-----END") - ed), ed);
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	/* Outside the base64 alphabet; a character missing. */
	snprintf(bad, n + 64, "%s", ed);
	bad[40] = '*';
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	bad[40] = ' ';
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	snprintf(bad, n + 64, "%.40s%s", ed, ed + 41);
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	/* Empty input. */
	ASSERT_INT_EQ(parse("", NULL), HS_ERR_KEY_FORMAT);
	free(bad);
	/* A DSA armor is refused for its type only once it is whole. */
	bad = strdup(fx_pem_dsa);
	*strstr(bad, "-----END") = '\0';
	ASSERT_INT_EQ(parse(bad, NULL), HS_ERR_KEY_FORMAT);
	free(bad);
	TEST_DONE();

	TEST_START("armor: other armors are not private keys");
	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		text = replace_first_line(ed, others[i]);
		ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
		free(text);
	}
	TEST_DONE();

	TEST_START("armor: RFC 1421 headers");
	/* Declaring encryption is enough: the body is not looked at. */
	text = insert_after_first_line(fx_pem_rsa2048,
	    "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_ENCRYPTED,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	text = insert_after_first_line(fx_pem_dsa,
	    "Proc-Type: 4,ENCRYPTED\nDEK-Info: DES-EDE3-CBC,0011223344556677"
	    "\n\n");
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_UNSUPPORTED);
	free(text);
	/* Any other Proc-Type; headers without the blank line after. */
	text = insert_after_first_line(fx_pem_rsa2048,
	    "Proc-Type: 4,MIC-ONLY\n\n");
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
	free(text);
	text = insert_after_first_line(fx_pem_rsa2048,
	    "Proc-Type: 4,ENCRYPTED\n");
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
	free(text);
	/* Headers that do not start with Proc-Type are not headers. */
	text = insert_after_first_line(fx_pem_rsa2048,
	    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
	free(text);
	/* PKCS#8 (RFC 7468) has no headers at all. */
	text = insert_after_first_line(ed, "Proc-Type: 4,ENCRYPTED\n"
	    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n");
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_FORMAT);
	free(text);
	TEST_DONE();

	TEST_START("armor: garbage or nothing inside each armor");
	text = replace_first_line(fx_pem_garbage,
	    "-----BEGIN EC PRIVATE KEY-----");
	*strstr(text, "-----END") = '\0';
	bad = malloc(strlen(text) + 64);
	snprintf(bad, strlen(text) + 64, "%s-----END EC PRIVATE KEY-----\n",
	    text);
	ASSERT_INT_EQ(parse(bad, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(bad);
	free(text);
	text = pem_text("PRIVATE KEY", (const uint8_t *)"not DER", 7);
	ASSERT_INT_EQ(parse(text, NULL), expect(HS_ERR_KEY_FORMAT,
	    HS_ERR_KEY_UNSUPPORTED));
	free(text);
	text = pem_text("ENCRYPTED PRIVATE KEY", (const uint8_t *)"not DER",
	    7);
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_ENCRYPTED);
	free(text);
	text = pem_text("DSA PRIVATE KEY", (const uint8_t *)"not DER", 7);
	ASSERT_INT_EQ(parse(text, NULL), HS_ERR_KEY_UNSUPPORTED);
	free(text);
	ASSERT_INT_EQ(parse("-----BEGIN RSA PRIVATE KEY-----\n"
	    "-----END RSA PRIVATE KEY-----\n", NULL),
	    expect(HS_ERR_KEY_FORMAT, HS_ERR_KEY_UNSUPPORTED));
	ASSERT_INT_EQ(parse("-----BEGIN PRIVATE KEY-----\n"
	    "-----END PRIVATE KEY-----\n", NULL),
	    expect(HS_ERR_KEY_FORMAT, HS_ERR_KEY_UNSUPPORTED));
	TEST_DONE();

	TEST_START("armor: size bound");
	ASSERT_INT_EQ(parse_len(fx_pem_rsa2048, KEY_FILE_MAX + 1, NULL),
	    HS_ERR_TOO_LONG);
	TEST_DONE();
}

int
main(void)
{
	if (sodium_init() < 0)
		abort();
	test_fixtures();
	test_ed25519_kat();
	test_der_damaged();
	test_armor();
	return tap_finish();
}
