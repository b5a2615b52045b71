/*
 * pool.c -- the host's thread pool.
 *
 * Why a pool of our own and not OpenMP: hostlib is loaded into processes
 * that already hold other runtimes (numpy's OpenBLAS with its pthreads
 * pool, libgomp from scikit-learn, LLVM's libomp or Intel's iomp from other
 * wheels). Two OpenMP runtimes in one process oversubscribe or crash, GNU
 * OpenMP is not fork-safe (a child of a process that used it hangs in its
 * next parallel region: multiprocessing's fork start method), and the
 * OpenMP controls (OMP_NUM_THREADS, omp_set_num_threads, threadpoolctl's
 * "openmp" entry) would be shared with every other OpenMP user in the
 * process. What hostlib needs is small: run N independent tasks on up to T
 * threads and wait. So: this file, POSIX threads only.
 *
 * Design:
 *   - workers start lazily, on the first job that needs them (never at
 *     import), and are never stopped; a lower setting only leaves some
 *     idle. They block every signal (the main thread handles them) and
 *     touch no Python state, so interpreter shutdown leaves them blocked on
 *     a condition variable until the process ends.
 *   - one job at a time. A caller takes the pool with an atomic flag; a
 *     caller that finds it taken, or that is itself a pool thread or inside
 *     a task, runs its whole job on its own thread. So N Python threads
 *     (or Dask/concurrent.futures workers) calling at once use at most
 *     N + T - 1 threads, never N * T, and nothing can deadlock on the pool.
 *   - tasks are handed out in blocks: participant p (the caller is 0,
 *     helper i is i + 1) first takes the tasks of the p-th contiguous block,
 *     one at a time from that block's atomic cursor, then those left in the
 *     other blocks. So a call repeated on the same data gives every core
 *     the same part of it, still in that core's cache (the reason OpenBLAS
 *     splits statically: at 1e5 elements, a dynamic hand-out made two
 *     threads slower than one), and a helper that comes late loses its
 *     block to the others instead of being waited for. When the caller runs
 *     out of tasks it closes the job and waits only for helpers inside a
 *     task: a helper that has not woken up yet (its core busy with another
 *     process) skips the job, so a busy machine costs speed, never a wait
 *     for a thread that has not started. Results may depend on the task
 *     index only, never on the thread.
 *   - a worker woken from sleep onto its caller's CPU moves to another
 *     (leave_cpu_of), and a caller whose last job was long lets it do so
 *     before starting its own tasks (last_job_ns): in a virtual machine
 *     Linux may queue the woken worker behind the caller while the other
 *     vCPU idles, and the job then runs on one CPU.
 *   - fork: pthread_atfork handlers hold the pool's mutex across fork() and
 *     reset the pool in the child: no workers (they were not copied), not
 *     busy, fresh condition variables. The child starts its own workers on
 *     its first threaded call.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "pool.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HL_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define HL_CPU_RELAX() __asm__ __volatile__("yield")
#else
#define HL_CPU_RELAX() ((void)0)
#endif
#include <sched.h> /* sched_yield; on Linux also sched_getcpu, sched_setaffinity */

/* The lock is held for a few stores at a time. glibc's adaptive kind spins
   briefly before it sleeps: a thread that finds it taken would otherwise
   sleep in the kernel and be woken tens of microseconds later (an
   inter-processor interrupt, costlier still in a virtual machine) for a
   lock released a few nanoseconds after it looked. */
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
static pthread_mutex_t mu = PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP;
#else
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
#endif
static pthread_cond_t wake_cv = PTHREAD_COND_INITIALIZER; /* workers: a new job */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER; /* caller: helpers done */

/* changed under mu */
static atomic_int nworkers;                     /* started (callers read it without mu) */
static unsigned long born[HL_POOL_MAX_THREADS]; /* jobs posted when each worker started */
static atomic_int asleep;                       /* workers waiting on wake_cv */
/* How long the last job took, and from what length a caller that wakes
   workers lets one woken onto its own CPU move away first. Moving costs
   ~70 us on a 2-core VM (the other vCPU is woken from halt): worth it for
   a job of 2 x 600 us (1.2 ms on one CPU, 0.75 ms moved), five times the
   job's time for one of 2 x 20 us. The pool does not know a job's length
   before it runs; a caller's calls tend to be alike, so it goes by the
   last one. */
