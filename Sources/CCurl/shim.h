#ifndef ARENA_CCURL_SHIM_H
#define ARENA_CCURL_SHIM_H
#include <curl/curl.h>
#endif
