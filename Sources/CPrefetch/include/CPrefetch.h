#ifndef KILN_CPREFETCH_H
#define KILN_CPREFETCH_H

/// Asks the CPU to start loading the cache line at `address` for reading, without waiting for it (a hint: it never
/// faults and changes no result). Swift has no spelling for the instruction.
static inline void kiln_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
