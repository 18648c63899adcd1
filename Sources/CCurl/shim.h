#ifndef ARENA_CCURL_SHIM_H
#define ARENA_CCURL_SHIM_H
#include <curl/curl.h>

// Swift cannot call C variadic functions, so each curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt use gets a typed wrapper here. Option kinds follow curl.h:
// CURLOPTTYPE_LONG, _OBJECTPOINT/_STRINGPOINT, _OFF_T, _SLISTPOINT, _FUNCTIONPOINT.

// MARK: - curl_global_init

static inline CURLcode CCurl_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

// MARK: - curl_easy_setopt

static inline CURLcode CCurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_str(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_ptr(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

/// CURLOPT_WRITEFUNCTION: receives response body bytes.
static inline CURLcode CCurl_easy_setopt_writefunction(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

/// CURLOPT_HEADERFUNCTION: receives response header lines, one per call.
static inline CURLcode CCurl_easy_setopt_headerfunction(CURL *handle, curl_write_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

// MARK: - curl_easy_getinfo

static inline CURLcode CCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode CCurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode CCurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode CCurl_easy_getinfo_str(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// MARK: - curl_multi_setopt

static inline CURLMcode CCurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

// MARK: - CURLMsg

/// Reads the transfer result out of the anonymous union in CURLMsg.
static inline CURLcode CCurl_msg_result(const CURLMsg *message) {
    return message->data.result;
}

// MARK: - Constants Swift does not import (macros with casts)

static inline size_t CCurl_writefunc_error(void) { return CURL_WRITEFUNC_ERROR; }
static inline long CCurl_http_version_1_1(void) { return (long)CURL_HTTP_VERSION_1_1; }

#endif