static atomic_long last_job_ns;
#define MOVE_AFTER_JOB_NS 250000L

/* The job, on one cache line: a spinning worker that sees `posted` change
   finds in the same line all it needs to join. No lock is taken on the way
   in or out of a job (the lock only guards sleeping and starting workers):
   each hand-off between cores costs ~60 ns here (a 2-core Zen 5 VM), and
   the mutex, taken by the caller to post and to close and by the helper
   to join and to leave, added four of them to every split call (a float64
   dot of 1e5 elements on two threads ran 0.4 us behind OpenBLAS's).

   Joining, without a lock: a worker counts itself `inside`, then checks
   that the job it saw posted is still `open`; the caller closes a job by
   clearing `open`, then waits until `inside` is 0. Both pairs are
   sequentially consistent, so either the worker sees the job closed (and
   leaves without touching it) or the caller sees the worker inside (and
   waits for it). The caller writes the fields below only between jobs,
   after `inside` was 0, and a worker reads them only once it is inside an
   open job. */
#define HL_CACHE_LINE 64
static struct {
    _Alignas(HL_CACHE_LINE) atomic_ulong posted; /* jobs posted so far: what a worker watches */
    atomic_ulong open;      /* the job helpers may join (its number), 0 once closed */
    atomic_int caller_cpu;  /* the CPU the last job was posted from, -1 if unknown */
    int helpers;            /* workers 0 .. helpers-1 may take part */
    int nblocks;
    hl_pool_task fn;
    void *ctx;
} job;
static _Alignas(HL_CACHE_LINE) atomic_int inside; /* workers inside, or joining, a job */
static atomic_int caller_sleeps;                 /* the caller waits on done_cv for inside == 0 */

/* block p: the tasks from block[p].cursor (atomic) to block[p].end; the
   job's participants' blocks, set before the job is posted. One cache line
   per block: with the cursors side by side, every task a participant took
   from its own block evicted the line from the other's core (a float32
   asum of 1e5 elements in 25 chunks took 1.80 us on two threads, 1.86 on
   one, 1.39 as two tasks). */
static struct {
    _Alignas(HL_CACHE_LINE) atomic_ptrdiff_t cursor;
    ptrdiff_t end;
} block[HL_POOL_MAX_THREADS];
/* After a job a worker watches for the next one this long before it
   sleeps on wake_cv. Waking a sleeping thread costs 10-30 us: a loop of
   exp calls on 1e6 elements ran at 1.75x with two threads where two
   independent processes reach 1.95x, the helper joining each call ~25 us
   late. Spinning 100 us after each job removes that for back-to-back
   calls; an idle process spins not at all. The spin is bounded: at most
   this long after each job, per worker (one core's worth of CPU time for
   100 us after a call, however often calls come); HOSTLIB_POOL_SPIN_US
   sets it (hostlib/_pool/control.py), 0 sleeps at once. The caller, done
   with its tasks, watches the helpers finish for at most as long before
   it sleeps on done_cv. */
#define HL_SPIN_NS_DEFAULT 100000L
static atomic_long spin_ns = HL_SPIN_NS_DEFAULT;

static long elapsed_ns(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}
/* Spin for up to spin_ns while pending(arg) holds. */
static void spin_while(int (*pending)(const void *), const void *arg)
{
    const long spin = atomic_load_explicit(&spin_ns, memory_order_relaxed);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned i = 1; spin > 0 && pending(arg); i++) {
        HL_CPU_RELAX();
        if (i % 64 == 0 && elapsed_ns(&start) > spin) {
            break;
        }
    }
}

/* no job posted since the one this worker saw last */
static int no_new_job(const void *seen)
{
    return atomic_load_explicit(&job.posted, memory_order_acquire) == *(const unsigned long *)seen;
}

/* a helper still runs a task of the closed job */
static int helpers_inside(const void *unused)
{
    (void)unused;
    return atomic_load_explicit(&inside, memory_order_acquire) > 0;
}

static atomic_int busy;        /* a caller holds the pool */
static atomic_int setting;     /* 0: the default */
static _Thread_local int in_pool; /* this thread is a worker, or inside a job's tasks */

