// boost_peer.cpp: the benchmark's peer, Boost.Interprocess's interprocess_mutex, behind a C
// interface.  Kept in its own translation unit because Boost.Interprocess declares the Win32
// functions it uses itself, in ways that clash with <windows.h>, which bench.c includes.
//
// With Boost 1.74 on Windows, interprocess_mutex is the "generic emulation": a spin mutex,
// one 32-bit word in shared memory, so it is as fast as ours uncontended, but a process that
// dies holding it leaves it locked for ever (no owner is recorded).
#include <new>
#include <boost/interprocess/sync/interprocess_mutex.hpp>

using boost::interprocess::interprocess_mutex;

extern "C" {

// The bytes a mutex needs in the shared region the caller provides.
unsigned boost_peer_size(void) { return sizeof(interprocess_mutex); }

// Constructs the mutex in place (once, by the process that creates the region).
void boost_peer_init(void *mem) { new (mem) interprocess_mutex(); }

void boost_peer_lock(void *mem) { static_cast<interprocess_mutex *>(mem)->lock(); }

void boost_peer_unlock(void *mem) { static_cast<interprocess_mutex *>(mem)->unlock(); }

// n increments of *counter, each under the mutex: the peer of MemscopeLockedIncrement.
void boost_peer_locked_increments(void *mem, volatile long long *counter, long n)
{
    interprocess_mutex *m = static_cast<interprocess_mutex *>(mem);
    for (long i = 0; i < n; i++) {
        m->lock();
        ++*counter;
        m->unlock();
    }
}

}
