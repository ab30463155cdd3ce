package bot

import (
	"sync"
	"time"
)

// A RateLimit is a token bucket per user: each request takes a token, and
// tokens come back at PerMinute a minute, up to Burst.
type RateLimit struct {
	PerMinute float64 // tokens refilled a minute; 0 turns rate limiting off
	Burst     int     // bucket size: requests allowed at once; 0 means 1
}

// sweepEvery is how often the limiter forgets users whose bucket is full
// again, so that its memory follows the users active lately.
const sweepEvery = time.Minute

// A limiter holds a token bucket per user. When a user's bucket is dry, the
// first refused request is told to slow down and the following ones are
// refused silently: at most one "slow down" per window (the time the bucket
// takes to fill, and at least a minute), never a flood of replies.
type limiter struct {
	perSec float64 // tokens a second
	burst  float64
	window time.Duration

	mu        sync.Mutex // guards buckets and lastSweep
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64   // tokens at last
	last   time.Time // when tokens was computed
	warned time.Time // when the user was last told to slow down
}

// newLimiter returns the limiter for rl, or nil when rl limits nothing.
func newLimiter(rl RateLimit) *limiter {
	if rl.PerMinute <= 0 {
		return nil
	}
	burst := max(rl.Burst, 1)
	perSec := rl.PerMinute / 60
	window := max(time.Minute, time.Duration(float64(burst)/perSec*float64(time.Second)))
	return &limiter{perSec: perSec, burst: float64(burst), window: window, buckets: make(map[string]*bucket)}
}

// allow takes a token from key's bucket at now. ok means the request may go
// ahead; otherwise warn says whether this is the one refusal to answer.
func (l *limiter) allow(key string, now time.Time) (ok, warn bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.refill(now, l.perSec, l.burst)
	if b.tokens >= 1 {
		b.tokens--
		return true, false
	}
	if b.warned.IsZero() || now.Sub(b.warned) >= l.window {
		b.warned = now
		return false, true
	}
	return false, false
}

// sweep forgets the buckets that are full again at now and whose warning
// window is over. l.mu is held.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		b.refill(now, l.perSec, l.burst)
		if b.tokens >= l.burst && now.Sub(b.warned) >= l.window {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// size returns how many users the limiter remembers.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (b *bucket) refill(now time.Time, perSec, burst float64) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(burst, b.tokens+d.Seconds()*perSec)
		b.last = now
	}
}