/* participant p: its own block, then what is left of the others */
static void run_tasks(hl_pool_task fn, void *ctx, int p, int blocks)
{
    for (int k = 0; k < blocks; k++) {
        const int b = (p + k) % blocks;
        for (ptrdiff_t t; (t = atomic_fetch_add_explicit(&block[b].cursor, 1, memory_order_relaxed)) < block[b].end;) {
            fn(ctx, t);
        }
    }
}

/* The CPU this thread runs on, -1 if unknown. */
static int current_cpu(void)
{
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

/* A worker woken from sleep may be put on the CPU of the thread that woke
   it, to share it with the caller while another CPU idles: Linux does so
   where it deems the idle CPU unavailable, as a virtual machine's halted
   vCPU (2-core Zen 5 VM: after 10 ms idle, the helper of a 2 x 600 us job
   ran on the caller's CPU in most calls, and the job took 1.2 ms, not
   0.6). Such a worker moves off that CPU, by leaving it out of its
   affinity for a moment: two system calls, paid only after a sleep. */
static void leave_cpu_of(int caller_cpu)
{
#if defined(__linux__)
    if (caller_cpu < 0 || caller_cpu >= CPU_SETSIZE || current_cpu() != caller_cpu) {
        return;
    }
    cpu_set_t allowed, elsewhere;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
        return;
    }
    elsewhere = allowed;
    CPU_CLR(caller_cpu, &elsewhere);
    if (CPU_COUNT(&elsewhere) > 0 && sched_setaffinity(0, sizeof elsewhere, &elsewhere) == 0) {
        sched_setaffinity(0, sizeof allowed, &allowed);
    }
#else
    (void)caller_cpu;
#endif
}

/* The next job after `seen`: watched for spin_ns, then slept for. */
static unsigned long wait_for_job(unsigned long seen, int *slept)
{
    spin_while(no_new_job, &seen);
    unsigned long posted = atomic_load_explicit(&job.posted, memory_order_acquire);
    *slept = 0;
    if (posted != seen) {
        return posted;
    }
    pthread_mutex_lock(&mu);
    /* asleep, then posted; the caller stores posted, then reads asleep:
       one of the two sees the other's write, so no job goes unnoticed */
    atomic_fetch_add(&asleep, 1);
    while ((posted = atomic_load(&job.posted)) == seen) {
        pthread_cond_wait(&wake_cv, &mu);
    }
    atomic_fetch_sub(&asleep, 1);
    pthread_mutex_unlock(&mu);
    *slept = 1;
    return posted;
}

/* leave a job joined, or found closed; the last one out wakes a caller
   that went to sleep waiting (it set caller_sleeps, then read inside) */
static void leave_job(void)
{
    if (atomic_fetch_sub(&inside, 1) == 1 && atomic_load(&caller_sleeps)) {
        pthread_mutex_lock(&mu);
        pthread_cond_signal(&done_cv);
        pthread_mutex_unlock(&mu);
    }
}

static void *worker_main(void *arg)
{
    const int id = (int)(intptr_t)arg;
    in_pool = 1;
    pthread_mutex_lock(&mu);
    unsigned long seen = born[id];
    pthread_mutex_unlock(&mu);
    for (;;) {
        int slept;
        seen = wait_for_job(seen, &slept);
        if (slept) {
            /* also when the job is already closed: a worker left on the
               caller's CPU would spin there after it, taking the caller's
               time (see last_job_ns) */
            leave_cpu_of(atomic_load_explicit(&job.caller_cpu, memory_order_relaxed));
            if (atomic_load_explicit(&job.posted, memory_order_acquire) != seen) {
                continue; /* a newer job was posted meanwhile: take that one */
            }
        }
        atomic_fetch_add(&inside, 1);
        if (atomic_load(&job.open) != seen || id >= job.helpers) {
            leave_job(); /* closed already (or a newer one is being set up), or not ours */
            continue;
        }
        run_tasks(job.fn, job.ctx, id + 1, job.nblocks);
        leave_job();
    }
    return NULL;
}

