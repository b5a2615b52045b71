/*
 * pool.h -- the host's thread pool (hostlib/_pool/pool.c): one per process, plain
 * C, no Python. See pool.c for the design and its reasons.
 */
#ifndef HOSTLIB_POOL_H
#define HOSTLIB_POOL_H

#include <stddef.h>

/* one task of a job: task is 0 .. ntasks-1 */
typedef void (*hl_pool_task)(void *ctx, ptrdiff_t task);

/* Run fn(ctx, t) for every t in [0, ntasks), on at most `width` threads,
   the caller being one of them, and return when all are done. Which thread
   runs which task is not fixed: a task's result must depend on t only.
   Runs everything on the caller when width <= 1, when called from a pool
   thread or from inside a task, or when another caller holds the pool.
   Returns the number of threads that took part. */
int hl_pool_run(hl_pool_task fn, void *ctx, ptrdiff_t ntasks, int width);

/* The threads a call arriving now would get: 1 on a pool thread, inside a
   task, or while another caller holds the pool; else the setting, whose
   default (the affinity mask's CPUs) is re-read at most every 10 ms here:
   this is asked on every split decision, the mask is a system call. */
int hl_pool_width(void);

/* The setting (>= 1): what hl_pool_set_num_threads() set, else the CPUs in
   this process's affinity mask, read now (and kept for hl_pool_width). */
int hl_pool_get_num_threads(void);
/* n >= 1 sets, n == 0 returns to the default; capped at HL_POOL_MAX_THREADS */
void hl_pool_set_num_threads(int n);
/* the CPUs this process may run on (its affinity mask), >= 1 */
int hl_pool_cpu_count(void);
/* worker threads started so far in this process (0 in a fresh fork child) */
int hl_pool_started(void);

/* How long a worker watches for the next job after one before it sleeps,
   in ns (default 100 us; 0: sleeps at once), capped at HL_POOL_MAX_SPIN_NS */
void hl_pool_set_spin_ns(long ns);
long hl_pool_get_spin_ns(void);

#define HL_POOL_MAX_THREADS 256
#define HL_POOL_MAX_SPIN_NS 100000000L /* 100 ms */

#endif /* HOSTLIB_POOL_H */
