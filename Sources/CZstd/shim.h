#ifndef ARENA_CZSTD_SHIM_H
#define ARENA_CZSTD_SHIM_H
#include <zstd.h>

// ZSTD_getFrameContentSize's two sentinels are macros of an expression, which Swift does not import.

/// The frame does not say how large its content is.
static const unsigned long long arena_zstd_content_size_unknown = ZSTD_CONTENTSIZE_UNKNOWN;
/// The bytes are not a zstd frame (or too short to read its header).
static const unsigned long long arena_zstd_content_size_error = ZSTD_CONTENTSIZE_ERROR;
#endif