/* under mu; 0 if the thread cannot be created (the job then has fewer) */
static int start_worker(int id)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        return 0;
    }
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old); /* the new thread inherits the mask */
    born[id] = atomic_load(&job.posted);
    pthread_t tid;
    const int rc = pthread_create(&tid, &attr, worker_main, (void *)(intptr_t)id);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return rc == 0;
}

static void atfork_prepare(void)
{
    pthread_mutex_lock(&mu);
}

static void atfork_parent(void)
{
    pthread_mutex_unlock(&mu);
}

static void atfork_child(void)
{
    /* only the forking thread exists here; it holds mu (atfork_prepare) */
    atomic_store(&nworkers, 0);
    atomic_store(&inside, 0);
    atomic_store(&asleep, 0);
    atomic_store(&caller_sleeps, 0);
    atomic_store(&job.open, 0);
    atomic_store(&busy, 0);
    pthread_cond_init(&wake_cv, NULL);
    pthread_cond_init(&done_cv, NULL);
    pthread_mutex_unlock(&mu);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

int hl_pool_cpu_count(void)
{
#if defined(__linux__)
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        const int n = CPU_COUNT(&set);
        if (n >= 1) {
            return n;
        }
    }
#endif
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 ? (n < HL_POOL_MAX_THREADS ? (int)n : HL_POOL_MAX_THREADS) : 1;
}

/* The default width's CPU count, as hl_pool_width() reads it: the
   affinity mask costs a system call (~0.2 us in a VM), which every split
   decision paid, and numpy.fft's patched loop at n = 8 spent a tenth of
   its time in. So it is re-read at most every HL_CPUS_RECHECK_NS on a
   coarse clock (a change of the mask, e.g. taskset or a Dask worker's
   pinning, shows within that), and whenever hl_pool_get_num_threads()
   asks, which stores what it reads. */
#define HL_CPUS_RECHECK_NS 10000000LL /* 10 ms */
#ifdef CLOCK_MONOTONIC_COARSE
#define HL_COARSE_CLOCK CLOCK_MONOTONIC_COARSE /* a vDSO read, no system call */
#else
#define HL_COARSE_CLOCK CLOCK_MONOTONIC
#endif
static atomic_int cpus_seen;          /* 0: not read yet */
static atomic_llong cpus_seen_at_ns;

