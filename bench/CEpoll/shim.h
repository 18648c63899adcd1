// epoll for the feed benchmark's clients: Swift's Glibc module leaves sys/epoll.h out.
#include <sys/epoll.h>
