#ifndef ARENA_CSQLITE_SHIM_H
#define ARENA_CSQLITE_SHIM_H
#include <sqlite3.h>

// sqlite3_config is variadic, which Swift cannot call: one fixed-argument wrapper per setting.

/// Turns off SQLite's memory statistics, whose global mutex every allocation of every connection
/// takes. Only before SQLite is initialised (the first connection); returns SQLITE_MISUSE after.
static inline int arena_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