static long long coarse_now_ns(void)
{
    struct timespec now;
    clock_gettime(HL_COARSE_CLOCK, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

static int cpus_read_now(void)
{
    const int cpus = hl_pool_cpu_count();
    atomic_store_explicit(&cpus_seen_at_ns, coarse_now_ns(), memory_order_relaxed);
    atomic_store_explicit(&cpus_seen, cpus, memory_order_relaxed);
    return cpus;
}

static int cpus_recent(void)
{
    const int cpus = atomic_load_explicit(&cpus_seen, memory_order_relaxed);
    if (cpus > 0 && coarse_now_ns() - atomic_load_explicit(&cpus_seen_at_ns, memory_order_relaxed) < HL_CPUS_RECHECK_NS) {
        return cpus;
    }
    return cpus_read_now();
}

/* the setting, else the CPU count `cpus` gives, capped */
static int threads_or(int (*cpus)(void))
{
    const int n = atomic_load(&setting);
    if (n >= 1) {
        return n;
    }
    const int c = cpus();
    return c < HL_POOL_MAX_THREADS ? c : HL_POOL_MAX_THREADS;
}

int hl_pool_get_num_threads(void)
{
    return threads_or(cpus_read_now);
}

void hl_pool_set_num_threads(int n)
{
    atomic_store(&setting, n < 0 ? 0 : (n > HL_POOL_MAX_THREADS ? HL_POOL_MAX_THREADS : n));
}

void hl_pool_set_spin_ns(long ns)
{
    atomic_store(&spin_ns, ns < 0 ? 0 : (ns > HL_POOL_MAX_SPIN_NS ? HL_POOL_MAX_SPIN_NS : ns));
}

long hl_pool_get_spin_ns(void)
{
    return atomic_load(&spin_ns);
}

int hl_pool_width(void)
{
    if (in_pool || atomic_load_explicit(&busy, memory_order_relaxed)) {
        return 1;
    }
    return threads_or(cpus_recent);
}

int hl_pool_started(void)
{
    return atomic_load(&nworkers);
}

int hl_pool_run(hl_pool_task fn, void *ctx, ptrdiff_t ntasks, int width)
{
    if (width > ntasks) {
        width = (int)ntasks;
    }
    if (width > HL_POOL_MAX_THREADS) {
        width = HL_POOL_MAX_THREADS;
    }
    if (width <= 1 || in_pool || atomic_exchange(&busy, 1)) {
        const int outer = in_pool;
        in_pool = 1;
        for (ptrdiff_t t = 0; t < ntasks; t++) {
            fn(ctx, t);
        }
        in_pool = outer;
        return 1;
    }
    pthread_once(&atfork_once, register_atfork);
    struct timespec job_start;
    clock_gettime(CLOCK_MONOTONIC, &job_start);
    if (atomic_load_explicit(&nworkers, memory_order_relaxed) < width - 1) {
        pthread_mutex_lock(&mu);
        int started = atomic_load(&nworkers);
        while (started < width - 1 && start_worker(started)) {
            atomic_store(&nworkers, ++started);
        }
        pthread_mutex_unlock(&mu);
    }
    const int started = atomic_load_explicit(&nworkers, memory_order_relaxed);
    const int helpers = width - 1 < started ? width - 1 : started;
    /* Blocks of ntasks / nblocks tasks, the first ones a task longer when
       it does not divide: the caller starts at once, its helpers a hand-off
       later (a float64 dot of 1e5 elements is 25 chunks: 13 for the
       caller, 12 for the helper). */
    const int nblocks = helpers + 1;
    for (int b = 0; b < nblocks; b++) {
        const ptrdiff_t first = ntasks - ntasks * (nblocks - b) / nblocks;
        const ptrdiff_t end = ntasks - ntasks * (nblocks - b - 1) / nblocks;
        atomic_store_explicit(&block[b].cursor, first, memory_order_relaxed);
        block[b].end = end;
    }
    job.fn = fn;
    job.ctx = ctx;
    job.helpers = helpers;
    job.nblocks = nblocks;
    atomic_store_explicit(&job.caller_cpu, current_cpu(), memory_order_relaxed);
    const unsigned long this_job = atomic_load_explicit(&job.posted, memory_order_relaxed) + 1;
    atomic_store(&job.open, this_job);
    atomic_store(&job.posted, this_job);
    const int woken = atomic_load(&asleep);
    if (woken > 0) {
        pthread_mutex_lock(&mu);
        pthread_cond_broadcast(&wake_cv);
        pthread_mutex_unlock(&mu);
        if (atomic_load_explicit(&last_job_ns, memory_order_relaxed) >= MOVE_AFTER_JOB_NS) {
            /* a worker woken onto this CPU runs now and moves off it
               (leave_cpu_of); one woken elsewhere costs this a system call */
            sched_yield();
        }
    }

    in_pool = 1; /* a kernel calling back into the table from a task stays on this thread */
    run_tasks(fn, ctx, 0, nblocks);
    in_pool = 0;

    /* Close the job: a helper that has not woken up yet (its core busy
       with another process) skips it instead of being waited for; wait
       only for helpers still inside. Watch them finish for up to spin_ns
       before sleeping: a caller put to sleep here is woken by the kernel
       microseconds after the last helper is done, which cost more than
       the split saved on calls of a few microseconds (2-core Zen 5 in a
       VM: a float32 scal of 2^16 elements took 2.1 us on one thread and 7
       us on two). */
    atomic_store(&job.open, 0);
    spin_while(helpers_inside, NULL);
    if (helpers_inside(NULL)) {
        /* caller_sleeps, then inside; a helper leaving decrements inside,
           then reads caller_sleeps: one of the two sees the other */
        pthread_mutex_lock(&mu);
        atomic_store(&caller_sleeps, 1);
        while (atomic_load(&inside) > 0) {
            pthread_cond_wait(&done_cv, &mu);
        }
        atomic_store(&caller_sleeps, 0);
        pthread_mutex_unlock(&mu);
    }
    atomic_store_explicit(&last_job_ns, elapsed_ns(&job_start), memory_order_relaxed);
    atomic_store(&busy, 0);
    return helpers + 1;
}
